"""How the Lambda API shows things: FunctionConfiguration, event source mappings, and the
parameter checks its REST-JSON calls need (paging markers, typed members)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from console.functions import code as code_files
from console.functions import packages
from console.models import EventSource, Function
from console.services import ServiceError
from console.services import queues as queue_service
from console.services.functions import InvalidParameterValue


class ValidationException(ServiceError):
    code = "ValidationException"
    status = 400


def default_role() -> str:
    return f"arn:aws:iam::{settings.STEPYARD_ACCOUNT}:role/stepyard-function"


def lambda_time(epoch: float) -> str:
    """Lambda's LastModified text: ``2024-05-01T12:00:00.000+0000``."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def code_facts(function: Function) -> tuple[str, int]:
    """(CodeSha256, CodeSize) of the function's deployment package."""
    if function.source == Function.PACKAGE:
        return function.code_sha256, function.code_size
    data = code_files.code_zip(function)
    return packages.code_sha256(data), len(data)


def configuration(function: Function) -> dict[str, Any]:
    """FunctionConfiguration: ready at once (State Active, LastUpdateStatus Successful)."""
    sha256, size = code_facts(function)
    version = getattr(function, "version", "$LATEST")
    arn = code_files.function_arn(function.name)
    shaped: dict[str, Any] = {
        "FunctionName": function.name,
        "FunctionArn": arn if version == "$LATEST" else f"{arn}:{version}",
        "Runtime": function.runtime,
        "Role": function.role or default_role(),
        "Handler": code_files.lambda_handler(function),
        "CodeSize": size,
        "Description": function.description,
        "Timeout": function.timeout,
        "MemorySize": function.memory_size,
        "LastModified": lambda_time(function.modified),
        "CodeSha256": sha256,
        "Version": version,
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": function.revision_id or f"{int(function.modified * 1000):x}",
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function.name}"},
    }
    variables = json.loads(function.environment or "{}")
    if variables:
        shaped["Environment"] = {"Variables": variables}
    return shaped


def mapping(source: EventSource, state: str | None = None) -> dict[str, Any]:
    """An EventSourceMappingConfiguration for a queue -> function event source."""
    return {
        "UUID": source.uuid,
        "BatchSize": source.batch_size,
        "MaximumBatchingWindowInSeconds": source.maximum_batching_window,
        "EventSourceArn": queue_service.queue_arn(source.queue),
        "FunctionArn": code_files.function_arn(source.target),
        "LastModified": source.modified,
        "LastProcessingResult": _processing_result(source),
        "State": state or ("Enabled" if source.enabled else "Disabled"),
        "StateTransitionReason": "USER_INITIATED",
        "FunctionResponseTypes": ["ReportBatchItemFailures"] if source.report_batch_item_failures else [],
        "EventSourceMappingArn": (f"arn:aws:lambda:{settings.STEPYARD_REGION}:{settings.STEPYARD_ACCOUNT}:"
                                  f"event-source-mapping:{source.uuid}"),
    }


def _processing_result(source: EventSource) -> str:
    if source.last_run is None:
        return "No records processed"
    if source.batches_failed and not source.last_result.split(" ", 1)[0].isdigit():
        return f"PROBLEM: {source.last_result}"
    return "OK"


# --------------------------------------------------------------------------- members


def _constraint(field: str, value: Any, text: str) -> ValidationException:
    return ValidationException(
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {text}")


def text(params: dict, field: str, *, required: bool = False) -> str | None:
    value = params.get(field)
    if value is None and required:
        raise _constraint(field[0].lower() + field[1:], None, "Member must not be null")
    if value is not None and not isinstance(value, str):
        raise _constraint(field[0].lower() + field[1:], value, "Member must be a string")
    return value


def number(params: dict, field: str, minimum: int, maximum: int) -> int | None:
    value = params.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise _constraint(field[0].lower() + field[1:], value,
                          f"Member must have value between {minimum} and {maximum}")
    return value


def flag(params: dict, field: str) -> bool | None:
    value = params.get(field)
    if value is not None and not isinstance(value, bool):
        raise _constraint(field[0].lower() + field[1:], value, "Member must be a boolean")
    return value


def variables(params: dict) -> dict[str, str] | None:
    environment = params.get("Environment")
    if environment is None:
        return None
    found = environment.get("Variables", {}) if isinstance(environment, dict) else None
    if not isinstance(found, dict) or not all(isinstance(v, str) for v in found.values()):
        raise InvalidParameterValue("Environment.Variables must be a map of strings to strings.")
    return found


def page(items: list, marker: str | None, max_items: int | None, default: int = 50) -> tuple[list, str | None]:
    """A page of ``items`` from ``marker`` (an opaque offset) and the next page's marker."""
    start = 0
    if marker:
        try:
            start = int(base64.urlsafe_b64decode(marker.encode()).decode().removeprefix("marker:"))
        except (ValueError, UnicodeDecodeError):
            start = -1
        if start < 0:
            raise InvalidParameterValue(f"Invalid marker: {marker}")
    size = max_items or default
    chunk = items[start:start + size]
    more = start + size < len(items)
    return chunk, (base64.urlsafe_b64encode(f"marker:{start + size}".encode()).decode() if more else None)


def alias(record: Any) -> dict[str, Any]:
    """An AliasConfiguration."""
    return {
        "AliasArn": f"{code_files.function_arn(record.function.name)}:{record.name}",
        "Name": record.name,
        "FunctionVersion": record.version,
        "Description": record.description,
        "RevisionId": record.revision_id,
    }
