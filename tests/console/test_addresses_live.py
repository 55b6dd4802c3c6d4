"""Every address Stepyard hands out is one it answers on: a server on a non-default port,
reached as 127.0.0.1 and as localhost, gives URLs for the address each call came in on."""

from __future__ import annotations

import json
import urllib.request

import boto3
import pytest
from botocore.config import Config

from tests.conftest import finished, free_port, server_env, start_server

FUNCTION = '''import os


def handler(event, context):
    return os.environ["AWS_ENDPOINT_URL"]
'''


def client(service: str, url: str):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("addresses")
    functions = data / "functions"
    functions.mkdir()
    (functions / "endpoint.py").write_text(FUNCTION)
    running = start_server(server_env(data, STEPYARD_FUNCTIONS_DIR=str(functions)), port=free_port())
    try:
        yield running
    finally:
        running.stop()


def test_it_hands_out_queue_urls_for_the_address_called(server):
    port = server.url.rsplit(":", 1)[1]
    for base in (f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
        sqs = client("sqs", base)
        url = sqs.create_queue(QueueName="Orders")["QueueUrl"]
        assert url == f"{base}/000000000000/Orders"
        assert sqs.get_queue_url(QueueName="Orders")["QueueUrl"] == url
        assert sqs.list_queues(QueueNamePrefix="Ord")["QueueUrls"] == [url]


def test_a_client_that_posts_to_the_queue_url_reaches_the_queue(server):
    port = server.url.rsplit(":", 1)[1]
    url = client("sqs", f"http://localhost:{port}").create_queue(QueueName="Direct")["QueueUrl"]
    # The JavaScript SDK v2 sends each call to the QueueUrl itself.
    answer = _post_json(url, "AmazonSQS.SendMessage", {"QueueUrl": url, "MessageBody": "hello"})
    assert "MessageId" in answer
    received = _post_json(url, "AmazonSQS.ReceiveMessage", {"QueueUrl": url, "WaitTimeSeconds": 1})
    assert [m["Body"] for m in received["Messages"]] == ["hello"]


def test_sns_envelopes_link_back_to_the_address_called(server):
    port = server.url.rsplit(":", 1)[1]
    base = f"http://localhost:{port}"
    sqs, sns = client("sqs", base), client("sns", base)
    queue_url = sqs.create_queue(QueueName="Envelopes")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name="Links")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    sns.publish(TopicArn=topic, Message="hi")
    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=5)["Messages"]
    envelope = json.loads(messages[0]["Body"])
    assert envelope["UnsubscribeURL"].startswith(f"{base}/?Action=Unsubscribe")
    assert envelope["SigningCertURL"].startswith(f"{base}/")


def test_functions_call_back_at_the_address_the_server_is_reached_on(server, sfn_client):
    sfn = sfn_client(server.url)
    definition = {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:endpoint", "End": True}}}
    machine = sfn.create_state_machine(name="Endpoint", definition=json.dumps(definition),
                                       roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    described = finished(sfn, execution)
    assert json.loads(described["output"]) == server.url


def test_the_queue_page_shows_the_url_for_the_address_it_is_viewed_on(server):
    port = server.url.rsplit(":", 1)[1]
    client("sqs", server.url).create_queue(QueueName="Viewed")
    with urllib.request.urlopen(f"http://localhost:{port}/queues/Viewed/", timeout=10) as response:
        page = response.read().decode()
    assert f"http://localhost:{port}/000000000000/Viewed" in page


def test_a_configured_public_url_wins(tmp_path):
    running = start_server(server_env(tmp_path, STEPYARD_PUBLIC_URL="https://stepyard.example.test"))
    try:
        url = client("sqs", running.url).create_queue(QueueName="Proxied")["QueueUrl"]
    finally:
        running.stop()
    assert url == "https://stepyard.example.test/000000000000/Proxied"


def _post_json(url: str, target: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())
