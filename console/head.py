"""Answer HEAD like GET without a body, for every console page.

Views accept GET only (``require_GET``); HTTP says a server that answers GET must
answer HEAD too (RFC 9110, 9.3.2), and link checkers and uptime probes send it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class HeadAsGetMiddleware:
    """Run a HEAD request as GET, then drop the body but keep its Content-Length."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        response = self.get_response(request)
        if not response.streaming:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response
