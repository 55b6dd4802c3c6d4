"""AWS SDK service integrations (``arn:aws:states:::aws-sdk:<service>:<action>``) for the
services Stepyard itself serves: Step Functions (``sfn``), SQS (``sqs``) and SNS (``sns``).

A call goes to the same action handler as the service's API, so it behaves exactly as a
boto3 call would. As on AWS, parameters and results use the SDK's PascalCase member
names, a JSON value given where the API takes a string (``Input``, ``Output``) is sent as
its JSON text, timestamps come back as ISO-8601 text, and a service error fails the task
with ``<Service>.<Name>Exception`` (``Sfn.InvalidTokenException``) and the SDK's cause.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from console.api import protocol, shapes, sns
from console.integrations import CallContext, Route
from console.services import ServiceError
from engine.errors import STATES_RUNTIME, StatesError

PATTERN = r"arn:aws:states:::aws-sdk:(sfn|sqs|sns):[a-z][A-Za-z0-9]*"
_ACTION = re.compile(r"arn:aws:states:::aws-sdk:(?P<service>sfn|sqs|sns):(?P<action>[a-z][A-Za-z0-9]*)")
# The SDK's service name (error prefix and cause) and the JSON API's target prefix.
_SERVICES = {"sfn": ("Sfn", "AWSStepFunctions"), "sqs": ("Sqs", "AmazonSQS"), "sns": ("Sns", "")}


def call(parameters: Any, context: CallContext) -> Any:
    match = _ACTION.match(context.resource)
    if match is None:
        raise StatesError(STATES_RUNTIME, f"Stepyard cannot call the resource '{context.resource}'.")
    sdk_name, prefix = _SERVICES[match["service"]]
    action = match["action"][0].upper() + match["action"][1:]
    params = parameters if isinstance(parameters, dict) else {}
    if match["service"] == "sfn":
        params = _to_api(params, shapes.ACTIONS.get(action))
    try:
        result = _sns(action, params) if match["service"] == "sns" else protocol.call(f"{prefix}.{action}", params)
    except protocol.UnknownOperation:
        raise StatesError(STATES_RUNTIME, f"The {sdk_name} SDK has no action '{match['action']}'.") from None
    except ServiceError as error:
        raise _sdk_error(sdk_name, error) from None
    return _from_api(result) if match["service"] == "sfn" else result


def _sns(action: str, params: dict[str, Any]) -> dict[str, Any]:
    """SNS's query actions take the same nested members the SDK sends (maps as objects,
    lists as arrays); a JSON Message is sent as its text, as sns:publish does."""
    handler = sns.ACTIONS.get(action)
    if handler is None:
        raise protocol.UnknownOperation(action)
    if "Message" in params and not isinstance(params["Message"], str):
        params = {**params, "Message": json.dumps(params["Message"], separators=(",", ":"), ensure_ascii=False)}
    result = handler(params) or {}
    return {key: value for key, value in result.items() if value is not None}


def _to_api(value: Any, shape: Any) -> Any:
    """SDK-cased parameters as the JSON API takes them (Step Functions members are camelCase)."""
    if isinstance(shape, shapes.Struct) and isinstance(value, dict):
        converted = {}
        for key, item in value.items():
            name = key[:1].lower() + key[1:]
            converted[name] = _to_api(item, shape.members.get(name))
        return converted
    if isinstance(shape, shapes.List) and isinstance(value, list):
        return [_to_api(item, shape.member) for item in value]
    if isinstance(shape, shapes.Str) and not isinstance(value, str) and value is not None:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if shape is None and isinstance(value, dict):
        return {key[:1].lower() + key[1:]: item for key, item in value.items()}
    return value


def _from_api(value: Any, key: str = "") -> Any:
    """The JSON API's result with the SDK's PascalCase names and ISO-8601 timestamps."""
    if isinstance(value, dict):
        return {name[:1].upper() + name[1:]: _from_api(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_from_api(item, key) for item in value]
    if _is_timestamp(key) and isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = datetime.fromtimestamp(value, tz=UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return value


def _is_timestamp(key: str) -> bool:
    return key.endswith("Date") or key == "timestamp"


def _sdk_error(sdk_name: str, error: ServiceError) -> StatesError:
    name = error.code if error.code.endswith("Exception") else f"{error.code}Exception"
    cause = (f"{error.message} (Service: {sdk_name}, Status Code: {error.status}, "
             f"Request ID: {uuid.uuid4()}) (SDK Attempt Count: 1)")
    return StatesError(f"{sdk_name}.{name}", cause)

# What console.wiring registers: (resource pattern, integration[, inline]).
ROUTES = (
    Route(PATTERN, call),
)
