"""Hostile requests against a live server: deep JSON, huge and over-long inputs get AWS's
4xx errors (never a 500 or a dropped connection), and web pages other than the console
cannot drive the APIs, open its websockets or reach it under another host name."""

from __future__ import annotations

import http.client
import json
import socket
import urllib.parse

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.conftest import server_env, start_server

DEEP = "[" * 990 + "]" * 990
ROLE = "arn:aws:iam::000000000000:role/r"
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(server_env(tmp_path_factory.mktemp("hostile")))
    try:
        yield running
    finally:
        running.stop()


def client(server, name: str):
    return boto3.client(name, endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="t",
                        aws_secret_access_key="t",
                        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))


def code_of(call, *args, **kwargs) -> str:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    assert 400 <= caught.value.response["ResponseMetadata"]["HTTPStatusCode"] < 500
    return caught.value.response["Error"]["Code"]


def raw(server, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
    parts = urllib.parse.urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# ------------------------------------------------------------------ deep JSON (defect 2)


@pytest.mark.parametrize("target", ["AWSStepFunctions.ListStateMachines", "AmazonSQS.ListQueues"])
def test_it_answers_a_deeply_nested_body_with_a_serialization_exception(server, target):
    status, body = raw(server, "POST", "/", {"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"},
                       b"[" * 10_000)
    assert status == 400
    assert json.loads(body)["__type"] == "SerializationException"


def test_it_refuses_deep_execution_input_and_definitions(server):
    sfn = client(server, "stepfunctions")
    arn = sfn.create_state_machine(name="deep", definition=PASS, roleArn=ROLE)["stateMachineArn"]
    assert code_of(sfn.start_execution, stateMachineArn=arn, input=DEEP) == "InvalidExecutionInput"
    deep_definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "X", "End": True}}})
    deep_definition = deep_definition.replace('"X"', DEEP)
    assert code_of(sfn.create_state_machine, name="deeper", definition=deep_definition,
                   roleArn=ROLE) == "InvalidDefinition"
    assert sfn.validate_state_machine_definition(definition=deep_definition)["result"] == "FAIL"
    assert code_of(sfn.test_state, definition=DEEP, roleArn=ROLE) == "InvalidDefinition"
    state = json.dumps({"Type": "Pass", "End": True})
    assert code_of(sfn.test_state, definition=state, roleArn=ROLE, input=DEEP) == "InvalidExecutionInput"
    for field in ("variables", "context"):
        assert code_of(sfn.test_state, definition=state, roleArn=ROLE, **{field: DEEP}) == "ValidationException"


def test_it_refuses_deep_or_non_json_task_output(server):
    sfn = client(server, "stepfunctions")
    activity = sfn.create_activity(name="deep-work")["activityArn"]
    definition = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": activity, "End": True}}})
    machine = sfn.create_state_machine(name="deep-work", definition=definition, roleArn=ROLE)["stateMachineArn"]
    sfn.start_execution(stateMachineArn=machine)
    token = sfn.get_activity_task(activityArn=activity)["taskToken"]
    for output in (DEEP, "NaN", "[Infinity]"):
        assert code_of(sfn.send_task_success, taskToken=token, output=output) == "InvalidOutput"
    sfn.send_task_success(taskToken=token, output='{"fine": true}')
    query = urllib.parse.urlencode({"Action": "ReportTaskSucceeded", "TaskToken": "t", "Output": DEEP})
    status, body = raw(server, "POST", f"/fnf/?{query}", {})
    assert status == 400 and json.loads(body)["Code"] == "InvalidArgument"


def test_it_refuses_deep_queue_and_topic_documents(server):
    sqs, sns = client(server, "sqs"), client(server, "sns")
    assert code_of(sqs.create_queue, QueueName="deep", Attributes={"RedrivePolicy": DEEP}) in (
        "InvalidAttributeValue", "InvalidParameterValue", "AWS.SimpleQueueService.InvalidAttributeValue")
    topic = sns.create_topic(Name="deep")["TopicArn"]
    assert code_of(sns.publish, TopicArn=topic, Message=DEEP, MessageStructure="json") == "InvalidParameter"
    queue = sqs.create_queue(QueueName="deep-subscriber")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert code_of(sns.subscribe, TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                   Attributes={"FilterPolicy": DEEP}) == "InvalidParameter"
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                  Attributes={"FilterPolicy": '{"kind": ["a"]}', "FilterPolicyScope": "MessageBody"})
    assert sns.publish(TopicArn=topic, Message=DEEP)["MessageId"]  # filtered out, not a 500


# ------------------------------------------------------- other 500s and hang-ups (defect 3)


def test_it_refuses_deeply_nested_sns_parameter_names(server):
    body = b"Action=ListTopics&" + b"A." * 5000 + b"B=1"
    status, answer = raw(server, "POST", "/", {"Content-Type": "application/x-www-form-urlencoded",
                                               "Authorization": "AWS4-HMAC-SHA256 x"}, body)
    assert status == 400 and b"<Code>ParameterValueInvalid</Code>" in answer


def test_it_refuses_a_huge_sns_form_body(server):
    body = b"Action=Publish&TopicArn=x&Message=" + b"x" * 3_000_000
    status, _ = raw(server, "POST", "/", {"Content-Type": "application/x-www-form-urlencoded",
                                          "Authorization": "AWS4-HMAC-SHA256 x"}, body)
    assert status == 413


def test_it_limits_the_queue_name_prefix_to_80_characters(server):
    sqs = client(server, "sqs")
    assert code_of(sqs.list_queues, QueueNamePrefix="a" * 50_001) == "InvalidParameterValue"
    assert sqs.list_queues(QueueNamePrefix="a" * 80).get("QueueUrls", []) == []


def raw_status(server, request: bytes) -> int:
    parts = urllib.parse.urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status


def test_it_answers_an_over_long_target_header_and_query_string(server):
    host = urllib.parse.urlsplit(server.url).netloc.encode()
    target = b"POST / HTTP/1.1\r\nHost: " + host + b"\r\nX-Amz-Target: " + b"A" * 100_000 + b"\r\n\r\n"
    assert raw_status(server, target) == 431
    query = b"POST /fnf/?Action=ReportTaskSucceeded&TaskToken=" + b"a" * 18_000 + b" HTTP/1.1\r\nHost: " + host
    assert raw_status(server, query + b"\r\n\r\n") == 414


# ----------------------------------------------------------- other web pages (defects 4-6)


def form_post(server, headers: dict[str, str], body: str) -> int:
    return raw(server, "POST", "/", {"Content-Type": "application/x-www-form-urlencoded", **headers},
               body.encode())[0]


def test_a_page_on_another_origin_cannot_subscribe_to_a_topic(server):
    sns = client(server, "sns")
    topic = sns.create_topic(Name="private")["TopicArn"]
    form = urllib.parse.urlencode({"Action": "Subscribe", "TopicArn": topic, "Protocol": "http",
                                   "Endpoint": "http://localhost:8796/steal"})
    port = urllib.parse.urlsplit(server.url).port
    assert form_post(server, {"Origin": f"http://localhost:{port + 1}"}, form) == 403
    assert form_post(server, {"Sec-Fetch-Site": "same-site"}, form) == 403
    assert form_post(server, {}, form) == 403  # a form post without a signature comes from a page
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="http://localhost:8796/mine")  # boto3 signs
    assert len(sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]) == 1


def test_a_page_on_another_origin_cannot_call_the_json_apis(server):
    headers = {"X-Amz-Target": "AWSStepFunctions.ListStateMachines", "Content-Type": "text/plain",
               "Origin": "http://localhost:1"}
    assert raw(server, "POST", "/", headers, b"{}")[0] == 403
    own = {**headers, "Origin": server.url}
    assert raw(server, "POST", "/", own, b"{}")[0] == 200


def websocket_status(server, origin: str) -> int:
    parts = urllib.parse.urlsplit(server.url)
    request = (f"GET /ws/executions/ HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n").encode()
    return raw_status(server, request)


def test_websockets_accept_only_the_console_own_origin(server):
    port = urllib.parse.urlsplit(server.url).port
    assert websocket_status(server, server.url) == 101
    assert websocket_status(server, f"http://127.0.0.1:{port + 1}") == 403
    assert websocket_status(server, f"http://localhost:{port}") == 403  # another host name is another origin


@pytest.mark.parametrize("path, headers", [
    ("/", {"X-Amz-Target": "AWSStepFunctions.ListStateMachines", "Content-Type": "application/x-amz-json-1.0"}),
    ("/", {"Content-Type": "application/x-www-form-urlencoded", "Authorization": "AWS4-HMAC-SHA256 x"}),
    ("/fnf/?Action=ReportTaskSucceeded&TaskToken=t&Output=1", {}),
])
def test_the_apis_answer_only_allowed_host_names(server, path, headers):
    body = b"Action=ListTopics" if "Authorization" in headers else b"{}"
    assert raw(server, "POST", path, {**headers, "Host": "rebound.example"}, body)[0] == 400
