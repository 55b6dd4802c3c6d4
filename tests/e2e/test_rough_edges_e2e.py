"""In Chromium: the rough edges a new user hit (issue 18's "Broken" list), each fixed.

Every test takes screenshots at 1440x900 and 390x844 (test artefacts) and checks that the
pages it visited logged no console error.
"""

from __future__ import annotations

import base64
import json

import pytest

from tests.e2e.editor import set_definition
from tests.e2e.test_queues_e2e import sqs_client

pytestmark = pytest.mark.e2e

ROLE = "arn:aws:iam::000000000000:role/r"


def _machine(sfn, name: str, states: dict, start: str | None = None) -> str:
    definition = {"StartAt": start or next(iter(states)), "States": states}
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]


def _execution_page(page, server: str, sfn, arn: str, **start) -> str:
    execution = sfn.start_execution(stateMachineArn=arn, **start)["executionArn"]
    page.goto(server + "/executions/")
    page.click(f"#execution-table a:text('{start['name']}')")
    page.wait_for_selector("#events tbody tr")
    return execution


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_an_input_over_256_kib_is_refused_with_the_reason(page, stepyard_server, sfn_client, shoot):
    _machine(sfn_client(stepyard_server), "E2eBigInput", {"Done": {"Type": "Succeed"}})
    page.goto(stepyard_server + "/state-machines/E2eBigInput/start")
    big = json.dumps({"blob": "x" * 300_000})
    page.fill("#id_input", big)
    assert "at most 256 KiB" in page.inner_text("#input-error")
    assert page.is_disabled("#start-button")

    # The server says it too, and its message stays on the page (it used to be wiped).
    page.evaluate("document.getElementById('start-button').disabled = false")
    with page.expect_navigation():
        page.click("#start-button")
    assert "InvalidExecutionInput" in page.inner_text("#input-error")
    shoot("big-input")
    assert page.console_errors == []


def test_redrive_appears_and_live_stops_when_a_watched_execution_fails(page, stepyard_server, sfn_client, shoot):
    sfn = sfn_client(stepyard_server)
    arn = _machine(sfn, "E2eFailsLater", {
        "Pause": {"Type": "Wait", "Seconds": 2, "Next": "Give up"},
        "Give up": {"Type": "Fail", "Error": "Broken", "Cause": "on purpose"}})
    _execution_page(page, stepyard_server, sfn, arn, name="fails-while-watched")
    assert page.is_hidden("#redrive-button")
    page.wait_for_selector("#live-indicator:text('live')")

    page.wait_for_selector("#execution-status:text('FAILED')", timeout=10_000)
    page.wait_for_selector("#redrive-button", state="visible")
    page.wait_for_function("document.getElementById('live-indicator').textContent === ''")
    shoot("failed-while-watched")
    assert page.console_errors == []


def test_a_redriven_state_that_succeeds_is_green_not_caught(page, stepyard_server, sfn_client, shoot):
    sfn = sfn_client(stepyard_server)
    sqs = sqs_client(stepyard_server)
    later = f"{stepyard_server}/000000000000/E2eMadeLater"
    arn = _machine(sfn, "E2eRedriveMe", {
        "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                 "Parameters": {"QueueUrl": later, "MessageBody": "hi"}, "End": True}})
    _execution_page(page, stepyard_server, sfn, arn, name="redrive-me")
    page.wait_for_selector("#execution-status:text('FAILED')", timeout=10_000)
    assert "status-failed" in page.get_attribute("#s-Send", "class")

    sqs.create_queue(QueueName="E2eMadeLater")
    page.click("#redrive-button")
    page.wait_for_selector("#execution-status:text('SUCCEEDED')", timeout=10_000)
    node = page.get_attribute("#s-Send", "class")
    assert "status-succeeded" in node and "status-caught" not in node
    assert page.locator("#steps .badge.status-caught").count() == 0
    shoot("redriven")
    assert page.console_errors == []


def test_the_check_inventory_template_sends_to_a_queue_that_exists(page, stepyard_server, shoot):
    page.goto(stepyard_server + "/state-machines/new?starter=check-inventory")
    definition = page.input_value("#id_definition")
    assert f"{stepyard_server}/000000000000/CheckInventoryQueue" in definition
    page.fill("#id_name", "E2eCheckInventory")
    page.click("button:text('Create')")
    page.wait_for_selector("text=queue CheckInventoryQueue")

    page.click("a:text('Start execution')")
    page.click("#start-button")
    page.wait_for_selector("#s-Check_20_Inventory.status-in-progress", timeout=10_000)
    page.goto(stepyard_server + "/queues/CheckInventoryQueue/")
    assert "TaskToken" in page.inner_text("#peek-rows")
    page.goto(stepyard_server + "/callbacks/")
    row = page.locator("#callback-rows tr", has_text="E2eCheckInventory")
    row.locator(".approve-button").click()
    page.wait_for_selector("text=Approved Check Inventory")
    shoot("check-inventory")
    assert page.console_errors == []


def test_the_text_processing_template_calls_functions_that_exist(page, stepyard_server, shoot):
    page.goto(stepyard_server + "/state-machines/new?starter=text-processing")
    page.fill("#id_name", "E2eTextProcessing")
    page.click("button:text('Create')")
    page.wait_for_selector("text=function TokenizeAndCount")

    page.click("a:text('Start execution')")
    text = base64.b64encode(b"Hello hello, World!").decode()
    page.fill("#id_input", json.dumps({"input": text}))
    page.click("#start-button")
    page.wait_for_selector("#execution-status:text('SUCCEEDED')", timeout=60_000)
    output = json.loads(page.inner_text("#execution-output"))
    assert output["wordCounts"]["hello"] == 2 and output["tokens"] == 3
    shoot("text-processing")
    assert page.console_errors == []


def test_expanding_a_long_event_keeps_the_page_width(page, stepyard_server, sfn_client, shoot):
    sfn = sfn_client(stepyard_server)
    arn = _machine(sfn, "E2eLongOutput", {"Echo": {"Type": "Pass", "End": True}})
    _execution_page(page, stepyard_server, sfn, arn, name="long-output", input=json.dumps({"k": "y" * 20_000}))
    width = page.evaluate("window.innerWidth")
    for summary in page.locator("#events summary").all():
        summary.click()
    assert _page_width(page) <= width
    page.set_viewport_size({"width": 390, "height": 844})
    assert _page_width(page) <= 390
    shoot("long-event")
    assert page.console_errors == []


def test_a_json_syntax_error_is_short_and_goes_to_its_line(page, stepyard_server, shoot):
    page.goto(stepyard_server + "/state-machines/new")
    broken = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass" "End": true}\n  }\n}'
    set_definition(page, broken)
    diagnostic = page.locator("#diagnostics .diagnostic")
    diagnostic.wait_for()
    text = diagnostic.inner_text()
    assert "line 4, column 27" in text and "StartAt" not in text and "[Source" not in text
    diagnostic.click()
    assert page.inner_text(".cm-activeLineGutter") == "4"
    assert page.locator(".cm-gutter-lint .cm-lint-marker-error").count() == 1
    shoot("json-syntax-error")
    assert page.console_errors == []


def test_message_attributes_sent_from_the_queue_page_are_listed(page, stepyard_server, shoot):
    sqs_client(stepyard_server).create_queue(QueueName="E2eAttributes")
    page.goto(stepyard_server + "/queues/E2eAttributes/")
    page.fill("#id_body", '{"hello": 1}')
    page.fill("input[name=attr_name_0]", "priority")
    page.fill("input[name=attr_value_0]", "<b>high</b>")
    page.click("#send-button")
    page.wait_for_selector("text=Sent message")
    attributes = page.locator("#peek-rows .message-attributes")
    assert "priority" in attributes.inner_text() and "<b>high</b>" in attributes.inner_text()
    assert page.locator("#peek-rows .message-attributes b").count() == 0
    shoot("message-attributes")
    assert page.console_errors == []


def test_head_answers_like_get_and_every_page_has_a_favicon(page, stepyard_server):
    page.goto(stepyard_server + "/state-machines/")
    for path in ("/", "/state-machines/", "/executions/", "/callbacks/"):
        status = page.evaluate(f"fetch('{path}', {{method: 'HEAD', redirect: 'manual'}}).then(r => r.status)")
        assert status in (0, 200, 302), (path, status)  # 0: an opaque (manual) redirect
    icon = page.evaluate("fetch(document.querySelector('link[rel=icon]').href).then(r => r.status)")
    assert icon == 200
    assert page.console_errors == []


def test_ids_are_unique_and_the_history_export_is_named_after_the_execution(page, stepyard_server, sfn_client):
    sfn = sfn_client(stepyard_server)
    arn = _machine(sfn, "E2eUniqueIds", {"Echo": {"Type": "Pass", "End": True}})
    _execution_page(page, stepyard_server, sfn, arn, name="export-me")
    duplicates = page.evaluate(
        "(() => { const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);"
        " return ids.filter((id, i) => ids.indexOf(id) !== i); })()")
    assert duplicates == []
    with page.expect_download() as download:
        page.click("a:text('Export JSON')")
    assert download.value.suggested_filename == "export-me-history.json"
    page.goto(stepyard_server + "/state-machines/new")
    page.wait_for_selector("#graph svg")
    assert page.locator("#graph").count() == 1
    assert page.console_errors == []


def test_a_phone_can_use_the_navigation_tables_and_the_inbox(page, stepyard_server, sfn_client, shoot):
    sfn = sfn_client(stepyard_server)
    url = sqs_client(stepyard_server).create_queue(QueueName="E2ePhoneInbox")["QueueUrl"]
    arn = _machine(sfn, "E2ePhone", {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": url, "MessageBody": {"TaskToken.$": "$$.Task.Token"}}, "End": True}})
    sfn.start_execution(stateMachineArn=arn, name="phone-approval")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/state-machines/", "/executions/", "/queues/", "/queues/E2ePhoneInbox/", "/functions/",
                 "/topics/", "/samples/", "/state-machines/new", "/state-machines/E2ePhone/",
                 "/state-machines/E2ePhone/versions/", "/state-machines/E2ePhone/revisions/1",
                 "/executions/?text=x&min_s=1"):
        page.goto(stepyard_server + path)
        assert _page_width(page) <= 390, path
    page.goto(stepyard_server + "/executions/?q=phone-approval")
    page.click("#execution-table a:text('phone-approval')")
    page.wait_for_selector("#graph.zoomable")  # the page's script has run
    page.click("#tab-timeline")
    page.wait_for_selector(".timeline-bar")
    assert _page_width(page) <= 390
    page.click("#s-Ask")  # the step panel comes into view below the tables
    assert page.locator("#step-details .step-name").bounding_box()["y"] < 844
    assert page.locator("#step-details .callback-actions button:text('Approve (SendTaskSuccess)')").count() == 1
    shoot("phone-execution")
    assert page.is_hidden("#main-nav")
    page.click("#nav-toggle")
    page.click("#main-nav a:text('Callbacks')")
    row = page.locator("#callback-rows tr", has_text="phone-approval")
    row.wait_for(timeout=10_000)
    assert _page_width(page) <= 390
    for button in (row.locator(".approve-button"), row.locator("button:text('Reject')")):
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    shoot("phone-inbox")
    row.locator(".approve-button").click()
    page.wait_for_selector("text=Approved Ask of phone-approval.")
    assert page.console_errors == []
