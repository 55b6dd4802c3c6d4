"""lambda:invoke, the bare function ARN and states:startExecution in real executions."""

from __future__ import annotations

import json
import textwrap
import time
import uuid

import pytest

from console.models import Execution, HistoryEvent, TaskToken
from console.services import callbacks, executions, functions, machines
from console.workers import scheduler

pytestmark = pytest.mark.django_db
FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}"


@pytest.fixture(autouse=True)
def function_dir(function_dir, tmp_path):
    """The functions directory (tests/console/conftest.py) with this module's functions."""
    directory = function_dir
    (directory / "Echo.py").write_text("def handler(event, context):\n    return {'echo': event}\n")
    (directory / "Broken.py").write_text(textwrap.dedent("""
        class CustomException(Exception):
            pass

        def handler(event, context):
            raise CustomException("Some exception was raised.")
    """))
    return directory


def run(states: dict, start: str, input: str = "{}") -> Execution:
    machine = machines.create_machine(name=f"M{uuid.uuid4().hex[:8]}",
                                      definition=json.dumps({"StartAt": start, "States": states}))
    execution = executions.start_execution(machine, input=input)
    drain()
    execution.refresh_from_db()
    return execution


def drain() -> None:
    for _ in range(10):
        calls = scheduler.claim_due_calls(time.time())
        if not calls:
            return
        for call_id in calls:
            scheduler.perform_call(call_id)


def task(resource: str, parameters: dict | None = None, **fields) -> dict:
    state = {"Type": "Task", "Resource": resource, "End": True, **fields}
    if parameters is not None:
        state["Parameters"] = parameters
    return {"T": state}


def types(execution: Execution) -> list[str]:
    return list(HistoryEvent.objects.filter(execution=execution).values_list("type", flat=True))


# --------------------------------------------------------------------------- lambda


def test_lambda_invoke_answers_with_the_sdk_shape_and_the_handler_result_in_payload():
    execution = run(task("arn:aws:states:::lambda:invoke",
                         {"FunctionName": "Echo", "Payload.$": "$"}), "T", '{"n": 1}')
    assert execution.status == "SUCCEEDED"
    output = json.loads(execution.output)
    assert sorted(output) == ["ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"]
    assert output["Payload"] == {"echo": {"n": 1}}
    assert output["ExecutedVersion"] == "$LATEST" and output["StatusCode"] == 200
    headers = output["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["Content-Length"] == str(len('{"echo": {"n": 1}}'))
    assert headers["X-Amz-Executed-Version"] == "$LATEST"
    assert output["SdkResponseMetadata"]["RequestId"] == headers["x-amzn-RequestId"]
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200


def test_lambda_invoke_sends_a_string_payload_as_it_is_and_accepts_a_function_arn():
    execution = run(task("arn:aws:states:::lambda:invoke",
                         {"FunctionName": FUNCTION_ARN.format("Echo") + ":$LATEST", "Payload": "0.0"}), "T")
    assert json.loads(execution.output)["Payload"] == {"echo": 0.0}


def test_lambda_invoke_fails_the_task_with_the_exception_class_and_lambdas_error_as_cause():
    catch = [{"ErrorEquals": ["CustomException"], "Next": "Caught"}]
    states = {**task("arn:aws:states:::lambda:invoke", {"FunctionName": "Broken"}, Catch=catch),
              "Caught": {"Type": "Pass", "End": True}}
    execution = run(states, "T")
    assert execution.status == "SUCCEEDED"
    caught = json.loads(execution.output)
    assert caught["Error"] == "CustomException"
    assert caught["Cause"].startswith('{"errorMessage":"Some exception was raised.","errorType":"CustomException",'
                                      '"requestId":"')
    cause = json.loads(caught["Cause"])
    assert cause["stackTrace"][-1].endswith('in handler\n    raise CustomException("Some exception was raised.")\n')


def test_a_missing_function_fails_with_the_sdks_resource_not_found():
    execution = run(task("arn:aws:states:::lambda:invoke", {"FunctionName": "Nowhere"}), "T")
    assert execution.error == "Lambda.ResourceNotFoundException"
    assert execution.cause.startswith("Function not found: arn:aws:lambda:us-east-1:000000000000:function:"
                                      "Nowhere:$LATEST (Service: AWSLambda; Status Code: 404; "
                                      "Error Code: ResourceNotFoundException; Request ID: ")


def test_a_timed_out_function_fails_the_task_with_sandbox_timedout(function_dir):
    (function_dir / "Slow.py").write_text("import time\ndef handler(event, context):\n    time.sleep(5)\n")
    functions.update_function(functions.get_function("Slow"), timeout=1)
    execution = run(task("arn:aws:states:::lambda:invoke", {"FunctionName": "Slow"}), "T")
    assert execution.error == "Sandbox.Timedout"
    assert json.loads(execution.cause)["errorMessage"].endswith("Task timed out after 1.00 seconds")


def test_the_bare_function_arn_passes_the_input_and_returns_the_result_as_it_is():
    execution = run(task(FUNCTION_ARN.format("Echo")), "T", "[1, 2]")
    assert json.loads(execution.output) == {"echo": [1, 2]}
    assert "LambdaFunctionSucceeded" in types(execution)


def test_the_bare_function_arn_keeps_the_runtimes_own_cause_text():
    execution = run(task(FUNCTION_ARN.format("Broken")), "T")
    assert execution.error == "CustomException"
    assert execution.cause.startswith('{"errorMessage": "Some exception was raised.", "errorType": "CustomException"')


def test_lambda_invoke_wait_for_task_token_waits_for_the_token_after_the_invocation():
    execution = run(task("arn:aws:states:::lambda:invoke.waitForTaskToken",
                         {"FunctionName": "Echo", "Payload": {"token.$": "$$.Task.Token"}}), "T")
    assert execution.status == "RUNNING"
    token = TaskToken.objects.get(execution=execution)
    invocation = functions.recent_invocations(functions.get_function("Echo"))[0]
    assert json.loads(invocation.event) == {"token": token.token}
    callbacks.send_task_success(token.token, '{"approved": true}')
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output) == {"approved": True}
    assert types(execution)[3:6] == ["TaskStarted", "TaskSubmitted", "TaskSucceeded"]


# --------------------------------------------------------------------------- states:startExecution

PASS_CHILD = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}}}
FAIL_CHILD = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "SomeFailure", "Cause": "It broke."}}}
TOKEN_CHILD = {"StartAt": "Ask", "States": {"Ask": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "Parameters": {"FunctionName": "Echo", "Payload": {"token.$": "$$.Task.Token"}}, "End": True}}}


def child(definition: dict) -> str:
    return machines.create_machine(name=f"Child{uuid.uuid4().hex[:8]}", definition=json.dumps(definition)).arn


def start_task(suffix: str, machine_arn: str, **parameters) -> dict:
    return task(f"arn:aws:states:::states:startExecution{suffix}",
                {"StateMachineArn": machine_arn, "Name": "TestStartTarget", **parameters})


def test_start_execution_answers_with_the_child_arn_and_start_date():
    arn = child(PASS_CHILD)
    execution = run(start_task("", arn, Input={"a": 1}), "T")
    output = json.loads(execution.output)
    assert output["ExecutionArn"] == arn.replace(":stateMachine:", ":execution:") + ":TestStartTarget"
    assert isinstance(output["StartDate"], int)
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    started = executions.get_execution(output["ExecutionArn"])
    assert json.loads(started.input) == {"a": 1}


def test_start_execution_sync_returns_describe_execution_with_output_as_text():
    arn = child(PASS_CHILD)
    execution = run(start_task(".sync", arn), "T")
    assert execution.status == "SUCCEEDED"
    output = json.loads(execution.output)
    assert output["Input"] == "{}" and output["Output"] == '{"Arg1":"argument1"}'
    assert output["Status"] == "SUCCEEDED" and output["Name"] == "TestStartTarget"
    assert output["StateMachineArn"] == arn
    assert output["InputDetails"] == output["OutputDetails"] == {"Included": True}
    assert output["StopDate"] >= output["StartDate"]
    assert types(execution) == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                                "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]


def test_start_execution_sync2_gives_input_and_output_as_json():
    execution = run(start_task(".sync:2", child(PASS_CHILD), Input={"a": 1}), "T")
    output = json.loads(execution.output)
    assert output["Input"] == {"a": 1} and output["Output"] == {"Arg1": "argument1"}


def test_a_failed_child_fails_the_sync_task_with_states_task_failed():
    execution = run(start_task(".sync", child(FAIL_CHILD)), "T")
    assert execution.status == "FAILED"
    assert execution.error == "States.TaskFailed"
    cause = json.loads(execution.cause)
    assert cause["Status"] == "FAILED"
    assert cause["Error"] == "SomeFailure" and cause["Cause"] == "It broke."
    assert "Output" not in cause
    assert list(cause) == sorted(cause)


def test_a_missing_state_machine_fails_with_the_sdks_error():
    missing = "arn:aws:states:us-east-1:000000000000:stateMachine:Nope"
    execution = run(start_task("", missing), "T")
    assert execution.error == "StepFunctions.StateMachineDoesNotExistException"
    assert execution.cause.startswith(f"State Machine Does Not Exist: '{missing}' (Service: AWSStepFunctions; "
                                      "Status Code: 400; Error Code: StateMachineDoesNotExist; Request ID: ")


@pytest.mark.django_db(transaction=True)
def test_the_sync_task_ends_when_a_long_running_child_ends():
    execution = run(start_task(".sync:2", child(TOKEN_CHILD)), "T")
    assert execution.status == "RUNNING"
    token = TaskToken.objects.get(closed__isnull=True, execution__machine_name__startswith="Child")
    callbacks.send_task_success(token.token, '{"done": 1}')
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output)["Output"] == {"done": 1}


def test_start_execution_wait_for_task_token_waits_for_the_child_to_answer():
    answer_parent = {"StartAt": "Answer", "States": {"Answer": {
        "Type": "Pass", "Parameters": {"token.$": "$.token"}, "End": True}}}
    execution = run(start_task(".waitForTaskToken", child(answer_parent),
                               Input={"token.$": "$$.Task.Token"}), "T")
    assert execution.status == "RUNNING"
    started = Execution.objects.get(name="TestStartTarget")
    token = json.loads(started.output)["token"]
    callbacks.send_task_success(token, '{"from": "child"}')
    execution.refresh_from_db()
    assert json.loads(execution.output) == {"from": "child"}


@pytest.mark.django_db(transaction=True)
def test_express_executions_call_functions_by_arn_and_by_lambda_invoke():
    states = {"ByArn": {"Type": "Task", "Resource": FUNCTION_ARN.format("Echo"), "Next": "ByInvoke"},
              "ByInvoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                           "Parameters": {"FunctionName": "Echo", "Payload.$": "$"},
                           "OutputPath": "$.Payload", "End": True}}
    machine = machines.create_machine(name="QuickFunctions", machine_type="EXPRESS",
                                      definition=json.dumps({"StartAt": "ByArn", "States": states}))
    execution = executions.start_sync_execution(machine, input='{"n": 1}')
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert json.loads(execution.output) == {"echo": {"echo": {"n": 1}}}
