"""Lambda tasks: ``arn:aws:states:::lambda:invoke`` and the bare function ARN.

The optimised integration answers like the AWS Java SDK's Invoke: the handler's result
in ``Payload`` with ExecutedVersion, StatusCode and the SDK's HTTP metadata. A handler
exception fails the Task with the exception's class name (Lambda's errorType) as the
error and Lambda's error payload as the cause, serialised compactly by the SDK; the bare
ARN form (the legacy Lambda task) passes the task input as the event, returns the
handler's result as it is, and its cause keeps the Python runtime's own ``", "``
separators, as AWS records them. Lambda's API errors are ``Lambda.<Code>`` with the
SDK's "(Service: AWSLambda; ...)" suffix.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from email.utils import formatdate
from typing import Any

from console.integrations import CallContext, Route, sdk_metadata_from
from console.integrations.states import performing_call
from console.models import Execution
from console.services import functions
from console.services.function_errors import LambdaError
from engine.errors import STATES_RUNTIME, StatesError

INVOKE = r"arn:aws:states:::lambda:invoke"
FUNCTION_ARN = r"arn:aws:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?"
LOG_TAIL_BYTES = 4096


def invoke(parameters: Any, context: CallContext) -> dict[str, Any]:
    request = parameters if isinstance(parameters, dict) else {}
    name = request.get("FunctionName")
    if not isinstance(name, str) or not name:
        raise _sdk_error(functions.InvalidParameterValue("FunctionName must be a function name or ARN."))
    if isinstance(request.get("Qualifier"), str):
        name = f"{functions.parse_identifier(name)[0]}:{request['Qualifier']}"
    invocation_type = request.get("InvocationType", "RequestResponse")
    try:
        result = functions.invoke(name, _payload_text(request.get("Payload")), invocation_type,
                                  caller=context.execution_arn)
    except LambdaError as error:
        raise _sdk_error(error) from None
    if result.error is not None:
        raise StatesError(_error_type(result.error), json.dumps(result.error, separators=(",", ":")))
    return _response(result, request.get("LogType") == "Tail")


def invoke_function_arn(parameters: Any, context: CallContext) -> Any:
    try:
        result = functions.invoke(_function_arn(context, parameters), json.dumps(parameters),
                                  caller=context.execution_arn)
    except LambdaError as error:
        raise _sdk_error(error) from None
    if result.error is not None:
        raise StatesError(_error_type(result.error), json.dumps(result.error))
    return _parsed(result.payload)


def _function_arn(context: CallContext, parameters: Any) -> str:
    """The function ARN the task names: CallContext does not carry the resource.

    A Standard execution's call is on record; an Express execution runs in memory, so its
    definition is read instead, which works when it names one function ARN.
    """
    call = performing_call(context, parameters, "arn:aws:lambda:")
    if call is not None:
        return call.resource
    execution = Execution.objects.filter(arn=context.execution_arn).only("definition").first()
    named = _function_arns(json.loads(execution.definition)) if execution is not None else set()
    if len(named) != 1:
        raise StatesError(STATES_RUNTIME, "Stepyard cannot tell which function ARN this task names: an "
                                          "Express state machine may name one function ARN; use "
                                          "arn:aws:states:::lambda:invoke with FunctionName for more.")
    return named.pop()


def _function_arns(node: Any) -> set[str]:
    """Every bare function ARN a definition names as a Task resource, at any depth."""
    if isinstance(node, list):
        return set().union(*(_function_arns(item) for item in node))
    if not isinstance(node, dict):
        return set()
    found = set().union(*(_function_arns(value) for value in node.values()))
    resource = node.get("Resource")
    if node.get("Type") == "Task" and isinstance(resource, str) and re.fullmatch(FUNCTION_ARN, resource):
        found.add(resource)
    return found


def _payload_text(payload: Any) -> str | None:
    # A string Payload is sent as it is (it must be JSON text); anything else as JSON.
    if payload is None or isinstance(payload, str):
        return payload
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def _parsed(payload: str | None) -> Any:
    if not payload:
        return None
    try:
        return json.loads(payload)
    except ValueError:
        return payload


def _error_type(error: dict[str, Any]) -> str:
    return str(error.get("errorType") or "Lambda.Unknown")


def _response(result: functions.InvokeResult, tail: bool) -> dict[str, Any]:
    payload = result.payload or ""
    headers = {
        "Connection": "keep-alive",
        "Content-Length": str(len(payload.encode())),
        "Content-Type": "application/json",
        "Date": formatdate(usegmt=True),
        "X-Amz-Executed-Version": result.executed_version,
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": result.request_id,
        "X-Amzn-Trace-Id": f"root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]};sampled=0",
    }
    response: dict[str, Any] = {
        "ExecutedVersion": result.executed_version,
        "Payload": _parsed(payload) if result.status_code == 200 else payload,
        **sdk_metadata_from(headers, result.request_id, result.status_code),
        "StatusCode": result.status_code,
    }
    if tail:
        response["LogResult"] = base64.b64encode(result.logs.encode()[-LOG_TAIL_BYTES:]).decode()
    return response


def _sdk_error(error: LambdaError) -> StatesError:
    cause = (f"{error.message} (Service: AWSLambda; Status Code: {error.status}; Error Code: {error.code}; "
             f"Request ID: {uuid.uuid4()}; Proxy: null)")
    return StatesError(f"Lambda.{error.code}", cause)

# What console.wiring registers: (resource pattern, integration[, inline]).
ROUTES = (
    Route(INVOKE, invoke),
    Route(FUNCTION_ARN, invoke_function_arn),
)
