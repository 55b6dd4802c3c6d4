"""Event sources on a live server: the pollers inside Daphne turn queue messages into
executions (Standard and Express) and feed failing batches back to the queue's DLQ."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import boto3
import pytest
from botocore.config import Config

from tests.conftest import server_env, start_server

PASS = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "Parameters": {"got.$": "$"}, "End": True}}}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("sources-live")
    functions = data / "functions"
    functions.mkdir()
    (functions / "Broken.py").write_text("def handler(event, context):\n    raise ValueError('no')\n")
    process = start_server(server_env(data, STEPYARD_FUNCTIONS_DIR=str(functions)))
    yield process
    process.stop()


def client(server, name: str):
    return boto3.client(name, endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


def add_source(server, queue: str, target: str) -> None:
    """Fill in the Event sources form, as a user does."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{server.url}/event-sources/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "queue": queue, "target": target,
                                   "batch_size": "10"}).encode()
    request = urllib.request.Request(f"{server.url}/event-sources/", data=body,
                                     headers={"Referer": f"{server.url}/event-sources/"})
    page = opener.open(request).read().decode()
    assert "now go to" in page, page


@pytest.mark.parametrize("machine_type", ["STANDARD", "EXPRESS"])
def test_each_message_starts_an_execution_with_the_body_as_input(server, machine_type):
    sfn, sqs = client(server, "stepfunctions"), client(server, "sqs")
    name = f"Each{machine_type.title()}"
    machine = sfn.create_state_machine(name=name, definition=json.dumps(PASS), type=machine_type,
                                       roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    url = sqs.create_queue(QueueName=f"To{name}")["QueueUrl"]
    add_source(server, f"To{name}", f"state-machine:{name}")
    for n in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"n": n}))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done = sfn.list_executions(stateMachineArn=machine, statusFilter="SUCCEEDED")["executions"]
        if len(done) == 3:
            break
        time.sleep(0.1)
    outputs = sorted(json.loads(sfn.describe_execution(executionArn=e["executionArn"])["output"])["got"]["n"]
                     for e in done)
    assert outputs == [0, 1, 2]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_a_failing_function_sends_its_messages_to_the_dead_letter_queue(server):
    sqs = client(server, "sqs")
    dead = sqs.create_queue(QueueName="Poison-DLQ")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName="Poison", Attributes={"VisibilityTimeout": "1", "RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dead_arn, "maxReceiveCount": 2})})["QueueUrl"]
    add_source(server, "Poison", "function:Broken")
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    got = sqs.receive_message(QueueUrl=dead, WaitTimeSeconds=15).get("Messages", [])
    assert [m["Body"] for m in got] == ["poison"]
