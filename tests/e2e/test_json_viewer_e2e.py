"""In Chromium: payloads show in collapsible, copyable, searchable viewers; a 200 KB input
keeps the page small and is loaded in full only when asked for."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_rough_edges_e2e import ROLE

pytestmark = pytest.mark.e2e

BIG = {"order": {"id": "<b>A-1</b>", "lines": [{"sku": f"SKU-{i}", "note": "x" * 180} for i in range(1000)]},
       "needle": {"deep": {"deeper": "found-me"}}}


def test_a_200_kb_input_keeps_the_page_small_and_loads_on_demand(page, stepyard_server, sfn_client, shoot):
    sfn = sfn_client(stepyard_server)
    states = {f"Pass {i}": {"Type": "Pass", "Next": f"Pass {i + 1}"} for i in range(5)}
    states["Pass 5"] = {"Type": "Pass", "End": True}
    arn = sfn.create_state_machine(name="E2eBigPayload", roleArn=ROLE,
                                   definition=json.dumps({"StartAt": "Pass 0", "States": states}))["stateMachineArn"]
    text = json.dumps(BIG)
    assert len(text) > 200_000
    execution = sfn.start_execution(stateMachineArn=arn, name="big-payload", input=text)["executionArn"]
    page.goto(stepyard_server + "/executions/")
    link = page.locator("#execution-table a:text('big-payload')").get_attribute("href")
    response = page.goto(stepyard_server + link)
    page.wait_for_selector("#execution-status:text('SUCCEEDED')")
    assert len(response.body()) < 300_000  # 12 events carry it: it would be 2.5 MB in full
    assert execution

    viewer = page.locator("#facts-box .json-viewer").first
    viewer.locator("button.json-load").click()
    viewer.locator(".json-search").fill("found-me")
    viewer.locator(".json-count:text('1 found')").wait_for()
    assert viewer.locator(".json-match").inner_text().endswith('"found-me"')
    assert viewer.locator(".json-line .json-string:text-is('\"<b>A-1</b>\"')").count() == 1
    assert viewer.locator("b").count() == 0

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    viewer.locator("button:text('Copy')").click()
    viewer.locator("button:text('Copied')").wait_for()
    assert json.loads(page.evaluate("navigator.clipboard.readText()")) == BIG

    page.click("#s-Pass_20_3")
    panel = page.locator("#step-details .payload").first
    assert "Load all" in panel.inner_text()
    panel.locator("button.json-load").click()
    panel.locator(".json-search").fill("SKU-999")
    panel.locator(".json-count:text('1 found')").wait_for()
    shoot("big-payload")
    assert page.console_errors == []


def test_a_viewer_collapses_and_events_open_their_details(page, stepyard_server, sfn_client):
    sfn = sfn_client(stepyard_server)
    arn = sfn.create_state_machine(name="E2eViewer", roleArn=ROLE, definition=json.dumps(
        {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    sfn.start_execution(stateMachineArn=arn, name="small-viewer", input=json.dumps({"a": {"b": [1, 2, 3]}}))
    page.goto(stepyard_server + "/executions/")
    page.click("#execution-table a:text('small-viewer')")
    page.wait_for_selector("#execution-status:text('SUCCEEDED')")
    viewer = page.locator("#facts-box .json-viewer").first
    assert viewer.locator(".json-number").count() == 0  # two levels open at first; children drawn when opened
    viewer.locator("button:text('Expand all')").click()
    assert viewer.locator(".json-number:visible").count() == 3
    viewer.locator(".json-toggle").first.click()
    assert viewer.locator(".json-number:visible").count() == 0

    page.locator("#events summary").first.click()
    page.locator("#events .json-viewer").wait_for()  # drawn on the (asynchronous) toggle event
    assert page.locator("#events .json-viewer").count() == 1
    assert page.console_errors == []
