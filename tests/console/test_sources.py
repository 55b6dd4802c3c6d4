"""Event sources driven in-process: queue -> function (Records event, failed batches back to
the queue and on to the dead-letter queue, partial batch failures) and queue -> state
machine (one execution per message, Standard and Express)."""

from __future__ import annotations

import json
import time

import pytest

from console.models import EventSource, Execution
from console.services import machines, queues, sources

pytestmark = pytest.mark.django_db(transaction=True)

RECORDER = '''import json, pathlib

def handler(event, context):
    pathlib.Path({path!r}).write_text(json.dumps(event))
    return {{"seen": len(event["Records"])}}
'''
PARTIAL = '''def handler(event, context):
    bad = [r["messageId"] for r in event["Records"] if r["body"] == "bad"]
    return {"batchItemFailures": [{"itemIdentifier": i} for i in bad]}
'''


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(queues, "clock", fake)
    return fake


@pytest.fixture(autouse=True)
def function_dir(function_dir, tmp_path):
    """The functions directory (tests/console/conftest.py) with this module's functions."""
    directory = function_dir
    (directory / "Recorder.py").write_text(RECORDER.format(path=str(tmp_path / "event.json")))
    (directory / "Broken.py").write_text("def handler(event, context):\n    raise ValueError('no')\n")
    (directory / "Partial.py").write_text(PARTIAL)
    return directory


def test_a_function_gets_the_batch_as_sqs_records_and_the_batch_is_deleted(tmp_path, clock):
    queue = queues.create_queue("Orders")
    source = sources.create_source(queue, EventSource.FUNCTION, "Recorder", batch_size=5)
    queues.send_message(queue, '{"order": 1}', attributes={"kind": {"DataType": "String", "StringValue": "a"}})
    queues.send_message(queue, "plain")
    outcome = sources.poll_once(source)
    assert (outcome.handled, outcome.failed) == (2, 0)
    records = json.loads((tmp_path / "event.json").read_text())["Records"]
    assert [r["body"] for r in records] == ['{"order": 1}', "plain"]
    first = records[0]
    assert first["eventSource"] == "aws:sqs"
    assert first["eventSourceARN"] == "arn:aws:sqs:us-east-1:000000000000:Orders"
    assert first["awsRegion"] == "us-east-1"
    assert first["attributes"]["ApproximateReceiveCount"] == "1"
    assert first["messageAttributes"] == {"kind": {"stringValue": "a", "stringListValues": [],
                                                   "binaryListValues": [], "dataType": "String"}}
    assert set(first) >= {"messageId", "receiptHandle", "md5OfBody", "md5OfMessageAttributes"}
    assert queues.peek(queue) == []
    source.refresh_from_db()
    assert source.messages_processed == 2


def test_a_failed_batch_returns_to_the_queue_and_ends_in_the_dead_letter_queue(clock):
    dead = queues.create_queue("Orders-DLQ")
    queue = queues.create_queue("Orders", {"VisibilityTimeout": "10", "RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": queues.queue_arn(dead), "maxReceiveCount": 2})})
    source = sources.create_source(queue, EventSource.FUNCTION, "Broken")
    queues.send_message(queue, "poison")
    assert sources.poll_once(source).failed == 1
    assert [p.status for p in queues.peek(queue)] == [queues.IN_FLIGHT]
    clock.now += 11
    assert sources.poll_once(source).failed == 1
    clock.now += 11
    assert sources.poll_once(source) is None
    assert queues.peek(queue) == []
    assert [p.message.body for p in queues.peek(dead)] == ["poison"]
    source.refresh_from_db()
    assert source.batches_failed == 2 and "ValueError" in source.last_result


def test_reported_item_failures_keep_only_those_messages(clock):
    queue = queues.create_queue("Orders")
    source = sources.create_source(queue, EventSource.FUNCTION, "Partial", report_batch_item_failures=True)
    for body in ("good", "bad", "good too"):
        queues.send_message(queue, body)
    outcome = sources.poll_once(source)
    assert (outcome.handled, outcome.failed) == (2, 1)
    assert [p.message.body for p in queues.peek(queue)] == ["bad"]


def test_a_source_needs_an_existing_target():
    queue = queues.create_queue("Orders")
    with pytest.raises(Exception, match="Function not found"):
        sources.create_source(queue, EventSource.FUNCTION, "Nowhere")


def wait_for_end(machine_name: str, count: int, timeout: float = 10) -> list[Execution]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = list(Execution.objects.filter(machine_name=machine_name).exclude(status=Execution.RUNNING))
        if len(done) >= count:
            return done
        time.sleep(0.05)
    raise AssertionError(f"{machine_name}: fewer than {count} executions ended")


PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})


@pytest.mark.parametrize("machine_type", ["STANDARD", "EXPRESS"])
def test_a_state_machine_gets_one_execution_per_message_with_the_body_as_input(machine_type):
    machine = machines.create_machine(name=f"Each-{machine_type}", definition=PASS, machine_type=machine_type)
    queue = queues.create_queue("Work")
    source = sources.create_source(queue, EventSource.STATE_MACHINE, machine.name)
    queues.send_message(queue, '{"n": 1}')
    queues.send_message(queue, "not json")
    assert sources.poll_once(source).handled == 2
    ended = wait_for_end(machine.name, 2)
    assert sorted(json.loads(e.output) for e in ended if e.output.startswith("{")) == [{"n": 1}]
    assert "not json" in [json.loads(e.output) for e in ended]
    assert all(e.status == Execution.SUCCEEDED for e in ended)
    assert queues.peek(queue) == []


def test_a_redelivered_message_does_not_start_a_second_execution():
    machine = machines.create_machine(name="Once", definition=PASS)
    queue = queues.create_queue("Work", {"VisibilityTimeout": "0"})
    source = sources.create_source(queue, EventSource.STATE_MACHINE, machine.name)
    queues.send_message(queue, "{}")
    [message] = sources.receive_batch(source, 0)
    sources.process_batch(source, [message])
    sources.process_batch(source, [message])
    assert Execution.objects.filter(machine_name="Once").count() == 1
