"""``arn:aws:states:::states:startExecution``: start a child execution from a Task.

- request-response: StartExecution's answer (ExecutionArn, StartDate) with the AWS Java
  SDK's HTTP metadata;
- ``.waitForTaskToken``: the same start; the runtime waits for the child (or anyone) to
  answer the token;
- ``.sync`` / ``.sync:2``: the start is the task's submission (TaskSubmitted); the task
  ends when the child ends, with DescribeExecution's fields (``.sync``: Input and Output
  as JSON text, ``.sync:2``: as JSON). A child that fails, times out or is aborted fails
  the task with States.TaskFailed and those fields, JSON-encoded, as the cause.

Waiting holds no thread: the task's pending call is taken over, a ChildExecutionWait row
links child to parent, and a hook on every committed step delivers the parent's result
when the child ends. A periodic sweep catches children that ended while no hook could
see them (a restart).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from typing import Any

from django.db import DatabaseError, transaction

from console.db import rows
from console.integrations import CallContext, Route, sdk_metadata
from console.models import ChildExecutionWait, Execution, PendingCall
from console.runtime import stepper
from console.services import ServiceError, executions, machines, redrive
from engine.errors import StatesError
from engine.execution import TaskFailed, TaskSubmitted, TaskSucceeded

log = logging.getLogger(__name__)
START = r"arn:aws:states:::states:startExecution"
SWEEP_EVERY_S = 10.0
TASK_FAILED = "States.TaskFailed"


def start_execution(parameters: Any, context: CallContext) -> dict[str, Any]:
    # Every form registers under the bare resource (the registry strips the suffix), so
    # the form is read from the call being performed.
    call = performing_call(context, parameters, START)
    child = _start_child(parameters)
    response = _start_response(child)
    suffix = call.resource[len(START):] if call is not None else ""
    if suffix in (".sync", ".sync:2"):
        _wait_for_child(call, child, response, as_json=suffix == ".sync:2")
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


@stepper.outside_write_turn
def _wait_for_child(call: PendingCall, child: Execution, response: dict[str, Any], *, as_json: bool) -> None:
    """Take the call over from the scheduler: the task now ends when the child ends."""
    with transaction.atomic():
        # Deleting the call is the take-over: the scheduler drops this integration's return
        # value, and no other worker can take the same call.
        if PendingCall.objects.filter(pk=call.pk).delete()[0] == 0:
            return  # cancelled meanwhile (the task timed out, the parent stopped)
        ChildExecutionWait.objects.create(parent_id=call.execution_id, task_id=call.task_id,
                                          child_arn=child.arn, output_as_json=as_json, created=time.time())
        stepper.apply(Execution(pk=call.execution_id), TaskSubmitted(call.task_id, response))
    # The child may have ended already (a Pass-only machine ends as it starts).
    deliver_outcomes(child.arn)


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


def _millis(moment: Any) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def _start_response(child: Execution) -> dict[str, Any]:
    body = {"ExecutionArn": child.arn, "StartDate": _millis(child.start_date)}
    return {**body, **_sdk_metadata(len(json.dumps({"executionArn": child.arn, "startDate": 0.0})))}


def describe(child: Execution, as_json: bool) -> dict[str, Any]:
    """DescribeExecution's fields as the SDK gives them to the parent task (keys sorted)."""
    result: dict[str, Any] = {
        "ExecutionArn": child.arn, "Input": _payload(child.input, as_json, verbatim=True),
        "InputDetails": {"Included": True}, "Name": child.name, "RedriveCount": child.redrive_count,
        "StartDate": _millis(child.start_date), "StateMachineArn": child.machine_arn,
        "Status": child.status, "StopDate": _millis(child.stop_date),
    }
    if child.status == Execution.SUCCEEDED:
        result.update({"Output": _payload(child.output, as_json), "OutputDetails": {"Included": True}})
    for field, value in (("Error", child.error), ("Cause", child.cause)):
        if value is not None:
            result[field] = value
    result["RedriveStatus"], reason = redrive.redrive_status(child)
    if reason:
        result["RedriveStatusReason"] = reason
    return dict(sorted(result.items()))


def _payload(text: str | None, as_json: bool, *, verbatim: bool = False) -> Any:
    """JSON for .sync:2; for .sync the text: the input as it was sent, the output compact,
    as AWS writes an execution's output."""
    if text is None or (verbatim and not as_json):
        return text
    value = json.loads(text)
    return value if as_json else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# --------------------------------------------------------------------------- delivery


def deliver_outcomes(child_arn: str, child: Execution | None = None) -> None:
    """If the child has ended, give every task waiting on it its result."""
    # Most ended executions are nobody's child: ask that first, on the index.
    if not rows.exists(ChildExecutionWait, "child_arn = %s", [child_arn]):
        return
    child = child or Execution.objects.filter(arn=child_arn).first()
    if child is None or child.status == Execution.RUNNING:
        return
    for wait in ChildExecutionWait.objects.filter(child_arn=child_arn):
        _deliver(wait, child)


@stepper.outside_write_turn
def _deliver(wait: ChildExecutionWait, child: Execution) -> None:
    fields = describe(child, wait.output_as_json)
    if child.status == Execution.SUCCEEDED:
        trigger: Any = TaskSucceeded(wait.task_id, fields)
    else:
        trigger = TaskFailed(wait.task_id, TASK_FAILED, json.dumps(fields, separators=(",", ":")))
    with transaction.atomic():
        # The delete is the claim: of several processes seeing the end, one delivers.
        if ChildExecutionWait.objects.filter(pk=wait.pk).delete()[0] == 1:
            stepper.apply(Execution(pk=wait.parent_id), trigger)


class _Watcher:
    """The after-step hook: an ended execution may be a child some task waits for."""

    def __init__(self) -> None:
        self._last_sweep = 0.0
        self._lock = threading.Lock()

    def __call__(self, applied: stepper.Applied) -> None:
        # A hook must not fail the step that called it (it has committed): a database that
        # is busy now is retried by the next sweep.
        try:
            if applied.execution.status != Execution.RUNNING:
                deliver_outcomes(applied.execution.arn, applied.execution)
            if time.monotonic() - self._last_sweep > SWEEP_EVERY_S and self._lock.acquire(blocking=False):
                try:
                    self._last_sweep = time.monotonic()
                    self.sweep()
                finally:
                    self._lock.release()
        except DatabaseError:
            log.warning("could not deliver child execution outcomes now; the next sweep will", exc_info=True)

    @staticmethod
    def sweep() -> None:
        running = Execution.objects.filter(status=Execution.RUNNING).values("arn")
        ended = ChildExecutionWait.objects.exclude(child_arn__in=running)
        for child_arn in set(ended.values_list("child_arn", flat=True)):
            deliver_outcomes(child_arn)


def _sdk_metadata(content_length: int) -> dict[str, Any]:
    return sdk_metadata(content_length)


def _sdk_error(error: ServiceError) -> StatesError:
    cause = (f"{error.message} (Service: AWSStepFunctions; Status Code: {error.status}; "
             f"Error Code: {error.code}; Request ID: {uuid.uuid4()}; Proxy: null)")
    return StatesError(f"StepFunctions.{error.code}Exception", cause)


WATCHER = _Watcher()

# What console.wiring registers: (resource pattern, integration[, inline]).
ROUTES = (
    Route(START, start_execution),
)
