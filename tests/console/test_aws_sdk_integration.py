"""aws-sdk:sfn, aws-sdk:sqs and aws-sdk:sns tasks in real executions: the same actions as the JSON APIs,
with the SDK's member names, implicit JSON serialisation, ISO timestamps and error names."""

from __future__ import annotations

import json
import re
import time

import pytest

from console.services import executions, queues, topic_delivery, topics
from tests.console.test_functions_integrations import child, drain, run, task

pytestmark = pytest.mark.django_db
SDK = "arn:aws:states:::aws-sdk:"
PASS_CHILD = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}}}
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def test_start_execution_sends_an_object_input_as_json_and_answers_in_sdk_case():
    arn = child(PASS_CHILD)
    execution = run(task(SDK + "sfn:startExecution", {"StateMachineArn": arn, "Input": {"key": "value"},
                                                       "Name": "FromSdk"}), "T")
    assert execution.status == "SUCCEEDED"
    output = json.loads(execution.output)
    assert set(output) == {"ExecutionArn", "StartDate"}
    assert output["ExecutionArn"].endswith(":FromSdk") and ISO.fullmatch(output["StartDate"])
    assert json.loads(executions.get_execution(output["ExecutionArn"]).input) == {"key": "value"}


def test_describe_execution_gives_nested_members_in_sdk_case():
    arn = child(PASS_CHILD)
    started = run(task(SDK + "sfn:startExecution", {"StateMachineArn": arn}), "T")
    child_arn = json.loads(started.output)["ExecutionArn"]
    drain()
    described = json.loads(run(task(SDK + "sfn:describeExecution", {"ExecutionArn": child_arn}), "T").output)
    assert described["Status"] == "SUCCEEDED" and described["Output"] == '{"Arg1":"argument1"}'
    assert described["InputDetails"] == {"Included": True}
    assert ISO.fullmatch(described["StartDate"]) and ISO.fullmatch(described["StopDate"])


@pytest.mark.parametrize("action", ["sendTaskSuccess", "sendTaskFailure"])
def test_an_unknown_token_fails_the_task_with_the_sdk_exception(action):
    parameters = {"TaskToken": "NoSuchTaskToken", "Output": "ParameterOutput"}
    if action == "sendTaskFailure":
        del parameters["Output"]
    execution = run(task(SDK + "sfn:" + action, parameters), "T")
    assert (execution.status, execution.error) == ("FAILED", "Sfn.InvalidTokenException")
    assert re.fullmatch(r"Invalid Token: 'Invalid token' \(Service: Sfn, Status Code: 400, Request ID: [-0-9a-f]+\) "
                        r"\(SDK Attempt Count: 1\)", execution.cause)


def test_sqs_send_message_puts_the_message_on_the_queue():
    queue = queues.create_queue("SdkOrders")
    url = queues.queue_url(queue)
    execution = run(task(SDK + "sqs:sendMessage", {"QueueUrl": url, "MessageBody": "hello"}), "T")
    output = json.loads(execution.output)
    assert execution.status == "SUCCEEDED" and {"MessageId", "MD5OfMessageBody"} <= set(output)
    received = run(task(SDK + "sqs:receiveMessage", {"QueueUrl": url}), "T")
    assert [m["Body"] for m in json.loads(received.output)["Messages"]] == ["hello"]


def test_a_missing_queue_fails_with_the_sqs_exception():
    url = "http://127.0.0.1:8000/000000000000/NoSuchQueue"
    execution = run(task(SDK + "sqs:sendMessage", {"QueueUrl": url, "MessageBody": "x"}), "T")
    assert (execution.status, execution.error) == ("FAILED", "Sqs.QueueDoesNotExistException")
    assert "(Service: Sqs, Status Code: 400" in execution.cause


def test_an_action_the_service_does_not_have_is_a_runtime_error():
    execution = run(task(SDK + "sfn:launchRockets", {}), "T")
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")


def test_sns_publish_reaches_a_subscribed_queue_and_sends_json_as_text():
    topic = topics.create_topic("SdkNews", {}, {})
    queue = queues.create_queue("SdkNewsReader")
    topics.subscribe(topic, "sqs", queues.queue_arn(queue), {"RawMessageDelivery": "true"})
    execution = run(task(SDK + "sns:publish", {"TopicArn": topic.arn, "Message": {"headline": "hi"}}), "T")
    assert execution.status == "SUCCEEDED" and set(json.loads(execution.output)) == {"MessageId"}
    topic_delivery.deliver_pending(time.time)
    received = queues.receive_messages(queue, max_number=10, wait_seconds=0)
    assert [json.loads(m.body) for m in received] == [{"headline": "hi"}]


def test_sns_publish_to_a_missing_topic_fails_with_the_sns_exception():
    arn = "arn:aws:sns:us-east-1:000000000000:NoSuchTopic"
    execution = run(task(SDK + "sns:publish", {"TopicArn": arn, "Message": "x"}), "T")
    assert (execution.status, execution.error) == ("FAILED", "Sns.NotFoundException")
