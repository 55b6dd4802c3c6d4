"""Activities through real boto3 clients: the resource actions, the GetActivityTask long
poll, and activity tasks answered by workers with SendTask*."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.conftest import server_env, start_server

ROLE = "arn:aws:iam::000000000000:role/test"


def _machine(sfn, name: str, activity_arn: str, **task: object) -> str:
    definition = {"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": activity_arn, "End": True, **task}}}
    return sfn.create_state_machine(name=name, definition=json.dumps(definition),
                                    roleArn=ROLE)["stateMachineArn"]


def _wait_status(sfn, arn: str, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.05)


@pytest.fixture
def sfn(stepyard_server, sfn_client):
    return sfn_client(stepyard_server)


@pytest.fixture(scope="module")
def short_poll_server(tmp_path_factory):
    """A server whose GetActivityTask long poll lasts 1 s instead of 60 s."""
    server = start_server(server_env(tmp_path_factory.mktemp("short-poll"),
                                     STEPYARD_ACTIVITY_LONG_POLL_S="1"))
    try:
        yield server.url
    finally:
        server.stop()


def test_it_creates_describes_lists_and_deletes_an_activity(sfn):
    created = sfn.create_activity(name="ActOne")
    arn = created["activityArn"]
    assert arn == "arn:aws:states:us-east-1:000000000000:activity:ActOne"
    assert sfn.create_activity(name="ActOne")["activityArn"] == arn  # idempotent
    described = sfn.describe_activity(activityArn=arn)
    assert (described["name"], described["creationDate"]) == ("ActOne", created["creationDate"])
    assert arn in [a["activityArn"] for a in sfn.list_activities()["activities"]]
    sfn.delete_activity(activityArn=arn)
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
        sfn.describe_activity(activityArn=arn)


def test_it_refuses_bad_activity_names_and_arns(sfn):
    with pytest.raises(sfn.exceptions.InvalidName):
        sfn.create_activity(name="has space")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_activity(activityArn="arn:aws:states:us-east-1:000000000000:stateMachine:x")


def test_it_pages_activities(sfn):
    for i in range(3):
        sfn.create_activity(name=f"ActPage{i}")
    first = sfn.list_activities(maxResults=2)
    assert len(first["activities"]) == 2 and first["nextToken"]
    rest = sfn.list_activities(nextToken=first["nextToken"], maxResults=1000)
    names = [a["name"] for a in first["activities"] + rest["activities"]]
    assert {"ActPage0", "ActPage1", "ActPage2"} <= set(names) and len(names) == len(set(names))


def test_a_worker_takes_the_task_and_its_success_ends_the_execution(sfn):
    activity = sfn.create_activity(name="ActWork")["activityArn"]
    machine = _machine(sfn, "ActWorkMachine", activity)
    execution = sfn.start_execution(stateMachineArn=machine, input='{"n": 7}')["executionArn"]
    waiting = [e["type"] for e in sfn.get_execution_history(executionArn=execution)["events"]]
    assert waiting[-1] == "ActivityScheduled"  # started only once a worker takes it
    task = sfn.get_activity_task(activityArn=activity, workerName="worker-1")
    assert json.loads(task["input"]) == {"n": 7}
    sfn.send_task_success(taskToken=task["taskToken"], output='{"done": true}')
    described = _wait_status(sfn, execution)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"done": True})
    events = sfn.get_execution_history(executionArn=execution)["events"]
    assert [e["type"] for e in events] == ["ExecutionStarted", "TaskStateEntered", "ActivityScheduled",
                                           "ActivityStarted", "ActivitySucceeded", "TaskStateExited",
                                           "ExecutionSucceeded"]
    assert events[3]["activityStartedEventDetails"] == {"workerName": "worker-1"}


def test_a_worker_failure_fails_the_execution_with_its_error(sfn):
    activity = sfn.create_activity(name="ActFail")["activityArn"]
    execution = sfn.start_execution(stateMachineArn=_machine(sfn, "ActFailMachine", activity))
    task = sfn.get_activity_task(activityArn=activity)
    sfn.send_task_heartbeat(taskToken=task["taskToken"])
    sfn.send_task_failure(taskToken=task["taskToken"], error="Worker.Broke", cause="disk full")
    described = _wait_status(sfn, execution["executionArn"])
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED", "Worker.Broke", "disk full")


def test_a_waiting_worker_is_woken_as_soon_as_a_task_is_queued(sfn):
    activity = sfn.create_activity(name="ActWake")["activityArn"]
    machine = _machine(sfn, "ActWakeMachine", activity)
    got: dict = {}

    def poll() -> None:
        got["task"] = sfn.get_activity_task(activityArn=activity)
        got["at"] = time.monotonic()

    worker = threading.Thread(target=poll)
    worker.start()
    time.sleep(0.5)  # the worker is now waiting inside the long poll
    started = time.monotonic()
    sfn.start_execution(stateMachineArn=machine, input='{"wake": 1}')
    worker.join(timeout=10)
    assert json.loads(got["task"]["input"]) == {"wake": 1}
    assert got["at"] - started < 1.0
    sfn.send_task_success(taskToken=got["task"]["taskToken"], output="{}")


def test_each_task_goes_to_exactly_one_of_several_workers(sfn):
    activity = sfn.create_activity(name="ActRace")["activityArn"]
    machine = _machine(sfn, "ActRaceMachine", activity)
    for i in range(3):
        sfn.start_execution(stateMachineArn=machine, input=json.dumps({"i": i}))
    tokens: list[str] = []

    def work() -> None:
        task = sfn.get_activity_task(activityArn=activity)
        if task.get("taskToken"):
            tokens.append(task["taskToken"])

    workers = [threading.Thread(target=work) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=10)
    assert len(tokens) == 3 and len(set(tokens)) == 3
    for token in tokens:
        sfn.send_task_success(taskToken=token, output="{}")


def test_the_long_poll_answers_without_a_token_when_nothing_arrives(short_poll_server, sfn_client):
    sfn = sfn_client(short_poll_server)
    activity = sfn.create_activity(name="ActIdle")["activityArn"]
    started = time.monotonic()
    answer = sfn.get_activity_task(activityArn=activity, workerName="idle")
    elapsed = time.monotonic() - started
    assert "taskToken" not in answer
    assert 0.9 <= elapsed < 5


def test_polling_an_unknown_activity_is_refused(sfn):
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
        sfn.get_activity_task(activityArn="arn:aws:states:us-east-1:000000000000:activity:Nope")


def test_a_task_on_a_deleted_activity_fails_the_execution(sfn):
    activity = sfn.create_activity(name="ActGone")["activityArn"]
    machine = _machine(sfn, "ActGoneMachine", activity)
    sfn.delete_activity(activityArn=activity)
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    described = _wait_status(sfn, execution)
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    assert "does not exist" in described["cause"]


def test_an_activity_task_times_out_when_no_worker_answers(sfn):
    activity = sfn.create_activity(name="ActSlow")["activityArn"]
    machine = _machine(sfn, "ActSlowMachine", activity, TimeoutSeconds=1)
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    described = _wait_status(sfn, execution, timeout=15)
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
