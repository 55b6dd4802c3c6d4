"""In Chromium: dark mode follows the system; times show in the reader's zone with UTC on
hover; the manual approval sample shows a Wait's firing time, then waits in the inbox."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_queues_e2e import sqs_client

pytestmark = pytest.mark.e2e


@pytest.fixture
def tokyo(browser):
    """A page in Tokyo's time zone whose system prefers dark colours."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, timezone_id="Asia/Tokyo",
                                  color_scheme="dark")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(f"{page.url}: {m.text}"))
    page.on("pageerror", lambda error: page.console_errors.append(f"{page.url}: {error}"))
    yield page
    context.close()


def _background(page, selector: str) -> str:
    return page.evaluate(f"getComputedStyle(document.querySelector({selector!r})).backgroundColor")


def test_the_manual_approval_sample_shows_its_wait_then_waits_in_the_inbox(tokyo, stepyard_server, artefacts):
    page = tokyo
    page.goto(stepyard_server + "/samples/manual-approval/")
    page.click("#run-sample")
    page.click("#started a")
    page.wait_for_selector("#s-Cooling_2d_off_20_period.status-in-progress", timeout=10_000)
    page.click("#s-Cooling_2d_off_20_period")
    fires = page.locator("#step-details .timer-due")
    assert fires.inner_text().startswith("Wait fires at ")
    assert re.search(r"\(in \d", fires.inner_text())
    moment = fires.locator("time")
    assert moment.get_attribute("title").endswith("UTC")
    assert moment.inner_text()[11:13] != moment.get_attribute("title")[11:13]  # Tokyo is nine hours ahead

    assert _background(page, "body") == "rgb(15, 20, 25)"
    assert "status-in-progress" in page.get_attribute("#s-Cooling_2d_off_20_period", "class")
    page.screenshot(path=str(artefacts / "dark-waiting-1440x900.png"))

    page.wait_for_selector("#s-Wait_20_for_20_approval.status-in-progress", timeout=15_000)
    page.goto(stepyard_server + "/callbacks/")
    row = page.locator("#callback-rows tr", has_text="Wait for approval")
    row.wait_for(timeout=10_000)
    created = row.locator("time").first
    assert created.get_attribute("title").endswith("UTC") and not created.inner_text().endswith("UTC")
    row.locator(".approve-button").click()
    page.wait_for_selector("text=Approved Wait for approval")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artefacts / "dark-inbox-390x844.png"))
    assert page.console_errors == []


def test_queue_times_are_dates_and_durations_are_human(page, stepyard_server, sfn_client, shoot):
    sqs_client(stepyard_server).create_queue(QueueName="E2eWhen")
    page.goto(stepyard_server + "/queues/E2eWhen/")
    created = page.locator("dl.facts dt:text-is('CreatedTimestamp') + dd time")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", created.inner_text())
    page.goto(stepyard_server + "/executions/")
    shoot("light-executions")
    assert page.console_errors == []
