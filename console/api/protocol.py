"""AWS JSON 1.0 protocol: the responses, errors and parameter checks of the JSON APIs.

console/api/router.py receives the calls (``POST`` with ``X-Amz-Target``) and runs the
action; the action handlers read their parameters with the helpers here.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse

from console.api import shapes
from console.services import InvalidToken, ServiceError, ValidationError

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], dict[str, Any]]
CONTENT_TYPE = "application/x-amz-json-1.0"
MAX_REQUEST_BYTES = 2 * 1024 * 1024


SerializationError = shapes.SerializationError
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
