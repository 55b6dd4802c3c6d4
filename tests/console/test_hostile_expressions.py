"""A JSONata expression that never ends fails its own state and stalls nothing else:
other executions' Waits fire and every API answers meanwhile, and after a SIGKILL and
a restart the failed step is not replayed. TestState gets the same bound."""

from __future__ import annotations

import json
import time

import boto3
from botocore.config import Config

from tests.conftest import finished, server_env, start_server

LOOP = "{% ( $f := function($n){ $f($n + 1) }; $f(0) ) %}"
TIMEOUT_S = "2"


def looping_definition(wait_s: int = 0) -> str:
    return json.dumps({
        "QueryLanguage": "JSONata",
        "StartAt": "Pause",
        "States": {
            "Pause": {"Type": "Wait", "Seconds": wait_s, "Next": "Spin"},
            "Spin": {"Type": "Pass", "Output": LOOP, "End": True},
        },
    })


def waiting_definition(seconds: int) -> str:
    return json.dumps({
        "StartAt": "Pause",
        "States": {"Pause": {"Type": "Wait", "Seconds": seconds, "Next": "Done"}, "Done": {"Type": "Succeed"}},
    })


def clients(url: str):
    kwargs = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t",
                  config=Config(inject_host_prefix=False, retries={"max_attempts": 1}, read_timeout=20))
    return boto3.client("stepfunctions", **kwargs), boto3.client("sqs", **kwargs)


def machine(sfn, name: str, definition: str) -> str:
    return sfn.create_state_machine(name=name, definition=definition,
                                    roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]


def test_it_fails_the_looping_state_while_others_finish(tmp_path):
    server = start_server(server_env(tmp_path, STEPYARD_JSONATA_TIMEOUT_S=TIMEOUT_S))
    try:
        sfn, sqs = clients(server.url)
        looping = sfn.start_execution(stateMachineArn=machine(sfn, "spin", looping_definition()))
        time.sleep(0.3)  # the loop is running now
        waiting = sfn.start_execution(stateMachineArn=machine(sfn, "wait", waiting_definition(1)))
        started = time.monotonic()
        queue = sqs.create_queue(QueueName="during-the-loop")["QueueUrl"]
        sqs.send_message(QueueUrl=queue, MessageBody="hello")
        assert time.monotonic() - started < 1.0, "the API answered slowly during the loop"
        assert finished(sfn, waiting["executionArn"])["status"] == "SUCCEEDED"
        described = finished(sfn, looping["executionArn"])
        assert described["status"] == "FAILED"
        assert described["error"] == "States.QueryEvaluationError"
        assert "D1012" in described["cause"]
    finally:
        server.stop()


def test_a_restart_does_not_replay_the_loop(tmp_path):
    env = server_env(tmp_path, STEPYARD_JSONATA_TIMEOUT_S=TIMEOUT_S)
    server = start_server(env)
    sfn, _ = clients(server.url)
    looping = sfn.start_execution(stateMachineArn=machine(sfn, "spin", looping_definition(1)))
    time.sleep(1.5)  # the Wait has fired: the loop runs
    server.kill()
    server = start_server(env)
    try:
        sfn, sqs = clients(server.url)
        waiting = sfn.start_execution(stateMachineArn=machine(sfn, "wait", waiting_definition(1)))
        assert finished(sfn, waiting["executionArn"])["status"] == "SUCCEEDED"
        assert finished(sfn, looping["executionArn"])["error"] == "States.QueryEvaluationError"
        server.kill()
        server = start_server(env)
        sfn, _ = clients(server.url)
        started = time.monotonic()
        sfn.list_executions(stateMachineArn=waiting["executionArn"].replace(":execution:", ":stateMachine:")
                            .rsplit(":", 1)[0])
        assert time.monotonic() - started < 1.0
        events = sfn.get_execution_history(executionArn=looping["executionArn"])["events"]
        assert [e["type"] for e in events].count("PassStateEntered") == 1
    finally:
        server.stop()


def test_test_state_fails_the_loop_and_others_keep_evaluating(tmp_path):
    server = start_server(server_env(tmp_path, STEPYARD_JSONATA_TIMEOUT_S=TIMEOUT_S))
    try:
        sfn, _ = clients(server.url)
        state = {"QueryLanguage": "JSONata", "Type": "Pass", "Output": LOOP, "End": True}
        result = sfn.test_state(definition=json.dumps(state), roleArn="arn:aws:iam::000000000000:role/r")
        assert result["status"] == "FAILED"
        assert result["error"] == "States.QueryEvaluationError"
        quick = {"QueryLanguage": "JSONata", "Type": "Pass", "Output": "{% 6 * 7 %}", "End": True}
        again = sfn.test_state(definition=json.dumps(quick), roleArn="arn:aws:iam::000000000000:role/r")
        assert again["status"] == "SUCCEEDED" and json.loads(again["output"]) == 42
    finally:
        server.stop()
