"""Functions like Lambda: create, change, delete, find (by name or ARN) and invoke.

Code comes from two places: files in the functions directory are picked up as they
appear (their settings are kept here; their code stays in the file), and code written
in the console is stored with the function. Invocations run in worker processes
(console.functions.pool); the last RECENT_INVOCATIONS of each function are kept.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections, transaction

from console.functions import code as code_files
from console.functions.pool import POOL, Outcome
from console.models import Function, Invocation
from console.services import ServiceError
from engine import json_types

RECENT_INVOCATIONS = 100
MAX_TIMEOUT_S = 900
MEMORY_RANGE = (128, 10_240)
MAX_SYNC_PAYLOAD = 6 * 1024 * 1024
INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
DEFAULT_CODE = '''import json


def handler(event, context):
    print("Received event:", json.dumps(event))
    return {"statusCode": 200, "body": event}
'''


class LambdaError(ServiceError):
    code = "ServiceException"
    status = 500


class ResourceNotFound(LambdaError):
    code = "ResourceNotFoundException"
    status = 404


class ResourceConflict(LambdaError):
    code = "ResourceConflictException"
    status = 409


class InvalidParameterValue(LambdaError):
    code = "InvalidParameterValueException"
    status = 400


class InvalidRequestContent(LambdaError):
    code = "InvalidRequestContentException"
    status = 400


class RequestTooLarge(LambdaError):
    code = "RequestTooLargeException"
    status = 413


@dataclass
class InvokeResult:
    """Lambda's Invoke answer: StatusCode, the payload (JSON text) or a function error."""

    status_code: int
    request_id: str
    payload: str | None = None
    error: dict[str, Any] | None = None
    logs: str = ""

    @property
    def function_error(self) -> str | None:
        return "Unhandled" if self.error is not None else None


# --------------------------------------------------------------------------- look-ups


def sync_directory() -> None:
    """Pick up new files in the functions directory; forget those whose file has gone."""
    found = code_files.discover()
    known = dict(Function.objects.values_list("name", "source"))
    now = time.time()
    for name in found.keys() - known.keys():
        Function.objects.get_or_create(name=name, defaults={
            "source": Function.DIRECTORY, "created": now, "modified": now})
    gone = [n for n, source in known.items() if source == Function.DIRECTORY and n not in found]
    if gone:
        Function.objects.filter(name__in=gone, source=Function.DIRECTORY).delete()
        for name in gone:
            POOL.discard(name)


def list_functions() -> list[Function]:
    sync_directory()
    return list(Function.objects.all())


def parse_identifier(identifier: str) -> tuple[str, str | None]:
    """A name, ``name:qualifier``, a partial ARN or a full ARN -> (name, qualifier)."""
    parts = identifier.split(":")
    if identifier.startswith("arn:") and len(parts) in (7, 8) and parts[5] == "function":
        return parts[6], parts[7] if len(parts) == 8 else None
    if len(parts) in (3, 4) and parts[1] == "function":
        return parts[2], parts[3] if len(parts) == 4 else None
    if len(parts) == 2:
        return parts[0], parts[1]
    return identifier, None


def get_function(identifier: str) -> Function:
    """The function ``identifier`` names (only ``$LATEST`` exists), else ResourceNotFound."""
    name, qualifier = parse_identifier(identifier)
    function = Function.objects.filter(name=name).first()
    if function is None or function.source == Function.DIRECTORY:
        sync_directory()
        function = Function.objects.filter(name=name).first()
    if function is None or qualifier not in (None, "$LATEST"):
        raise ResourceNotFound(f"Function not found: {code_files.function_arn(name)}:{qualifier or '$LATEST'}")
    return function


def recent_invocations(function: Function, limit: int = 20) -> list[Invocation]:
    return list(function.invocations.all()[:limit])


# --------------------------------------------------------------------------- changes


def create_function(name: str, *, code: str = DEFAULT_CODE, handler: str = "handler", timeout: int = 3,
                    memory_size: int = 128, environment: dict[str, str] | None = None,
                    description: str = "") -> Function:
    """Create a console function (its code is stored with it)."""
    if not code_files.NAME.fullmatch(name or ""):
        raise InvalidParameterValue(
            "Function name must be 1 to 64 letters, digits, hyphens or underscores.")
    sync_directory()
    if Function.objects.filter(name=name).exists():
        raise ResourceConflict(f"Function already exist: {name}")
    now = time.time()
    function = Function(name=name, source=Function.CONSOLE, code=code, created=now, modified=now)
    _apply_settings(function, handler=handler, timeout=timeout, memory_size=memory_size,
                    environment=environment or {}, description=description)
    function.save()
    return function


def update_function(function: Function, *, code: str | None = None, **settings: Any) -> Function:
    """Change a function's settings, or the code of a console function."""
    if code is not None:
        if function.source != Function.CONSOLE:
            raise InvalidParameterValue(
                f"The code of {function.name} is a file in the functions directory: edit the file.")
        function.code = code
    _apply_settings(function, **settings)
    function.modified = time.time()
    function.save()
    POOL.discard(function.name)
    return function


def delete_function(function: Function) -> None:
    if function.source == Function.DIRECTORY:
        raise InvalidParameterValue(
            f"{function.name} comes from the functions directory: delete its file to remove it.")
    function.delete()
    POOL.discard(function.name)


def _apply_settings(function: Function, *, handler: str | None = None, timeout: int | None = None,
                    memory_size: int | None = None, environment: dict[str, str] | None = None,
                    description: str | None = None) -> None:
    if handler is not None:
        _check_handler(handler)
        function.handler = handler
    if timeout is not None:
        if not 1 <= timeout <= MAX_TIMEOUT_S:
            raise InvalidParameterValue(f"Timeout must be between 1 and {MAX_TIMEOUT_S} seconds.")
        function.timeout = timeout
    if memory_size is not None:
        if not MEMORY_RANGE[0] <= memory_size <= MEMORY_RANGE[1]:
            raise InvalidParameterValue(f"MemorySize must be between {MEMORY_RANGE[0]} and {MEMORY_RANGE[1]} MB.")
        function.memory_size = memory_size
    if environment is not None:
        _check_environment(environment)
        function.environment = json.dumps(environment)
    if description is not None:
        function.description = description[:256]


def _check_handler(handler: str) -> None:
    parts = handler.split(".")
    if not handler or len(handler) > 128 or not all(p.isidentifier() for p in parts):
        raise InvalidParameterValue(
            f"Handler {handler!r} must be 'function' or 'module.function' (Python identifiers).")


def _check_environment(environment: dict[str, str]) -> None:
    for key, value in environment.items():
        if not isinstance(key, str) or not key.isidentifier() or not isinstance(value, str):
            raise InvalidParameterValue(
                f"Environment variable {key!r}: names are letters, digits and underscores; values are strings.")


# --------------------------------------------------------------------------- invoke


def invoke(identifier: str, event: str | None, invocation_type: str = "RequestResponse",
           caller: str = "") -> InvokeResult:
    """Run a function with ``event`` (JSON text); Event invocations run in the background."""
    function = get_function(identifier)
    text = check_event(event)
    if invocation_type not in INVOCATION_TYPES:
        raise InvalidParameterValue(f"Invalid InvocationType: {invocation_type!r}")
    if invocation_type == "DryRun":
        return InvokeResult(204, str(uuid.uuid4()))
    spec = code_files.spec_for(function)
    if spec is None:
        raise ResourceNotFound(f"Function not found: {code_files.function_arn(function.name)}:$LATEST")
    invocation = _record_start(function, text, invocation_type, caller)
    if invocation_type == "Event":
        threading.Thread(target=_run_in_background, args=(spec, invocation), daemon=True).start()
        return InvokeResult(202, invocation.request_id, payload="")
    outcome = POOL.invoke(spec, invocation.request_id, text)
    _record_end(invocation, outcome)
    return InvokeResult(200, outcome.request_id, outcome.payload, outcome.error, outcome.logs)


def check_event(event: str | None) -> str:
    """The payload as JSON text (``{}`` when empty); InvalidRequestContent if it is not JSON."""
    if event is None or not event.strip():
        return "{}"
    if len(event.encode()) > MAX_SYNC_PAYLOAD:
        raise RequestTooLarge(f"Request must be smaller than {MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation")
    try:
        json_types.loads(event)
    except ValueError as error:
        raise InvalidRequestContent(f"Could not parse request body into json: {error}") from None
    return event


def _run_in_background(spec: code_files.Spec, invocation: Invocation) -> None:
    try:
        _record_end(invocation, POOL.invoke(spec, invocation.request_id, invocation.event))
    finally:
        close_old_connections()


def _record_start(function: Function, event: str, invocation_type: str, caller: str) -> Invocation:
    with transaction.atomic():
        invocation = Invocation.objects.create(
            function=function, request_id=str(uuid.uuid4()), invocation_type=invocation_type,
            caller=caller[:512], event=event, started=time.time())
        old = function.invocations.values_list("pk", flat=True)[RECENT_INVOCATIONS:]
        Invocation.objects.filter(pk__in=list(old)).delete()
    return invocation


def _record_end(invocation: Invocation, outcome: Outcome) -> None:
    invocation.status = Invocation.FAILED if outcome.error is not None else Invocation.SUCCEEDED
    invocation.result = outcome.payload
    invocation.error = None if outcome.error is None else json.dumps(outcome.error)
    invocation.logs = outcome.logs
    invocation.duration_ms = outcome.duration_ms
    Invocation.objects.filter(pk=invocation.pk).update(
        status=invocation.status, result=invocation.result, error=invocation.error,
        logs=invocation.logs, duration_ms=invocation.duration_ms)
