"""The APIs' actions as the aws-sdk integration calls them (``aws-sdk:sfn|sqs|sns:<action>``).

Parameters and results use the SDK's PascalCase member names; a JSON value given where
the API takes a string (``Input``, ``Output``) is sent as its JSON text; timestamps come
back as ISO-8601 text. console.wiring plugs ``call`` into console/integrations/aws_sdk.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from console.api import router, shapes, sns

_TARGETS = {"sfn": "AWSStepFunctions", "sqs": "AmazonSQS"}


def call(service: str, action: str, params: dict[str, Any]) -> Any:
    """Run ``action`` of ``service`` (sfn, sqs, sns); LookupError if it has none."""
    if service == "sns":
        return _sns(action, params)
    if service == "sfn":
        params = _to_api(params, shapes.ACTIONS.get(action))
    try:
        result = router.call(f"{_TARGETS[service]}.{action}", params)
    except router.UnknownOperation:
        raise LookupError(action) from None
    return _from_api(result) if service == "sfn" else result


def _sns(action: str, params: dict[str, Any]) -> dict[str, Any]:
    """SNS's query actions take the same nested members the SDK sends (maps as objects,
    lists as arrays); a JSON Message is sent as its text, as sns:publish does."""
    handler = sns.ACTIONS.get(action)
    if handler is None:
        raise LookupError(action)
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
