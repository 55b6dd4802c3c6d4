"""The sample projects: AWS's Callback Pattern Example, the Check Inventory tutorial,
and Process high-volume messages (Express), rebuilt on Stepyard's local services."""

from __future__ import annotations

import base64
import json

from console.functions.code import function_arn
from console.models import EventSource, Queue, StateMachine
from console.samples.kit import (
    Link,
    Run,
    Sample,
    ensure_function,
    ensure_machine,
    ensure_queue,
    ensure_source,
    ensure_topic,
)
from console.services import executions, queues, topics
from console.starters import MNS_TOPIC_CALLBACK

SEND_AND_WAIT = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
PUBLISH = "arn:aws:states:::sns:publish"
HIGH_VOLUME_TEXT = "Hello, Stepyard! Express workflows process high-volume messages: messages, messages, messages."


def _json(value: dict) -> str:
    return json.dumps(value, indent=2)


def _publish(topic_arn: str, message: str) -> dict:
    return {"Type": "Task", "Resource": PUBLISH, "Parameters": {"TopicArn": topic_arn, "Message": message},
            "End": True}


# --------------------------------------------------------------------------- 1. callback pattern


def callback_definition(queue_url: str, success_arn: str, failure_arn: str) -> str:
    return _json({
        "Comment": "An example of the Amazon States Language for starting a task and waiting for a callback.",
        "StartAt": "Start Task And Wait For Callback",
        "States": {
            "Start Task And Wait For Callback": {
                "Type": "Task",
                "Resource": SEND_AND_WAIT,
                "Parameters": {
                    "QueueUrl": queue_url,
                    "MessageBody": {
                        "MessageTitle": "Task started by Step Functions. Waiting for callback with task token.",
                        "TaskToken.$": "$$.Task.Token",
                    },
                },
                "Next": "Notify Success",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Notify Failure"}],
            },
            "Notify Success": _publish(success_arn, "Callback received. Task started by Step Functions succeeded."),
            "Notify Failure": _publish(failure_arn, "Task started by Step Functions failed."),
        },
    })


def run_callback_pattern() -> Run:
    queue = ensure_queue("CallbackExample-Queue")
    success = ensure_topic("CallbackExample-NotifySuccess")
    failure = ensure_topic("CallbackExample-NotifyFailure")
    notifications = ensure_queue("CallbackExample-Notifications")
    for topic in (success, failure):
        topics.subscribe(topic, "sqs", queues.queue_arn(notifications), {"RawMessageDelivery": "true"})
    ensure_function("CallbackExample-Worker", "callback_worker.js")
    ensure_source(queue, EventSource.FUNCTION, "CallbackExample-Worker", batch_size=1)
    machine = ensure_machine("CallbackExample", callback_definition(
        queues.queue_url(queue), success.arn, failure.arn))
    return Run(executions.start_execution(machine, input="{}"))


# --------------------------------------------------------------------------- 2. inventory tutorial


def inventory_definition(queue_url: str) -> str:
    return _json({
        "Comment": "Check Inventory: a callback through the Orders queue, answered by the Inventory function.",
        "StartAt": "Check Inventory",
        "States": {
            "Check Inventory": {
                "Type": "Task",
                "Resource": SEND_AND_WAIT,
                "Parameters": {
                    "QueueUrl": queue_url,
                    "MessageBody": {"MessageTitle": "Callback Task started by Step Functions",
                                    "TaskToken.$": "$$.Task.Token"},
                },
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Notify Failure"}],
                "Next": "Notify Success",
            },
            "Notify Success": {"Type": "Pass", "Result": "Callback Task started by Step Functions succeeded",
                               "End": True},
            "Notify Failure": {"Type": "Pass", "Result": "Callback Task started by Step Functions failed",
                               "End": True},
        },
    })


def run_inventory() -> Run:
    queue = ensure_queue("Orders")
    ensure_function("Inventory", "inventory.js")
    ensure_source(queue, EventSource.FUNCTION, "Inventory", batch_size=1)
    machine = ensure_machine("CheckInventory", inventory_definition(queues.queue_url(queue)))
    return Run(executions.start_execution(machine, input='{"order": "sample"}'))


# --------------------------------------------------------------------------- 3. high-volume messages

TEXT_STEPS = (
    ("Decode base64 string", "HighVolume-DecodeBase64", "decode_base64"),
    ("Generate statistics", "HighVolume-GenerateStatistics", "generate_statistics"),
    ("Remove special characters", "HighVolume-RemoveSpecialCharacters", "remove_special_characters"),
    ("Tokenize and count", "HighVolume-TokenizeAndCount", "tokenize_and_count"),
)
HIGH_VOLUME_MACHINE = "HighVolume-TextProcessing"
HIGH_VOLUME_QUEUE = "HighVolume-Messages"


def text_processing_definition() -> str:
    states = {}
    for position, (state, function, _) in enumerate(TEXT_STEPS):
        step = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload",
                "Parameters": {"FunctionName": function_arn(function), "Payload.$": "$"}}
        following = TEXT_STEPS[position + 1][0] if position + 1 < len(TEXT_STEPS) else None
        step.update({"Next": following} if following else {"End": True})
        states[state] = step
    return _json({"Comment": "Text processing of one queue message, four lambda:invoke steps.",
                  "StartAt": TEXT_STEPS[0][0], "States": states})


def install_high_volume() -> Queue:
    queue = ensure_queue(HIGH_VOLUME_QUEUE)
    for _, function, module in TEXT_STEPS:
        ensure_function(function, module)
    machine = ensure_machine(HIGH_VOLUME_MACHINE, text_processing_definition(), StateMachine.EXPRESS)
    ensure_function("HighVolume-Starter", "starter", environment={"STATE_MACHINE_ARN": machine.arn})
    ensure_source(queue, EventSource.FUNCTION, "HighVolume-Starter", batch_size=10)
    return queue


def run_high_volume() -> Run:
    queue = install_high_volume()
    queues.send_message(queue, base64.b64encode(HIGH_VOLUME_TEXT.encode()).decode())
    return Run(note="A base64 message was sent to the queue; the starter function starts an Express execution "
                    "for it (and for every message you send).")


# --------------------------------------------------------------------------- 4. FDL callback flow


def run_fnf_callback() -> Run:
    """Issue 8's sample: an FDL flow publishes to the MNS topic fnf-demo and waits; the
    topic's subscriber function answers with ReportTaskSucceeded."""
    topic = ensure_topic("fnf-demo")
    ensure_function("fnf-demo-subscriber", "fnf_subscriber")
    topics.subscribe(topic, "lambda", function_arn("fnf-demo-subscriber"))
    machine = ensure_machine("FnfMnsCallback", MNS_TOPIC_CALLBACK.definition)
    return Run(executions.start_execution(machine, input=json.dumps({"messageBody": "hello world"})))


# --------------------------------------------------------------------------- 5. manual approval

APPROVAL_QUEUE = "ManualApproval-Requests"


def approval_definition(queue_url: str) -> str:
    """A request waits in the callback inbox until a person approves or rejects it; nothing
    consumes the queue, so the task token is answered from the console (or the API)."""
    return _json({
        "Comment": "Manual approval: waits in Callbacks until someone approves or rejects the request.",
        "StartAt": "Prepare request",
        "States": {
            "Prepare request": {"Type": "Pass", "Parameters": {"request.$": "$", "askedBy": "the approval sample"},
                                "Next": "Cooling-off period"},
            "Cooling-off period": {"Type": "Wait", "Seconds": 5, "Next": "Wait for approval"},
            "Wait for approval": {
                "Type": "Task", "Resource": SEND_AND_WAIT, "TimeoutSeconds": 86400,
                "Parameters": {"QueueUrl": queue_url,
                               "MessageBody": {"request.$": "$.request", "TaskToken.$": "$$.Task.Token"}},
                "ResultPath": "$.decision",
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.rejection", "Next": "Rejected"}],
                "Next": "Approved",
            },
            "Approved": {"Type": "Succeed"},
            "Rejected": {"Type": "Fail", "Error": "Rejected", "Cause": "The request was rejected or timed out."},
        },
    })


def run_manual_approval() -> Run:
    queue = ensure_queue(APPROVAL_QUEUE)
    machine = ensure_machine("ManualApproval", approval_definition(queues.queue_url(queue)))
    execution = executions.start_execution(machine, input=json.dumps({"item": "laptop", "amount": 1299}))
    return Run(execution, note="After a five-second Wait, the request waits in Callbacks: approve or reject it "
                              "there (or on the execution page's Wait for approval step).")


def _links(queues_: tuple[str, ...], topics_: tuple[str, ...], functions_: tuple[str, ...],
           machine: str) -> tuple[Link, ...]:
    return (
        *(Link("Queue", name, "queue-detail", (name,)) for name in queues_),
        *(Link("Topic", name, "topic-detail", (name,)) for name in topics_),
        *(Link("Function", name, "function-detail", (name,)) for name in functions_),
        Link("Event sources", "queue → function", "source-list"),
        Link("State machine", machine, "machine-detail", (machine,)),
    )


SAMPLES = [
    Sample("callback-pattern", "Callback Pattern Example",
           "A Task sends a message with a task token to a queue and waits; a function triggered by the queue "
           "calls SendTaskSuccess with the token; the workflow then publishes to the Notify Success topic "
           "(Notify Failure on an error).", "CallbackExample", run_callback_pattern,
           _links(("CallbackExample-Queue", "CallbackExample-Notifications"),
                  ("CallbackExample-NotifySuccess", "CallbackExample-NotifyFailure"),
                  ("CallbackExample-Worker",), "CallbackExample")),
    Sample("inventory", "Check Inventory (queue-based microservices tutorial)",
           "Check Inventory puts an order message carrying a task token on the Orders queue; the Inventory "
           "function, triggered by the queue, answers the callback.", "CheckInventory", run_inventory,
           _links(("Orders",), (), ("Inventory",), "CheckInventory")),
    Sample("high-volume", "Process high-volume messages (Express)",
           "Messages on a queue trigger a starter function that starts one Express execution per message; "
           "each runs four text-processing functions: decode base64, generate statistics, remove special "
           "characters, tokenize and count.", HIGH_VOLUME_MACHINE, run_high_volume,
           _links((HIGH_VOLUME_QUEUE,), (), ("HighVolume-Starter", *(f for _, f, _ in TEXT_STEPS)),
                  HIGH_VOLUME_MACHINE)),
    Sample("manual-approval", "Manual approval (a callback that waits for you)",
           "A request waits five seconds, then waits for a person: its task token sits in the Callbacks inbox "
           "until you approve (SendTaskSuccess) or reject (SendTaskFailure) it. Nothing answers it for you, so "
           "you can watch a waiting workflow: the live graph, the Timeline tab and the inbox.",
           "ManualApproval", run_manual_approval,
           (Link("Callbacks", "Callback inbox", "callback-list"),
            Link("Queue", APPROVAL_QUEUE, "queue-detail", (APPROVAL_QUEUE,)),
            Link("State machine", "ManualApproval", "machine-detail", ("ManualApproval",)))),
    Sample("fnf-callback", "Serverless Workflow callback flow (FDL)",
           "A flow written in FDL publishes a message carrying its task token to the MNS topic fnf-demo and "
           "waits (pattern: waitForCallback); the topic's subscriber function answers with ReportTaskSucceeded, "
           "and the flow ends with {\"status\": \"success\"}.", "FnfMnsCallback", run_fnf_callback,
           (Link("Topic", "fnf-demo", "topic-detail", ("fnf-demo",)),
            Link("Function", "fnf-demo-subscriber", "function-detail", ("fnf-demo-subscriber",)),
            Link("State machine", "FnfMnsCallback", "machine-detail", ("FnfMnsCallback",)))),
]
