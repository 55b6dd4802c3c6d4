"""AWS SDK integrations (``arn:aws:states:::aws-sdk:<service>:<action>``) for the services
served through the gateway: dynamodb, s3, events, secretsmanager, ssm, kms and sts.

As on AWS: parameters use the API's PascalCase member names; a JSON value given where
the API takes text is sent as its JSON text, and a binary member always takes the value's
JSON text (an S3 ``Body`` of ``{"a": 1}`` is stored as ``{"a":1}``, one of ``"text"`` as
``"text"`` with its quotes, as AWS records it); the result has the API's members without HTTP metadata, timestamps as
ISO-8601 text (as Java's Instant prints them), an object's streamed ``Body`` as text and
other binary members in base64. A service error fails the task as the AWS SDK for Java 2
names it: ``<Client>.<Exception>`` for the exceptions the model declares
(``S3.NoSuchKeyException``, ``DynamoDb.ResourceNotFoundException``), otherwise the
client's own ``<Client>.<Client>Exception`` (``DynamoDb.DynamoDbException`` for a
ValidationException), the cause ending in "(Service: <Client>, Status Code: ..., Request
ID: ...)". An upstream that cannot be reached fails it with ``<Client>.SdkClientException``.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from typing import Any

from console.integrations import CallContext, Route
from console.integrations.service_calls import (
    CallFailed,
    UnknownAction,
    Unreachable,
    modelled_exception,
    operation_name,
    perform,
)
from console.upstream import clients
from console.upstream.catalog import SERVICES
from engine.errors import STATES_RUNTIME, StatesError

_NAMES = "|".join(SERVICES)
PATTERN = rf"arn:aws:states:::aws-sdk:({_NAMES}):[a-z][A-Za-z0-9]*"
_ACTION = re.compile(rf"arn:aws:states:::aws-sdk:(?P<service>{_NAMES}):(?P<action>[a-z][A-Za-z0-9]*)")


def call(parameters: Any, context: CallContext) -> Any:
    match = _ACTION.match(context.resource)
    if match is None:
        raise StatesError(STATES_RUNTIME, f"Stepyard cannot call the resource '{context.resource}'.")
    service = match["service"]
    sdk_name = SERVICES[service].sdk_name
    try:
        operation = operation_name(service, match["action"])
    except UnknownAction:
        raise StatesError(STATES_RUNTIME, f"The {sdk_name} SDK has no action '{match['action']}'.") from None
    shape = clients.client(service).meta.service_model.operation_model(operation).input_shape
    params = to_api(parameters if isinstance(parameters, dict) else {}, shape)
    try:
        answer = perform(service, operation, params)
    except CallFailed as error:
        raise sdk_error(service, _bodiless(service, operation, error)) from None
    except Unreachable as error:
        raise StatesError(f"{sdk_name}.SdkClientException", str(error)) from None
    return from_api(answer.result)


def _bodiless(service: str, operation: str, error: CallFailed) -> CallFailed:
    """A HEAD's error has no body to name it: the SDK names S3's 404s after what is missing."""
    if service == "s3" and error.code in ("404", "NotFound"):
        code = "NoSuchBucket" if operation == "HeadBucket" else "NoSuchKey"
        return CallFailed(code, error.message or "Not Found", error.status, error.request_id)
    return error


def to_api(value: Any, shape: Any) -> Any:
    """The Task's JSON as boto3 takes it for ``shape`` (JSON text where text is wanted)."""
    kind = getattr(shape, "type_name", None)
    if kind == "structure" and isinstance(value, dict):
        return {name: to_api(item, shape.members.get(name)) for name, item in value.items()}
    if kind == "list" and isinstance(value, list):
        return [to_api(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: to_api(item, shape.value) for key, item in value.items()}
    if kind == "string" and value is not None and not isinstance(value, str):
        return _json_text(value)
    if kind == "blob" and value is not None:
        # A binary member takes the value's JSON text, a string too: an S3 Body of "text data"
        # is stored as "\"text data\"" (11 bytes), as recorded on AWS.
        return _json_text(value).encode()
    return value


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def from_api(value: Any) -> Any:
    """boto3's answer as JSON, as the AWS SDK for Java 2 renders it for Step Functions."""
    if isinstance(value, dict):
        return {name: from_api(item) for name, item in value.items()}
    if isinstance(value, list):
        return [from_api(item) for item in value]
    if isinstance(value, datetime):
        return instant(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    if hasattr(value, "read"):  # a streamed body (S3 GetObject): its text
        return value.read().decode("utf-8", errors="replace")
    return value


def instant(moment: datetime) -> str:
    """``moment`` in UTC as Java's Instant.toString prints it (no fraction when it is zero)."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        fraction = f"{moment.microsecond:06d}"
        text += "." + (fraction[:3] if fraction.endswith("000") else fraction)
    return text + "Z"


def sdk_error(service: str, error: CallFailed) -> StatesError:
    """The error Step Functions records for a service error of an aws-sdk Task."""
    sdk_name = SERVICES[service].sdk_name
    name = modelled_exception(service, error.code) or f"{sdk_name}Exception"
    cause = (f"{error.message} (Service: {sdk_name}, Status Code: {error.status}, "
             f"Request ID: {error.request_id}) (SDK Attempt Count: 1)")
    return StatesError(f"{sdk_name}.{name}", cause)

# What console.wiring registers: (resource pattern, integration[, inline]).
ROUTES = (
    Route(PATTERN, call),
)
