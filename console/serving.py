"""Trims per-request work in Daphne's HTTP stack that Stepyard has no use for.

Profiling an AWS API call that does nothing (an unknown action) showed a third of the
web process's CPU going to two things outside Stepyard:

- Twisted parses every POST body's ``Content-Type`` with the standard library's email
  header machinery (~0.15 ms a request) to decide whether to decode a form submission
  into ``request.args``, which Daphne never reads: it hands the raw body to the ASGI
  application. The parse is a pure function of a header value that takes a handful of
  distinct values, so it is memoised.
- Twisted's ``HTTPFactory`` formats a combined-log line for every request into Twisted's
  own log, which nobody observes here; Daphne writes its own access log (to stdout under
  ``make run``), which is kept.
"""

from __future__ import annotations

import functools


def trim_daphne() -> None:
    try:
        from daphne import http_protocol
        from twisted.web import http
    except ImportError:  # not served by Daphne (tests' runserver, management commands)
        return
    if not hasattr(http._parseContentType, "cache_info"):
        http._parseContentType = functools.lru_cache(maxsize=64)(http._parseContentType)
    http_protocol.HTTPFactory.log = _no_twisted_access_log
    http.HTTPChannel.lineLengthExceeded = _answer_long_line


def _answer_long_line(self, line) -> None:
    """Answer a request line or header over Twisted's 16 KiB limit (it would hang up silently)."""
    first = getattr(self, "_HTTPChannel__first_line", 0)
    status = b"414 URI Too Long" if first else b"431 Request Header Fields Too Large"
    self.transport.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    self.loseConnection()


def _no_twisted_access_log(self, request) -> None:
    """Daphne's own access log records the request; Twisted's copy would go nowhere."""
