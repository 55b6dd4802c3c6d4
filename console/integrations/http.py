"""The HTTP Task: ``arn:aws:states:::http:invoke`` calls an HTTP(S) API.

Parameters as on AWS: ``ApiEndpoint`` and ``Method`` (required), ``Headers``,
``QueryParameters``, ``RequestBody`` (JSON, sent as JSON, or text) and ``Transform``
(``RequestBodyEncoding: URL_ENCODED`` with an ``ArrayFormat`` of BRACKETS, COMMAS, REPEAT
or INDICES). AWS authorises the call through an EventBridge connection
(``Authentication.ConnectionArn``); Stepyard has no connections, so the ARN is accepted and
the request goes out as given (put credentials in ``Headers`` when a local API needs them).
Plain ``http://`` endpoints are allowed: the APIs a laptop calls are often local.

The result is ``{"Headers", "ResponseBody", "StatusCode", "StatusText"}``, the body
parsed when it is JSON. A status outside 2xx fails the task with
``States.Http.StatusCode.<code>`` and that result as the cause; an endpoint that cannot
be reached fails it with ``States.Http.Socket``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode, urlsplit

from console.integrations import CallContext, Route
from engine.errors import StatesError

PATTERN = r"arn:aws:states:::http:invoke"
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD")
TIMEOUT_S = 60.0  # AWS ends an HTTP Task's request after 60 seconds
INVALID = "States.Runtime"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is the API's answer, reported as it is


_OPENER = urllib.request.build_opener(_NoRedirect)


def invoke(parameters: Any, context: CallContext) -> dict[str, Any]:
    request = _request(parameters if isinstance(parameters, dict) else {})
    timeout = min(context.timeout_s or TIMEOUT_S, TIMEOUT_S)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            result = _result(response.status, response.reason, response.headers, response.read())
    except urllib.error.HTTPError as error:
        result = _result(error.code, error.reason, error.headers, error.read())
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise StatesError("States.Http.Socket", f"Could not reach {request.full_url}: {reason}") from None
    if not 200 <= result["StatusCode"] < 300:
        raise StatesError(f"States.Http.StatusCode.{result['StatusCode']}", json.dumps(result))
    return result


def _request(params: dict[str, Any]) -> urllib.request.Request:
    endpoint, method = params.get("ApiEndpoint"), params.get("Method")
    if not isinstance(endpoint, str) or urlsplit(endpoint).scheme not in ("http", "https"):
        raise StatesError(INVALID, f"ApiEndpoint must be an http(s) URL, got {json.dumps(endpoint)}")
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise StatesError(INVALID, f"Method must be one of {', '.join(METHODS)}, got {json.dumps(method)}")
    for name in ("Headers", "QueryParameters", "Transform"):
        if params.get(name) is not None and not isinstance(params[name], dict):
            raise StatesError(INVALID, f"{name} must be a JSON object, got {json.dumps(params[name])}")
    headers = {str(k): str(v) for k, v in (params.get("Headers") or {}).items()}
    query = params.get("QueryParameters")
    url = endpoint
    if isinstance(query, dict) and query:
        url += ("&" if urlsplit(endpoint).query else "?") + _encode(query, "REPEAT")
    body = _body(params, headers)
    return urllib.request.Request(url, data=body, method=method.upper(), headers=headers)


def _body(params: dict[str, Any], headers: dict[str, str]) -> bytes | None:
    if "RequestBody" not in params:
        return None
    body = params["RequestBody"]
    transform = params.get("Transform") or {}
    named = {name.lower() for name in headers}
    if transform.get("RequestBodyEncoding") == "URL_ENCODED" and isinstance(body, dict):
        array_format = (transform.get("RequestEncodingOptions") or {}).get("ArrayFormat", "INDICES")
        if "content-type" not in named:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return _encode(body, array_format).encode()
    if isinstance(body, str):
        return body.encode()
    if "content-type" not in named:
        headers["Content-Type"] = "application/json"
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _encode(values: dict[str, Any], array_format: str) -> str:
    pairs: list[tuple[str, str]] = []
    for key, value in values.items():
        if not isinstance(value, list):
            pairs.append((key, _scalar(value)))
        elif array_format == "COMMAS":
            pairs.append((key, ",".join(_scalar(v) for v in value)))
        elif array_format == "BRACKETS":
            pairs += [(f"{key}[]", _scalar(v)) for v in value]
        elif array_format == "INDICES":
            pairs += [(f"{key}[{i}]", _scalar(v)) for i, v in enumerate(value)]
        else:  # REPEAT
            pairs += [(key, _scalar(v)) for v in value]
    return urlencode(pairs)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _result(status: int, reason: str, headers: Any, raw: bytes) -> dict[str, Any]:
    grouped: dict[str, list[str]] = {}
    for name, value in headers.items():
        grouped.setdefault(name.lower(), []).append(value)
    text = raw.decode("utf-8", errors="replace")
    try:
        body: Any = json.loads(text) if text.strip() else text
    except ValueError:
        body = text
    return {"Headers": grouped, "ResponseBody": body, "StatusCode": status, "StatusText": reason or ""}

# What console.wiring registers: (resource pattern, integration[, inline]).
ROUTES = (
    Route(PATTERN, invoke),
)
