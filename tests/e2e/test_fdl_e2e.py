"""A user authors a Serverless Workflow flow (FDL, YAML) in Chromium with live validation and
graph, then runs the MNS-topic callback sample and watches it succeed."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

from console.starters import MNS_TOPIC_CALLBACK
from tests.conftest import server_env, start_server
from tests.console.test_fdl_sample import FUNCTION_ARN, SUCCEEDS
from tests.e2e.editor import selected_text, set_definition

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::DeprecationWarning")]
TASK_NODE = "#graph #s-mns_2d_topic_2d_task"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("fdl-e2e")
    functions = data / "functions"
    functions.mkdir()
    (functions / "FnfDemoSubscriber.py").write_text(SUCCEEDS)
    process = start_server(server_env(data, STEPYARD_FUNCTIONS_DIR=str(functions)))
    sns = boto3.client("sns", endpoint_url=process.url, region_name="us-east-1", aws_access_key_id="test",
                       aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
    topic = sns.create_topic(Name="fnf-demo")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=FUNCTION_ARN.format("FnfDemoSubscriber"))
    yield process
    process.stop()


def test_a_user_authors_an_fdl_flow_with_a_live_graph(page, server):
    page.goto(server.url + "/state-machines/new")
    page.select_option("#language", "FDL")
    assert page.input_value("#id_definition").startswith("version: v1\ntype: flow")
    assert page.inner_text("#definition-label") == "Definition (Serverless Workflow FDL, YAML)"
    page.wait_for_selector("#graph #s-hello")

    bad = MNS_TOPIC_CALLBACK.definition.replace("pattern: waitForCallback", "pattern: waitForCalback")
    set_definition(page, bad)
    diagnostic = page.wait_for_selector(".diagnostic.error")
    assert "/steps/0/pattern" in diagnostic.inner_text() and "(line 7, column 14)" in diagnostic.inner_text()
    assert "stale" in page.get_attribute("#graph", "class")
    diagnostic.click()
    assert selected_text(page) == "waitForCalback"

    set_definition(page, MNS_TOPIC_CALLBACK.definition)
    page.wait_for_selector(TASK_NODE)
    page.wait_for_selector(".diagnostics .ok")
    page.fill("#id_name", "FnfAuthored")
    page.click("button:text('Create')")
    page.wait_for_selector("text=Created state machine FnfAuthored.")
    assert "source: $context.task.token" in page.inner_text("#definition")
    page.click("#asl-equivalent summary")
    assert '"acs:mns:::/topics/fnf-demo/messages.waitForTaskToken"' in page.inner_text("#asl-equivalent pre")


def test_a_user_runs_the_sample_and_sees_it_succeed(page, server):
    page.goto(server.url + "/state-machines/new?starter=fdl-mns-callback")
    assert page.input_value("#language") == "FDL"
    page.wait_for_selector(TASK_NODE)
    page.click("button:text('Create')")
    page.wait_for_selector("text=Created state machine MnsTopicCallback.")
    page.goto(server.url + "/state-machines/MnsTopicCallback/start")
    page.fill("#id_input", '{"messageBody": "hello world"}')
    page.click("#start-button")
    page.wait_for_selector(f"{TASK_NODE}.status-succeeded", timeout=30_000)
    page.wait_for_selector("#execution-status:text('SUCCEEDED')")
    assert '"status": "success"' in page.inner_text("#execution-output")
    assert page.locator("#graph #start").count() == 1 and page.locator("#graph #end").count() == 1
