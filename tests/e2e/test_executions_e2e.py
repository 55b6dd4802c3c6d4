"""A user starts an execution in Chromium and watches its graph colour itself live."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.e2e

DEFINITION = {
    "StartAt": "Get ready",
    "States": {
        "Get ready": {"Type": "Pass", "Next": "Hold on"},
        "Hold on": {"Type": "Wait", "Seconds": 2, "Next": "Finish"},
        "Finish": {"Type": "Pass", "Result": {"done": True}, "End": True},
    },
}


def test_a_user_starts_an_execution_and_watches_it_live(page, stepyard_server, sfn_client):
    sfn = sfn_client(stepyard_server)
    sfn.create_state_machine(name="E2eLive", definition=json.dumps(DEFINITION),
                             roleArn="arn:aws:iam::000000000000:role/r")
    page.goto(stepyard_server + "/state-machines/E2eLive/start")
    page.fill("#id_input", "{broken")
    assert page.is_disabled("#start-button")
    page.fill("#id_input", '{"who": "<i>me</i>"}')
    page.click("#start-button")

    page.wait_for_selector("#s-Hold_20_on.status-in-progress")
    assert "status-succeeded" in page.get_attribute("#s-Get_20_ready", "class")
    assert "status-" not in (page.get_attribute("#s-Finish", "class") or "")
    assert "status-" not in (page.get_attribute("#end", "class") or "")
    page.wait_for_selector("#s-Finish.status-succeeded", timeout=10000)
    page.wait_for_selector("#execution-status:text('SUCCEEDED')")
    assert "status-succeeded" in page.get_attribute("#start", "class")
    page.wait_for_selector("#end.status-succeeded")
    assert page.locator("#events tbody tr").count() == 8
    assert json.loads(page.inner_text("#execution-output")) == {"done": True}

    page.click("#s-Get_20_ready")
    assert "<i>me</i>" in page.inner_text("#step-details")
    assert page.locator("#step-details i").count() == 0

    page.goto(stepyard_server + "/executions/")
    assert page.locator("#execution-table a:text('E2eLive')").count() >= 1


def test_a_user_stops_a_running_execution(page, stepyard_server, sfn_client):
    sfn = sfn_client(stepyard_server)
    long_wait = {"StartAt": "Forever", "States": {"Forever": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    arn = sfn.create_state_machine(name="E2eStop", definition=json.dumps(long_wait),
                                   roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    sfn.start_execution(stateMachineArn=arn, name="to-stop")
    page.goto(stepyard_server + "/executions/")
    page.click("a:text('to-stop')")
    page.click("#stop-box summary")
    page.fill("#id_error", "Manual")
    page.click("#confirm-stop")
    page.wait_for_selector("text=Stopped execution to-stop.")
    assert page.inner_text("#execution-status") == "ABORTED"
    assert "status-cancelled" in page.get_attribute("#s-Forever", "class")
    assert "status-cancelled" in page.get_attribute("#end", "class")


def test_map_iterations_are_inspected_one_by_one(page, stepyard_server, sfn_client):
    sfn = sfn_client(stepyard_server)
    definition = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "End": True,
        "ItemProcessor": {"StartAt": "Square", "States": {"Square": {"Type": "Pass", "End": True}}}}}}
    arn = sfn.create_state_machine(name="E2eMap", definition=json.dumps(definition),
                                   roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    sfn.start_execution(stateMachineArn=arn, name="items", input='{"items": ["first", "second", "third"]}')
    page.goto(stepyard_server + "/executions/")
    page.click("a:text('items')")
    page.click("#steps td:text('Square (Each #1)')")
    assert "second" in page.inner_text("#step-details")
    assert page.locator("#steps tr.selected").count() == 3
    assert "selected" in page.get_attribute("#s-Each-Square", "class")
    page.select_option("#visit-chooser", label="3 · Each #2 · succeeded")
    assert "third" in page.inner_text("#step-details")
    assert page.locator("#visit-chooser option:checked").inner_text() == "3 · Each #2 · succeeded"


def test_a_user_approves_a_callback_from_the_step_panel(page, stepyard_server, sfn_client):
    import boto3

    sqs = boto3.client("sqs", endpoint_url=stepyard_server, region_name="us-east-1",
                       aws_access_key_id="t", aws_secret_access_key="t")
    queue = sqs.create_queue(QueueName="E2eStepPanelOrders")["QueueUrl"]
    definition = {"StartAt": "Check Inventory", "States": {
        "Check Inventory": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                            "Parameters": {"QueueUrl": queue, "MessageBody": {"TaskToken.$": "$$.Task.Token"}},
                            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Notify Failure"}],
                            "Next": "Notify Success"},
        "Notify Success": {"Type": "Pass", "End": True},
        "Notify Failure": {"Type": "Pass", "End": True}}}
    sfn = sfn_client(stepyard_server)
    arn = sfn.create_state_machine(name="E2eInventory2", definition=json.dumps(definition),
                                   roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    sfn.start_execution(stateMachineArn=arn, name="order-1")
    page.goto(stepyard_server + "/executions/")
    page.click("a:text('order-1')")
    page.wait_for_selector("#s-Check_20_Inventory.status-in-progress")
    page.click("#s-Check_20_Inventory")
    output = page.locator("#step-details textarea[name=output]")
    output.wait_for()
    output.fill("{not json")
    assert page.locator("#step-details button:text('Approve (SendTaskSuccess)')").is_disabled()
    output.fill('{"inStock": true}')
    page.click("#step-details button:text('Approve (SendTaskSuccess)')")
    page.wait_for_selector("text=Approved Check Inventory of order-1.")
    page.wait_for_selector("#s-Notify_20_Success.status-succeeded")
    assert "status-" not in (page.get_attribute("#s-Notify_20_Failure", "class") or "")
    assert page.inner_text("#execution-status") == "SUCCEEDED"
