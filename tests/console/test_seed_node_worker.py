"""The Callback Pattern Example's Node.js worker, verbatim from the seed, deployed with boto3's
``lambda`` client and driven by the queue-based microservices tutorial's state machine."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile

import boto3
import pytest
from botocore.config import Config

from tests.conftest import ROOT, finished

SEED = ROOT.parent / "shared" / "seeds" / "000_99a3ee74704a8708.txt"
ROLE = "arn:aws:iam::123456789012:role/inventory-lambda-role"

pytestmark = [
    pytest.mark.skipif(not SEED.is_file(), reason="the seeds (../shared/seeds) are not here"),
    pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed (make installs it)"),
    pytest.mark.skipif(not (ROOT / "console/functions/node/sdk/node_modules/aws-sdk").is_dir(),
                       reason="the Node.js SDKs are not installed (make does it)"),
]


def seed_worker_code() -> str:
    """The code block under the seed's "Lambda Callback Example" heading."""
    section = SEED.read_text().split("## Lambda Callback Example", 1)[1]
    match = re.search(r"```[a-z]*\n(.*?)```", section, re.DOTALL)
    assert match, "no code block in the seed's Lambda Callback Example"
    return match.group(1)


def check_inventory(queue_url: str) -> dict:
    """The tutorial's InventoryStateMachine (seed 001), its QueueUrl filled in."""
    return {
        "Comment": "An example of the Amazon States Language for starting a callback task.",
        "StartAt": "Check Inventory",
        "States": {
            "Check Inventory": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {
                    "QueueUrl": queue_url,
                    "MessageBody": {
                        "MessageTitle": "Callback Task started by Step Functions",
                        "TaskToken.$": "$$.Task.Token",
                    },
                },
                "Next": "Notify Success",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Notify Failure"}],
            },
            "Notify Success": {"Type": "Pass", "Result": "Callback Task started by Step Functions succeeded",
                               "End": True},
            "Notify Failure": {"Type": "Pass", "Result": "Callback Task started by Step Functions failed",
                               "End": True},
        },
    }


def client(service: str, url: str):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, read_timeout=60))


def zipped(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def test_the_seeds_node_worker_completes_the_inventory_tutorials_callback(stepyard_server):
    lam, sqs, sfn = (client(s, stepyard_server) for s in ("lambda", "sqs", "stepfunctions"))
    lam.create_function(FunctionName="SeedInventory", Runtime="nodejs16.x", Role=ROLE,
                        Handler="index.lambda_handler", Code={"ZipFile": zipped("index.js", seed_worker_code())})
    queue_url = sqs.create_queue(QueueName="SeedOrders")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    mapping = lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="SeedInventory")
    assert mapping["State"] in ("Creating", "Enabled")
    machine = sfn.create_state_machine(name="InventoryStateMachine", roleArn=ROLE,
                                       definition=json.dumps(check_inventory(queue_url)))["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    described = finished(sfn, execution, timeout=60)
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == "Callback Task started by Step Functions succeeded"
    history = sfn.get_execution_history(executionArn=execution)["events"]
    succeeded = [e for e in history if e["type"] == "TaskSucceeded"]
    assert json.loads(succeeded[0]["taskSucceededEventDetails"]["output"]) == "Callback task completed successfully."
    # No records: the callback is never called, and the empty event loop ends the invocation.
    nothing = lam.invoke(FunctionName="SeedInventory", Payload=json.dumps({"Records": []}))
    assert "FunctionError" not in nothing and nothing["Payload"].read() == b"null"
