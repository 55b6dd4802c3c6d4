"""Lambda's version and alias actions: PublishVersion, ListVersionsByFunction, and
Create/Get/List/Update/DeleteAlias (console.services.function_versions does the work)."""

from __future__ import annotations

from console.api import lambda_shapes as shapes
from console.api.lambda_api import Request, Response, listed, reply
from console.services import function_policy as policy
from console.services import function_versions as versions
from console.services import functions as service


def publish_version(request: Request, name: str) -> Response:
    params = request.json()
    function = service.get_function(name)
    policy.check_revision(function, shapes.text(params, "RevisionId"))
    expected = shapes.text(params, "CodeSha256")
    if expected and expected != shapes.code_facts(function)[0]:
        raise service.InvalidParameterValue(
            "CodeSHA256 (" + expected + ") is different from current CodeSHA256 in $LATEST. Please try again "
            "with the CodeSHA256 in $LATEST.")
    version = versions.publish_version(function, shapes.text(params, "Description") or "")
    return reply(201, shapes.configuration(versions.as_version(function, version)))


def list_versions(request: Request, name: str) -> Response:
    found = versions.versions(service.get_function(name))
    return listed(request, "Versions", found, shapes.configuration)


def create_alias(request: Request, name: str) -> Response:
    params = request.json()
    alias = versions.create_alias(service.get_function(name), shapes.text(params, "Name", required=True) or "",
                                  shapes.text(params, "FunctionVersion", required=True) or "",
                                  shapes.text(params, "Description") or "")
    return reply(201, shapes.alias(alias))


def list_aliases(request: Request, name: str) -> Response:
    rows = list(service.get_function(name).aliases.select_related("function"))
    wanted = request.param("FunctionVersion")
    if wanted:
        rows = [a for a in rows if a.version == wanted]
    return listed(request, "Aliases", rows, shapes.alias)


def get_alias(request: Request, name: str, alias: str) -> Response:
    return reply(200, shapes.alias(versions.get_alias(service.get_function(name), alias)))


def update_alias(request: Request, name: str, alias: str) -> Response:
    params = request.json()
    record = versions.get_alias(service.get_function(name), alias)
    revision = shapes.text(params, "RevisionId")
    if revision is not None and revision != record.revision_id:
        raise policy.PreconditionFailed("The Revision Id provided does not match the latest Revision Id. "
                                        "Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
    record = versions.update_alias(record, shapes.text(params, "FunctionVersion"), shapes.text(params, "Description"))
    return reply(200, shapes.alias(record))


def delete_alias(request: Request, name: str, alias: str) -> Response:
    versions.delete_alias(service.get_function(name), alias)
    return reply(204)
