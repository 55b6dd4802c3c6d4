"""FDL flows through the AWS API (the text comes back unchanged) and FnF's callback API
(ReportTaskSucceeded / ReportTaskFailed at /fnf/)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import boto3
import pytest
from botocore.config import Config

from console.models import Execution, HistoryEvent, TaskToken
from console.services import executions, machines, queues
from console.workers import scheduler

ROLE = "arn:aws:iam::000000000000:role/test"
WAITING_FLOW = """\
version: v1
type: flow
steps:
  - type: task
    name: ask
    resourceArn: acs:mns:::/queues/asks/messages
    pattern: waitForCallback
    inputMappings:
      - target: token
        source: $context.task.token
    serviceParams:
      MessageBody: $
    catch:
      - errors: [Rejected]
        goto: rejected
  - type: succeed
    name: approved
  - type: fail
    name: rejected
    error: Rejected
    cause: the reviewer said no
"""


def drain() -> None:
    for call_id in scheduler.claim_due_calls(time.time()):
        scheduler.perform_call(call_id)


@pytest.fixture
def waiting(db) -> tuple[Execution, str]:
    queues.create_queue("asks")
    machine = machines.create_machine(name=f"Ask{uuid.uuid4().hex[:6]}", definition=WAITING_FLOW)
    execution = executions.start_execution(machine, input="{}")
    drain()
    return execution, TaskToken.objects.get(execution=execution).token


def report(client, action: str, **params: str):
    return client.post("/fnf/?" + urllib.parse.urlencode({"Action": action, **params}))


def test_report_task_succeeded_ends_the_wait_with_the_output(client, waiting):
    execution, token = waiting
    response = report(client, "ReportTaskSucceeded", TaskToken=token, Output='{"status": "success"}')
    assert response.status_code == 200
    body = response.json()
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    event = HistoryEvent.objects.get(execution=execution, event_id=body["EventId"])
    assert event.type == "TaskSucceeded"
    assert body["RequestId"]


def test_report_task_failed_fails_the_task_with_error_and_cause(client, waiting):
    execution, token = waiting
    response = report(client, "ReportTaskFailed", TaskToken=token, Error="Rejected", Cause="no")
    assert response.status_code == 200
    execution.refresh_from_db()
    assert (execution.status, execution.error) == ("FAILED", "Rejected")
    assert HistoryEvent.objects.get(execution=execution, event_id=response.json()["EventId"]).type == "TaskFailed"


def test_a_json_body_answers_too_with_output_as_json(client, waiting):
    execution, token = waiting
    response = client.post("/fnf/?Action=ReportTaskSucceeded",
                           data=json.dumps({"TaskToken": token, "Output": {"status": "ok"}}),
                           content_type="application/json")
    assert response.status_code == 200
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output) == {"status": "ok"}


def test_a_form_post_answers_too(client, waiting):
    execution, token = waiting
    response = client.post("/fnf/?Action=ReportTaskSucceeded", {"TaskToken": token, "Output": "{}"})
    assert response.status_code == 200


def test_an_answered_token_is_task_already_completed(client, waiting):
    _, token = waiting
    report(client, "ReportTaskSucceeded", TaskToken=token, Output="{}")
    response = report(client, "ReportTaskFailed", TaskToken=token, Error="Late")
    assert response.status_code == 400
    assert response.json()["Code"] == "TaskAlreadyCompleted"
    assert response.json()["Message"] == f"Task {token} has already completed."


def test_an_unknown_token_is_an_invalid_argument(client, db):
    response = report(client, "ReportTaskSucceeded", TaskToken="nope", Output="{}")
    assert response.status_code == 400
    assert response.json()["Code"] == "InvalidArgument"
    assert set(response.json()) == {"Code", "Message", "RequestId", "HostId"}


def test_output_that_is_not_json_is_an_invalid_argument(client, waiting):
    execution, token = waiting
    response = report(client, "ReportTaskSucceeded", TaskToken=token, Output="not json")
    assert response.json()["Code"] == "InvalidArgument"
    execution.refresh_from_db()
    assert execution.status == "RUNNING"


@pytest.mark.parametrize("params, code", [
    ({"Action": "ReportTaskSucceeded", "Output": "{}"}, "MissingRequiredParams"),
    ({"Action": "ReportTaskSucceeded", "TaskToken": "t"}, "MissingRequiredParams"),
    ({"Action": "ReportTaskFailed", "TaskToken": "t"}, "MissingRequiredParams"),
    ({"TaskToken": "t"}, "MissingRequiredParams"),
    ({"Action": "StartExecution"}, "ActionNotSupported"),
    ({"Action": "ReportTaskSucceeded", "Version": "2024-01-01"}, "APIVersionNotSupported"),
])
def test_bad_requests_get_fnf_error_codes(client, db, params, code):
    response = client.get("/fnf/?" + urllib.parse.urlencode(params))
    assert (response.status_code, response.json()["Code"]) == (400, code)


def test_the_request_id_given_is_echoed(client, db):
    response = client.get("/fnf/?Action=Nope&RequestId=mine-1")
    assert response.json()["RequestId"] == "mine-1"


# --------------------------------------------------------------------------- live server


@pytest.fixture
def sfn(stepyard_server, sfn_client):
    return sfn_client(stepyard_server)


def test_the_api_keeps_the_fdl_text_as_given(sfn):
    arn = sfn.create_state_machine(name="FdlApi", definition=WAITING_FLOW, roleArn=ROLE)["stateMachineArn"]
    assert sfn.describe_state_machine(stateMachineArn=arn)["definition"] == WAITING_FLOW
    changed = WAITING_FLOW.replace("the reviewer said no", "no, sorry")
    sfn.update_state_machine(stateMachineArn=arn, definition=changed)
    assert sfn.describe_state_machine(stateMachineArn=arn)["definition"] == changed
    assert sfn.validate_state_machine_definition(definition=changed)["result"] == "OK"


def test_the_api_reports_located_fdl_errors(sfn):
    bad = WAITING_FLOW.replace("pattern: waitForCallback", "pattern: waitForCallbak")
    found = sfn.validate_state_machine_definition(definition=bad)
    assert found["result"] == "FAIL"
    assert found["diagnostics"][0]["location"] == "/steps/0/pattern"
    assert "(line 7, column 14)" in found["diagnostics"][0]["message"]
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        sfn.create_state_machine(name="FdlBad", definition=bad, roleArn=ROLE)


def test_report_task_succeeded_over_http_on_the_live_server(stepyard_server, sfn):
    sqs = boto3.client("sqs", endpoint_url=stepyard_server, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    queue_url = sqs.create_queue(QueueName="asks")["QueueUrl"]
    arn = sfn.create_state_machine(name="FdlLive", definition=WAITING_FLOW, roleArn=ROLE)["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    message = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=10)["Messages"][0]
    token = json.loads(message["Body"])["token"]
    query = urllib.parse.urlencode({"Action": "ReportTaskSucceeded", "TaskToken": token, "Output": "{}"})
    with urllib.request.urlopen(urllib.request.Request(f"{stepyard_server}/fnf/?{query}", method="POST")) as reply:
        assert json.load(reply)["EventId"] > 0
    assert _final_status(sfn, run) == "SUCCEEDED"
    with pytest.raises(urllib.error.HTTPError) as again:
        urllib.request.urlopen(urllib.request.Request(f"{stepyard_server}/fnf/?{query}", method="POST"))
    assert json.load(again.value)["Code"] == "TaskAlreadyCompleted"
    # A form-encoded body naming an Action reaches the FnF API, not the SNS query protocol.
    form = urllib.request.Request(f"{stepyard_server}/fnf/", data=query.encode(), method="POST",
                                  headers={"Content-Type": "application/x-www-form-urlencoded",
                                           "Authorization": "acs test:signature"})  # as FnF's SDK signs
    with pytest.raises(urllib.error.HTTPError) as as_form:
        urllib.request.urlopen(form)
    assert json.load(as_form.value)["Code"] == "TaskAlreadyCompleted"


def _final_status(sfn, execution_arn: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = sfn.describe_execution(executionArn=execution_arn)["status"]
        if status != "RUNNING":
            return status
        time.sleep(0.1)
    return "RUNNING"


def test_an_express_flow_sends_to_a_queue_and_answers_synchronously(stepyard_server):
    keys = {"endpoint_url": stepyard_server, "region_name": "us-east-1", "aws_access_key_id": "test",
            "aws_secret_access_key": "test"}
    sqs = boto3.client("sqs", **keys)
    # StartSyncExecution's "sync-" host prefix would name another host.
    sfn = boto3.client("stepfunctions", config=Config(inject_host_prefix=False), **keys)
    queue_url = sqs.create_queue(QueueName="express-mns")["QueueUrl"]
    flow = ("version: v1\ntype: flow\nsteps:\n  - type: task\n    name: send\n"
            "    resourceArn: acs:mns:::/queues/express-mns/messages\n    serviceParams:\n      MessageBody: $.text\n")
    arn = sfn.create_state_machine(name="FdlExpress", definition=flow, roleArn=ROLE,
                                   type="EXPRESS")["stateMachineArn"]
    answer = sfn.start_sync_execution(stateMachineArn=arn, input='{"text": "fast"}')
    assert answer["status"] == "SUCCEEDED"
    message = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=5)["Messages"][0]
    assert message["Body"] == "fast"
    assert json.loads(answer["output"])["MessageId"] == message["MessageId"]
