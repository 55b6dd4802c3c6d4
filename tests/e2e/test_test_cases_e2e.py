"""A user creates a test case in the console, runs it, sees it pass; breaks the definition,
sees the case fail; then compares the two runs side by side (real Chromium)."""

from __future__ import annotations

import json

import pytest

from tests.e2e.editor import set_definition

pytestmark = pytest.mark.e2e

ROLE = "arn:aws:iam::000000000000:role/stepyard"


def definition(expect: bool) -> dict:
    return {
        "StartAt": "Check",
        "States": {
            "Check": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                      "Parameters": {"FunctionName": "check-order", "Payload.$": "$"},
                      "ResultSelector": {"ok.$": "$.Payload.ok"}, "Next": "Decide"},
            "Decide": {"Type": "Choice", "Default": "Rejected",
                       "Choices": [{"Variable": "$.ok", "BooleanEquals": expect, "Next": "Accepted"}]},
            "Accepted": {"Type": "Pass", "Result": {"accepted": True}, "End": True},
            "Rejected": {"Type": "Fail", "Error": "Rejected", "Cause": "the check said no"},
        },
    }


def verdict_of(page, case: str) -> str:
    row = page.locator(f"#test-case-rows tr[data-case='{case}']")
    return row.get_attribute("data-verdict")


def wait_for_verdict(page, case: str, verdict: str) -> None:
    page.wait_for_selector(f"#test-case-rows tr[data-case='{case}'][data-verdict='{verdict}']", timeout=15000)


def test_a_user_tests_a_machine_with_a_mocked_task_and_compares_runs(page, stepyard_server, sfn_client):
    sfn = sfn_client(stepyard_server)
    sfn.create_state_machine(name="E2eChecked", definition=json.dumps(definition(True)), roleArn=ROLE)

    page.goto(stepyard_server + "/state-machines/E2eChecked/")
    page.click("#test-cases-link")
    page.click("#new-test-case")
    page.fill("#tc-name", "Approved")
    page.fill("#tc-input", '{"order": 7}')
    page.fill("#tc-mocks", json.dumps({"Nope": {"0": {"Return": {}}}}))
    page.click("#save-test-case")
    assert "is not a Task state of E2eChecked (its Task states: Check)" in page.inner_text("#mocks-errors")

    page.fill("#tc-mocks", json.dumps({"Check": {"0": {"Return": {"Payload": {"ok": True}}}}}))
    page.select_option("#tc-status", "SUCCEEDED")
    page.fill("#tc-output", '{"accepted": true}')
    page.click("#save-test-case")
    page.wait_for_selector("text=Saved test case Approved.")

    page.click("#test-case-rows tr[data-case='Approved'] .run-case")
    page.wait_for_url("**/executions/*/")
    page.wait_for_selector("#graph svg .node.status-succeeded >> nth=0")
    assert "test case Approved" in page.inner_text("#test-case-tag")
    passing_url = page.url
    page.goto(stepyard_server + "/state-machines/E2eChecked/test-cases/")
    wait_for_verdict(page, "Approved", "pass")

    # The definition changes: the same mocked answer now leads to Rejected.
    page.goto(stepyard_server + "/state-machines/E2eChecked/edit")
    set_definition(page, definition(False))
    page.click("button[type=submit]")
    page.wait_for_selector("text=Saved revision 2 of E2eChecked.")
    page.click("#test-cases-link")
    page.click("#run-all")
    wait_for_verdict(page, "Approved", "fail")
    assert "status FAILED, expected SUCCEEDED" in page.inner_text("#test-case-rows")

    page.click("#test-case-rows tr[data-case='Approved'] a[href*='/executions/']")
    page.wait_for_selector("#graph svg .node.status-failed >> nth=0")
    failing_pk = page.url.rstrip("/").split("/")[-1]
    passing_pk = passing_url.rstrip("/").split("/")[-1]
    page.click("#compare-link")
    page.select_option("#compare-with", passing_pk)
    page.click("#compare-button")
    page.wait_for_selector("#compare-states")
    assert f"a={failing_pk}" in page.url and f"b={passing_pk}" in page.url
    # Each graph is coloured by its own run: Rejected failed in A, Accepted succeeded in B.
    assert page.locator("#graph-a svg .node.status-failed").count() >= 1
    assert page.locator("#graph-b svg [id='s-Accepted'].status-succeeded").count() == 1
    assert page.locator("#graph-a svg [id='s-Accepted'].status-succeeded").count() == 0
    rows = page.inner_text("#compare-states")
    assert "Rejected" in rows and "not reached" in rows
    assert page.inner_text("#compare-summary").count("FAILED") == 1
