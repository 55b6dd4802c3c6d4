"""Each sample project end to end against a live server: run it from the Samples page (one
POST, as the button does), then watch its execution finish with the expected output."""

from __future__ import annotations

import base64
import http.cookiejar
import json
import re
import time
import urllib.parse
import urllib.request

import boto3
import pytest
from botocore.config import Config

from tests.conftest import server_env, start_server

MACHINE_ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:{}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("samples-data")
    process = start_server(server_env(data, STEPYARD_FUNCTIONS_DIR=str(data / "functions")))
    yield process
    process.stop()


def client(server, name: str):
    return boto3.client(name, endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


def run_sample(server, slug: str) -> str:
    """Press the sample's button; return the page it leads to."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{server.url}/samples/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(f"{server.url}/samples/{slug}/run", data=body,
                                     headers={"Referer": f"{server.url}/samples/"})
    with opener.open(request) as response:
        assert response.status == 200
        return response.read().decode()


def wait_for_executions(server, machine: str, count: int, timeout: float = 60) -> list[dict]:
    sfn = client(server, "stepfunctions")
    deadline = time.monotonic() + timeout
    while True:
        listed = sfn.list_executions(stateMachineArn=MACHINE_ARN.format(machine), maxResults=1000)["executions"]
        done = [e for e in listed if e["status"] != "RUNNING"]
        if len(done) >= count or time.monotonic() > deadline:
            return [sfn.describe_execution(executionArn=e["executionArn"]) for e in done]
        time.sleep(0.2)


def test_the_callback_pattern_sample_runs_to_notify_success(server):
    page = run_sample(server, "callback-pattern")
    assert "Started execution" in page and "CallbackExample-Worker" in page
    [execution] = wait_for_executions(server, "CallbackExample", 1)
    assert execution["status"] == "SUCCEEDED"
    assert set(json.loads(execution["output"])) == {"MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}
    sqs = client(server, "sqs")
    url = sqs.get_queue_url(QueueName="CallbackExample-Notifications")["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5).get("Messages", [])
    assert [m["Body"] for m in messages] == ["Callback received. Task started by Step Functions succeeded."]


def test_running_a_sample_again_reuses_what_exists(server):
    run_sample(server, "callback-pattern")
    executions = wait_for_executions(server, "CallbackExample", 2)
    assert [e["status"] for e in executions] == ["SUCCEEDED", "SUCCEEDED"]


def test_the_inventory_sample_is_answered_by_its_function(server):
    run_sample(server, "inventory")
    [execution] = wait_for_executions(server, "CheckInventory", 1)
    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == "Callback Task started by Step Functions succeeded"
    history = client(server, "stepfunctions").get_execution_history(executionArn=execution["executionArn"])
    [answered] = [e for e in history["events"] if e["type"] == "TaskSucceeded"]
    assert json.loads(answered["taskSucceededEventDetails"]["output"])["inventory"] == "in stock"


def test_the_callback_and_inventory_samples_answer_with_node_js_functions_as_aws_do(server):
    run_sample(server, "callback-pattern")  # each test deploys what it reads (they also run alone)
    run_sample(server, "inventory")
    lam = client(server, "lambda")
    for name in ("CallbackExample-Worker", "Inventory"):
        configuration = lam.get_function_configuration(FunctionName=name)
        assert (configuration["Runtime"], configuration["Handler"]) == ("nodejs20.x", "index.handler")


def test_the_high_volume_sample_turns_each_queue_message_into_a_finished_express_execution(server):
    run_sample(server, "high-volume")
    sqs = client(server, "sqs")
    url = sqs.get_queue_url(QueueName="HighVolume-Messages")["QueueUrl"]
    for text in ("one two two", "Hello, World!", "a-b c"):
        sqs.send_message(QueueUrl=url, MessageBody=base64.b64encode(text.encode()).decode())
    executions = wait_for_executions(server, "HighVolume-TextProcessing", 4)
    problems = [(e.get("error"), e.get("cause")) for e in executions]
    assert [e["status"] for e in executions] == ["SUCCEEDED"] * 4, problems
    outputs = {json.loads(e["input"])["input"]: json.loads(e["output"]) for e in executions}
    result = outputs[base64.b64encode(b"one two two").decode()]
    assert result == {"statistics": {"characters": 11, "words": 3, "lines": 1}, "tokens": 3,
                      "wordCounts": {"two": 2, "one": 1}}
    assert outputs[base64.b64encode(b"Hello, World!").decode()]["wordCounts"] == {"hello": 1, "world": 1}


def test_the_fdl_callback_sample_ends_with_status_success(server):
    page = run_sample(server, "fnf-callback")
    assert "Started execution" in page and "fnf-demo-subscriber" in page
    [execution] = wait_for_executions(server, "FnfMnsCallback", 1)
    assert (execution["status"], json.loads(execution["output"])) == ("SUCCEEDED", {"status": "success"})
