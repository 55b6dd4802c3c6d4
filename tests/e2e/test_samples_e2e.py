"""A user runs a sample project from the Samples page in Chromium and sees it finish, then
publishes a test message on one of the topics it created."""

from __future__ import annotations

import pytest

from tests.conftest import server_env, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("samples-e2e")
    process = start_server(server_env(data, STEPYARD_FUNCTIONS_DIR=str(data / "functions")))
    yield process.url
    process.stop()


@pytest.mark.e2e
def test_a_user_runs_the_callback_sample_and_watches_it_succeed(page, server):
    page.goto(server + "/samples/")
    page.click("[data-sample='callback-pattern'] button")
    page.wait_for_selector("#started")
    assert "CallbackExample-Worker" in page.inner_text("#sample-links")
    page.wait_for_selector("#sample-execution-rows .status-succeeded", timeout=30_000)
    page.click("#sample-links a:text('CallbackExample-NotifySuccess')")
    page.wait_for_selector("#delivery-rows .status-delivered", timeout=10_000)
    assert "Callback received." in page.text_content("#delivery-rows")


@pytest.mark.e2e
def test_a_user_publishes_a_test_message_and_sees_its_delivery(page, server):
    page.goto(server + "/topics/CallbackExample-NotifyFailure/")
    page.fill("#id_message", "{not json")
    assert page.is_disabled("#publish-button")
    page.fill("#id_message", '{"who": "<b>Ada</b>"}')
    page.fill("input[name=attr_name_0]", "level")
    page.fill("input[name=attr_value_0]", "high")
    page.click("#publish-button")
    page.wait_for_selector(".message.success")
    page.wait_for_selector("#delivery-rows .status-delivered", timeout=10_000)
    page.click("#delivery-rows details summary")
    body = page.inner_text("#delivery-rows pre")
    assert '{"who": "<b>Ada</b>"}' in body
    assert page.locator("#delivery-rows b").count() == 0
