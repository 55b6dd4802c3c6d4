"""Through boto3 on a live server: the answers where Stepyard follows AWS's behaviour (a
JSONata null output, a bare Fail in a Map, Map items that are not an array, the context
objects of Express executions and of TestState)."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from botocore.config import Config

from tests.conftest import finished

ROLE = "arn:aws:iam::000000000000:role/test"


@pytest.fixture
def sfn(stepyard_server):
    # TestState and StartSyncExecution are "sync-" host-prefixed: served on the same host.
    return boto3.client("stepfunctions", endpoint_url=stepyard_server, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))


def _machine(sfn, definition: dict, machine_type: str = "STANDARD") -> str:
    return sfn.create_state_machine(name=f"f-{uuid.uuid4().hex[:10]}", definition=json.dumps(definition),
                                    roleArn=ROLE, type=machine_type)["stateMachineArn"]


def _run(sfn, definition: dict, data: object = None) -> tuple[str, dict]:
    arn = sfn.start_execution(stateMachineArn=_machine(sfn, definition),
                              input=json.dumps({} if data is None else data))["executionArn"]
    return arn, finished(sfn, arn)


NULL_OUTPUT = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": None,
                                                                            "End": True}}}


def test_a_jsonata_null_output_is_the_execution_output_null(sfn):
    arn, described = _run(sfn, NULL_OUTPUT, {"a": 1})
    assert (described["status"], described["output"]) == ("SUCCEEDED", "null")
    assert described["outputDetails"] == {"included": True}
    answer = sfn.start_sync_execution(stateMachineArn=_machine(sfn, NULL_OUTPUT, "EXPRESS"), input="{}")
    assert (answer["status"], answer["output"]) == ("SUCCEEDED", "null")


def test_a_one_item_range_is_its_item(sfn):
    definition = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {
        "Type": "Pass", "Output": {"one": "{% $range(3, 4, 5) %}", "two": "{% $range(3, 4, 1) %}"}, "End": True}}}
    _, described = _run(sfn, definition)
    assert json.loads(described["output"]) == {"one": 3, "two": [3, 4]}


def test_a_bare_fail_in_a_map_fails_the_execution_with_no_error_or_cause(sfn):
    definition = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "F", "States": {"F": {"Type": "Fail"}}}}}}
    arn, described = _run(sfn, definition, [1])
    assert described["status"] == "FAILED"
    assert "error" not in described and "cause" not in described
    events = sfn.get_execution_history(executionArn=arn)["events"]
    map_failed, execution_failed = events[-2], events[-1]
    assert map_failed["type"] == "MapStateFailed"
    assert not [key for key in map_failed if key.endswith("EventDetails")]
    assert execution_failed["type"] == "ExecutionFailed"
    assert execution_failed.get("executionFailedEventDetails", {}) == {}
    listed = sfn.list_executions(stateMachineArn=described["stateMachineArn"])["executions"]
    assert [e["status"] for e in listed] == ["FAILED"]


@pytest.mark.parametrize("path", ["$.items", "$$.Execution.Input"])
def test_map_items_that_are_not_an_array_fail_naming_the_path(sfn, path):
    definition = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": path, "End": True,
                                                   "ItemProcessor": {"StartAt": "S", "States": {
                                                       "S": {"Type": "Succeed"}}}}}}
    _, described = _run(sfn, definition, {"items": "not a list"})
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    assert described["cause"].endswith(f'Reference path "{path}" must point to array.')


CONTEXT = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"execution.$": "$$.Execution"},
                                            "End": True}}}


def test_an_express_context_has_no_redrive_count_a_standard_one_has(sfn):
    _, standard = _run(sfn, CONTEXT)
    assert json.loads(standard["output"])["execution"]["RedriveCount"] == 0
    express = _machine(sfn, CONTEXT, "EXPRESS")
    answer = sfn.start_sync_execution(stateMachineArn=express, input="{}")
    assert "RedriveCount" not in json.loads(answer["output"])["execution"]
    assert json.loads(answer["output"])["execution"]["Name"] == answer["name"]


@pytest.mark.parametrize("context", [{}, {"Execution": {}, "StateMachine": {}, "State": {}, "Task": {}}])
def test_test_state_uses_exactly_the_context_given(sfn, context):
    state = {"Type": "Pass", "Parameters": {"context.$": "$$"}, "End": True}
    answer = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, input="{}", context=json.dumps(context))
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"context": context}


# --------------------------------------------------------------------------- startExecution.sync


def _parent(sfn, child: str, suffix: str) -> dict:
    return {"StartAt": "Child", "States": {"Child": {
        "Type": "Task", "Resource": f"arn:aws:states:::states:startExecution{suffix}",
        "Parameters": {"StateMachineArn": child, "Input": {"n": 1}}, "End": True}}}


CHILD_OK = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"done": True}, "End": True}}}
CHILD_FAILS = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "ChildError", "Cause": "child broke"}}}


@pytest.mark.parametrize("suffix", [".sync", ".sync:2"])
def test_a_sync_child_that_succeeds_gives_describe_executions_fields(sfn, suffix):
    child = _machine(sfn, CHILD_OK)
    _, described = _run(sfn, _parent(sfn, child, suffix))
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    # DescribeExecution as the child ended: succeeded executions cannot be redriven.
    assert (output["RedriveCount"], output["RedriveStatus"]) == (0, "NOT_REDRIVABLE")
    assert output["RedriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    assert output["Status"] == "SUCCEEDED" and output["StateMachineArn"] == child
    if suffix == ".sync":
        assert (output["Input"], output["Output"]) == ('{"n":1}', '{"done":true}')
    else:
        assert (output["Input"], output["Output"]) == ({"n": 1}, {"done": True})


def test_a_sync_child_that_fails_fails_the_task_with_its_description_as_the_cause(sfn):
    child = _machine(sfn, CHILD_FAILS)
    _, described = _run(sfn, _parent(sfn, child, ".sync:2"))
    assert (described["status"], described["error"]) == ("FAILED", "States.TaskFailed")
    cause = json.loads(described["cause"])
    assert (cause["Status"], cause["Error"], cause["Cause"]) == ("FAILED", "ChildError", "child broke")
    # A failed child can be redriven: REDRIVABLE, with no reason.
    assert (cause["RedriveCount"], cause["RedriveStatus"]) == (0, "REDRIVABLE")
    assert "RedriveStatusReason" not in cause and "Output" not in cause
