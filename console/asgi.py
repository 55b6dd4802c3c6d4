"""ASGI entry point: HTTP (console, AWS APIs, static files) and websockets.

AWS API calls (a POST with ``X-Amz-Target``) take a short path: they go straight to the
API's thread pool, without Django's per-request signals and sync middleware, which hop
through one shared thread and would serialise concurrent callers. In the embedded mode
(the default) this process also runs the engine's scheduler.
"""

import asyncio
import contextvars
import io
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402
from django.core.handlers.asgi import ASGIRequest  # noqa: E402

from console import addresses  # noqa: E402
from console.api import guard, lambda_api, protocol, sns  # noqa: E402
from console.routing import websocket_urlpatterns  # noqa: E402
from console.runtime import publish  # noqa: E402
from console.serving import trim_daphne  # noqa: E402
from console.upstream import gateway  # noqa: E402
from console.wiring import install  # noqa: E402

trim_daphne()
gateway.check_configuration()
install()

# Stepyard is a local tool served by Daphne alone, so it serves its own static
# files (the handler works with DEBUG off) and needs no separate web server.
router = ProtocolTypeRouter(
    {
        "http": ASGIStaticFilesHandler(django_asgi_app),
        # Only pages served by this server may open websockets (no cross-site hijacking).
        "websocket": guard.same_origin_websockets(URLRouter(websocket_urlpatterns)),
    }
)


def _is_api_call(scope) -> bool:
    if scope["type"] != "http" or scope["method"] != "POST":
        return False
    return any(name == b"x-amz-target" for name, _ in scope["headers"])


async def _read_body(receive) -> bytes | None:
    """The request body, or None when it is larger than the API accepts."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > protocol.MAX_REQUEST_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _api_call(scope, receive, send) -> None:
    body = await _read_body(receive)
    if body is None:
        response = protocol.error_response("SerializationException", "The request body is too large.", 413)
    else:
        request = ASGIRequest(scope, io.BytesIO(body))
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(
            protocol._POOL, contextvars.copy_context().run, protocol._handle_in_pool, request)
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in response.items()]
    headers.append((b"content-length", str(len(response.content)).encode()))
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": response.content})


# --- SNS: the Query protocol has no X-Amz-Target; its calls are form-encoded POSTs
# naming an Action. Other form posts (the console's, with a CSRF token) are replayed
# to Django untouched.


def _form_content_type(scope) -> str | None:
    # The Serverless Workflow callback API (/fnf/) takes its own form posts with an Action.
    if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].startswith("/fnf/"):
        return None
    for name, value in scope["headers"]:
        if name == b"content-type" and value.startswith(b"application/x-www-form-urlencoded"):
            return value.decode("latin-1")
    return None


async def _form_post(scope, receive, send, content_type: str) -> None:
    body = await _read_body(receive)
    if body is None:
        return await guard.refuse(send, 413, "The request body is too large.")
    if not sns.is_query_call(content_type, body):
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await router(scope, replay, send)
        return
    response = await asyncio.get_running_loop().run_in_executor(
        protocol._POOL, contextvars.copy_context().run, sns.handle_request, ASGIRequest(scope, io.BytesIO(body)))
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in response.items()]
    headers.append((b"content-length", str(len(response.content)).encode()))
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": response.content})


async def application(scope, receive, send):
    publish.bind_loop(asyncio.get_running_loop())
    if scope["type"] in ("http", "websocket"):
        addresses.bind(scope.get("scheme", "http"), scope["headers"])
    if scope["type"] == "http" and (refused := guard.refusal(scope)) is not None:
        await guard.refuse(send, *refused)
    # DynamoDB, S3, EventBridge, ...: the embedded moto or the upstream (console/upstream/).
    elif (route := gateway.claims(scope)) is not None:
        await gateway.serve(scope, receive, send, route)
    elif _is_api_call(scope):
        await _api_call(scope, receive, send)
    elif lambda_api.is_lambda_path(scope):
        # The Lambda API is REST-JSON: no X-Amz-Target, an operation per dated path.
        await lambda_api.serve(scope, receive, send)
    elif (content_type := _form_content_type(scope)) is not None:
        await _form_post(scope, receive, send, content_type)
    else:
        await router(scope, receive, send)
