"""Starting templates offered by the create form.

They follow the workflows of two AWS tutorials, rewritten for a local Stepyard:
the "Check Inventory" callback of "Orchestrate Queue-based Microservices with
Step Functions and Amazon SQS", and the Express text-processing chain of four
``lambda:invoke`` tasks; and Serverless Workflow's MNS-topic callback flow (FDL, YAML).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_QUEUE_BASE = "http://127.0.0.1:8000/000000000000"

BLANK_DEFINITION = json.dumps(
    {
        "Comment": "A new state machine",
        "StartAt": "Hello",
        "States": {"Hello": {"Type": "Pass", "Result": {"hello": "world"}, "End": True}},
    },
    indent=2,
)


@dataclass(frozen=True)
class Starter:
    key: str
    title: str
    summary: str
    name: str
    machine_type: str
    # ASL as JSON data, or FDL as its YAML text, or a function of the queue URL prefix
    # (``http://<host the user browses>/<account>``) that returns ASL data.
    definition: dict | str | Callable[[str], dict]
    # What the workflow calls, created with the state machine so its first run works:
    # queue names, and (function name, module of console/samples/functions) pairs.
    queues: tuple[str, ...] = ()
    functions: tuple[tuple[str, str], ...] = ()

    def definition_text(self, queue_base: str = DEFAULT_QUEUE_BASE) -> str:
        if isinstance(self.definition, str):
            return self.definition
        data = self.definition(queue_base) if callable(self.definition) else self.definition
        return json.dumps(data, indent=2)


def _lambda_step(title: str, function: str, next_state: str | None) -> dict:
    step: dict = {
        "Type": "Task",
        "Comment": title,
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {
            "FunctionName": f"arn:aws:lambda:us-east-1:000000000000:function:{function}",
            "Payload.$": "$",
        },
        "OutputPath": "$.Payload",
    }
    step.update({"Next": next_state} if next_state else {"End": True})
    return step


INVENTORY_QUEUE = "CheckInventoryQueue"


def _check_inventory(queue_base: str) -> dict:
    return {
        "Comment": "Check Inventory: wait for a queue consumer to answer the task token",
        "StartAt": "Check Inventory",
        "States": {
            "Check Inventory": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {
                    "QueueUrl": f"{queue_base}/{INVENTORY_QUEUE}",
                    "MessageBody": {
                        "MessageTitle": "Callback task started by Stepyard",
                        "TaskToken.$": "$$.Task.Token",
                    },
                },
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Notify Failure"}],
                "Next": "Notify Success",
            },
            "Notify Success": {
                "Type": "Pass",
                "Result": "The inventory check succeeded",
                "End": True,
            },
            "Notify Failure": {
                "Type": "Pass",
                "Result": "The inventory check failed",
                "End": True,
            },
        },
    }


CHECK_INVENTORY = Starter(
    key="check-inventory",
    title="Check Inventory (callback via a queue)",
    summary=(
        f"Sends a message carrying the task token to the queue {INVENTORY_QUEUE} (created with "
        "the state machine) and waits until a worker answers with SendTaskSuccess or "
        "SendTaskFailure: approve it in Callbacks."
    ),
    name="CheckInventory",
    machine_type="STANDARD",
    definition=_check_inventory,
    queues=(INVENTORY_QUEUE,),
)

TEXT_PROCESSING = Starter(
    key="text-processing",
    title="Text processing (Express, four functions)",
    summary="Decodes a base64 text, computes statistics, removes special characters, "
    "then tokenizes and counts words (the four functions are created with the state machine).",
    name="TextProcessing",
    machine_type="EXPRESS",
    definition={
        "Comment": "Express chain of four function calls over one text",
        "StartAt": "Decode base64 string",
        "States": {
            "Decode base64 string": _lambda_step(
                "Decode the base64 input", "DecodeBase64String", "Generate statistics"
            ),
            "Generate statistics": _lambda_step(
                "Count characters and lines", "GenerateStatistics", "Remove special characters"
            ),
            "Remove special characters": _lambda_step(
                "Keep letters, digits and spaces", "RemoveSpecialCharacters", "Tokenize and count"
            ),
            "Tokenize and count": _lambda_step(
                "Split into words and count them", "TokenizeAndCount", None
            ),
        },
    },
    functions=(
        ("DecodeBase64String", "decode_base64"),
        ("GenerateStatistics", "generate_statistics"),
        ("RemoveSpecialCharacters", "remove_special_characters"),
        ("TokenizeAndCount", "tokenize_and_count"),
    ),
)

BLANK_FDL_DEFINITION = """\
version: v1
type: flow
steps:
  - type: pass
    name: hello
    inputMappings:
      - target: hello
        source: world
"""

MNS_TOPIC_CALLBACK = Starter(
    key="fdl-mns-callback",
    title="FDL: MNS topic callback (Serverless Workflow)",
    summary="Publishes the input and the task token to the topic fnf-demo and waits until a "
    "subscriber answers with ReportTaskSucceeded or ReportTaskFailed.",
    name="MnsTopicCallback",
    machine_type="STANDARD",
    definition="""\
version: v1
type: flow
steps:
  - type: task
    name: mns-topic-task
    resourceArn: acs:mns:::/topics/fnf-demo/messages
    pattern: waitForCallback
    inputMappings:
      - target: messageBody
        source: $input.messageBody
      - target: taskToken
        source: $context.task.token
    outputMappings:
      - target: status
        source: $local.status
    serviceParams:
      MessageBody: $
""",
)

STARTERS = {starter.key: starter for starter in (CHECK_INVENTORY, TEXT_PROCESSING, MNS_TOPIC_CALLBACK)}
