"""The Lambda API's routes: which operation a method and a dated path name (REST-JSON).

console/api/router.py asks ``route`` for a request's operation, reads the body up to
``body_limit`` and runs ``handle`` in the API's pool.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from console import credentials
from console.api import lambda_api as api
from console.api import lambda_mappings as mappings
from console.api import lambda_versions as published
from console.services import ServiceError
from console.wire import sigv4

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern
    operation: str
    handler: Callable[..., api.Response]


def _routes() -> list[Route]:
    fn = "/2015-03-31/functions/(?P<name>[^/]+)"
    esm = "/2015-03-31/event-source-mappings"
    table = [
        ("POST", "/2015-03-31/functions/?", "CreateFunction", api.create_function),
        ("GET", "/2015-03-31/functions/?", "ListFunctions", api.list_functions),
        ("GET", f"{fn}/?", "GetFunction", api.get_function),
        ("DELETE", f"{fn}/?", "DeleteFunction", api.delete_function),
        ("GET", f"{fn}/configuration/?", "GetFunctionConfiguration", api.get_configuration),
        ("PUT", f"{fn}/configuration/?", "UpdateFunctionConfiguration", api.update_configuration),
        ("PUT", f"{fn}/code/?", "UpdateFunctionCode", api.update_code),
        ("POST", f"{fn}/invocations/?", "Invoke", api.invoke),
        ("GET", f"{fn}/versions/?", "ListVersionsByFunction", published.list_versions),
        ("POST", f"{fn}/versions/?", "PublishVersion", published.publish_version),
        ("POST", f"{fn}/aliases/?", "CreateAlias", published.create_alias),
        ("GET", f"{fn}/aliases/?", "ListAliases", published.list_aliases),
        ("GET", f"{fn}/aliases/(?P<alias>[^/]+)/?", "GetAlias", published.get_alias),
        ("PUT", f"{fn}/aliases/(?P<alias>[^/]+)/?", "UpdateAlias", published.update_alias),
        ("DELETE", f"{fn}/aliases/(?P<alias>[^/]+)/?", "DeleteAlias", published.delete_alias),
        ("POST", f"{fn}/policy/?", "AddPermission", api.add_permission),
        ("GET", f"{fn}/policy/?", "GetPolicy", api.get_policy),
        ("DELETE", f"{fn}/policy/(?P<statement_id>[^/]+)/?", "RemovePermission", api.remove_permission),
        ("POST", "/2017-03-31/tags/(?P<resource>.+)", "TagResource", api.tag_resource),
        ("GET", "/2017-03-31/tags/(?P<resource>.+)", "ListTags", api.list_tags),
        ("DELETE", "/2017-03-31/tags/(?P<resource>.+)", "UntagResource", api.untag_resource),
        ("GET", "/2016-08-19/account-settings/?", "GetAccountSettings", api.account_settings),
        ("POST", f"{esm}/?", "CreateEventSourceMapping", mappings.create_mapping),
        ("GET", f"{esm}/?", "ListEventSourceMappings", mappings.list_mappings),
        ("GET", f"{esm}/(?P<uuid>[^/]+)/?", "GetEventSourceMapping", mappings.get_mapping),
        ("PUT", f"{esm}/(?P<uuid>[^/]+)/?", "UpdateEventSourceMapping", mappings.update_mapping),
        ("DELETE", f"{esm}/(?P<uuid>[^/]+)/?", "DeleteEventSourceMapping", mappings.delete_mapping),
    ]
    return [Route(method, re.compile(pattern), operation, handler) for method, pattern, operation, handler in table]


ROUTES = _routes()


def route(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The operation a method and path name, with the path's arguments (None: unknown)."""
    for candidate in ROUTES:
        match = candidate.pattern.fullmatch(path)
        if match and candidate.method == method:
            return candidate, match.groupdict()
    return None


def body_limit(found: tuple[Route, dict[str, str]] | None) -> int:
    if found is not None and found[0].operation == "Invoke":
        return api.MAX_SYNC_PAYLOAD
    return api.MAX_UPLOAD_REQUEST


def too_large(found: tuple[Route, dict[str, str]] | None) -> api.Response:
    operation = found[0].operation if found else "this"
    if operation == "Invoke":
        return api.error("RequestTooLargeException",
                     f"Request must be smaller than {api.MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation", 413)
    return api.error("RequestEntityTooLargeException",
                 f"Request must be smaller than {api.MAX_UPLOAD_REQUEST} bytes for the {operation} operation", 413)


def handle(request: api.Request, found: tuple[Route, dict[str, str]] | None) -> api.Response:
    """Check the signature (when keys are configured), run the operation, shape its errors."""
    try:
        keys = credentials.configured_keys()
        if keys:
            sigv4.verify(sigv4.SignedRequest(method=request.method, path=request.raw_path,
                                             query=request.raw_query, headers=request.headers,
                                             body=request.body), keys)
        if found is None:
            raise api.UnknownOperation(f"Unknown operation: {request.method} {request.path}")
        candidate, arguments = found
        return candidate.handler(request, **arguments)
    except ServiceError as problem:
        return api.error(problem.code, problem.message, problem.status)
    except Exception:
        log.exception("Lambda API call %s %s failed", request.method, request.path)
        return api.error("ServiceException", "Stepyard failed to handle this request.", 500)


def is_lambda_path(scope: dict) -> bool:
    return scope["type"] == "http" and bool(api.DATED_PATH.match(scope["path"]))
