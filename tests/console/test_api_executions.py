"""Execution actions through real boto3 clients: start (also synchronous), describe, stop,
list with filters and paging, history paging, callbacks and redrive."""

from __future__ import annotations

import json
import time

import boto3
import pytest
from botocore.config import Config

ROLE = "arn:aws:iam::000000000000:role/test"


def _machine(sfn, name: str, states: dict, machine_type: str = "STANDARD") -> str:
    first = next(iter(states))
    definition = json.dumps({"StartAt": first, "States": states})
    return sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE,
                                    type=machine_type)["stateMachineArn"]


def _ended(sfn, arn: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.05)


PASS = {"A": {"Type": "Pass", "End": True}}
WAIT = {"W": {"Type": "Wait", "Seconds": 600, "End": True}}
FAIL = {"F": {"Type": "Fail", "Error": "Boom", "Cause": "it broke"}}


@pytest.fixture
def sfn(stepyard_server, sfn_client):
    return sfn_client(stepyard_server)


def test_it_starts_describes_and_stops_an_execution(sfn):
    machine = _machine(sfn, "ExStop", WAIT)
    arn = sfn.start_execution(stateMachineArn=machine, name="first", input='{"a": 1}')[
        "executionArn"]
    assert arn == "arn:aws:states:us-east-1:000000000000:execution:ExStop:first"
    # The same name and input while it runs is the same execution (AWS idempotency).
    assert sfn.start_execution(stateMachineArn=machine, name="first", input='{"a": 1}')[
        "executionArn"] == arn
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=machine, name="first", input='{"a": 2}')
    described = sfn.describe_execution(executionArn=arn)
    assert (described["status"], described["input"], described["redriveStatus"]) == (
        "RUNNING", '{"a": 1}', "NOT_REDRIVABLE")
    sfn.stop_execution(executionArn=arn, error="Stopped.ByUser", cause="enough")
    stopped = _ended(sfn, arn)
    assert (stopped["status"], stopped["error"], stopped["cause"]) == (
        "ABORTED", "Stopped.ByUser", "enough")
    assert stopped["redriveStatus"] == "REDRIVABLE"
    for_execution = sfn.describe_state_machine_for_execution(executionArn=arn)
    assert json.loads(for_execution["definition"]) == {"StartAt": "W", "States": WAIT}


def test_it_hides_payloads_when_asked_for_metadata_only(sfn):
    arn = sfn.start_execution(stateMachineArn=_machine(sfn, "ExMeta", PASS), input='{"x": 1}')[
        "executionArn"]
    _ended(sfn, arn)
    described = sfn.describe_execution(executionArn=arn, includedData="METADATA_ONLY")
    assert "input" not in described and "output" not in described
    assert described["inputDetails"] == {"included": False}


def test_it_refuses_bad_inputs_names_and_arns(sfn):
    machine = _machine(sfn, "ExBad", PASS)
    with pytest.raises(sfn.exceptions.InvalidExecutionInput):
        sfn.start_execution(stateMachineArn=machine, input="{not json")
    with pytest.raises(sfn.exceptions.InvalidName):
        sfn.start_execution(stateMachineArn=machine, name="a b")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_execution(executionArn="arn:aws:states:us-east-1:000000000000:thing:x")
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.describe_execution(
            executionArn="arn:aws:states:us-east-1:000000000000:execution:ExBad:nope")
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.start_execution(stateMachineArn="arn:aws:states:us-east-1:000000000000:stateMachine:No")


def test_it_lists_executions_by_status_page_by_page(sfn):
    machine = _machine(sfn, "ExList", {"C": {"Type": "Choice", "Choices": [
        {"Variable": "$.wait", "BooleanEquals": True, "Next": "W"}], "Default": "P"},
        "W": {"Type": "Wait", "Seconds": 600, "End": True}, "P": {"Type": "Pass", "End": True}})
    done = [sfn.start_execution(stateMachineArn=machine, input='{"wait": false}')["executionArn"]
            for _ in range(5)]
    running = sfn.start_execution(stateMachineArn=machine, input='{"wait": true}')["executionArn"]
    for arn in done:
        _ended(sfn, arn)
    seen, token = [], None
    while True:
        kwargs = {"nextToken": token} if token else {}
        answer = sfn.list_executions(stateMachineArn=machine, statusFilter="SUCCEEDED",
                                     maxResults=2, **kwargs)
        seen += [e["executionArn"] for e in answer["executions"]]
        token = answer.get("nextToken")
        if not token:
            break
    assert sorted(seen) == sorted(done)
    listed = sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING")["executions"]
    assert [e["executionArn"] for e in listed] == [running]
    assert listed[0]["redriveCount"] == 0
    sfn.stop_execution(executionArn=running)


def test_it_pages_the_history_both_ways_and_can_leave_out_data(sfn):
    loop = {"Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"},
                      "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [
                {"Variable": "$.n", "NumericLessThan": 30, "Next": "Count"}],
                "Default": "Done"},
            "Done": {"Type": "Succeed"}}
    arn = sfn.start_execution(stateMachineArn=_machine(sfn, "ExHistory", loop),
                              input='{"n": 0}')["executionArn"]
    _ended(sfn, arn)
    everything = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]

    def pages(**kwargs) -> list[dict]:
        events, token = [], None
        while True:
            more = {"nextToken": token} if token else {}
            answer = sfn.get_execution_history(executionArn=arn, maxResults=7, **kwargs, **more)
            events += answer["events"]
            token = answer.get("nextToken")
            if not token:
                return events

    assert [e["id"] for e in pages()] == list(range(1, len(everything) + 1))
    assert [e["id"] for e in pages(reverseOrder=True)] == list(range(len(everything), 0, -1))
    bare = sfn.get_execution_history(executionArn=arn, includeExecutionData=False)["events"]
    assert "input" not in bare[0]["executionStartedEventDetails"]
    assert everything[-1]["type"] == "ExecutionSucceeded"


def test_a_history_token_from_another_order_is_refused(sfn):
    arn = sfn.start_execution(stateMachineArn=_machine(sfn, "ExToken", {
        "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}}))["executionArn"]
    _ended(sfn, arn)
    token = sfn.get_execution_history(executionArn=arn, maxResults=1)["nextToken"]
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.get_execution_history(executionArn=arn, maxResults=1, nextToken=token,
                                  reverseOrder=True)


def test_callbacks_refuse_unknown_tokens_and_bad_output(sfn):
    with pytest.raises(sfn.exceptions.InvalidToken, match="Invalid Token: 'Invalid token'"):
        sfn.send_task_success(taskToken="never-issued", output="{}")
    # AWS judges the token first: an unknown token with bad output is InvalidToken.
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.send_task_success(taskToken="never-issued", output="{not json")
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.send_task_heartbeat(taskToken="never-issued")

    activity = sfn.create_activity(name="BadOutput")["activityArn"]
    machine = _machine(sfn, "BadOutput", {"A": {"Type": "Task", "Resource": activity, "End": True}})
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    token = sfn.get_activity_task(activityArn=activity, workerName="w")["taskToken"]
    with pytest.raises(sfn.exceptions.InvalidOutput):
        sfn.send_task_success(taskToken=token, output="{not json")
    # The refused answer left the task open: a good one still ends it.
    sfn.send_task_success(taskToken=token, output='{"ok": true}')
    assert _ended(sfn, execution)["output"] == '{"ok":true}'


def test_start_sync_execution_returns_the_result(stepyard_server):
    # The AWS CLI and boto3 prefix the host with "sync-" unless told not to.
    sfn = boto3.client("stepfunctions", endpoint_url=stepyard_server, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test",
                       config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))
    machine = _machine(sfn, "ExSync", {"A": {"Type": "Pass", "Result": {"ok": 1}, "End": True}},
                       machine_type="EXPRESS")
    answer = sfn.start_sync_execution(stateMachineArn=machine, input="{}")
    assert (answer["status"], json.loads(answer["output"])) == ("SUCCEEDED", {"ok": 1})
    with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported):
        sfn.start_sync_execution(stateMachineArn=_machine(sfn, "ExNotSync", PASS))


def test_only_ended_standard_executions_can_be_redriven(sfn):
    succeeded = sfn.start_execution(stateMachineArn=_machine(sfn, "ExRedriveOk", PASS))[
        "executionArn"]
    _ended(sfn, succeeded)
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=succeeded)
    failed = sfn.start_execution(stateMachineArn=_machine(sfn, "ExRedriveFail", FAIL))[
        "executionArn"]
    described = _ended(sfn, failed)
    assert (described["status"], described["redriveStatus"]) == ("FAILED", "REDRIVABLE")
    answer = sfn.redrive_execution(executionArn=failed)
    assert answer["redriveDate"]
    again = _ended(sfn, failed)
    assert (again["status"], again["redriveCount"]) == ("FAILED", 1)
