"""A Node.js function in the console, in Chromium: created with its runtime, invoked with a
test event, its answer and Lambda-formatted logs shown, then an error shown with its type."""

from __future__ import annotations

import shutil

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed (make installs it)"),
]

CODE = """exports.handler = async (event, context) => {
  console.log('greeting', event.who);
  if (event.fail) throw new TypeError('no greeting for ' + event.who);
  return { hello: event.who, from: context.functionName };
};
"""


def test_a_user_creates_and_invokes_a_node_function(page, stepyard_server):
    page.goto(stepyard_server + "/functions/new")
    page.wait_for_load_state("load")
    page.fill("#id_name", "NodeGreeter")
    page.select_option("#id_runtime", "nodejs20.x")
    page.fill("#id_handler", "index.handler")
    page.fill("#id_code", CODE)
    page.click("#save-button")
    page.wait_for_url("**/functions/NodeGreeter/**")
    page.wait_for_load_state("load")
    assert "nodejs20.x" in page.inner_text("main")
    assert "console.log('greeting', event.who);" in page.inner_text("#function-code")

    page.fill("#id_event", '{"who": "<i>Ada</i>"}')
    page.click("#invoke-button")
    page.wait_for_selector("#invocation-result")
    output = page.inner_text("#invocation-result .invocation-output")
    assert '"hello": "<i>Ada</i>"' in output or '"hello":"<i>Ada</i>"' in output
    assert page.locator("#invocation-result i").count() == 0
    logs = page.inner_text("#invocation-result .invocation-logs")
    assert "\tINFO\tgreeting <i>Ada</i>" in logs and "REPORT RequestId:" in logs

    page.fill("#id_event", '{"who": "Bob", "fail": true}')
    page.click("#invoke-button")
    page.wait_for_selector("#invocation-result >> text=TypeError")
    assert "no greeting for Bob" in page.inner_text("#invocation-result")
