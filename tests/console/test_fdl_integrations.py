"""FDL task resources in real executions: MNS topics and queues, Function Compute, callbacks."""

from __future__ import annotations

import hashlib
import json
import textwrap
import time
import uuid

import pytest

from console.models import Delivery, Execution, TaskToken
from console.services import callbacks, executions, functions, machines, queues, topics
from console.workers import scheduler

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("function_dir")]



def drain() -> None:
    for _ in range(10):
        calls = scheduler.claim_due_calls(time.time())
        if not calls:
            return
        for call_id in calls:
            scheduler.perform_call(call_id)


def run_flow(steps: str, input: dict | None = None) -> Execution:
    definition = "version: v1\ntype: flow\nsteps:\n" + textwrap.indent(textwrap.dedent(steps), "  ")
    machine = machines.create_machine(name=f"F{uuid.uuid4().hex[:8]}", definition=definition)
    execution = executions.start_execution(machine, input=json.dumps(input or {}))
    drain()
    execution.refresh_from_db()
    return execution


def task_output(execution: Execution) -> dict:
    return json.loads(execution.output)


def failure(execution: Execution) -> tuple[str, str]:
    assert execution.status == "FAILED", execution.status
    return execution.error, execution.cause


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()


# --------------------------------------------------------------------------- MNS queues


def test_it_sends_the_message_body_to_the_named_queue_and_answers_like_mns():
    queue = queues.create_queue("orders")
    execution = run_flow("""
        - type: task
          name: send
          resourceArn: acs:mns:::/queues/orders/messages
          serviceParams:
            MessageBody: $.order
            Priority: 3
    """, {"order": {"id": 7}})
    assert execution.status == "SUCCEEDED"
    output = task_output(execution)
    message = queues.receive_messages(queue, wait_seconds=0)[0]
    assert message.body == '{"id":7}'
    assert output["MessageBodyMD5"] == md5('{"id":7}')
    assert output["MessageId"] == message.message_id


def test_it_refuses_a_priority_outside_mns_range():
    queues.create_queue("orders")
    execution = run_flow("""
        - type: task
          name: send
          resourceArn: acs:mns:::/queues/orders/messages
          serviceParams:
            MessageBody: hello
            Priority: 17
    """)
    error, cause = failure(execution)
    assert error == "MNS.InvalidArgument"
    assert "Priority" in cause


def test_it_fails_with_queue_not_exist_for_an_unknown_queue():
    execution = run_flow("""
        - type: task
          name: send
          resourceArn: acs:mns:::/queues/nowhere/messages
          serviceParams:
            MessageBody: hello
    """)
    assert failure(execution) == ("MNS.QueueNotExist", "The queue 'nowhere' does not exist in Stepyard.")


def test_a_delayed_message_is_not_visible_at_once():
    queue = queues.create_queue("later")
    run_flow("""
        - type: task
          name: send
          resourceArn: acs:mns:::/queues/later/messages
          serviceParams:
            MessageBody: hello
            DelaySeconds: 60
    """)
    assert queues.receive_messages(queue, wait_seconds=0) == []
    assert queues.counts(queue)["ApproximateNumberOfMessagesDelayed"] == 1


# --------------------------------------------------------------------------- MNS topics


def test_it_publishes_a_json_body_with_its_tag_to_the_named_topic():
    topic = topics.create_topic("fnf-demo")
    inbox = queues.create_queue("inbox")
    topics.subscribe(topic, "sqs", queues.queue_arn(inbox), {"RawMessageDelivery": "true",
                                                             "FilterPolicy": '{"MessageTag": ["blue"]}'})
    execution = run_flow("""
        - type: task
          name: publish
          resourceArn: acs:mns:::/topics/fnf-demo/messages
          serviceParams:
            MessageBody: $
            MessageTag: blue
    """, {"hello": "world"})
    assert execution.status == "SUCCEEDED"
    assert task_output(execution)["MessageBodyMD5"] == md5('{"hello":"world"}')
    delivery = Delivery.objects.get()
    assert json.loads(delivery.body) == {"hello": "world"}


def test_it_fails_with_topic_not_exist_for_an_unknown_topic():
    execution = run_flow("""
        - type: task
          name: publish
          resourceArn: acs:mns:::/topics/missing/messages
          serviceParams:
            MessageBody: hello
    """)
    assert failure(execution)[0] == "MNS.TopicNotExist"


def test_a_missing_message_body_is_reported_and_can_be_caught():
    topics.create_topic("t")
    execution = run_flow("""
        - type: task
          name: publish
          resourceArn: acs:mns:::/topics/t/messages
          catch:
            - errors: [MNS.MessageBodyMissing]
              goto: recovered
        - type: pass
          name: skipped
          end: true
        - type: pass
          name: recovered
    """)
    assert execution.status == "SUCCEEDED"


def test_wait_for_callback_on_a_topic_waits_for_the_token_in_the_message():
    topics.create_topic("fnf-demo")
    execution = run_flow("""
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
    """, {"messageBody": "hello world"})
    assert execution.status == "RUNNING"
    token = TaskToken.objects.get(execution=execution)
    callbacks.send_task_success(token.token, json.dumps({"status": "success", "extra": 1}))
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    assert task_output(execution) == {"status": "success"}


# --------------------------------------------------------------------------- Function Compute


def test_it_invokes_the_function_named_by_the_resource_with_the_step_input(function_dir):
    (function_dir / "hello.py").write_text("def handler(event, context):\n    return {'got': event}\n")
    execution = run_flow("""
        - type: task
          name: hello
          resourceArn: acs:fc:cn-shanghai:123456789:services/fnf_test/functions/hello
    """, {"name": "ada"})
    assert execution.status == "SUCCEEDED"
    assert task_output(execution) == {"got": {"name": "ada"}}


def test_a_service_prefixed_function_is_found_when_the_plain_name_is_not(function_dir):
    functions.create_function("billing-charge", code="def handler(event, context):\n    return {'ok': 1}\n")
    execution = run_flow("""
        - type: task
          name: charge
          resourceArn: acs:fc:cn-hangzhou:1:services/billing/functions/charge
    """)
    assert task_output(execution) == {"ok": 1}


def test_a_function_error_fails_with_its_error_type(function_dir):
    (function_dir / "boom.py").write_text("def handler(event, context):\n    raise KeyError('x')\n")
    execution = run_flow("""
        - type: task
          name: boom
          resourceArn: acs:fc:cn-hangzhou:1:services/s/functions/boom
    """)
    error, cause = failure(execution)
    assert error == "KeyError"
    assert json.loads(cause)["errorType"] == "KeyError"


def test_a_missing_function_fails_with_fc_resource_not_found():
    execution = run_flow("""
        - type: task
          name: ghost
          resourceArn: acs:fc:cn-hangzhou:1:services/s/functions/ghost
    """)
    assert failure(execution)[0] == "FC.ResourceNotFound"
