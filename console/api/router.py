"""The one AWS entry point: which API a request is for, its body, its pool, its reply.

console.asgi hands every HTTP request to ``answer``. AWS API calls take a short path:
they go straight to the API's thread pool, without Django's per-request signals and
sync middleware, which hop through one shared thread and would serialise concurrent
callers. Four protocols share it:

- JSON 1.0 with ``X-Amz-Target`` (Step Functions, SQS), on any path: boto3 posts to the
  endpoint URL's path (the root, or a prefix without a trailing slash);
- the non-hosted services (DynamoDB, S3, ...: console/upstream), recognised by their
  headers;
- the Lambda REST-JSON API (an operation per dated path);
- SNS's Query protocol (a form-encoded POST naming an Action; the console's own form
  posts, with a CSRF token, are replayed to Django untouched).

Everything else goes to Django. ``AwsJsonMiddleware`` answers JSON calls that reach
Django some other way (the test client).
"""

from __future__ import annotations

import asyncio
import contextvars
import io
import logging
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import HttpRequest, HttpResponse

from console import credentials
from console.api import guard, lambda_api, lambda_routes, protocol, shapes, sns, sqs, stepfunctions
from console.api.protocol import error_response, json_response
from console.services import ServiceError
from console.upstream import gateway
from console.upstream.catalog import Call, Route, error_reply
from console.wire import sigv4
from engine import json_types

log = logging.getLogger(__name__)
App = Callable[[dict, Callable, Callable], Awaitable[None]]
# API calls run here rather than in Django's one shared sync thread, so that a long poll
# (GetActivityTask) or a StartSyncExecution never holds up the other callers. SQLite
# writers of the process take turns in console/db/sqlite.
POOL = ThreadPoolExecutor(max_workers=64, thread_name_prefix="stepyard-api")
SERVICES = {"AWSStepFunctions": stepfunctions.ACTIONS, "AmazonSQS": sqs.ACTIONS}


class UnknownOperation(ServiceError):
    code = "UnknownOperationException"


async def answer(scope: dict, receive: Callable, send: Callable, django: App) -> None:
    """Answer one HTTP request: an AWS API call here, anything else through ``django``."""
    if (route := gateway.claims(scope)) is not None:
        await _gateway_call(scope, receive, send, route)
    elif _is_json_call(scope):
        await _json_call(scope, receive, send)
    elif lambda_routes.is_lambda_path(scope):
        await _lambda_call(scope, receive, send)
    elif (content_type := _form_content_type(scope)) is not None:
        await _form_post(scope, receive, send, content_type, django)
    else:
        await django(scope, receive, send)


# --------------------------------------------------------------------------- the wire


async def read_body(receive: Callable, limit: int) -> bytes | None:
    """The body, or None when it is larger than ``limit`` (read to its end all the same)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks) if size <= limit else None


async def send_reply(send: Callable, status: int, headers: Iterable[tuple[str, str]], body: bytes, *,
                     head: bool = False) -> None:
    """Send a whole response; a HEAD reply keeps the Content-Length its GET would have."""
    raw, length = [], None
    for name, value in headers:
        if name.lower() == "content-length":
            length = value
        else:
            raw.append((name.encode("latin-1"), value.encode("latin-1", "replace")))
    if not head or length is None:
        length = str(len(body))
    raw.append((b"content-length", length.encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": b"" if head else body})


def _headers(scope: dict) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}


async def _in_pool(pool: ThreadPoolExecutor, function: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(
        pool, contextvars.copy_context().run, _tidily, function, *args)


def _tidily(function: Callable[..., Any], *args: Any) -> Any:
    try:
        return function(*args)
    finally:
        # Pool threads keep their connection between calls; drop one that broke.
        for conn in connections.all(initialized_only=True):
            if conn.errors_occurred and not conn.is_usable():
                conn.close()


# --------------------------------------------------------------------------- JSON 1.0 (X-Amz-Target)


def _is_json_call(scope: dict) -> bool:
    if scope["type"] != "http" or scope["method"] != "POST":
        return False
    return any(name == b"x-amz-target" for name, _ in scope["headers"])


async def _json_call(scope: dict, receive: Callable, send: Callable) -> None:
    body = await read_body(receive, protocol.MAX_REQUEST_BYTES)
    if body is None:
        response = error_response("SerializationException", "The request body is too large.", 413)
    else:
        response = await _in_pool(POOL, handle, ASGIRequest(scope, io.BytesIO(body)))
    await send_reply(send, response.status_code, response.items(), response.content)


class AwsJsonMiddleware:
    """Answer AWS JSON protocol calls before the console's URL routing sees them."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        if not _is_api_request(request):
            return self.get_response(request)
        return handle(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        if not _is_api_request(request):
            return await self.get_response(request)
        return await sync_to_async(_tidily, thread_sensitive=False, executor=POOL)(handle, request)


def _is_api_request(request: HttpRequest) -> bool:
    return request.method == "POST" and bool(request.headers.get("X-Amz-Target"))


def handle(request: HttpRequest) -> HttpResponse:
    """Check the caller's signature (when keys are configured), then dispatch."""
    keys = credentials.configured_keys()
    if keys:
        try:
            sigv4.verify(_signed_request(request), keys)
        except ServiceError as error:
            return error_response(error.code, error.message, error.status)
    return dispatch(request.headers["X-Amz-Target"], request.body)


def _signed_request(request: HttpRequest) -> sigv4.SignedRequest:
    return sigv4.SignedRequest(
        method=request.method or "POST",
        path=request.path,
        query=request.META.get("QUERY_STRING", ""),
        headers={name.lower(): value for name, value in request.headers.items()},
        body=request.body,
    )


def dispatch(target: str, body: bytes) -> HttpResponse:
    """Run one API call and render its result or AWS-shaped error."""
    try:
        result = call(target, _params(body))
    except ServiceError as error:
        return error_response(error.code, error.message, error.status, getattr(error, "query_error", None))
    except Exception:
        log.exception("API call %s failed", target)
        return error_response("InternalFailure", "Stepyard failed to handle this request.", 500)
    return json_response(result)


def call(target: str, params: dict[str, Any]) -> dict[str, Any]:
    """Check ``params`` as AWS would and run the action ``target`` names (ServiceError if not)."""
    handler = _handler(target)
    service, _, action = target.partition(".")
    if service == "AWSStepFunctions":
        shapes.check_request(action, params)
    return handler(params)


def _handler(target: str) -> protocol.Handler:
    service, _, action = target.partition(".")
    actions = SERVICES.get(service)
    if actions is None or action not in actions:
        raise UnknownOperation(f"Unknown operation {target[:128]!r}")
    return actions[action]


def _params(body: bytes) -> dict[str, Any]:
    if len(body) > protocol.MAX_REQUEST_BYTES:
        raise protocol.SerializationError("The request body is too large.")
    if not body.strip():
        return {}
    try:
        params = json_types.loads(body)
    except ValueError:
        raise protocol.SerializationError("The request body is not valid JSON.") from None
    if not isinstance(params, dict):
        raise protocol.SerializationError("The request body must be a JSON object.")
    return params


# --------------------------------------------------------------------------- non-hosted services


async def _gateway_call(scope: dict, receive: Callable, send: Callable, route: Route) -> None:
    body = await read_body(receive, gateway.MAX_BODY_BYTES)
    headers = _headers(scope)
    if body is None:
        reply = error_reply(route.service, "EntityTooLarge", "Your proposed upload exceeds the maximum "
                            f"allowed size ({gateway.MAX_BODY_BYTES} bytes) Stepyard accepts.", 400)
    else:
        raw_path = scope.get("raw_path") or scope["path"].encode()
        call = Call(route.service, route.region or settings.STEPYARD_REGION, scope["method"],
                    raw_path.decode("latin-1"), scope.get("query_string", b"").decode("latin-1"), headers, body)
        reply = await asyncio.get_running_loop().run_in_executor(gateway.POOL, gateway.handle, call)
    await send_reply(send, reply.status, reply.headers.items(), reply.body, head=scope["method"] == "HEAD")


# --------------------------------------------------------------------------- Lambda (REST-JSON)


async def _lambda_call(scope: dict, receive: Callable, send: Callable) -> None:
    found = lambda_routes.route(scope["method"], scope["path"])
    body = await read_body(receive, lambda_routes.body_limit(found))
    if body is None:
        response = lambda_routes.too_large(found)
    else:
        response = await _in_pool(POOL, lambda_routes.handle, _lambda_request(scope, body), found)
    await send_reply(send, response.status, response.headers.items(), response.body)


def _lambda_request(scope: dict, body: bytes) -> lambda_api.Request:
    query = scope.get("query_string", b"").decode("latin-1")
    raw_path = scope.get("raw_path")
    return lambda_api.Request(method=scope["method"], path=scope["path"],
                              raw_path=raw_path.decode("latin-1") if raw_path else scope["path"], raw_query=query,
                              query=parse_qs(query, keep_blank_values=True), headers=_headers(scope), body=body)


# --------------------------------------------------------------------------- SNS (Query)


def _form_content_type(scope: dict) -> str | None:
    # The Serverless Workflow callback API (/fnf/) takes its own form posts with an Action.
    if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].startswith("/fnf/"):
        return None
    for name, value in scope["headers"]:
        if name == b"content-type" and value.startswith(b"application/x-www-form-urlencoded"):
            return value.decode("latin-1")
    return None


async def _form_post(scope: dict, receive: Callable, send: Callable, content_type: str, django: App) -> None:
    body = await read_body(receive, protocol.MAX_REQUEST_BYTES)
    if body is None:
        return await guard.refuse(send, 413, "The request body is too large.")
    if not sns.is_query_call(content_type, body):
        await django(scope, _replay(receive, body), send)
        return
    response = await _in_pool(POOL, sns.handle_request, ASGIRequest(scope, io.BytesIO(body)))
    await send_reply(send, response.status_code, response.items(), response.content)


def _replay(receive: Callable, body: bytes) -> Callable:
    replayed = False

    async def replay() -> dict:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
