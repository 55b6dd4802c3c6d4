"""The address Stepyard hands out in URLs: queue URLs, SNS links, functions' endpoint.

SQS answers with the host the request was sent to, so a client that sends its next call
to the QueueUrl itself (the JavaScript SDK v2, many tools) reaches this server again.
The base URL is, in order:

1. ``STEPYARD_PUBLIC_URL`` when set: behind a proxy only the operator knows the address;
2. the scheme and Host of the request being served (``bind``, called for every request);
3. the address this process was last reached on (a background step has no request);
4. ``http://127.0.0.1:$PORT`` (8000 when PORT is unset), before any request arrived.
"""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Iterable

from django.conf import settings
from django.http.request import split_domain_port, validate_host

_REQUEST_BASE: contextvars.ContextVar[str | None] = contextvars.ContextVar("stepyard_request_base", default=None)
# host, IPv4, or [IPv6], with an optional port: anything else in a Host header is not used.
_HOST = re.compile(r"(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")
_last_served: str | None = None


def base_url() -> str:
    """The URL clients should use to reach this Stepyard now (no trailing slash)."""
    configured = os.environ.get("STEPYARD_PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    return _REQUEST_BASE.get() or _last_served or f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"


def host() -> str:
    """``host:port`` of ``base_url()``."""
    return base_url().split("://", 1)[1].split("/", 1)[0]


def bind(scheme: str, headers: Iterable[tuple[bytes, bytes]]) -> None:
    """Remember the address the current request came in on (for this request's context)."""
    global _last_served
    value = next((v for name, v in headers if name == b"host"), b"").decode("latin-1")
    if not _HOST.fullmatch(value) or not validate_host(split_domain_port(value)[0], settings.ALLOWED_HOSTS):
        return
    base = f"{'https' if scheme in ('https', 'wss') else 'http'}://{value}"
    _REQUEST_BASE.set(base)
    _last_served = base
