"""Kill a real server with SIGKILL mid-run; after a restart every execution finishes
with a gap-free history identical in event types to an uninterrupted run: no event
lost, none duplicated, and no Wait fired early. The executions loop, wait, and wait
on task tokens answered by a plain boto3 worker through a queue."""

from __future__ import annotations

import json
import random
import time

import boto3

from tests.conftest import server_env, start_server

SCALE = 0.05
WAIT_S = 10  # 0.5 s of real time at SCALE
ROUNDS = 3


def definition(queue_url: str) -> str:
    return json.dumps({
        "StartAt": "Count",
        "States": {
            "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Pause"},
            "Pause": {"Type": "Wait", "Seconds": WAIT_S, "Next": "Again?"},
            "Again?": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": ROUNDS, "Next": "Count"}],
                       "Default": "Ask"},
            "Ask": {
                "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": queue_url, "MessageBody": {"token.$": "$$.Task.Token", "n.$": "$.n"}},
                "ResultPath": "$.answer", "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    })


def clients(url: str):
    kwargs = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    return boto3.client("stepfunctions", **kwargs), boto3.client("sqs", **kwargs)


def answer_tokens(sqs, queue_url: str, sfn, wanted: int, timeout_s: float = 60) -> None:
    """A plain boto3 worker: receive, answer the token, delete. SQS delivers at least once,
    so a token may come twice; its second answer is refused with TaskTimedOut."""
    answered: set[str] = set()
    deadline = time.monotonic() + timeout_s
    while len(answered) < wanted and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1).get("Messages", []):
            body = json.loads(message["Body"])
            try:
                sfn.send_task_success(taskToken=body["token"], output=json.dumps({"seen": body["n"]}))
            except sfn.exceptions.TaskTimedOut:
                assert body["token"] in answered, "a token that was never answered is closed"
            answered.add(body["token"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    assert len(answered) == wanted, f"answered {len(answered)} of {wanted} tokens"


def wait_for_all(sfn, arns, timeout_s=60.0) -> None:
    deadline = time.monotonic() + timeout_s
    pending = set(arns)
    while pending and time.monotonic() < deadline:
        pending = {a for a in pending if sfn.describe_execution(executionArn=a)["status"] == "RUNNING"}
        time.sleep(0.2)
    assert not pending, f"{len(pending)} executions never finished"


def history(sfn, arn) -> list[dict]:
    return sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]


def check(sfn, arn, reference_types) -> None:
    events = history(sfn, arn)
    assert [e["type"] for e in events] == reference_types
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    entered = [e["timestamp"] for e in events if e["type"] == "WaitStateEntered"]
    exited = [e["timestamp"] for e in events if e["type"] == "WaitStateExited"]
    for start, end in zip(entered, exited, strict=True):
        assert (end - start).total_seconds() >= WAIT_S * SCALE - 0.005
    output = json.loads(sfn.describe_execution(executionArn=arn)["output"])
    assert output == {"n": ROUNDS, "answer": {"seen": ROUNDS}}


def test_executions_survive_sigkill_and_resume(tmp_path):
    env = server_env(tmp_path, STEPYARD_TIME_SCALE=str(SCALE))
    server = start_server(env)
    sfn, sqs = clients(server.url)
    queue_url = sqs.create_queue(QueueName="answers")["QueueUrl"]
    machine = sfn.create_state_machine(name="Durable", definition=definition(queue_url),
                                       roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    arns = []
    try:
        for i in range(30):
            arns.append(sfn.start_execution(stateMachineArn=machine, name=f"e{i}", input='{"n": 0}')["executionArn"])
            time.sleep(random.uniform(0, 0.04))
        time.sleep(random.uniform(0.3, 1.5))
    finally:
        server.kill()

    server = start_server(env)
    try:
        sfn, sqs = clients(server.url)
        statuses = {sfn.describe_execution(executionArn=a)["status"] for a in arns}
        assert statuses == {"RUNNING"}  # the kill interrupted every one of them
        reference = sfn.start_execution(stateMachineArn=machine, name="reference", input='{"n": 0}')["executionArn"]
        answer_tokens(sqs, queue_url, sfn, wanted=len(arns) + 1)
        wait_for_all(sfn, arns + [reference])
        reference_types = [e["type"] for e in history(sfn, reference)]
        assert reference_types.count("WaitStateEntered") == ROUNDS and "TaskSubmitted" in reference_types
        for arn in arns:
            check(sfn, arn, reference_types)
    finally:
        server.stop()
