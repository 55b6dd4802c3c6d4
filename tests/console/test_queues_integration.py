"""The sqs:sendMessage integration driven by real executions (AWS's Check Inventory tutorial)."""

from __future__ import annotations

import json
import time

import pytest
from django.db import transaction

from console.models import Execution, HistoryEvent, QueueMessage
from console.services import callbacks, executions, machines
from console.services import queues as queue_service
from console.workers import scheduler

pytestmark = pytest.mark.django_db
SEND = "arn:aws:states:::sqs:sendMessage"


def tutorial_definition(queue_url: str) -> str:
    """The tutorial's workflow: a callback through the queue, Catch leads to Notify Failure."""
    return json.dumps({
        "StartAt": "Check Inventory",
        "States": {
            "Check Inventory": {
                "Type": "Task",
                "Resource": SEND + ".waitForTaskToken",
                "Parameters": {
                    "QueueUrl": queue_url,
                    "MessageBody": {"MessageTitle": "Callback Task started by Step Functions",
                                    "TaskToken.$": "$$.Task.Token"},
                },
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Notify Failure"}],
                "Next": "Notify Success",
            },
            "Notify Success": {"Type": "Pass", "Result": "Callback Task succeeded", "End": True},
            "Notify Failure": {"Type": "Pass", "Result": "Callback Task failed", "End": True},
        },
    })


def run_calls() -> None:
    scheduler.fire_due_timers(time.time())
    for call_id in scheduler.claim_due_calls(time.time()):
        scheduler.perform_call(call_id)


def start(definition: str, name: str = "M", input: str = "{}") -> Execution:
    machine = machines.create_machine(name=name, definition=definition)
    execution = executions.start_execution(machine, input=input)
    run_calls()
    execution.refresh_from_db()
    return execution


def event_types(execution: Execution) -> list[str]:
    return list(HistoryEvent.objects.filter(execution=execution).values_list("type", flat=True))


@pytest.fixture
def orders():
    queue = queue_service.create_queue("Orders")
    return queue, queue_service.queue_url(queue)


def test_the_tutorial_completes_when_a_worker_approves_the_message(orders):
    queue, url = orders
    execution = start(tutorial_definition(url))
    assert execution.status == "RUNNING"
    message = queue_service.receive_messages(queue, wait_seconds=0)[0]
    body = json.loads(message.body)
    assert body["MessageTitle"] == "Callback Task started by Step Functions"
    callbacks.send_task_success(body["TaskToken"], json.dumps({"approved": True}))
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output) == "Callback Task succeeded"
    assert "TaskSubmitted" in event_types(execution)


def test_the_tutorial_takes_the_catch_when_the_worker_rejects(orders):
    queue, url = orders
    execution = start(tutorial_definition(url))
    token = json.loads(queue_service.receive_messages(queue, wait_seconds=0)[0].body)["TaskToken"]
    callbacks.send_task_failure(token, "OutOfStock", "No widgets left")
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output) == "Callback Task failed"


def test_the_output_of_send_task_success_becomes_the_task_result(orders):
    queue, url = orders
    definition = json.dumps({"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": SEND + ".waitForTaskToken", "End": True,
        "Parameters": {"QueueUrl": url, "MessageBody": {"TaskToken.$": "$$.Task.Token"}}}}})
    execution = start(definition)
    token = json.loads(queue_service.receive_messages(queue, wait_seconds=0)[0].body)["TaskToken"]
    callbacks.send_task_success(token, '{"answer": 42}')
    execution.refresh_from_db()
    assert (execution.status, json.loads(execution.output)) == ("SUCCEEDED", {"answer": 42})


def test_send_message_returns_aws_result_shape_with_sdk_metadata(orders):
    queue, url = orders
    definition = json.dumps({"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": SEND, "End": True,
        "Parameters": {"QueueUrl": url, "MessageBody.$": "$.text", "MessageAttributes": {
            "kind": {"DataType": "String", "StringValue": "greeting"}}}}}})
    execution = start(definition, input='{"text": "hello"}')
    assert execution.status == "SUCCEEDED"
    output = json.loads(execution.output)
    message = queue_service.receive_messages(queue, wait_seconds=0)[0]
    assert output["MessageId"] == message.message_id and message.body == "hello"
    assert output["MD5OfMessageBody"] == message.md5_of_body
    assert "MD5OfMessageAttributes" in output
    metadata = output["SdkHttpMetadata"]
    assert metadata["HttpStatusCode"] == 200
    assert metadata["HttpHeaders"]["Content-Type"] == "application/x-amz-json-1.0"
    assert metadata["HttpHeaders"]["Content-Length"] == "166"
    assert output["SdkResponseMetadata"]["RequestId"] == metadata["HttpHeaders"]["x-amzn-RequestId"]


def test_a_json_body_is_sent_compact_and_a_fifo_queue_gets_group_and_dedup(orders):
    fifo = queue_service.create_queue("Jobs.fifo", {"FifoQueue": "true"})
    url = queue_service.queue_url(fifo)
    definition = json.dumps({"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": SEND, "End": True,
        "Parameters": {"QueueUrl": url, "MessageBody": {"a": [1, 2]}, "MessageGroupId": "g",
                       "MessageDeduplicationId": "d"}}}})
    execution = start(definition)
    assert "SequenceNumber" in json.loads(execution.output)
    message = queue_service.receive_messages(fifo, wait_seconds=0)[0]
    assert message.body == '{"a":[1,2]}' and message.group_id == "g"


def test_sqs_errors_carry_the_aws_sdk_names(orders):
    _, url = orders
    missing_body = json.dumps({"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": SEND, "End": True,
        "Parameters": {"QueueUrl": url, "MessageBody.$": "$.body"}}}})
    execution = start(missing_body, name="NoBody", input='{"body": null}')
    assert (execution.status, execution.error) == ("FAILED", "SQS.AmazonSQSException")
    assert execution.cause.startswith(
        "The request must contain the parameter MessageBody. (Service: AmazonSQS; Status Code: 400; "
        "Error Code: MissingParameter; Request ID: "
    )
    for name, queue_url, error in [
        ("NoQueue", url.replace("Orders", "Nope"), "SQS.QueueDoesNotExistException"),
        ("NoHost", "http://no-such-queue-1", "SQS.SdkClientException"),
    ]:
        definition = json.dumps({"StartAt": "Send", "States": {"Send": {
            "Type": "Task", "Resource": SEND, "End": True,
            "Parameters": {"QueueUrl": queue_url, "MessageBody": "x"}}}})
        execution = start(definition, name=name)
        assert (execution.status, execution.error) == ("FAILED", error)
    assert execution.cause == "Unable to execute HTTP request: no-such-queue-1: Name or service not known"


@pytest.mark.django_db(transaction=True)
def test_an_inline_send_commits_or_rolls_back_with_its_step():
    queue = queue_service.create_queue("AtomicSends")
    definition = {"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": "http://127.0.0.1:8000/000000000000/AtomicSends", "MessageBody": "hi"},
        "End": True}}}
    machine = machines.create_machine(name="AtomicSender", definition=json.dumps(definition))
    with pytest.raises(RuntimeError), transaction.atomic():
        executions.start_execution(machine, name="rolled-back")
        raise RuntimeError("the process dies before the commit")
    assert not QueueMessage.objects.filter(queue=queue).exists()
    execution = executions.start_execution(machine, name="kept")
    assert execution.status == "SUCCEEDED"
    assert QueueMessage.objects.filter(queue=queue).count() == 1
