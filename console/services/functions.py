"""Functions like Lambda: create, change, delete, find (by name or ARN) and invoke.

Code comes from three places, one list of functions: files in the functions directory
are picked up as they appear (their settings are kept here; their code stays in the
file), code written in the console is stored with the function, and zip packages
deployed through the Lambda API are kept unpacked (console.functions.packages).
Invocations run in worker processes (console.functions.pool); the last
RECENT_INVOCATIONS of each function are kept (pruned every PRUNE_EVERY invocations).
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, close_old_connections, transaction

from console.functions import code as code_files
from console.functions import packages
from console.functions.pool import POOL, Outcome
from console.models import Function, Invocation
from console.runtime.publish import function_group, publish
from console.services import function_versions
from console.services.function_errors import (
    InvalidParameterValue,
    InvalidRequestContent,
    RequestEntityTooLarge,
    RequestTooLarge,
    ResourceConflict,
    ResourceNotFound,
)
from engine import json_types

RECENT_INVOCATIONS = 100
PRUNE_EVERY = 10
MAX_TIMEOUT_S = 900
MEMORY_RANGE = (128, 10_240)
MAX_SYNC_PAYLOAD = 6 * 1024 * 1024
# Lambda's limit on a synchronous invocation's response (its own odd number).
MAX_RESPONSE_PAYLOAD = 6_291_556
INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
DEFAULT_CODE = '''import json


def handler(event, context):
    print("Received event:", json.dumps(event))
    return {"statusCode": 200, "body": event}
'''
DEFAULT_NODE_CODE = '''exports.handler = async (event, context) => {
  console.log("Received event:", JSON.stringify(event));
  return { statusCode: 200, body: event };
};
'''
DEFAULT_RUNTIME = "python3.12"
# Lambda's Handler constraint is [^\s]+ of at most 128 characters; the runtime reads it later.
HANDLER = re.compile(r"[^\s]{1,128}")



def default_code(runtime: str) -> str:
    return DEFAULT_NODE_CODE if code_files.is_node(runtime) else DEFAULT_CODE


@dataclass
class InvokeResult:
    """Lambda's Invoke answer: StatusCode, the payload (JSON text) or a function error."""

    status_code: int
    request_id: str
    payload: str | None = None
    error: dict[str, Any] | None = None
    logs: str = ""
    executed_version: str = "$LATEST"

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
    """The function ``identifier`` names, to change: its $LATEST; else ResourceNotFound."""
    name, qualifier = parse_identifier(identifier)
    function = _named(name)
    if function is None or qualifier not in (None, "$LATEST"):
        raise ResourceNotFound(f"Function not found: {code_files.function_arn(name)}:{qualifier or '$LATEST'}")
    return function


def _named(name: str) -> Function | None:
    function = Function.objects.filter(name=name).first()
    if function is None or function.source == Function.DIRECTORY:
        sync_directory()
        function = Function.objects.filter(name=name).first()
    return function


def get_function_at(identifier: str) -> Function:
    """The function as the identifier's qualifier ($LATEST, a version, an alias) runs it."""
    name, qualifier = parse_identifier(identifier)
    function = _named(name)
    if function is None:
        raise ResourceNotFound(f"Function not found: {code_files.function_arn(name)}:{qualifier or '$LATEST'}")
    return function_versions.at(function, qualifier)


def recent_invocations(function: Function, limit: int = 20) -> list[Invocation]:
    return list(function.invocations.all()[:limit])


# --------------------------------------------------------------------------- changes


def create_function(name: str, *, code: str | None = None, zip_file: bytes | None = None,
                    handler: str = "handler", runtime: str = DEFAULT_RUNTIME, timeout: int = 3,
                    memory_size: int = 128, environment: dict[str, str] | None = None,
                    description: str = "", role: str = "", tags: dict[str, str] | None = None) -> Function:
    """Create a console function (``code`` is stored with it) or a package one (``zip_file``)."""
    if not code_files.NAME.fullmatch(name or ""):
        raise InvalidParameterValue(
            "Function name must be 1 to 64 letters, digits, hyphens or underscores.")
    sync_directory()
    if Function.objects.filter(name=name).exists():
        raise ResourceConflict(f"Function already exist: {name}")
    _check_runtime(runtime)
    now = time.time()
    function = Function(name=name, source=Function.CONSOLE, runtime=runtime, role=role, created=now, modified=now,
                        code=default_code(runtime) if code is None else code, tags=json.dumps(tags or {}))
    _apply_settings(function, handler=handler, timeout=timeout, memory_size=memory_size,
                    environment=environment or {}, description=description)
    if zip_file is not None:
        _use_package(function, zip_file)
    _touch(function)
    try:
        with transaction.atomic():
            function.save()
    except IntegrityError:  # created by a concurrent call since the check above
        raise ResourceConflict(f"Function already exist: {name}") from None
    return function


def update_function(function: Function, *, code: str | None = None, zip_file: bytes | None = None,
                    **settings: Any) -> Function:
    """Change a function's settings, or its code: console text, the handler file of a
    package, or a whole new zip (a console function then becomes a package one)."""
    if zip_file is not None or code is not None:
        _change_code(function, code, zip_file)
    _apply_settings(function, **settings)
    _touch(function)
    function.save()
    POOL.discard(function.name)
    return function


def _change_code(function: Function, code: str | None, zip_file: bytes | None) -> None:
    if function.source == Function.DIRECTORY:
        raise InvalidParameterValue(
            f"The code of {function.name} is a file in the functions directory: edit the file.")
    if zip_file is not None:
        _use_package(function, zip_file)
    elif function.source == Function.PACKAGE and code is not None:
        if code != code_files.read_code(function):
            _use_package(function, packages.replace_member(function.package, code_files.handler_file(function), code))
    elif code is not None:
        function.code = code


def _use_package(function: Function, zip_file: bytes) -> None:
    try:
        digest = packages.store(zip_file)
    except packages.PackageTooLarge as error:
        raise RequestEntityTooLarge(str(error)) from None
    except packages.BadPackage as error:
        raise InvalidParameterValue(str(error)) from None
    function.source, function.package, function.code = Function.PACKAGE, digest, ""
    function.code_sha256, function.code_size = packages.code_sha256(zip_file), len(zip_file)


def _touch(function: Function) -> None:
    function.modified = time.time()
    function.revision_id = str(uuid.uuid4())


def delete_function(function: Function) -> None:
    if function.source == Function.DIRECTORY:
        raise InvalidParameterValue(
            f"{function.name} comes from the functions directory: delete its file to remove it.")
    function.delete()
    POOL.discard(function.name)


def _apply_settings(function: Function, *, handler: str | None = None, timeout: int | None = None,
                    memory_size: int | None = None, environment: dict[str, str] | None = None,
                    description: str | None = None, runtime: str | None = None, role: str | None = None) -> None:
    if runtime is not None:
        _check_runtime(runtime)
        function.runtime = runtime
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
    if role is not None:
        function.role = role


def _check_runtime(runtime: str) -> None:
    if runtime not in code_files.RUNTIMES:
        raise InvalidParameterValue(
            f"The runtime parameter of {runtime} is not supported by Stepyard for creating or updating "
            f"functions. Supported runtimes: {', '.join(code_files.RUNTIMES)}.")


def _check_handler(handler: str) -> None:
    """Lambda's constraint, and nothing that would leave the function's folder."""
    module, _, name = handler.rpartition(".")
    parts = module.replace(".", "/").split("/") if module else []
    if not HANDLER.fullmatch(handler) or not name or any(p in ("", "..") for p in parts):
        raise InvalidParameterValue(
            f"Handler {handler!r} must be 'file.function' (Python: module.function or pkg/module.function; "
            "Node.js: path/to/file.export), at most 128 characters, inside the function's folder.")


def _check_environment(environment: dict[str, str]) -> None:
    for key, value in environment.items():
        if not isinstance(key, str) or not key.isidentifier() or not isinstance(value, str):
            raise InvalidParameterValue(
                f"Environment variable {key!r}: names are letters, digits and underscores; values are strings.")


# --------------------------------------------------------------------------- invoke


def invoke(identifier: str, event: str | None, invocation_type: str = "RequestResponse",
           caller: str = "") -> InvokeResult:
    """Run a function with ``event`` (JSON text); Event invocations run in the background."""
    function = get_function_at(identifier)
    text = check_event(event)
    if invocation_type not in INVOCATION_TYPES:
        raise InvalidParameterValue(f"Invalid InvocationType: {invocation_type!r}")
    if invocation_type == "DryRun":
        return InvokeResult(204, str(uuid.uuid4()))
    spec = code_files.spec_for(function)
    version = getattr(function, "version", "$LATEST")
    if spec is None:
        raise ResourceNotFound(f"Function not found: {code_files.function_arn(function.name)}:{version}")
    invocation = _record_start(function, text, invocation_type, caller)
    if invocation_type == "Event":
        threading.Thread(target=_run_in_background, args=(spec, invocation), daemon=True).start()
        return InvokeResult(202, invocation.request_id, payload="")
    outcome = _within_limit(POOL.invoke(spec, invocation.request_id, text))
    _record_end(invocation, outcome)
    return InvokeResult(200, outcome.request_id, outcome.payload, outcome.error, outcome.logs, version)


def _within_limit(outcome: Outcome) -> Outcome:
    """A response larger than Lambda returns becomes Lambda's Function.ResponseSizeTooLarge."""
    if outcome.payload is None or len(outcome.payload) * 4 <= MAX_RESPONSE_PAYLOAD:
        return outcome
    size = len(outcome.payload.encode())
    if size <= MAX_RESPONSE_PAYLOAD:
        return outcome
    message = (f"Response payload size ({size} bytes) exceeded maximum allowed payload size "
               f"({MAX_RESPONSE_PAYLOAD} bytes).")
    return dataclasses.replace(outcome, payload=None,
                               error={"errorMessage": message, "errorType": "Function.ResponseSizeTooLarge"})


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
    invocation = Invocation.objects.create(
        function=function, request_id=str(uuid.uuid4()), invocation_type=invocation_type,
        caller=caller[:512], event=event, started=time.time())
    # Pruning costs two queries: it runs on every PRUNE_EVERY-th invocation (by id), so a
    # function keeps its last RECENT_INVOCATIONS and at most PRUNE_EVERY - 1 more.
    if invocation.pk % PRUNE_EVERY == 0:
        old = function.invocations.values_list("pk", flat=True)[RECENT_INVOCATIONS:]
        Invocation.objects.filter(pk__in=list(old)).delete()
    _notify(function.pk)
    return invocation


def _notify(function_pk: int) -> None:
    """Tell the function's page that its invocations changed."""
    publish(function_group(function_pk), {"type": "invocations.changed"})


def _record_end(invocation: Invocation, outcome: Outcome) -> None:
    invocation.status = Invocation.FAILED if outcome.error is not None else Invocation.SUCCEEDED
    invocation.result = outcome.payload
    invocation.error = None if outcome.error is None else json.dumps(outcome.error)
    invocation.logs = outcome.logs
    invocation.duration_ms = outcome.duration_ms
    Invocation.objects.filter(pk=invocation.pk).update(
        status=invocation.status, result=invocation.result, error=invocation.error,
        logs=invocation.logs, duration_ms=invocation.duration_ms)
    _notify(invocation.function_id)
