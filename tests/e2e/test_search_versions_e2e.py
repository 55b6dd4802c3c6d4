"""In Chromium: executions searched by text, duration and date and sorted by column; a
machine's versions published and routed by an alias; revisions compared and restored."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import finished
from tests.e2e.test_rough_edges_e2e import ROLE

pytestmark = pytest.mark.e2e


def _names(page) -> list[str]:
    return page.locator("#execution-table tbody tr td:first-child a").all_inner_texts()


def test_executions_are_searched_and_sorted(page, stepyard_server, sfn_client, shoot):
    sfn = sfn_client(stepyard_server)
    quick = sfn.create_state_machine(name="E2eSearchQuick", roleArn=ROLE, definition=json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    slow = sfn.create_state_machine(name="E2eSearchSlow", roleArn=ROLE, definition=json.dumps(
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}}))["stateMachineArn"]
    runs = [(quick, "srch-b", {"note": "needle in <b>here</b>"}), (quick, "srch-a", {"note": "hay"}),
            (slow, "srch-c", {"note": "needle again"})]
    for arn, name, given in runs:
        finished(sfn, sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(given))["executionArn"])

    page.goto(stepyard_server + "/executions/?q=srch-")
    assert sorted(_names(page)) == ["srch-a", "srch-b", "srch-c"]
    page.fill("input[name=text]", "needle")
    page.click("button:text('Search')")
    assert sorted(_names(page)) == ["srch-b", "srch-c"]
    page.fill("input[name=min_s]", "0.9")
    page.click("button:text('Search')")
    assert _names(page) == ["srch-c"]
    assert page.inner_text("#execution-table td.duration").endswith(" s")

    page.goto(stepyard_server + "/executions/?q=srch-")
    page.click("a[data-sort=name]")
    assert _names(page) == ["srch-a", "srch-b", "srch-c"]
    page.click("a[data-sort=name]")
    assert _names(page) == ["srch-c", "srch-b", "srch-a"]

    later = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(time.time() + 3600))
    page.fill("input[name=after]", later)
    page.click("button:text('Search')")
    assert page.locator("#execution-table").count() == 0 and "match this search" in page.inner_text("main")
    earlier = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(time.time() - 3600))
    page.fill("input[name=after]", earlier)
    page.click("button:text('Search')")
    assert len(_names(page)) == 3
    shoot("executions-search")
    assert page.console_errors == []


def test_versions_are_published_and_routed_by_an_alias(page, stepyard_server, sfn_client, shoot):
    sfn = sfn_client(stepyard_server)
    arn = sfn.create_state_machine(name="E2eVersions", roleArn=ROLE, definition=json.dumps(
        {"StartAt": "One", "States": {"One": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    page.goto(stepyard_server + "/state-machines/E2eVersions/")
    page.click("#versions-link")
    page.click("#publish-button")
    page.wait_for_selector("#versions tr[data-version='1']")
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(
        {"StartAt": "Two", "States": {"Two": {"Type": "Pass", "End": True}}}))
    page.reload()
    page.click("#publish-button")
    page.wait_for_selector("#versions tr[data-version='2']")

    page.fill("#alias-form input[name=alias]", "live")
    page.select_option("#alias-form select[name=version]", "2")
    page.fill("#alias-weight", "80")
    page.select_option("#alias-form select[name=second_version]", "1")
    page.click("#alias-save")
    page.wait_for_selector("text=Created alias live.")
    assert page.locator("[data-alias=live] .route").all_inner_texts() == ["version 2 · 80%", "version 1 · 20%"]
    assert "in an alias" in page.inner_text("#versions tr[data-version='1']")

    page.fill("#alias-form input[name=alias]", "live")
    page.select_option("#alias-form select[name=version]", "1")
    page.select_option("#alias-form select[name=second_version]", "1")
    page.click("#alias-save")
    page.wait_for_selector("text=ValidationException: Routing configuration must contain distinct")
    execution = sfn.start_execution(stateMachineArn=f"{arn}:live")["executionArn"]
    assert finished(sfn, execution)["status"] == "SUCCEEDED"
    shoot("versions")
    assert page.console_errors == []


def test_a_revision_is_compared_and_restored(page, stepyard_server, sfn_client, shoot):
    sfn = sfn_client(stepyard_server)
    old = "Old <b>name</b>"
    arn = sfn.create_state_machine(name="E2eRevisions", roleArn=ROLE, definition=json.dumps(
        {"StartAt": old, "States": {old: {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(
        {"StartAt": "New", "States": {"New": {"Type": "Pass", "End": True}}}))
    page.goto(stepyard_server + "/state-machines/E2eRevisions/revisions/1")
    page.click("#diff-link")
    removed = page.locator("#diff .diff-del").all_inner_texts()
    added = page.locator("#diff .diff-add").all_inner_texts()
    assert any("Old <b>name</b>" in line for line in removed) and any('"New"' in line for line in added)
    assert page.locator("#diff b").count() == 0
    shoot("revision-diff")

    page.goto(stepyard_server + "/state-machines/E2eRevisions/revisions/1")
    page.click("#restore-button")
    page.wait_for_selector("text=Restored revision 1 as revision 3.")
    assert "Old <b>name</b>" in page.inner_text("#definition")
    assert page.console_errors == []
