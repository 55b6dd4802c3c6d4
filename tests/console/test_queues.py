"""The queue service: visibility, redelivery, dead letters, FIFO order and dedup, delay, retention."""

from __future__ import annotations

import base64
import contextvars
import json

import pytest

from console import addresses
from console.models import QueueMessage
from console.services import queue_errors
from console.services import queues as service
from console.services.queue_messages import md5_of_attributes

pytestmark = pytest.mark.django_db


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(service, "clock", fake)
    return fake


def receive(queue, **options):
    return service.receive_messages(queue, wait_seconds=0, **options)


def test_it_hides_a_received_message_until_its_visibility_timeout_passes(clock):
    queue = service.create_queue("Orders", {"VisibilityTimeout": "30"})
    service.send_message(queue, "hello")
    first = receive(queue)[0]
    assert receive(queue) == []
    clock.advance(29)
    assert receive(queue) == []
    clock.advance(2)
    second = receive(queue)[0]
    assert second.message_id == first.message_id
    assert second.receipt_handle != first.receipt_handle
    assert second.receive_count == 2


def test_a_visibility_deadline_is_stored_so_it_survives_a_restart(clock):
    queue = service.create_queue("Durable", {"VisibilityTimeout": "60"})
    service.send_message(queue, "x")
    receive(queue)
    stored = QueueMessage.objects.get()
    assert stored.visible_at == clock.now + 60
    clock.advance(61)
    assert receive(service.get_queue("Durable"))[0].receive_count == 2


def test_deleting_with_the_current_handle_removes_the_message(clock):
    queue = service.create_queue("Del")
    service.send_message(queue, "x")
    message = receive(queue)[0]
    service.delete_message(queue, message.receipt_handle)
    clock.advance(3600)
    assert receive(queue) == []


def test_a_stale_handle_does_not_delete_the_redelivered_message(clock):
    queue = service.create_queue("Stale", {"VisibilityTimeout": "1"})
    service.send_message(queue, "x")
    old = receive(queue)[0].receipt_handle
    clock.advance(2)
    receive(queue)
    service.delete_message(queue, old)
    assert QueueMessage.objects.count() == 1


def test_a_poison_message_moves_to_the_dead_letter_queue_after_max_receive_count(clock):
    dead = service.create_queue("Dead")
    policy = json.dumps({"deadLetterTargetArn": service.queue_arn(dead), "maxReceiveCount": "3"})
    source = service.create_queue("Work", {"RedrivePolicy": policy, "VisibilityTimeout": "0"})
    sent = service.send_message(source, "poison")
    for _ in range(3):
        assert receive(source)[0].message_id == sent.message_id
    assert receive(source) == []
    moved = receive(dead)[0]
    assert moved.message_id == sent.message_id and moved.body == "poison"
    assert service.system_attributes(moved)["DeadLetterQueueSourceArn"] == service.queue_arn(source)


def test_a_redrive_policy_must_name_an_existing_queue_of_the_same_type(clock):
    missing = json.dumps({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:Nope", "maxReceiveCount": 1})
    with pytest.raises(queue_errors.InvalidParameterValue, match="does not exist"):
        service.create_queue("A", {"RedrivePolicy": missing})
    fifo = service.create_queue("Dead.fifo", {"FifoQueue": "true"})
    mixed = json.dumps({"deadLetterTargetArn": service.queue_arn(fifo), "maxReceiveCount": 1})
    with pytest.raises(queue_errors.InvalidParameterValue, match="same type"):
        service.create_queue("B", {"RedrivePolicy": mixed})


def test_a_delayed_message_appears_after_its_delay(clock):
    queue = service.create_queue("Later", {"DelaySeconds": "10"})
    service.send_message(queue, "queue default")
    service.send_message(queue, "own delay", delay_seconds=2)
    assert receive(queue, max_number=10) == []
    assert service.counts(queue)["ApproximateNumberOfMessagesDelayed"] == 2
    clock.advance(3)
    assert [m.body for m in receive(queue, max_number=10)] == ["own delay"]
    clock.advance(8)
    assert [m.body for m in receive(queue, max_number=10)] == ["queue default"]


def test_messages_past_the_retention_period_are_gone(clock):
    queue = service.create_queue("Short", {"MessageRetentionPeriod": "60"})
    service.send_message(queue, "old")
    clock.advance(61)
    assert service.counts(queue)["ApproximateNumberOfMessages"] == 0
    assert receive(queue) == []
    assert not QueueMessage.objects.exists()


def test_fifo_delivers_a_group_in_order_one_in_flight_at_a_time(clock):
    queue = service.create_queue("Jobs.fifo", {"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    for body, group in [("a1", "a"), ("b1", "b"), ("a2", "a"), ("b2", "b")]:
        service.send_message(queue, body, group_id=group)
    assert [m.body for m in receive(queue, max_number=10)] == ["a1", "b1", "a2", "b2"]
    assert receive(queue, max_number=10) == []


def test_fifo_holds_back_a_group_while_its_earlier_message_is_in_flight(clock):
    queue = service.create_queue("Hold.fifo", {"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    service.send_message(queue, "a1", group_id="a")
    service.send_message(queue, "a2", group_id="a")
    service.send_message(queue, "b1", group_id="b")
    first = receive(queue)[0]
    assert [m.body for m in receive(queue, max_number=10)] == ["b1"]
    service.delete_message(queue, first.receipt_handle)
    assert [m.body for m in receive(queue, max_number=10)] == ["a2"]


def test_fifo_drops_a_duplicate_within_five_minutes_even_after_delete(clock):
    queue = service.create_queue("Dedup.fifo", {"FifoQueue": "true"})
    first = service.send_message(queue, "x", group_id="g", deduplication_id="d1")
    service.delete_message(queue, receive(queue)[0].receipt_handle)
    again = service.send_message(queue, "x", group_id="g", deduplication_id="d1")
    assert again.message_id == first.message_id
    assert receive(queue) == []
    clock.advance(301)
    later = service.send_message(queue, "x", group_id="g", deduplication_id="d1")
    assert later.message_id != first.message_id


def test_content_based_deduplication_uses_the_body(clock):
    queue = service.create_queue("Body.fifo", {"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    one = service.send_message(queue, "same", group_id="g")
    two = service.send_message(queue, "same", group_id="other")
    three = service.send_message(queue, "different", group_id="g")
    assert one.message_id == two.message_id != three.message_id


def test_fifo_queue_names_and_options_are_checked(clock):
    with pytest.raises(queue_errors.InvalidParameterValue):
        service.create_queue("NoSuffix", {"FifoQueue": "true"})
    with pytest.raises(queue_errors.InvalidParameterValue):
        service.create_queue("Suffix.fifo")
    queue = service.create_queue("Opts.fifo", {"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    with pytest.raises(queue_errors.InvalidParameterValue, match="DelaySeconds"):
        service.send_message(queue, "x", group_id="g", delay_seconds=5)
    standard = service.create_queue("Plain")
    with pytest.raises(queue_errors.InvalidParameterValue):
        service.send_message(standard, "x", deduplication_id="d")


def test_change_visibility_to_zero_makes_a_message_available_again(clock):
    queue = service.create_queue("Change")
    service.send_message(queue, "x")
    message = receive(queue)[0]
    service.change_visibility(queue, message.receipt_handle, 0)
    assert receive(queue)[0].message_id == message.message_id


def test_change_visibility_needs_a_message_in_flight(clock):
    queue = service.create_queue("NotInFlight", {"VisibilityTimeout": "5"})
    service.send_message(queue, "x")
    message = receive(queue)[0]
    clock.advance(6)
    with pytest.raises(queue_errors.MessageNotInflight):
        service.change_visibility(queue, message.receipt_handle, 10)
    fake = base64.urlsafe_b64encode(f"{message.message_id}:{'0' * 48}".encode()).decode()
    with pytest.raises(queue_errors.InvalidParameterValue):
        service.change_visibility(queue, fake, 10)


def test_message_attributes_are_checked_and_digested_as_sqs_does(clock):
    queue = service.create_queue("Attrs")
    binary = base64.b64encode(b"Hello binary world!").decode()
    sent = service.send_message(
        queue, "x", attributes={"binaryAttribute": {"DataType": "Binary", "BinaryValue": binary}}
    )
    # The digest AWS's SDKs compute for this attribute.
    assert sent.md5_of_attributes == "31a92b15d92f8db860eda32aceb656c3"
    assert md5_of_attributes({"attribName1": {"DataType": "String", "StringValue": "attribValue 1"}}) == (
        "19e27d4e946b072f3f58da80d94fd778"
    )
    with pytest.raises(queue_errors.InvalidParameterValue, match="number"):
        service.send_message(queue, "x", attributes={"n": {"DataType": "Number", "StringValue": "abc"}})
    with pytest.raises(queue_errors.InvalidParameterValue):
        service.send_message(queue, "x", attributes={"AWS.x": {"DataType": "String", "StringValue": "v"}})


def test_a_body_with_forbidden_characters_is_refused(clock):
    queue = service.create_queue("Chars")
    with pytest.raises(queue_errors.InvalidMessageContents):
        service.send_message(queue, "bad \x01 char")
    with pytest.raises(queue_errors.MissingParameter):
        service.send_message(queue, "")


def test_peek_shows_available_in_flight_and_delayed_messages_without_receiving(clock):
    queue = service.create_queue("Peek", {"VisibilityTimeout": "30"})
    service.send_message(queue, "taken")
    receive(queue)
    service.send_message(queue, "ready")
    service.send_message(queue, "later", delay_seconds=20)
    seen = {p.message.body: (p.status, p.seconds_left) for p in service.peek(queue)}
    assert seen == {"taken": ("in flight", 30), "ready": ("available", None), "later": ("delayed", 20)}
    assert service.counts(queue) == {
        "ApproximateNumberOfMessages": 1,
        "ApproximateNumberOfMessagesNotVisible": 1,
        "ApproximateNumberOfMessagesDelayed": 1,
    }


def test_purge_and_delete_queue(clock):
    queue = service.create_queue("Gone")
    service.send_message(queue, "x")
    assert service.purge_queue(queue) == 1
    service.delete_queue(queue)
    with pytest.raises(queue_errors.QueueDoesNotExist):
        service.get_queue("Gone")
    with pytest.raises(queue_errors.QueueDoesNotExist):
        receive(queue)


def test_queue_urls_resolve_by_name_whatever_the_host(clock):
    queue = service.create_queue("Where")
    context = contextvars.copy_context()
    context.run(addresses.bind, "http", [(b"host", b"localhost:9000")])
    assert context.run(service.queue_url, queue) == "http://localhost:9000/000000000000/Where"
    assert service.get_queue_by_url("https://sqs.us-east-1.amazonaws.com/000000000000/Where") == queue
    with pytest.raises(queue_errors.QueueDoesNotExist):
        service.get_queue_by_url("http://no-such-queue")


def test_one_receive_never_returns_a_message_twice_even_with_no_visibility_timeout(clock):
    queue = service.create_queue("Zero", {"VisibilityTimeout": "0"})
    service.send_message(queue, "only one")
    received = receive(queue, max_number=10)
    assert [m.body for m in received] == ["only one"]
    assert len(receive(queue, max_number=10)) == 1  # and it is visible again at once
