"""A user creates, validates, views, edits and deletes a state machine in Chromium."""

from __future__ import annotations

import json

import pytest

from tests.e2e.editor import set_definition

pytestmark = pytest.mark.e2e

XSS = "<img src=x onerror=alert(1)>"


def fill_definition(page, document: dict | str) -> None:
    set_definition(page, document)


def test_a_user_authors_a_machine_with_live_validation_and_graph(page, stepyard_server):
    page.goto(stepyard_server + "/state-machines/new")
    page.fill("#id_name", "E2eOrders")

    fill_definition(page, '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}}}')
    page.wait_for_selector(".diagnostic:has-text('MISSING_TRANSITION_TARGET')")
    assert "/States/A/Next" in page.inner_text("#diagnostics")

    fill_definition(page, {"StartAt": XSS, "States": {XSS: {"Type": "Pass", "Next": "Done"},
                                                       "Done": {"Type": "Succeed"}}})
    page.wait_for_selector("#graph svg #s-Done")
    assert page.inner_text("#diagnostics") == "The definition is valid."
    assert XSS in page.inner_text("#graph")
    assert page.locator("#graph img").count() == 0

    page.click("button[type=submit]")
    page.wait_for_url("**/state-machines/E2eOrders/")
    assert page.locator("#graph svg .node.state").count() == 2
    assert XSS in page.inner_text("#graph")
    assert page.locator("img").count() == 0
    assert page.dialogs == []


def test_a_user_edits_then_deletes_a_machine(page, stepyard_server):
    page.goto(stepyard_server + "/state-machines/new?starter=check-inventory")
    page.fill("#id_name", "E2eInventory")
    page.wait_for_selector("#graph svg #s-Notify_20_Success")
    page.click("button[type=submit]")
    page.wait_for_url("**/state-machines/E2eInventory/")
    assert "Catch: States.ALL" in page.inner_text("#graph")

    page.click("text=Edit")
    fill_definition(page, {"StartAt": "Only", "States": {"Only": {"Type": "Succeed"}}})
    page.wait_for_selector("#graph svg #s-Only")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Saved revision 2 of E2eInventory.")
    page.click("#revisions a:text-is('1')")
    page.wait_for_selector("text=earlier revision")
    assert page.locator("#graph svg #s-Check_20_Inventory").count() == 1

    page.goto(stepyard_server + "/state-machines/E2eInventory/delete")
    page.click("#confirm-delete")
    page.wait_for_selector("text=Deleted state machine E2eInventory.")
    assert page.locator("a:text-is('E2eInventory')").count() == 0


def test_a_machine_created_through_the_api_appears_in_an_open_list(page, stepyard_server, sfn_client):
    page.goto(stepyard_server + "/state-machines/")
    page.wait_for_timeout(300)  # the list's websocket is open
    sfn = sfn_client(stepyard_server)
    sfn.create_state_machine(name="E2eFromApi", definition=json.dumps(
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}), roleArn="arn:aws:iam::000000000000:role/r")
    page.wait_for_selector("#machine-table a:text('E2eFromApi')", timeout=5000)
