"""A received message reappears after its visibility timeout even across a server kill."""

from __future__ import annotations

import time

import boto3
from botocore.config import Config

from tests.conftest import server_env, start_server

# Longer than a restart takes, so the message is still hidden when the server is back.
HIDDEN_S = 10


def _client(url: str):
    return boto3.client(
        "sqs", endpoint_url=url, region_name="us-east-1", aws_access_key_id="t",
        aws_secret_access_key="t", config=Config(retries={"max_attempts": 1}),
    )


def test_a_message_in_flight_reappears_after_a_kill_and_restart(tmp_path):
    env = server_env(tmp_path)
    server = start_server(env)
    try:
        sqs = _client(server.url)
        queue_url = sqs.create_queue(QueueName="Survivor")["QueueUrl"]
        sent = sqs.send_message(QueueUrl=queue_url, MessageBody="keep me")
        first = sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=HIDDEN_S)["Messages"][0]
        received_at = time.monotonic()
    finally:
        server.kill()
    server = start_server(env)
    try:
        sqs = _client(server.url)
        queue_url = sqs.get_queue_url(QueueName="Survivor")["QueueUrl"]
        assert "Messages" not in sqs.receive_message(QueueUrl=queue_url)
        time.sleep(max(0.0, received_at + HIDDEN_S - time.monotonic()))
        again = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2)["Messages"][0]
        assert again["MessageId"] == sent["MessageId"] == first["MessageId"]
        assert again["ReceiptHandle"] != first["ReceiptHandle"]
    finally:
        server.stop()
