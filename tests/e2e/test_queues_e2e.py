"""In Chromium: send a test message, peek at it, purge; approve a pending callback from the inbox."""

from __future__ import annotations

import json
import time

import boto3
import pytest
from botocore.config import Config

pytestmark = pytest.mark.e2e


def sqs_client(url: str):
    return boto3.client(
        "sqs", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}),
    )


def test_a_user_sends_a_test_message_peeks_at_it_and_purges(page, stepyard_server):
    page.goto(stepyard_server + "/queues/new")
    page.fill("#id_name", "E2eOrders")
    page.click("button:text('Create')")
    page.wait_for_selector("h1:text('E2eOrders')")

    page.fill("#id_body", '{"order": "<b>42</b>"')
    page.wait_for_selector("#send-button:disabled", timeout=5000)  # checked as the user types
    assert "Not valid JSON" in page.inner_text("#body-error")
    page.fill("#id_body", '{"order": "<b>42</b>"}')
    page.fill("input[name=attr_name_0]", "kind")
    page.fill("input[name=attr_value_0]", "test")
    page.click("#send-button")
    page.wait_for_selector("text=Sent message")

    row = page.locator("#peek-rows tr.message")
    assert row.count() == 1
    assert '<b>42</b>' in row.inner_text()
    assert page.locator("#peek-rows b").count() == 0
    assert "available" in row.inner_text()

    sqs = sqs_client(stepyard_server)
    url = sqs.get_queue_url(QueueName="E2eOrders")["QueueUrl"]
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=300)
    page.wait_for_selector("#peek-rows tr.status-in-flight .countdown", timeout=5000)

    page.goto(stepyard_server + "/queues/")
    page.wait_for_selector("#queue-live:not([hidden])", timeout=5000)
    assert page.inner_text("tr[data-queue=E2eOrders] [data-count=in_flight]") == "1"

    page.goto(stepyard_server + "/queues/E2eOrders/")
    page.click("#purge-link")
    page.click("#confirm-purge")
    page.wait_for_selector("text=Purged 1 message from E2eOrders.")
    assert page.locator("#peek-rows tr.message").count() == 0


def test_a_user_approves_a_pending_callback_from_the_inbox(page, stepyard_server, sfn_client):
    sqs = sqs_client(stepyard_server)
    url = sqs.create_queue(QueueName="E2eCallbacks")["QueueUrl"]
    definition = {
        "StartAt": "Check Inventory",
        "States": {
            "Check Inventory": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": url, "MessageBody": {"TaskToken.$": "$$.Task.Token"}},
                "Next": "Notify Success",
            },
            "Notify Success": {"Type": "Pass", "End": True},
        },
    }
    sfn = sfn_client(stepyard_server)
    arn = sfn.create_state_machine(name="E2eInbox", definition=json.dumps(definition),
                                   roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, name="approve-me")["executionArn"]

    page.goto(stepyard_server + "/callbacks/")
    row = page.locator("#callback-rows tr", has_text="approve-me")
    row.wait_for(timeout=10000)
    assert "Check Inventory" in row.inner_text()
    output = row.locator(".output-field")
    output.fill("{not json")
    assert row.locator(".approve-button").is_disabled()
    output.fill('{"approved": "yes"}')
    row.locator(".approve-button").click()
    page.wait_for_selector("text=Approved Check Inventory of approve-me.")

    deadline = time.monotonic() + 10
    while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.1)
    described = sfn.describe_execution(executionArn=execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"approved": "yes"}
