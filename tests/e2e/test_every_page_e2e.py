"""In Chromium: every page of the console, at 1440x900 and 390x844, loads without a console
error or a failed request, fits the phone's width, and is kept as a screenshot."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_queues_e2e import sqs_client
from tests.e2e.test_rough_edges_e2e import ROLE

pytestmark = pytest.mark.e2e


def test_every_page_loads_cleanly_at_both_widths(page, stepyard_server, sfn_client, shoot):
    sfn = sfn_client(stepyard_server)
    arn = sfn.create_state_machine(name="E2eSweep", roleArn=ROLE, definition=json.dumps(
        {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 600, "End": True}}}))["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, name="sweep")["executionArn"]
    sqs_client(stepyard_server).create_queue(QueueName="E2eSweepQueue")
    page.goto(stepyard_server + "/executions/?q=sweep")
    detail = page.locator("#execution-table a:text-is('sweep')").get_attribute("href")
    failed = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    pages = ["/state-machines/", "/state-machines/new", "/state-machines/E2eSweep/",
             "/state-machines/E2eSweep/edit", "/state-machines/E2eSweep/start", "/state-machines/E2eSweep/versions/",
             "/state-machines/E2eSweep/revisions/1", "/executions/", detail, "/queues/", "/queues/new",
             "/queues/E2eSweepQueue/", "/functions/", "/callbacks/", "/topics/", "/event-sources/", "/samples/",
             "/samples/manual-approval/"]
    for path in pages:
        page.goto(stepyard_server + path)
        page.wait_for_load_state("networkidle") if path != detail else page.wait_for_selector("#graph.zoomable")
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        page.set_viewport_size({"width": 1440, "height": 900})
        shoot("page" + path.rstrip("/").replace("/", "-").replace("?", "-"))
    sfn.stop_execution(executionArn=execution)
    assert failed == []
    assert page.console_errors == []
