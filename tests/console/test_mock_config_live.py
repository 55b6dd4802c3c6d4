"""Mocked service integrations: Step Functions Local's mock configuration file, over boto3.

A real server reads SFN_MOCK_CONFIG; executions start on "<machine ARN>#<test case>".
"""

from __future__ import annotations

import json
import os
import time

import pytest
from botocore.exceptions import ClientError

from tests.conftest import finished, server_env, start_server

ROLE = "arn:aws:iam::000000000000:role/stepyard"
LAMBDA = "arn:aws:states:::lambda:invoke"
SQS_TOKEN = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
START_CHILD = "arn:aws:states:::states:startExecution.sync:2"

MOCKS = {
    "StateMachines": {
        "Orders": {"TestCases": {
            "Happy": {"Charge": "ChargeOk"},
            "RetryThenOk": {"Charge": "TwoBusyThenOk"},
            "Broken": {"Charge": "Broken"},
        }},
        "Fanout": {"TestCases": {"AllMocked": {"Price": "Prices", "Left": "LeftOk", "Right": "RightOk"},
                                 "TooFew": {"Price": "LeftOk"}}},
        "Parent": {"TestCases": {"ChildMocked": {"RunChild": "ChildDone", "Ask": "Approved"}}},
        "Quick": {"TestCases": {"Fast": {"Charge": "ChargeOk"}}},
    },
    "MockedResponses": {
        "ChargeOk": {"0": {"Return": {"StatusCode": 200, "Payload": {"charged": True}}}},
        "TwoBusyThenOk": {
            "0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "busy"}},
            "2": {"Return": {"Payload": {"charged": "at last"}}},
        },
        "Broken": {"0": {"Throw": {"Error": "Card.Declined", "Cause": "insufficient funds"}}},
        "Prices": {"0": {"Return": 10}, "1": {"Return": 20}, "2": {"Return": 30}},
        "LeftOk": {"0": {"Return": "left"}},
        "RightOk": {"0": {"Return": "right"}},
        "ChildDone": {"0": {"Return": {"Output": {"child": "mocked"}, "Status": "SUCCEEDED"}}},
        "Approved": {"0": {"Return": {"approved": True}}},
    },
}

ORDERS = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task", "Resource": LAMBDA,
            "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
            "ResultSelector": {"charged.$": "$.Payload.charged"},
            "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1,
                       "MaxAttempts": 3, "BackoffRate": 1}],
            "Catch": [{"ErrorEquals": ["Card.Declined"], "ResultPath": "$.error", "Next": "Declined"}],
            "Next": "Done",
        },
        "Declined": {"Type": "Pass", "Result": "declined", "ResultPath": "$.outcome", "End": True},
        "Done": {"Type": "Pass", "End": True},
    },
}

FANOUT = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.prices",
            "ItemProcessor": {"StartAt": "Price", "States": {
                "Price": {"Type": "Task", "Resource": LAMBDA, "Parameters": {"FunctionName": "price"},
                          "End": True}}},
            "Next": "Both",
        },
        "Both": {
            "Type": "Parallel", "ResultPath": "$.sides",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Task", "Resource": LAMBDA,
                                                        "Parameters": {"FunctionName": "l"}, "End": True}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Task", "Resource": LAMBDA,
                                                          "Parameters": {"FunctionName": "r"}, "End": True}}},
            ],
            "End": True,
        },
    },
}

CHILD = {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 3600, "End": True}}}


def parent(child_arn: str) -> dict:
    return {
        "StartAt": "RunChild",
        "States": {
            "RunChild": {"Type": "Task", "Resource": START_CHILD,
                         "Parameters": {"StateMachineArn": child_arn, "Input": {}},
                         "ResultSelector": {"child.$": "$.Output.child"}, "Next": "Ask"},
            "Ask": {"Type": "Task", "Resource": SQS_TOKEN, "ResultPath": "$.answer",
                    "Parameters": {"QueueUrl": "http://nowhere/000000000000/none",
                                   "MessageBody": {"token.$": "$$.Task.Token"}},
                    "End": True},
        },
    }


@pytest.fixture(scope="module")
def mock_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("mocks") / "MockConfigFile.json"
    path.write_text(json.dumps(MOCKS, indent=2))
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory, mock_file):
    env = server_env(tmp_path_factory.mktemp("stepyard-data"), SFN_MOCK_CONFIG=str(mock_file),
                     STEPYARD_TIME_SCALE="0.01")
    server = start_server(env)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def sfn(server):
    import boto3
    from botocore.config import Config

    return boto3.client("stepfunctions", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))


@pytest.fixture(scope="module")
def machines(sfn):
    def create(name, definition, kind="STANDARD"):
        return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE,
                                        type=kind)["stateMachineArn"]

    child = create("Child", CHILD)
    return {"Orders": create("Orders", ORDERS), "Fanout": create("Fanout", FANOUT),
            "Parent": create("Parent", parent(child)), "Child": child,
            "Quick": create("Quick", ORDERS, "EXPRESS")}


def run(sfn, arn: str, case: str, payload: dict | None = None) -> dict:
    started = sfn.start_execution(stateMachineArn=f"{arn}#{case}", input=json.dumps(payload or {}))
    return finished(sfn, started["executionArn"])


def history(sfn, execution_arn: str) -> list[dict]:
    return sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]


def types(events: list[dict]) -> list[str]:
    return [e["type"] for e in events]


def test_it_answers_a_mocked_task_from_the_file_and_records_it_as_a_task(sfn, machines):
    result = run(sfn, machines["Orders"], "Happy", {"order": 1})
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"]) == {"charged": True}
    events = history(sfn, result["executionArn"])
    assert types(events) == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                             "TaskSucceeded", "TaskStateExited", "PassStateEntered", "PassStateExited",
                             "ExecutionSucceeded"]
    scheduled = events[2]["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("lambda", "invoke")
    assert json.loads(scheduled["parameters"]) == {"FunctionName": "charge", "Payload": {"order": 1}}
    assert json.loads(events[4]["taskSucceededEventDetails"]["output"]) == {
        "StatusCode": 200, "Payload": {"charged": True}}


def test_attempt_ranges_drive_retries(sfn, machines):
    result = run(sfn, machines["Orders"], "RetryThenOk")
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"]) == {"charged": "at last"}
    events = history(sfn, result["executionArn"])
    failed = [e["taskFailedEventDetails"] for e in events if e["type"] == "TaskFailed"]
    assert [(f["error"], f["cause"]) for f in failed] == [("Lambda.TooManyRequestsException", "busy")] * 2
    assert types(events).count("TaskScheduled") == 3


def test_a_mocked_throw_is_caught(sfn, machines):
    result = run(sfn, machines["Orders"], "Broken", {"order": 2})
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"]) == {
        "order": 2, "outcome": "declined",
        "error": {"Error": "Card.Declined", "Cause": "insufficient funds"}}
    assert "TaskFailed" in types(history(sfn, result["executionArn"]))


def test_map_iterations_and_parallel_branches_are_mocked(sfn, machines):
    result = run(sfn, machines["Fanout"], "AllMocked", {"items": ["a", "b", "c"]})
    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["prices"] == [10, 20, 30]
    assert output["sides"] == ["left", "right"]


def test_an_attempt_the_response_does_not_answer_fails_with_states_runtime(sfn, machines):
    result = run(sfn, machines["Fanout"], "TooFew", {"items": ["a", "b"]})
    assert result["status"] == "FAILED"
    assert result["error"] == "States.Runtime"
    assert "state 'Price' has no answer for attempt 1 (it answers attempts 0)" in result["cause"]


def test_a_nested_start_execution_and_a_task_token_wait_are_answered_at_once(sfn, machines):
    result = run(sfn, machines["Parent"], "ChildMocked", {"n": 1})
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"]) == {"child": "mocked", "answer": {"approved": True}}
    # The child machine never ran: the mock answered for it.
    assert sfn.list_executions(stateMachineArn=machines["Child"])["executions"] == []
    assert "TaskSubmitted" not in types(history(sfn, result["executionArn"]))


def test_start_sync_execution_runs_a_test_case(sfn, machines):
    result = sfn.start_sync_execution(stateMachineArn=machines["Quick"] + "#Fast", input="{}")
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"]) == {"charged": True}


def test_the_same_machine_without_a_test_case_calls_the_real_integration(sfn, machines):
    started = sfn.start_execution(stateMachineArn=machines["Orders"], input="{}")
    result = finished(sfn, started["executionArn"])
    # No function named "charge" exists here: the real integration answers so.
    assert result["status"] == "FAILED"
    assert result["error"] == "Lambda.ResourceNotFoundException"


def test_an_unknown_test_case_is_refused_with_the_cases_the_file_has(sfn, machines, mock_file):
    with pytest.raises(ClientError) as caught:
        sfn.start_execution(stateMachineArn=machines["Orders"] + "#Nope")
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert "Test case 'Nope'" in error["Message"] and str(mock_file) in error["Message"]
    assert "Broken, Happy, RetryThenOk" in error["Message"]


def _rewrite(path, text: str) -> None:
    path.write_text(text)
    # A new modification time even on coarse clocks: the server re-reads on change.
    stamp = time.time_ns() + 2_000_000_000
    os.utime(path, ns=(stamp, stamp))


def test_a_malformed_file_is_refused_naming_file_line_and_field_then_reloaded(sfn, machines, mock_file):
    good = mock_file.read_text()
    broken = json.loads(good)
    broken["MockedResponses"]["ChargeOk"] = {"0": {"Return": 1}, "2": {"Return": 2}}
    text = json.dumps(broken, indent=2)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if '"2": {' in row)
    try:
        _rewrite(mock_file, text)
        with pytest.raises(ClientError) as caught:
            sfn.start_execution(stateMachineArn=machines["Orders"] + "#Happy")
        message = caught.value.response["Error"]["Message"]
        assert caught.value.response["Error"]["Code"] == "ValidationException"
        assert f"{mock_file}, line {line}, field MockedResponses.ChargeOk[\"2\"]" in message
        assert "leaves attempt 1 unanswered" in message
        _rewrite(mock_file, "{\n  \"StateMachines\": {,\n}")
        with pytest.raises(ClientError) as caught:
            sfn.start_execution(stateMachineArn=machines["Orders"] + "#Happy")
        assert f"{mock_file}, line 2" in caught.value.response["Error"]["Message"]
        # A new test case appears as soon as the file says so.
        added = json.loads(good)
        added["StateMachines"]["Orders"]["TestCases"]["Added"] = {"Charge": "Broken"}
        _rewrite(mock_file, json.dumps(added))
        assert run(sfn, machines["Orders"], "Added")["status"] == "SUCCEEDED"
    finally:
        _rewrite(mock_file, good)


def test_a_test_case_run_survives_a_restart_and_keeps_counting_attempts(tmp_path):
    """SIGKILL while a mocked run waits between attempts: after a restart the run goes on with
    the mocked states it started with, at the attempt it had reached."""
    import boto3

    mocks = tmp_path / "mocks.json"
    mocks.write_text(json.dumps({
        "StateMachines": {"Durable": {"TestCases": {"Flaky": {"Charge": "FailThenOk"}}}},
        "MockedResponses": {"FailThenOk": {"0": {"Throw": {"Error": "Busy", "Cause": "first"}},
                                           "1": {"Return": {"attempt": 2}}}},
    }))
    definition = {"StartAt": "Charge", "States": {"Charge": {
        "Type": "Task", "Resource": LAMBDA, "Parameters": {"FunctionName": "charge"},
        "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 60, "MaxAttempts": 2}], "End": True}}}
    env = server_env(tmp_path / "data", SFN_MOCK_CONFIG=str(mocks), STEPYARD_TIME_SCALE="0.05")
    server = start_server(env)
    try:
        sfn = boto3.client("stepfunctions", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="t", aws_secret_access_key="t")
        arn = sfn.create_state_machine(name="Durable", definition=json.dumps(definition), roleArn=ROLE)[
            "stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=arn + "#Flaky")["executionArn"]
        assert "TaskFailed" in types(history(sfn, execution))
        server.kill()
        mocks.write_text("{}")  # a later edit of the file does not change a running case
        server = start_server(env)
        sfn = boto3.client("stepfunctions", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="t", aws_secret_access_key="t")
        result = finished(sfn, execution)
        assert (result["status"], json.loads(result["output"])) == ("SUCCEEDED", {"attempt": 2})
    finally:
        server.stop()
