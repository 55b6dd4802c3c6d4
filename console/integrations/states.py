"""``arn:aws:states:::states:startExecution``: start a child execution from a Task.

- request-response: StartExecution's answer (ExecutionArn, StartDate) with the AWS Java
  SDK's HTTP metadata;
- ``.waitForTaskToken``: the same start; the runtime waits for the child (or anyone) to
  answer the token;
- ``.sync`` / ``.sync:2``: the start is the task's submission (TaskSubmitted); the task
  ends when the child ends, with DescribeExecution's fields (``.sync``: Input and Output
  as JSON text, ``.sync:2``: as JSON). A child that fails, times out or is aborted fails
  the task with States.TaskFailed and those fields, JSON-encoded, as the cause.

Waiting holds no thread: the task's pending call is taken over and the parent's result
delivered when the child ends (console/services/child_executions.py).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from console.integrations import CallContext, Route, sdk_metadata
from console.models import Execution, PendingCall
from console.services import ServiceError, child_executions, executions, machines
from engine.errors import StatesError

START = r"arn:aws:states:::states:startExecution"


def start_execution(parameters: Any, context: CallContext) -> dict[str, Any]:
    # Every form registers under the bare resource (the registry strips the suffix), so
    # the form is read from the call being performed.
    call = performing_call(context, parameters, START)
    child = _start_child(parameters)
    response = _start_response(child)
    suffix = call.resource[len(START):] if call is not None else ""
    if suffix in (".sync", ".sync:2"):
        child_executions.wait_for_child(call, child, response, as_json=suffix == ".sync:2")
    return response


def performing_call(context: CallContext, parameters: Any, resource_prefix: str) -> PendingCall | None:
    """The pending call being performed for ``context``, matched on its state and parameters.

    CallContext names neither the resource nor the task, and both matter here (which
    ``startExecution`` form; which function ARN): they are read from the call's row.
    """
    candidates = PendingCall.objects.filter(
        execution__arn=context.execution_arn, state_name=context.state_name,
        resource__startswith=resource_prefix, leased_until__gt=time.time(),
    ).order_by("pk")
    for call in candidates:
        if json.loads(call.parameters) == parameters:
            return call
    return None


def _start_child(parameters: Any) -> Execution:
    request = parameters if isinstance(parameters, dict) else {}
    try:
        machine = machines.get_machine_by_arn(str(request.get("StateMachineArn") or ""))
        return executions.start_execution(machine, name=request.get("Name"), input=_input_text(request.get("Input")))
    except ServiceError as error:
        raise _sdk_error(error) from None


def _input_text(value: Any) -> str | None:
    # A string Input is the child's input text as it is; anything else is sent as JSON.
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _start_response(child: Execution) -> dict[str, Any]:
    body = {"ExecutionArn": child.arn, "StartDate": child_executions.millis(child.start_date)}
    return {**body, **_sdk_metadata(len(json.dumps({"executionArn": child.arn, "startDate": 0.0})))}


def _sdk_metadata(content_length: int) -> dict[str, Any]:
    return sdk_metadata(content_length)


def _sdk_error(error: ServiceError) -> StatesError:
    cause = (f"{error.message} (Service: AWSStepFunctions; Status Code: {error.status}; "
             f"Error Code: {error.code}; Request ID: {uuid.uuid4()}; Proxy: null)")
    return StatesError(f"StepFunctions.{error.code}Exception", cause)



# What console.wiring registers: (resource pattern, integration[, inline]).
ROUTES = (
    Route(START, start_execution),
)
