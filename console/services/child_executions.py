"""Tasks that wait for a child execution (``states:startExecution.sync`` / ``.sync:2``).

Waiting holds no thread: the task's pending call is taken over, a ChildExecutionWait row
links child to parent, and a hook on every committed step (``WATCHER``, registered by
console.wiring) delivers the parent's result when the child ends. A periodic sweep
catches children that ended while no hook could see them (a restart).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

from django.db import DatabaseError, transaction

from console.models import ChildExecutionWait, Execution, PendingCall
from console.runtime import stepper, store
from console.services import redrive
from engine.execution import TaskFailed, TaskSubmitted, TaskSucceeded

log = logging.getLogger(__name__)
SWEEP_EVERY_S = 10.0
TASK_FAILED = "States.TaskFailed"


@stepper.outside_write_turn
def wait_for_child(call: PendingCall, child: Execution, response: dict[str, Any], *, as_json: bool) -> None:
    """Take the call over from the scheduler: the task now ends when the child ends."""
    with transaction.atomic():
        # Deleting the call is the take-over: the scheduler drops this integration's return
        # value, and no other worker can take the same call.
        if not store.take_call(call.pk):
            return  # cancelled meanwhile (the task timed out, the parent stopped)
        store.wait_for_child(call, child.arn, output_as_json=as_json, now=time.time())
        stepper.apply(Execution(pk=call.execution_id), TaskSubmitted(call.task_id, response))
    # The child may have ended already (a Pass-only machine ends as it starts).
    deliver_outcomes(child.arn)


def millis(moment: Any) -> int | None:
    """A timestamp as the Java SDK serialises it for the task: epoch milliseconds."""
    return None if moment is None else int(moment.timestamp() * 1000)


def describe(child: Execution, as_json: bool) -> dict[str, Any]:
    """DescribeExecution's fields as the SDK gives them to the parent task (keys sorted)."""
    result: dict[str, Any] = {
        "ExecutionArn": child.arn, "Input": _payload(child.input, as_json, verbatim=True),
        "InputDetails": {"Included": True}, "Name": child.name, "RedriveCount": child.redrive_count,
        "StartDate": millis(child.start_date), "StateMachineArn": child.machine_arn,
        "Status": child.status, "StopDate": millis(child.stop_date),
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
    if not store.is_awaited(child_arn):
        return
    child = child or Execution.objects.filter(arn=child_arn).first()
    if child is None or child.status == Execution.RUNNING:
        return
    for wait in store.child_waits(child_arn):
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
        if store.claim_child_wait(wait.pk):
            stepper.apply(Execution(pk=wait.parent_id), trigger)


class Watcher:
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
        for child_arn in store.awaited_children_ended():
            deliver_outcomes(child_arn)


WATCHER = Watcher()
