"""Node.js handlers calling Stepyard through the SDKs the runtime provides (aws-sdk v2 and
@aws-sdk v3), deployed with boto3's ``lambda`` client against a live server."""

from __future__ import annotations

import base64
import io
import json
import shutil
import zipfile
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from tests.conftest import finished

ROLE = "arn:aws:iam::123456789012:role/lambda-test"
SDK = Path(__file__).resolve().parents[2] / "console" / "functions" / "node" / "sdk" / "node_modules"

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed (make installs it)"),
    pytest.mark.skipif(not (SDK / "aws-sdk").is_dir(), reason="the Node.js SDKs are not installed (make does it)"),
]

V2_QUEUES = """
const AWS = require('aws-sdk');
exports.handler = async (event) => {
  const sqs = new AWS.SQS();
  const { QueueUrl } = await sqs.createQueue({ QueueName: event.queue }).promise();
  await sqs.sendMessage({ QueueUrl, MessageBody: 'hello from v2' }).promise();
  const got = await sqs.receiveMessage({ QueueUrl, WaitTimeSeconds: 1 }).promise();
  await sqs.deleteMessage({ QueueUrl, ReceiptHandle: got.Messages[0].ReceiptHandle }).promise();
  const attributes = await sqs.getQueueAttributes(
    { QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }).promise();
  const topic = await new AWS.SNS().createTopic({ Name: event.topic }).promise();
  return { body: got.Messages[0].Body, attributes: attributes.Attributes, topic: topic.TopicArn };
};
"""

V2_CALLBACK = """
const AWS = require('aws-sdk');
exports.handler = (event, context, callback) => {
  new AWS.StepFunctions().sendTaskSuccess(
    { taskToken: event.token, output: JSON.stringify({ by: 'v2', order: event.order }) },
    (error) => callback(error ? error.message : null));
};
"""

V3_CALLBACK = """
import { SFNClient, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { SNSClient, CreateTopicCommand } from '@aws-sdk/client-sns';
import { LambdaClient, GetFunctionCommand } from '@aws-sdk/client-lambda';

export const handler = async (event, context) => {
  const sqs = new SQSClient({});
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'NodeV3Queue' }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello from v3' }));
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  const topic = await new SNSClient({}).send(new CreateTopicCommand({ Name: 'NodeV3Topic' }));
  const me = await new LambdaClient({}).send(new GetFunctionCommand({ FunctionName: context.functionName }));
  const output = { by: 'v3', body: got.Messages[0].Body, topic: topic.TopicArn, runtime: me.Configuration.Runtime };
  await new SFNClient({}).send(new SendTaskSuccessCommand({ taskToken: event.token, output: JSON.stringify(output) }));
  return 'sent';
};
"""


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def client(service: str, url: str):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, read_timeout=60))


@pytest.fixture(scope="module")
def lam(stepyard_server):
    return client("lambda", stepyard_server)


def deploy(lam, name: str, files: dict[str, str], runtime: str = "nodejs20.x") -> str:
    answer = lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler="index.handler",
                                 Code={"ZipFile": zipped(files)}, Timeout=20, MemorySize=256)
    return answer["FunctionArn"]


def callback_machine(sfn, name: str, function_arn: str) -> str:
    definition = {"StartAt": "Wait", "States": {"Wait": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "End": True,
        "Parameters": {"FunctionName": function_arn,
                       "Payload": {"token.$": "$$.Task.Token", "order.$": "$.order"}}}}}
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]


def test_aws_sdk_v2_sends_receives_and_deletes_messages_and_creates_topics(lam, stepyard_server):
    deploy(lam, "NodeV2Queues", {"index.js": V2_QUEUES}, runtime="nodejs16.x")
    answer = lam.invoke(FunctionName="NodeV2Queues", Payload=json.dumps({"queue": "NodeV2", "topic": "NodeV2Topic"}))
    result = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, result
    assert result["body"] == "hello from v2"
    assert result["attributes"] == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}
    assert result["topic"] == "arn:aws:sns:us-east-1:000000000000:NodeV2Topic"
    assert "NodeV2Topic" in str(client("sns", stepyard_server).list_topics()["Topics"])


@pytest.mark.parametrize("runtime,files,expected", [
    ("nodejs16.x", {"index.js": V2_CALLBACK}, {"by": "v2", "order": 12}),
    ("nodejs22.x", {"index.mjs": V3_CALLBACK}, {
        "by": "v3", "body": "hello from v3", "topic": "arn:aws:sns:us-east-1:000000000000:NodeV3Topic",
        "runtime": "nodejs22.x"}),
], ids=["v2", "v3"])
def test_a_node_handler_completes_a_callback_task_through_the_sdk(lam, stepyard_server, runtime, files, expected):
    sfn = client("stepfunctions", stepyard_server)
    name = f"NodeCallback{expected['by']}"
    machine = callback_machine(sfn, name, deploy(lam, name, files, runtime=runtime))
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"order": 12}))["executionArn"]
    described = finished(sfn, execution, timeout=60)
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == expected


def test_a_callback_handler_using_v3_answers_without_waiting_for_kept_alive_sockets(lam):
    deploy(lam, "NodeV3Callback", {"index.js": """
        const { SFNClient, ListStateMachinesCommand } = require('@aws-sdk/client-sfn');
        exports.handler = (event, context, callback) => {
          new SFNClient({}).send(new ListStateMachinesCommand({}))
            .then((listed) => callback(null, Array.isArray(listed.stateMachines)), callback);
        };
    """})
    answer = lam.invoke(FunctionName="NodeV3Callback", Payload=b"{}", LogType="Tail")
    assert answer["Payload"].read() == b"true"
    report = base64.b64decode(answer["LogResult"]).decode().split("REPORT RequestId:")[1]
    assert float(report.split("Duration: ")[1].split(" ms")[0]) < 5000
