"""State machine actions through real boto3 clients against a running Stepyard."""

from __future__ import annotations

import json
import urllib.request

import boto3
import pytest
from botocore.config import Config

DEFINITION = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
ROLE = "arn:aws:iam::000000000000:role/test"


@pytest.fixture
def sfn(stepyard_server):
    return boto3.client(
        "stepfunctions",
        endpoint_url=stepyard_server,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def test_it_creates_describes_updates_lists_and_deletes(sfn):
    arn = sfn.create_state_machine(name="ApiOne", definition=DEFINITION, roleArn=ROLE)["stateMachineArn"]
    assert arn == "arn:aws:states:us-east-1:000000000000:stateMachine:ApiOne"
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert (described["name"], described["type"], described["definition"]) == ("ApiOne", "STANDARD", DEFINITION)
    new = json.dumps({"StartAt": "B", "States": {"B": {"Type": "Succeed"}}})
    updated = sfn.update_state_machine(stateMachineArn=arn, definition=new)
    assert updated["revisionId"] != described["revisionId"]
    assert sfn.describe_state_machine(stateMachineArn=arn)["definition"] == new
    assert arn in [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]]
    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=arn)


def test_it_rejects_an_invalid_definition_with_aws_wording(sfn):
    with pytest.raises(sfn.exceptions.InvalidDefinition) as caught:
        sfn.create_state_machine(name="ApiBad", definition='{"StartAt": "X"}', roleArn=ROLE)
    assert caught.value.response["Error"]["Message"] == (
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "
        "These fields are required: [States] at /'"
    )


def test_it_rejects_bad_names_and_duplicates(sfn):
    with pytest.raises(sfn.exceptions.InvalidName):
        sfn.create_state_machine(name="bad name", definition=DEFINITION, roleArn=ROLE)
    sfn.create_state_machine(name="ApiDup", definition=DEFINITION, roleArn=ROLE)
    other = json.dumps({"StartAt": "B", "States": {"B": {"Type": "Succeed"}}})
    with pytest.raises(sfn.exceptions.StateMachineAlreadyExists):
        sfn.create_state_machine(name="ApiDup", definition=other, roleArn=ROLE)


def test_it_validates_a_definition(sfn):
    result = sfn.validate_state_machine_definition(definition='{"States": {}}', type="STANDARD")
    assert result["result"] == "FAIL"
    assert result["diagnostics"][0]["code"] == "SCHEMA_VALIDATION_FAILED"
    assert sfn.validate_state_machine_definition(definition=DEFINITION)["result"] == "OK"


def test_it_pages_the_state_machine_list(sfn):
    for i in range(3):
        sfn.create_state_machine(name=f"ApiPage{i}", definition=DEFINITION, roleArn=ROLE)
    first = sfn.list_state_machines(maxResults=2)
    assert len(first["stateMachines"]) == 2 and first["nextToken"]
    rest = sfn.list_state_machines(maxResults=1000, nextToken=first["nextToken"])
    seen = [m["name"] for m in first["stateMachines"] + rest["stateMachines"]]
    assert len(seen) == len(set(seen))
    assert {"ApiPage0", "ApiPage1", "ApiPage2"} <= set(seen)


def test_the_api_answers_under_a_path_prefix(stepyard_server):
    client = boto3.client("stepfunctions", endpoint_url=stepyard_server + "/aws", region_name="us-east-1",
                          aws_access_key_id="x", aws_secret_access_key="x")
    assert "stateMachines" in client.list_state_machines()


def post(url: str, target: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("target, body, code", [
    ("AWSStepFunctions.ListStateMachines", b"{not json", "SerializationException"),
    ("AWSStepFunctions.ListStateMachines", b"[1]", "SerializationException"),
    ("AWSStepFunctions.NoSuchThing", b"{}", "UnknownOperationException"),
    ("AWSStepFunctions.CreateStateMachine", b'{"name": 5}', "SerializationException"),
    ("AWSStepFunctions.DescribeStateMachine", b'{"stateMachineArn": "nope"}', "InvalidArn"),
    ("AWSStepFunctions.ListStateMachines", b'{"nextToken": "@@@"}', "InvalidToken"),
    ("AWSStepFunctions.ListStateMachines", b'{"maxResults": "ten"}', "SerializationException"),
    ("AWSStepFunctions.CreateStateMachine",
     b'{"name": "x", "definition": "{}", "roleArn": "arn:aws:iam::0:role/r", "type": "HUGE"}', "ValidationException"),
])
def test_malformed_requests_get_aws_errors_not_500(stepyard_server, target, body, code):
    status, payload = post(stepyard_server, target, body)
    assert status == 400
    assert payload["__type"] == code
