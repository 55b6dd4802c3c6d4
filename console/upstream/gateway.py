"""The HTTP entry point for the services Stepyard does not host (one call from asgi.py).

``claims(scope)`` says from the headers alone whether a request is for one of them
(its SigV4 credential scope, or a JSON protocol's X-Amz-Target prefix); ``serve`` reads
the body, checks the signature when STEPYARD_ACCESS_KEYS is set, and answers from the
embedded moto or the upstream, in a worker thread so the event loop never waits on
moto or the network.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote

from django.conf import settings

from console.api import sigv4
from console.services import ServiceError
from console.upstream import catalog, config, embedded
from console.upstream.catalog import Call, Reply, error_reply
from console.upstream.forward import forward

# S3 takes objects up to 5 GB in one PUT; Stepyard keeps a body in memory, so it stops earlier.
MAX_BODY_BYTES = 512 * 1024 * 1024
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="upstream")


def check_configuration() -> None:
    """Fail loudly at start-up when an upstream setting is wrong."""
    config.check()


def claims(scope) -> catalog.Route | None:
    """The route of an HTTP request for a non-hosted service, or None."""
    if scope["type"] != "http":
        return None
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
    return catalog.route(headers, scope.get("query_string", b"").decode("latin-1"))


async def serve(scope, receive, send, route: catalog.Route) -> None:
    """Answer one request ``claims`` accepted."""
    body = await _read_body(receive)
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
    if body is None:
        reply = error_reply(route.service, "EntityTooLarge", "Your proposed upload exceeds the maximum "
                            f"allowed size ({MAX_BODY_BYTES} bytes) Stepyard accepts.", 400)
    else:
        raw_path = scope.get("raw_path") or scope["path"].encode()
        call = Call(route.service, route.region or settings.STEPYARD_REGION, scope["method"],
                    raw_path.decode("latin-1"), scope.get("query_string", b"").decode("latin-1"), headers, body)
        reply = await asyncio.get_running_loop().run_in_executor(_POOL, handle, call)
    await _send(send, reply, head=scope["method"] == "HEAD")


def handle(call: Call) -> Reply:
    """Verify the caller (when keys are configured), then serve ``call`` embedded or upstream."""
    keys = sigv4.configured_keys()
    if keys:
        try:
            sigv4.verify(sigv4.SignedRequest(call.method, unquote(call.path), call.query, call.headers,
                                             call.body), keys)
        except ServiceError as error:
            return error_reply(call.service, error.code, error.message, error.status)
    upstream = config.upstream_for(call.service)
    return forward(call, upstream) if upstream else embedded.dispatch(call)


async def _read_body(receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _send(send, reply: Reply, *, head: bool) -> None:
    headers = [(name.encode("latin-1"), value.encode("latin-1", "replace")) for name, value in reply.headers.items()
               if name.lower() != "content-length"]
    length = reply.headers.get("Content-Length") or reply.headers.get("content-length")
    if not head or length is None:
        length = str(len(reply.body))
    headers.append((b"content-length", length.encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else reply.body})
