"""The services Stepyard does not host (DynamoDB, S3, ...): which requests are theirs, and the answer.

``claims(scope)`` says from the headers alone whether a request is for one of them
(its SigV4 credential scope, or a JSON protocol's X-Amz-Target prefix); console/api/router.py
reads the body and runs ``handle`` on ``POOL``, a worker thread so the event loop never
waits on moto or the network: it checks the signature when STEPYARD_ACCESS_KEYS is set and
answers from the embedded moto or the upstream.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote

from console import credentials
from console.services import ServiceError
from console.upstream import catalog, config, embedded
from console.upstream.catalog import Call, Reply, error_reply
from console.upstream.forward import forward
from console.wire import sigv4

# S3 takes objects up to 5 GB in one PUT; Stepyard keeps a body in memory, so it stops earlier.
MAX_BODY_BYTES = 512 * 1024 * 1024
POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="upstream")


def check_configuration() -> None:
    """Fail loudly at start-up when an upstream setting is wrong."""
    config.check()


def claims(scope) -> catalog.Route | None:
    """The route of an HTTP request for a non-hosted service, or None."""
    if scope["type"] != "http":
        return None
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
    return catalog.route(headers, scope.get("query_string", b"").decode("latin-1"))


def handle(call: Call) -> Reply:
    """Verify the caller (when keys are configured), then serve ``call`` embedded or upstream."""
    keys = credentials.configured_keys()
    if keys:
        try:
            sigv4.verify(sigv4.SignedRequest(call.method, unquote(call.path), call.query, call.headers,
                                             call.body), keys)
        except ServiceError as error:
            return error_reply(call.service, error.code, error.message, error.status)
    upstream = config.upstream_for(call.service)
    return forward(call, upstream) if upstream else embedded.dispatch(call)
