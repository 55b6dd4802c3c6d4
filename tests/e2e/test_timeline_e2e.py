"""In Chromium: the Timeline tab draws one bar per state visit, live, with waits and retry
backoffs hatched, Map iterations grouped, zoomable, and a bar opens its step."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_rough_edges_e2e import ROLE

pytestmark = pytest.mark.e2e

DEFINITION = {"StartAt": "Try send", "States": {
    "Try send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                 "Parameters": {"QueueUrl": "http://127.0.0.1:9/000000000000/NoSuchQueue", "MessageBody": "x"},
                 "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}],
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Pause", "ResultPath": "$.error"}],
                 "End": True},
    "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Each"},
    "Each": {"Type": "Map", "ItemsPath": "$.items", "End": True, "ItemProcessor": {
        "StartAt": "Square", "States": {"Square": {"Type": "Pass", "End": True}}}},
}}


def test_the_timeline_shows_visits_waits_retries_and_map_groups(page, stepyard_server, sfn_client, shoot):
    sfn = sfn_client(stepyard_server)
    arn = sfn.create_state_machine(name="E2eTimeline", definition=json.dumps(DEFINITION),
                                   roleArn=ROLE)["stateMachineArn"]
    sfn.start_execution(stateMachineArn=arn, name="timeline", input=json.dumps({"items": [1, 2, 3]}))
    page.goto(stepyard_server + "/executions/")
    page.click("#execution-table a:text('timeline')")
    page.wait_for_selector("#graph.zoomable")  # the page's script has run
    page.click("#tab-timeline")
    assert "tab=timeline" in page.url
    page.wait_for_selector(".timeline-bar.status-in-progress")  # live while it runs
    page.wait_for_selector("#execution-status:text('SUCCEEDED')", timeout=15_000)

    labels = page.locator(".timeline-row:not(.nested) .timeline-label").all_inner_texts()
    assert labels[1:] == ["Try send", "Pause", "Each", "▸ Each: 3 iterations"]
    task = page.locator(".timeline-row:has(.timeline-label:text-is('Try send')) .timeline-bar")
    assert task.locator(".wait").count() >= 1 and task.locator(".work").count() >= 1  # backoff between tries
    assert "status-caught" in task.get_attribute("class")
    assert page.locator(".timeline-row:has(.timeline-label:text-is('Pause')) .wait").count() == 1

    page.click(".timeline-toggle")
    assert page.locator(".timeline-row.nested").count() == 3
    width = page.locator(".timeline-axis .timeline-track").bounding_box()["width"]
    page.click("button[aria-label='Timeline: Zoom in']")
    assert page.locator(".timeline-axis .timeline-track").bounding_box()["width"] > width * 1.4

    page.locator(".timeline-row:has(.timeline-label:text-is('Pause')) .timeline-bar").click()
    assert page.inner_text("#step-details .step-name") == "Pause"
    page.goto(page.url)
    page.wait_for_selector(".timeline-bar")  # the tab comes back with the address
    page.locator("#timeline").scroll_into_view_if_needed()
    shoot("timeline")
    assert page.console_errors == []
