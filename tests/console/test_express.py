"""Express executions run in memory and are logged to the database when they end."""

from __future__ import annotations

import json
import time

import pytest

from console import integrations
from console.models import Execution, HistoryEvent
from console.runtime import express
from console.services import executions, machines

pytestmark = pytest.mark.django_db(transaction=True)
FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:Slow"


def express_machine(states: dict, start: str):
    return machines.create_machine(name="Quick", machine_type="EXPRESS",
                                   definition=json.dumps({"StartAt": start, "States": states}))


def test_a_sync_express_execution_returns_its_result_and_leaves_a_history():
    m = express_machine({"A": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, 2)"}, "End": True}}, "A")
    execution = executions.start_sync_execution(m, input='{"a": 40}')
    assert (execution.status, json.loads(execution.output)) == ("SUCCEEDED", {"sum": 42})
    types = list(HistoryEvent.objects.filter(execution=execution).values_list("type", flat=True))
    assert types == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    assert execution.pk not in express.runtime.runs


def test_a_running_express_execution_lives_in_memory_not_in_the_database(monkeypatch):
    monkeypatch.setenv("STEPYARD_TIME_SCALE", "0.01")
    m = express_machine({"W": {"Type": "Wait", "Seconds": 50, "Next": "P"}, "P": {"Type": "Pass", "End": True}}, "W")
    execution = executions.start_execution(m)
    assert HistoryEvent.objects.filter(execution=execution).count() == 0
    assert [e.type for e in express.runtime.events(execution.pk)] == ["ExecutionStarted", "WaitStateEntered"]
    deadline = time.monotonic() + 5
    while execution.pk in express.runtime.runs and time.monotonic() < deadline:
        time.sleep(0.02)
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    assert HistoryEvent.objects.filter(execution=execution).count() == 6


def test_express_tasks_call_integrations_from_memory():
    m = express_machine({"T": {"Type": "Task", "Resource": FUNCTION, "End": True}}, "T")
    with integrations.registered(r".*:function:Slow", lambda params, ctx: {"got": params}):
        execution = executions.start_sync_execution(m, input='{"x": 1}')
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert json.loads(execution.output) == {"got": {"x": 1}}


def test_stopping_a_running_express_execution_aborts_it():
    m = express_machine({"W": {"Type": "Wait", "Seconds": 3600, "End": True}}, "W")
    execution = executions.start_execution(m)
    stopped = executions.stop_execution(execution, error="Manual", cause="enough")
    assert (stopped.status, stopped.error) == ("ABORTED", "Manual")
    assert HistoryEvent.objects.filter(execution=execution).last().type == "ExecutionAborted"


def test_express_executions_left_running_by_a_dead_process_are_aborted_at_start():
    m = express_machine({"W": {"Type": "Wait", "Seconds": 3600, "End": True}}, "W")
    execution = executions.start_execution(m)
    express.runtime.runs.pop(execution.pk)  # what a restart does to memory
    assert express.abandon_orphans() == 1
    execution.refresh_from_db()
    assert (execution.status, execution.cause) == ("ABORTED", express.ORPHAN_CAUSE)
    assert not Execution.objects.filter(status="RUNNING").exists()
