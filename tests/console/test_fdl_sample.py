"""The Serverless Workflow callback sample of issue 8, end to end on a live Stepyard: the flow
publishes to the topic fnf-demo, the topic pushes the message to a function, the function
reads the token and answers with ReportTaskSucceeded, and the flow ends with its output."""

from __future__ import annotations

import json
import time
import urllib.request

import boto3
import pytest
from botocore.config import Config

from console.starters import MNS_TOPIC_CALLBACK
from tests.conftest import finished, server_env, start_server

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
ROLE = "arn:aws:iam::000000000000:role/r"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}"

# The subscriber: MNS pushes to it over HTTP in Alibaba Cloud; here the topic invokes it with
# the SNS Records event, the message being the task's serviceParams MessageBody.
SUBSCRIBER = '''\
import json
import os
import urllib.parse
import urllib.request


def handler(event, context):
    for record in event["Records"]:
        message = json.loads(record["Sns"]["Message"])
        answer = {"Action": ACTION, "TaskToken": message["taskToken"]}
        answer.update(PARAMETERS)
        url = os.environ["AWS_ENDPOINT_URL"].rstrip("/") + "/fnf/?" + urllib.parse.urlencode(answer)
        with urllib.request.urlopen(urllib.request.Request(url, method="POST")) as reply:
            print(message["messageBody"], reply.read().decode())
    return {"reported": len(event["Records"])}
'''
SUCCEEDS = SUBSCRIBER.replace("ACTION", '"ReportTaskSucceeded"').replace(
    "PARAMETERS", '{"Output": json.dumps({"status": "success"})}')
FAILS = SUBSCRIBER.replace("ACTION", '"ReportTaskFailed"').replace(
    "PARAMETERS", '{"Error": "Rejected", "Cause": "the subscriber said no"}')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("fdl-sample")
    functions = data / "functions"
    functions.mkdir()
    (functions / "FnfDemoSubscriber.py").write_text(SUCCEEDS)
    (functions / "FnfDemoRejecter.py").write_text(FAILS)
    process = start_server(server_env(data, STEPYARD_FUNCTIONS_DIR=str(functions)))
    yield process
    process.stop()


def client(server, name: str):
    return boto3.client(name, endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


def install(server, topic: str, subscriber: str, machine: str) -> str:
    """The sample's resources: topic, the function subscribed to it, the flow; the flow's ARN."""
    sns = client(server, "sns")
    topic_arn = sns.create_topic(Name=topic)["TopicArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=FUNCTION_ARN.format(subscriber))
    definition = MNS_TOPIC_CALLBACK.definition.replace("/topics/fnf-demo/", f"/topics/{topic}/")
    sfn = client(server, "stepfunctions")
    return sfn.create_state_machine(name=machine, definition=definition, roleArn=ROLE)["stateMachineArn"]


def test_the_sample_succeeds_with_the_subscribers_output(server):
    machine_arn = install(server, "fnf-demo", "FnfDemoSubscriber", "FnfMnsCallback")
    sfn = client(server, "stepfunctions")
    run = sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps({"messageBody": "hello world"}))
    described = finished(sfn, run["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"status": "success"}
    events = sfn.get_execution_history(executionArn=run["executionArn"])["events"]
    types = [event["type"] for event in events]
    assert types[types.index("TaskScheduled"):types.index("TaskSucceeded") + 1] == [
        "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    scheduled = next(e for e in events if e["type"] == "TaskScheduled")["taskScheduledEventDetails"]
    assert scheduled["resource"] == "acs:mns:::/topics/fnf-demo/messages.waitForTaskToken"
    assert json.loads(scheduled["parameters"])["MessageBody"]["messageBody"] == "hello world"


def test_a_subscriber_that_reports_failure_fails_the_flow(server):
    machine_arn = install(server, "fnf-demo-no", "FnfDemoRejecter", "FnfMnsRejected")
    sfn = client(server, "stepfunctions")
    run = sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps({"messageBody": "hello world"}))
    described = finished(sfn, run["executionArn"])
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED", "Rejected", "the subscriber said no")


def test_a_waiting_token_is_in_the_callback_inbox_until_reported(server):
    machine_arn = install(server, "fnf-demo-nobody", "Nobody", "FnfMnsInbox")
    sfn = client(server, "stepfunctions")
    run = sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps({"messageBody": "hi"}))
    inbox = _inbox(server)
    deadline = time.monotonic() + 10
    while "mns-topic-task" not in inbox and time.monotonic() < deadline:
        time.sleep(0.2)
        inbox = _inbox(server)
    assert "mns-topic-task" in inbox and "FnfMnsInbox" in inbox
    history = sfn.get_execution_history(executionArn=run["executionArn"])["events"]
    token = json.loads(next(e for e in history if e["type"] == "TaskScheduled")
                       ["taskScheduledEventDetails"]["parameters"])["MessageBody"]["taskToken"]
    sfn.send_task_success(taskToken=token, output='{"status": "approved elsewhere"}')
    assert json.loads(finished(sfn, run["executionArn"])["output"]) == {"status": "approved elsewhere"}
    assert "FnfMnsInbox" not in _inbox(server)


def _inbox(server) -> str:
    with urllib.request.urlopen(server.url + "/callbacks/") as page:
        return page.read().decode()
