"""TestState through a real boto3 client: one state run with mocks, inspection levels and
AWS's request checks."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config

ROLE = "arn:aws:iam::000000000000:role/test"


@pytest.fixture
def sfn(stepyard_server):
    # TestState is a "sync-" host-prefixed operation; the endpoint serves it on its own host.
    return boto3.client("stepfunctions", endpoint_url=stepyard_server, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))


def test_it_runs_a_single_pass_state_and_shows_inspection_data(sfn):
    state = {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"},
             "ResultPath": "$.r", "Next": "After"}
    answer = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, input='{"n": 4}',
                            inspectionLevel="DEBUG")
    assert answer["status"] == "SUCCEEDED" and answer["nextState"] == "After"
    assert json.loads(answer["output"]) == {"n": 4, "r": {"doubled": 8}}
    assert json.loads(answer["inspectionData"]["afterParameters"]) == {"doubled": 8}


def test_it_runs_the_named_state_of_a_whole_machine_with_a_mocked_task(sfn):
    machine = {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Catch": [{"ErrorEquals": ["Oops"], "Next": "Handle"}], "End": True},
        "Handle": {"Type": "Pass", "End": True}}}
    answer = sfn.test_state(definition=json.dumps(machine), stateName="Call", input="{}",
                            mock={"errorOutput": {"error": "Oops", "cause": "mocked"}})
    assert (answer["status"], answer["nextState"], answer["error"]) == (
        "CAUGHT_ERROR", "Handle", "Oops")
    ok = sfn.test_state(definition=json.dumps(machine), stateName="Call",
                        mock={"result": '{"Payload": 1}'})
    assert (ok["status"], json.loads(ok["output"])) == ("SUCCEEDED", {"Payload": 1})


@pytest.mark.parametrize("kwargs, code", [
    ({"definition": '{"Type": "Nope"}'}, "InvalidDefinition"),
    ({"definition": "{not json"}, "InvalidDefinition"),
    ({"definition": '{"Type": "Pass", "End": true}', "input": "{oops"}, "InvalidExecutionInput"),
    ({"definition": '{"Type": "Pass", "End": true}', "roleArn": "role"}, "InvalidArn"),
    ({"definition": '{"Type": "Pass", "End": true}', "variables": "[1]"}, "ValidationException"),
    ({"definition": '{"Type": "Pass", "End": true}', "revealSecrets": True},
     "ValidationException"),
    ({"definition": '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}',
      "stateName": "Missing"}, "ValidationException"),
    ({"definition": '{"Type": "Task", "Resource": '
                    '"arn:aws:states:us-east-1:000000000000:activity:a", "End": true}'},
     "ValidationException"),
    ({"definition": '{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}',
      "mock": {"result": "{bad"}}, "ValidationException"),
])
def test_it_refuses_requests_aws_refuses(sfn, kwargs, code):
    with pytest.raises(sfn.exceptions.ClientError) as caught:
        sfn.test_state(**kwargs)
    assert caught.value.response["Error"]["Code"] == code
