"""Functions against a live server: handlers calling Stepyard with plain boto3, a busy loop
killed while the console keeps answering, and a user invoking a function in Chromium."""

from __future__ import annotations

import json
import textwrap
import time
import urllib.request

import pytest

from tests.conftest import finished, server_env, start_server

ROLE = "arn:aws:iam::000000000000:role/r"
HANDLERS = {
    "Approver.py": """
        import json
        import boto3

        def handler(event, context):
            # No endpoint, region or keys here: the environment points boto3 at Stepyard.
            boto3.client("stepfunctions").send_task_success(
                taskToken=event["token"], output=json.dumps({"approved_by": context.function_name}))
            return {"sent": True}
    """,
    "Starter.py": """
        import json
        import boto3

        def handler(event, context):
            started = boto3.client("stepfunctions").start_execution(
                stateMachineArn=event["machine"], input=json.dumps({"from": context.aws_request_id}))
            return started["executionArn"]
    """,
    "Spin.py": """
        def handler(event, context):
            while True:
                pass
    """,
    "Echo.py": """
        def handler(event, context):
            print("echoing", event)
            return {"echo": event}
    """,
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("functions-e2e")
    (data / "functions").mkdir()
    for name, code in HANDLERS.items():
        (data / "functions" / name).write_text(textwrap.dedent(code))
    running = start_server(server_env(data))
    try:
        yield running.url
    finally:
        running.stop()


def create(sfn, name: str, states: dict, start: str) -> str:
    definition = json.dumps({"StartAt": start, "States": states})
    return sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE)["stateMachineArn"]


def test_a_handler_answers_its_own_task_token_with_plain_boto3(server, sfn_client):
    sfn = sfn_client(server)
    machine = create(sfn, "Approval", {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "Approver", "Payload": {"token.$": "$$.Task.Token"}},
        "TimeoutSeconds": 30, "End": True}}, "Ask")
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    described = finished(sfn, execution)
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"approved_by": "Approver"}


def test_a_handler_starts_an_execution_with_plain_boto3(server, sfn_client):
    sfn = sfn_client(server)
    target = create(sfn, "Target", {"Done": {"Type": "Pass", "End": True}}, "Done")
    caller = create(sfn, "Caller", {"Start": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:Starter",
        "End": True}}, "Start")
    described = finished(sfn, sfn.start_execution(stateMachineArn=caller, input=json.dumps({"machine": target}))
                         ["executionArn"])
    started = json.loads(described["output"])
    assert started.startswith("arn:aws:states:us-east-1:000000000000:execution:Target:")
    assert finished(sfn, started)["status"] == "SUCCEEDED"


def test_a_busy_loop_is_killed_at_its_timeout_while_the_console_keeps_answering(server, sfn_client):
    sfn = sfn_client(server)
    machine = create(sfn, "Spinner", {"Spin": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "Spin"}, "End": True}}, "Spin")
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    time.sleep(0.5)
    for page in ("/functions/", "/functions/Spin/", "/state-machines/"):
        started = time.monotonic()
        with urllib.request.urlopen(server + page, timeout=5) as response:
            assert response.status == 200
        assert time.monotonic() - started < 1.0
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    described = finished(sfn, execution)
    assert described["error"] == "Sandbox.Timedout"
    assert json.loads(described["cause"])["errorMessage"].endswith("Task timed out after 3.00 seconds")


@pytest.mark.e2e
def test_a_user_invokes_a_function_with_a_test_event(page, server):
    page.goto(server + "/functions/")
    page.click("#function-table a:text('Echo')")
    page.wait_for_load_state("load")  # the page's scripts watch the event field from here on
    assert "def handler(event, context):" in page.inner_text("#function-code")
    page.fill("#id_event", "{not json")
    assert page.is_disabled("#invoke-button")
    page.fill("#id_event", '{"who": "<b>Ada</b>"}')
    page.click("#invoke-button")
    page.wait_for_selector("#invocation-result")
    assert '"<b>Ada</b>"' in page.inner_text("#invocation-result .invocation-output")
    assert page.locator("#invocation-result b").count() == 0
    assert "echoing {'who': '<b>Ada</b>'}" in page.inner_text("#invocation-result .invocation-logs")
    assert page.locator("#invocation-table details[open]").count() == 1
