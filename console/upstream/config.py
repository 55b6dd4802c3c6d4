"""Where each non-hosted service is served: embedded (moto, in memory) or an upstream URL.

``STEPYARD_UPSTREAM_<SERVICE>`` (``STEPYARD_UPSTREAM_DYNAMODB=http://127.0.0.1:8001``)
names the endpoint of one service, ``STEPYARD_UPSTREAM_URL`` that of every service
without its own; neither set: moto serves it in this process. Read at each call, so a
test can change them; ``check`` says loudly at start-up when one is not a URL.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from console.upstream.catalog import SERVICES

DEFAULT_TIMEOUT_S = 30.0


def upstream_for(service: str) -> str | None:
    """The upstream endpoint serving ``service`` (a signing name), or None for embedded."""
    url = os.environ.get(f"STEPYARD_UPSTREAM_{service.upper()}") or os.environ.get("STEPYARD_UPSTREAM_URL")
    return url.strip().rstrip("/") if url and url.strip() else None


def timeout_s() -> float:
    """How long an upstream may take to answer (STEPYARD_UPSTREAM_TIMEOUT_S)."""
    return float(os.environ.get("STEPYARD_UPSTREAM_TIMEOUT_S") or DEFAULT_TIMEOUT_S)


def check() -> None:
    """Raise ImproperlyConfigured when an upstream setting is not an http(s) URL."""
    names = [name for name in os.environ if name.startswith("STEPYARD_UPSTREAM_")]
    for name in names:
        if name == "STEPYARD_UPSTREAM_TIMEOUT_S":
            _check_timeout(os.environ[name])
        elif os.environ[name].strip():
            _check_url(name, os.environ[name].strip())


def _check_url(name: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must be an http:// or https:// URL, not {url!r}")


def _check_timeout(text: str) -> None:
    try:
        if float(text) <= 0:
            raise ValueError
    except ValueError:
        raise ImproperlyConfigured(f"STEPYARD_UPSTREAM_TIMEOUT_S must be a positive number, not {text!r}") from None


def placements() -> list[dict[str, str]]:
    """Each service Stepyard serves through moto with where it is served (for the console)."""
    rows = []
    for service in SERVICES.values():
        url = upstream_for(service.name)
        rows.append({"name": service.name, "title": service.title,
                     "where": url or "embedded", "embedded": "" if url else "yes"})
    return rows
