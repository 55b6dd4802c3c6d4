"""The Lambda API (REST-JSON, as boto3's ``lambda`` client and ``aws lambda`` send it).

Lambda's calls carry no X-Amz-Target: the operation is the method and a path under a
dated prefix (``/2015-03-31/functions/{name}/invocations``), so console/asgi.py hands
every path that starts with a date here. Like the other AWS APIs, calls skip Django's
middleware and run on the API thread pool; the body is read here with Lambda's limits
(a larger one is read to its end and answered 413, so the client sees the answer, not
a dropped connection). Errors are Lambda's: ``x-amzn-ErrorType`` and ``{"Type", "message"}``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from console.api import lambda_shapes as shapes
from console.functions import packages
from console.models import Function
from console.services import ServiceError
from console.services import function_policy as policy
from console.services import function_versions as versions
from console.services import functions as service

DATED_PATH = re.compile(r"^/\d{4}-\d{2}-\d{2}/")
# Lambda's request limits: a direct zip upload (base64 in JSON), and Invoke's payloads.
MAX_UPLOAD_REQUEST = 70_167_211
MAX_SYNC_PAYLOAD = service.MAX_SYNC_PAYLOAD
MAX_ASYNC_PAYLOAD = 256 * 1024
LOG_TAIL_BYTES = 4096
ROLE = re.compile(r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-/]+")
# Error shapes whose message member is "Message" (the others spell it "message").
_CAPITALISED = {"ResourceNotFoundException", "ServiceException", "ResourceInUseException"}


@dataclass
class Request:
    method: str
    path: str
    raw_path: str
    raw_query: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> dict[str, Any]:
        if not self.body.strip():
            return {}
        content_type = self.headers.get("content-type", "")
        if content_type and "json" not in content_type and not content_type.startswith("binary/"):
            raise UnsupportedMediaType(f"The request's Content-Type is not supported: {content_type}")
        try:
            params = json.loads(self.body)
        except ValueError as error:
            raise service.InvalidRequestContent(f"Could not parse request body into json: {error}") from None
        if not isinstance(params, dict):
            raise service.InvalidRequestContent("Could not parse request body into json: not an object")
        return params


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def reply(status: int, document: dict[str, Any] | None = None) -> Response:
    if document is None:
        return Response(status)
    body = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(status, body, {"Content-Type": "application/json"})


def error(code: str, message: str, status: int) -> Response:
    member = "Message" if code in _CAPITALISED else "message"
    kind = "Service" if status >= 500 else "User"
    response = reply(status, {"Type": kind, member: message})
    response.headers["x-amzn-ErrorType"] = code
    return response


class UnsupportedMediaType(ServiceError):
    code = "UnsupportedMediaTypeException"
    status = 415


class UnknownOperation(ServiceError):
    code = "UnknownOperationException"
    status = 404


# --------------------------------------------------------------------------- functions


def create_function(request: Request) -> Response:
    params = request.json()
    name = shapes.text(params, "FunctionName", required=True) or ""
    zip_file = _zip_file(params.get("Code"), params.get("PackageType"))
    runtime, handler = shapes.text(params, "Runtime"), shapes.text(params, "Handler")
    if not runtime or not handler:
        raise service.InvalidParameterValue(
            "Runtime and Handler are mandatory parameters for functions created with deployment packages.")
    function = service.create_function(
        name, zip_file=zip_file, handler=handler, runtime=runtime,
        timeout=shapes.number(params, "Timeout", 1, service.MAX_TIMEOUT_S) or 3,
        memory_size=shapes.number(params, "MemorySize", *service.MEMORY_RANGE) or 128,
        environment=shapes.variables(params) or {}, description=shapes.text(params, "Description") or "",
        role=_role(params, required=True), tags=_tags(params))
    return reply(201, shapes.configuration(_published(function, params)))


def _published(function: Function, params: dict) -> Function:
    """With ``Publish: true``, the version published from the new $LATEST; else $LATEST."""
    if shapes.flag(params, "Publish"):
        return versions.as_version(function, versions.publish_version(function))
    return function


def _zip_file(code: Any, package_type: Any = None) -> bytes:
    """The uploaded zip; S3 locations and images refused as Lambda refuses what it cannot fetch."""
    if package_type == "Image" or (isinstance(code, dict) and code.get("ImageUri")):
        raise service.InvalidParameterValue(
            "Stepyard runs Zip packages only: PackageType Image and ImageUri are not supported. "
            "Upload the code as a ZipFile.")
    if not isinstance(code, dict):
        raise shapes.ValidationException(
            "1 validation error detected: Value null at 'code' failed to satisfy constraint: Member must not be null")
    if code.get("S3Bucket") or code.get("S3Key"):
        raise service.InvalidParameterValue(
            "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket "
            "does not exist (Stepyard serves no S3: upload the code as a ZipFile)")
    return _decode_zip(code.get("ZipFile"))


def _decode_zip(value: Any) -> bytes:
    if not isinstance(value, str) or not value:
        raise service.InvalidParameterValue("Please provide a source for function code.")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise service.InvalidParameterValue(packages.NOT_A_ZIP) from None


def _role(params: dict, *, required: bool = False) -> str | None:
    role = shapes.text(params, "Role", required=required)
    if role is not None and not ROLE.fullmatch(role):
        raise shapes.ValidationException(
            f"1 validation error detected: Value '{role}' at 'role' failed to satisfy constraint: Member must "
            f"satisfy regular expression pattern: {ROLE.pattern}")
    return role


def _tags(params: dict) -> dict[str, str] | None:
    tags = params.get("Tags")
    if tags is not None and not (isinstance(tags, dict) and all(isinstance(v, str) for v in tags.values())):
        raise service.InvalidParameterValue("Tags must be a map of strings to strings.")
    return tags


def _function(request: Request, name: str) -> Function:
    """The function the path names, as the Qualifier of the query string (or the name) has it."""
    qualifier = request.param("Qualifier")
    return service.get_function_at(f"{service.parse_identifier(name)[0]}:{qualifier}" if qualifier else name)


def get_function(request: Request, name: str) -> Response:
    function = _function(request, name)
    host = request.headers.get("host", "127.0.0.1")
    document: dict[str, Any] = {
        "Configuration": shapes.configuration(function),
        "Code": {"RepositoryType": "S3", "Location": _code_location(host, function)},
    }
    tags = policy.tags_of(function)
    if tags:
        document["Tags"] = tags
    return reply(200, document)


def _code_location(host: str, function: Function) -> str:
    """Where the package downloads from: the function's console page, this server."""
    version = getattr(function, "version", "$LATEST")
    query = "" if version == "$LATEST" else f"?qualifier={version}"
    return f"http://{host}/functions/{function.name}/code.zip{query}"


def get_configuration(request: Request, name: str) -> Response:
    return reply(200, shapes.configuration(_function(request, name)))


def list_functions(request: Request) -> Response:
    max_items = int_param(request, "MaxItems", 1, 10_000)  # checked before the functions are read
    found = service.list_functions()
    if request.param("FunctionVersion") == "ALL":
        found = [version for function in found for version in versions.versions(function)]
    return listed(request, "Functions", found, shapes.configuration, max_items=max_items)


def listed(request: Request, key: str, items: list, shape: Callable[[Any], Any], *, default: int = 50,
           max_items: int | None = None) -> Response:
    """A Lambda list action's page: ``{key: [...], "NextMarker": ...}`` from Marker/MaxItems."""
    size = max_items if max_items is not None else int_param(request, "MaxItems", 1, 10_000)
    chunk, marker = shapes.page(items, request.param("Marker"), size, default=default)
    document: dict[str, Any] = {key: [shape(item) for item in chunk]}
    if marker:
        document["NextMarker"] = marker
    return reply(200, document)


def int_param(request: Request, name: str, minimum: int, maximum: int) -> int | None:
    value = request.param(name)
    if value is None:
        return None
    try:
        return shapes.number({name: int(value)}, name, minimum, maximum)
    except ValueError:
        raise shapes.ValidationException(f"1 validation error detected: Value '{value}' at '{name}' failed to "
                                          "satisfy constraint: Member must be an integer") from None


def update_code(request: Request, name: str) -> Response:
    params = request.json()
    function = service.get_function(name)
    policy.check_revision(function, shapes.text(params, "RevisionId"))
    if params.get("ImageUri"):
        raise service.InvalidParameterValue(
            "Please don't provide ImageUri when updating a function with packageType Zip.")
    if params.get("S3Bucket") or params.get("S3Key"):
        _zip_file({"S3Bucket": params.get("S3Bucket"), "S3Key": params.get("S3Key")})
    zip_file = _decode_zip(params.get("ZipFile"))
    if params.get("DryRun") is True:
        return reply(200, shapes.configuration(function))
    function = service.update_function(function, zip_file=zip_file)
    return reply(200, shapes.configuration(_published(function, params)))


def update_configuration(request: Request, name: str) -> Response:
    params = request.json()
    function = service.get_function(name)
    policy.check_revision(function, shapes.text(params, "RevisionId"))
    function = service.update_function(
        function, handler=shapes.text(params, "Handler"), runtime=shapes.text(params, "Runtime"),
        timeout=shapes.number(params, "Timeout", 1, service.MAX_TIMEOUT_S),
        memory_size=shapes.number(params, "MemorySize", *service.MEMORY_RANGE),
        environment=shapes.variables(params), description=shapes.text(params, "Description"),
        role=_role(params))
    return reply(200, shapes.configuration(function))


def delete_function(request: Request, name: str) -> Response:
    qualifier = request.param("Qualifier") or service.parse_identifier(name)[1]
    function = service.get_function(service.parse_identifier(name)[0])
    if qualifier:
        versions.delete_version(function, qualifier)
    else:
        service.delete_function(function)
    return reply(204)


def account_settings(request: Request) -> Response:
    functions = service.list_functions()
    return reply(200, {
        "AccountLimit": {"TotalCodeSize": 80_530_636_800, "CodeSizeUnzipped": packages.MAX_UNZIPPED_BYTES,
                         "CodeSizeZipped": packages.MAX_ZIPPED_BYTES, "ConcurrentExecutions": 1000,
                         "UnreservedConcurrentExecutions": 1000},
        "AccountUsage": {"TotalCodeSize": sum(shapes.code_facts(f)[1] for f in functions),
                         "FunctionCount": len(functions)},
    })


# --------------------------------------------------------------------------- invoke


def invoke(request: Request, name: str) -> Response:
    invocation_type = request.headers.get("x-amz-invocation-type", "RequestResponse")
    _enum("invocationType", invocation_type, service.INVOCATION_TYPES)
    log_type = request.headers.get("x-amz-log-type", "None")
    _enum("logType", log_type, ("None", "Tail"))
    if invocation_type == "Event" and len(request.body) > MAX_ASYNC_PAYLOAD:
        raise service.RequestTooLarge(
            f"Request must be smaller than {MAX_ASYNC_PAYLOAD} bytes for the InvokeFunction operation")
    qualifier = request.param("Qualifier")
    identifier = f"{service.parse_identifier(name)[0]}:{qualifier}" if qualifier else name
    try:
        payload = request.body.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise service.InvalidRequestContent(
            f"Could not parse request body into json: Invalid UTF-8 byte at {problem.start}") from None
    result = service.invoke(identifier, payload, invocation_type, caller="api")
    response = Response(result.status_code, headers={"Content-Type": "application/json",
                                                     "x-amzn-RequestId": result.request_id})
    if result.status_code == 200:
        response.headers["X-Amz-Executed-Version"] = result.executed_version
        response.body = (result.payload or "").encode() if result.error is None else json.dumps(result.error).encode()
        if result.error is not None:
            response.headers["X-Amz-Function-Error"] = "Unhandled"
        if log_type == "Tail":
            response.headers["X-Amz-Log-Result"] = base64.b64encode(result.logs.encode()[-LOG_TAIL_BYTES:]).decode()
    return response


def _enum(member: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise shapes.ValidationException(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(allowed)}]")


# --------------------------------------------------------------------------- tags and policy


def _tagged(resource: str) -> Function:
    name, _ = service.parse_identifier(resource)
    if not resource.startswith("arn:") or ":function:" not in resource:
        raise service.InvalidParameterValue(f"Invalid resource ARN: {resource}")
    return service.get_function(name)


def tag_resource(request: Request, resource: str) -> Response:
    tags = request.json().get("Tags")
    if not isinstance(tags, dict):
        raise service.InvalidParameterValue("Tags must be a map of strings to strings.")
    policy.tag_function(_tagged(resource), tags)
    return reply(204)


def untag_resource(request: Request, resource: str) -> Response:
    policy.untag_function(_tagged(resource), request.query.get("tagKeys", []))
    return reply(204)


def list_tags(request: Request, resource: str) -> Response:
    return reply(200, {"Tags": policy.tags_of(_tagged(resource))})


def add_permission(request: Request, name: str) -> Response:
    params = request.json()
    function = _function(request, name)
    policy.check_revision(function, shapes.text(params, "RevisionId"))
    statement = policy.add_permission(
        function, statement_id=shapes.text(params, "StatementId", required=True) or "",
        action=shapes.text(params, "Action", required=True) or "",
        principal=shapes.text(params, "Principal", required=True) or "",
        source_arn=shapes.text(params, "SourceArn"), source_account=shapes.text(params, "SourceAccount"))
    return reply(201, {"Statement": json.dumps(statement)})


def get_policy(request: Request, name: str) -> Response:
    function = _function(request, name)
    return reply(200, {"Policy": policy.policy_document(function), "RevisionId": function.revision_id})


def remove_permission(request: Request, name: str, statement_id: str) -> Response:
    policy.remove_permission(_function(request, name), statement_id)
    return reply(204)
