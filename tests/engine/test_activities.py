"""Activity tasks wait for a worker's answer on a task token (no Django)."""

from __future__ import annotations

from engine.context import VirtualClock
from engine.definition import load
from engine.execution import CallIntegration, Start, TaskStarted, TaskSubmitted, TaskSucceeded
from engine.interpreter import advance

ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:approve"
MACHINE = load({"StartAt": "Approve", "States": {"Approve": {"Type": "Task", "Resource": ACTIVITY, "End": True}}})


def test_an_activity_task_gets_a_token_and_waits_for_its_answer():
    clock = VirtualClock(seed=1)
    step = advance(MACHINE, None, Start({"order": 7}, {}), clock)
    call = next(e for e in step.effects if isinstance(e, CallIntegration))
    assert call.wait_for_token and call.token
    assert [e.type for e in step.events][-1] == "ActivityScheduled"
    step = advance(MACHINE, step.state, TaskSubmitted(call.task_id, None), clock)
    assert step.events == [] and step.state.status == "RUNNING"
    step = advance(MACHINE, step.state, TaskStarted(call.task_id, "worker-7"), clock)
    assert [(e.type, e.details) for e in step.events] == [("ActivityStarted", {"workerName": "worker-7"})]
    step = advance(MACHINE, step.state, TaskSucceeded(call.task_id, {"ok": True}), clock)
    assert [e.type for e in step.events] == ["ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"]
    assert step.state.output == {"ok": True}
