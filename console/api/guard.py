"""Who may reach Stepyard: requests from other web pages are refused, unknown hosts too.

Stepyard is a local tool without credentials by default, so any page open in the
developer's browser could otherwise drive its APIs (a form post is an SNS call; a
``text/plain`` post can invoke a function) or, through DNS rebinding, read them. The
checks are by request, not by API, so every entry point gets them (console/asgi.py
calls ``refusal`` for every HTTP request and wraps the websockets in
``same_origin_websockets``):

* the ``Host`` header must be one of ``STEPYARD_ALLOWED_HOSTS`` (as the console checks);
* a request that changes something (not GET/HEAD/OPTIONS) is refused when it comes from
  a web page other than the console's own: an ``Origin`` (or, without one, ``Referer``)
  that is not this server's scheme, host and port, a ``Sec-Fetch-Site`` other than
  ``same-origin``/``none``, or a form content type (what a page can post without a
  CORS preflight) without an ``Authorization`` (SigV4, or FnF's ``acs`` scheme) or
  ``X-Amz-*`` header: a page cannot send those without a preflight, which Stepyard never
  grants;
* a websocket must come from a page of this server (scheme, host and port).

boto3, the AWS CLI and the AWS SDKs send no ``Origin`` and no ``Sec-Fetch-*`` headers,
post JSON or sign their form posts, so they pass unchanged.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port, validate_host

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_SIMPLE_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
_SAME = {"same-origin", "none"}


def _headers(scope: dict) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}


def _host_allowed(host: str) -> bool:
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


def _own_origin(scope: dict, host: str) -> str:
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", "http"), scope.get("scheme", "http"))
    return f"{scheme}://{host}".lower()


def _page_origin(headers: dict[str, str]) -> str | None:
    """The origin of the page that sent the request: Origin, else the Referer's."""
    if "origin" in headers:
        return headers["origin"].lower()
    referer = headers.get("referer")
    if not referer:
        return None
    parts = urlsplit(referer)
    return f"{parts.scheme}://{parts.netloc}".lower()


def refusal(scope: dict) -> tuple[int, str] | None:
    """Why an HTTP request must not be served, as (status, message); None to serve it."""
    headers = _headers(scope)
    host = headers.get("host", "")
    if not _host_allowed(host):
        return 400, "Invalid Host header: add it to STEPYARD_ALLOWED_HOSTS to serve it."
    if scope["method"] in SAFE_METHODS:
        return None
    origin = _page_origin(headers)
    if origin == _own_origin(scope, host):
        return None
    if _from_a_page(headers, origin):
        return 403, "Requests from other web pages are refused (cross-origin request)."
    return None


def _from_a_page(headers: dict[str, str], origin: str | None) -> bool:
    if origin is not None:
        return True
    if headers.get("sec-fetch-site", "none") not in _SAME:
        return True
    content_type = headers.get("content-type", "").lower()
    preflighted = "authorization" in headers or any(name.startswith("x-amz-") for name in headers)
    return content_type.startswith(_SIMPLE_TYPES) and not preflighted


async def refuse(send, status: int, message: str) -> None:
    body = message.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def same_origin_websockets(app):
    """Accept a websocket only from a page of this server (scheme, host and port)."""

    async def guarded(scope, receive, send):
        headers = _headers(scope)
        host = headers.get("host", "")
        if _host_allowed(host) and headers.get("origin", "").lower() == _own_origin(scope, host):
            return await app(scope, receive, send)
        await receive()  # websocket.connect
        await send({"type": "websocket.close", "code": 4403})

    return guarded
