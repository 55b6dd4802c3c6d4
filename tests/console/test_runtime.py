"""The durable runtime: steps, timers, task tokens, stop, idempotent starts."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from console import integrations
from console.models import Execution, HistoryEvent, PendingCall, TaskToken, Timer
from console.services import (
    ExecutionAlreadyExists,
    InvalidExecutionInput,
    InvalidName,
    InvalidOutput,
    InvalidToken,
    TaskTimedOut,
    callbacks,
    executions,
    machines,
    redrive,
)
from console.workers import scheduler
from engine.errors import StatesError

pytestmark = pytest.mark.django_db
ECHO = "arn:aws:lambda:us-east-1:000000000000:function:Echo"
WAIT_FOR_TOKEN = "arn:aws:states:::lambda:invoke.waitForTaskToken"


def machine(states: dict, start: str, name: str = "M"):
    return machines.create_machine(name=name, definition=json.dumps({"StartAt": start, "States": states}))


def event_types(execution: Execution) -> list[str]:
    return list(HistoryEvent.objects.filter(execution=execution).values_list("type", flat=True))


def drain_calls() -> None:
    for call_id in scheduler.claim_due_calls(time.time()):
        scheduler.perform_call(call_id)


def refreshed(execution: Execution) -> Execution:
    execution.refresh_from_db()
    return execution


def token_machine(**task_fields):
    task = {"Type": "Task", "Resource": WAIT_FOR_TOKEN,
            "Parameters": {"FunctionName": ECHO, "Payload": {"token.$": "$$.Task.Token"}},
            "End": True, **task_fields}
    return machine({"Wait for answer": task}, "Wait for answer")


def started_token_task(**task_fields) -> tuple[Execution, TaskToken]:
    with integrations.registered(r".*:function:Echo|arn:aws:states:::lambda:invoke", lambda p, c: {"ok": 1}):
        execution = executions.start_execution(token_machine(**task_fields), input='{"n": 1}')
        drain_calls()
    return execution, TaskToken.objects.get(execution=execution)


def test_it_runs_a_machine_without_outside_calls_to_completion_at_start():
    m = machine({"A": {"Type": "Pass", "Result": {"x": 1}, "End": True}}, "A")
    execution = executions.start_execution(m, name="one", input='{"a": 1}')
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output) == {"x": 1}
    assert event_types(execution) == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    ids = list(HistoryEvent.objects.filter(execution=execution).values_list("event_id", flat=True))
    assert ids == [1, 2, 3, 4]


def test_a_wait_never_fires_before_it_is_due():
    m = machine({"W": {"Type": "Wait", "Seconds": 30, "Next": "Done"}, "Done": {"Type": "Succeed"}}, "W")
    execution = executions.start_execution(m)
    due = Timer.objects.get(execution=execution).due_at
    assert due >= time.time() + 29
    assert scheduler.fire_due_timers(due - 0.01) == 0
    assert refreshed(execution).status == "RUNNING"
    assert scheduler.fire_due_timers(due) == 1
    assert refreshed(execution).status == "SUCCEEDED"
    assert not Timer.objects.exists()


def test_the_time_scale_shortens_waits(monkeypatch):
    monkeypatch.setenv("STEPYARD_TIME_SCALE", "0.01")
    m = machine({"W": {"Type": "Wait", "Seconds": 100, "End": True}}, "W")
    execution = executions.start_execution(m)
    assert Timer.objects.get(execution=execution).due_at <= time.time() + 1.01


def test_a_task_result_is_delivered_as_the_next_step():
    m = machine({"T": {"Type": "Task", "Resource": ECHO, "End": True}}, "T")
    with integrations.registered(r".*:function:Echo", lambda params, ctx: {"echo": params}):
        execution = executions.start_execution(m, input='{"v": 2}')
        assert PendingCall.objects.filter(execution=execution).count() == 1
        drain_calls()
    assert refreshed(execution).status == "SUCCEEDED"
    assert json.loads(execution.output) == {"echo": {"v": 2}}
    assert not PendingCall.objects.exists()


def test_an_integration_error_fails_the_task_with_its_name():
    def broken(params, ctx):
        raise StatesError("Custom.Broken", "it broke")

    m = machine({"T": {"Type": "Task", "Resource": ECHO, "End": True}}, "T")
    with integrations.registered(r".*:function:Echo", broken):
        execution = executions.start_execution(m)
        drain_calls()
    assert (refreshed(execution).status, execution.error, execution.cause) == ("FAILED", "Custom.Broken", "it broke")


def test_an_unknown_function_fails_with_aws_error():
    m = machine({"T": {"Type": "Task", "Resource": ECHO.replace("Echo", "Nobody"), "End": True}}, "T")
    execution = executions.start_execution(m)
    drain_calls()
    assert refreshed(execution).error == "Lambda.ResourceNotFoundException"


def test_send_task_success_completes_the_waiting_task():
    execution, token = started_token_task()
    assert len(token.token) >= 100 and token.state_name == "Wait for answer"
    assert refreshed(execution).status == "RUNNING"
    callbacks.send_task_success(token.token, '{"approved": true}')
    assert refreshed(execution).status == "SUCCEEDED"
    assert json.loads(execution.output) == {"approved": True}
    assert TaskToken.objects.get().closed is not None


def test_a_token_answers_once_then_reports_task_timed_out():
    execution, token = started_token_task()
    callbacks.send_task_success(token.token, "{}")
    with pytest.raises(TaskTimedOut):
        callbacks.send_task_success(token.token, "{}")
    with pytest.raises(TaskTimedOut):
        callbacks.send_task_heartbeat(token.token)


def test_unknown_tokens_and_bad_outputs_are_refused():
    execution, token = started_token_task()
    with pytest.raises(InvalidToken):
        callbacks.send_task_success("never-issued", "{}")
    with pytest.raises(InvalidOutput):
        callbacks.send_task_success(token.token, "{not json")
    assert refreshed(execution).status == "RUNNING"


def test_send_task_failure_fails_the_execution_with_error_and_cause():
    execution, token = started_token_task()
    callbacks.send_task_failure(token.token, "Rejected", "out of stock")
    assert (refreshed(execution).status, execution.error, execution.cause) == ("FAILED", "Rejected", "out of stock")


def test_a_missing_heartbeat_times_the_task_out():
    execution, token = started_token_task(HeartbeatSeconds=5)
    due = Timer.objects.get(execution=execution).due_at
    callbacks.send_task_heartbeat(token.token)
    assert Timer.objects.get(execution=execution).due_at >= due
    scheduler.fire_due_timers(time.time() + 6)
    assert (refreshed(execution).status, execution.error) == ("FAILED", "States.Timeout")
    with pytest.raises(TaskTimedOut):
        callbacks.send_task_success(token.token, "{}")


def test_stopping_aborts_and_closes_everything():
    execution, token = started_token_task(TimeoutSeconds=60)
    stopped = executions.stop_execution(execution, error="Manual", cause="user said so")
    assert (stopped.status, stopped.error, stopped.cause) == ("ABORTED", "Manual", "user said so")
    assert event_types(execution)[-1] == "ExecutionAborted"
    assert not Timer.objects.exists()
    assert TaskToken.objects.get().closed is not None


def test_the_same_name_and_input_while_running_return_the_same_execution():
    m = machine({"W": {"Type": "Wait", "Seconds": 60, "End": True}}, "W")
    first = executions.start_execution(m, name="dup", input='{"a": 1}')
    assert executions.start_execution(m, name="dup", input='{"a": 1}').pk == first.pk
    with pytest.raises(ExecutionAlreadyExists):
        executions.start_execution(m, name="dup", input='{"a": 2}')
    executions.stop_execution(first)
    with pytest.raises(ExecutionAlreadyExists):
        executions.start_execution(m, name="dup", input='{"a": 1}')


@pytest.mark.parametrize("text", ["{not json", "x" * 262_145])
def test_bad_inputs_are_refused_with_invalid_execution_input(text):
    m = machine({"A": {"Type": "Pass", "End": True}}, "A")
    with pytest.raises(InvalidExecutionInput):
        executions.start_execution(m, input=text)
    assert not Execution.objects.exists()


def test_execution_names_follow_aws_rules():
    m = machine({"A": {"Type": "Pass", "End": True}}, "A")
    with pytest.raises(InvalidName):
        executions.start_execution(m, name="no spaces allowed")


def test_calls_leased_by_a_dead_process_are_performed_after_a_restart():
    m = machine({"T": {"Type": "Task", "Resource": ECHO, "End": True}}, "T")
    execution = executions.start_execution(m)
    assert scheduler.claim_due_calls(time.time()) != []  # leased, then the process dies
    assert scheduler.claim_due_calls(time.time()) == []
    assert scheduler.release_leases() == 1  # what the embedded engine does at start
    with integrations.registered(r".*:function:Echo", lambda params, ctx: "done"):
        drain_calls()
    assert refreshed(execution).status == "SUCCEEDED"


def test_a_call_held_by_a_live_worker_keeps_its_lease_past_the_lease_time():
    m = machine({"T": {"Type": "Task", "Resource": ECHO, "End": True}}, "T")
    executions.start_execution(m)
    now = time.time()
    (call_id,) = scheduler.claim_due_calls(now)
    keeper = scheduler.LeaseKeeper(lease_s=10)
    keeper.hold(call_id)
    # Renewed a third of a lease apart, the lease always reaches past the next renewal.
    for renewal in range(1, 7):
        assert keeper.renew(now + renewal * 10 / 3) == 1
        assert scheduler.claim_due_calls(now + renewal * 10 / 3 + 5) == []
    keeper.release(call_id)
    assert keeper.renew(now + 30) == 0


def test_a_call_whose_worker_stopped_renewing_is_free_one_lease_later(settings):
    settings.STEPYARD_LEASE_S = 4
    m = machine({"T": {"Type": "Task", "Resource": ECHO, "End": True, "TimeoutSeconds": 600}}, "T")
    execution = executions.start_execution(m)
    now = time.time()
    assert scheduler.claim_due_calls(now) != []  # then the worker dies: nobody renews
    assert scheduler.claim_due_calls(now + 3.9) == []
    assert scheduler.claim_due_calls(now + 4) != []  # not the task's 600 s timeout
    assert PendingCall.objects.get(execution=execution).attempts == 2


def test_describe_executions_redrive_fields_use_the_documented_reasons():
    failing = machine({"F": {"Type": "Fail", "Error": "E"}}, "F")
    failed = executions.start_execution(failing)
    assert redrive.redrive_status(refreshed(failed)) == ("REDRIVABLE", None)
    later = refreshed(failed).stop_date + timedelta(days=15)
    assert redrive.redrive_status(refreshed(failed), now=later) == (
        "NOT_REDRIVABLE", "Execution redrivable period exceeded")
    succeeded = executions.start_execution(machine({"A": {"Type": "Pass", "End": True}}, "A", name="Ok"))
    assert redrive.redrive_status(refreshed(succeeded), now=datetime.now(UTC)) == (
        "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven")


def test_a_worker_that_stops_gracefully_frees_the_calls_it_never_started():
    m = machine({"T": {"Type": "Task", "Resource": ECHO, "End": True}}, "T")
    executions.start_execution(m)
    (call_id,) = scheduler.claim_due_calls(time.time())
    keeper = scheduler.LeaseKeeper(lease_s=10)
    keeper.hold(call_id)  # queued behind other calls when the worker is told to stop
    keeper.stop()
    assert scheduler.claim_due_calls(time.time()) == [call_id]
