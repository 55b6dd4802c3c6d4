"""AWS JSON 1.0 protocol: ``POST`` with ``X-Amz-Target: <Service>.<Action>``, on any path.

boto3 posts to the endpoint URL's path (the root, or a prefix without a trailing
slash), so any POST carrying ``X-Amz-Target`` is an API call, wherever it lands.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.db import connections
from django.http import HttpRequest, HttpResponse

from console.api import shapes, sigv4
from console.services import InvalidToken, ServiceError, ValidationError
from engine import json_types

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], dict[str, Any]]
CONTENT_TYPE = "application/x-amz-json-1.0"
MAX_REQUEST_BYTES = 2 * 1024 * 1024


SerializationError = shapes.SerializationError
# API calls run here rather than in Django's one shared sync thread, so that a long poll
# (GetActivityTask) or a StartSyncExecution never holds up the other callers (console/asgi.py
# sends API calls straight to _handle_in_pool on this pool). SQLite writers of the process
# take turns in console/db/sqlite.
_POOL = ThreadPoolExecutor(max_workers=64, thread_name_prefix="stepyard-api")


class UnknownOperation(ServiceError):
    code = "UnknownOperationException"


def _services() -> dict[str, dict[str, Handler]]:
    from console.api import sqs, stepfunctions

    return {"AWSStepFunctions": stepfunctions.ACTIONS, "AmazonSQS": sqs.ACTIONS}


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
        if not _is_api_call(request):
            return self.get_response(request)
        return handle(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        if not _is_api_call(request):
            return await self.get_response(request)
        return await sync_to_async(_handle_in_pool, thread_sensitive=False, executor=_POOL)(request)


def _is_api_call(request: HttpRequest) -> bool:
    return request.method == "POST" and bool(request.headers.get("X-Amz-Target"))


def _handle_in_pool(request: HttpRequest) -> HttpResponse:
    try:
        return handle(request)
    finally:
        # Pool threads keep their connection between calls; drop one that broke.
        for conn in connections.all(initialized_only=True):
            if conn.errors_occurred and not conn.is_usable():
                conn.close()


def handle(request: HttpRequest) -> HttpResponse:
    """Check the caller's signature (when keys are configured), then dispatch."""
    keys = sigv4.configured_keys()
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


def _handler(target: str) -> Handler:
    service, _, action = target.partition(".")
    actions = _services().get(service)
    if actions is None or action not in actions:
        raise UnknownOperation(f"Unknown operation {target[:128]!r}")
    return actions[action]


def _params(body: bytes) -> dict[str, Any]:
    if len(body) > MAX_REQUEST_BYTES:
        raise SerializationError("The request body is too large.")
    if not body.strip():
        return {}
    try:
        params = json_types.loads(body)
    except ValueError:
        raise SerializationError("The request body is not valid JSON.") from None
    if not isinstance(params, dict):
        raise SerializationError("The request body must be a JSON object.")
    return params


def json_response(result: dict[str, Any], status: int = 200) -> HttpResponse:
    body = json.dumps(result, separators=(",", ":"), ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPE)


def error_response(code: str, message: str, status: int = 400, query_error: str | None = None) -> HttpResponse:
    response = json_response({"__type": code, "message": message}, status)
    response["x-amzn-ErrorType"] = code
    if query_error:
        # awsQueryCompatible services (SQS) report their Query-era code here as
        # "<code>;Sender"; botocore needs it to raise the modelled exception.
        response["x-amzn-query-error"] = query_error
    return response


# --------------------------------------------------------------------------- parameters


def _constraint(field: str, text: str) -> ServiceError:
    return ValidationError(
        f"1 validation error detected: Value at '{field}' failed to satisfy constraint: {text}"
    )


def string(params: dict, field: str, *, required: bool = False, max_length: int | None = None,
           min_length: int = 0) -> str | None:
    """Read a string parameter, checking the limits AWS documents (botocore does not)."""
    value = params.get(field)
    if value is None:
        if required:
            raise _constraint(field, "Member must not be null")
        return None
    if not isinstance(value, str):
        raise _constraint(field, "Member must be a string")
    if max_length is not None and len(value) > max_length:
        raise _constraint(field, f"Member must have length less than or equal to {max_length}")
    if len(value) < min_length:
        raise _constraint(field, f"Member must have length greater than or equal to {min_length}")
    return value


def integer(params: dict, field: str, *, minimum: int, maximum: int) -> int | None:
    value = params.get(field)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise _constraint(field, "Member must be an integer")
    if not minimum <= value <= maximum:
        raise _constraint(field, f"Member must have value between {minimum} and {maximum}")
    return value


def boolean(params: dict, field: str) -> bool:
    value = params.get(field, False)
    if not isinstance(value, bool):
        raise _constraint(field, "Member must be a boolean")
    return value


def choice(params: dict, field: str, allowed: tuple[str, ...], default: str) -> str:
    value = params.get(field, default)
    if value not in allowed:
        raise _constraint(field, f"Member must satisfy enum value set: [{', '.join(allowed)}]")
    return value


def page(items: Any, params: dict, *, max_default: int = 100) -> tuple[list, str | None]:
    """Slice a list or query set by ``maxResults``/``nextToken`` (an opaque offset token).

    One row more than the page is read to learn whether another page follows, so a
    query set is never counted or read whole.
    """
    size = integer(params, "maxResults", minimum=0, maximum=1000) or max_default
    start = _offset(string(params, "nextToken", max_length=3096))
    chunk = list(items[start : start + size + 1])
    more = len(chunk) > size
    return chunk[:size], (_token(start + size) if more else None)


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
    except (ValueError, UnicodeDecodeError):
        offset = -1
    if offset < 0:
        raise InvalidToken(f"Invalid Token: '{token}'")
    return offset


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()
