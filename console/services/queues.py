"""Queues like SQS, stored in the database: send, receive, visibility, dead letters, FIFO.

Every deadline is a stored time (``visible_at``), so a message received before a
restart reappears after its visibility timeout with a new receipt handle. Long polls
wait on an in-process condition that sends notify after commit, and re-check the
database every LONG_POLL_INTERVAL_S for messages sent by other processes.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Value

from console import addresses
from console.db import rows
from console.models import Deduplication, Queue, QueueMessage
from console.services import queue_attributes as attrs
from console.services import queue_messages as checks
from console.services.queue_errors import (
    InvalidParameterValue,
    MessageNotInflight,
    MissingParameter,
    QueueDoesNotExist,
    QueueNameExists,
    ReceiptHandleIsInvalid,
)
from console.services.queue_wakeups import notify_after_commit, wakeups

# The clock of the queue service; tests replace it to move time without waiting.
clock: Callable[[], float] = time.time

DEDUPLICATION_WINDOW_S = 300.0
LONG_POLL_INTERVAL_S = 0.5
MAX_WAIT_SECONDS = 20
MAX_RECEIVE = 10
MAX_TAGS = 50
# FIFO sequence numbers are large, non-consecutive-looking 20-digit strings in SQS.
SEQUENCE_BASE = 10**19
_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")

AVAILABLE, IN_FLIGHT, DELAYED = "available", "in flight", "delayed"


# --------------------------------------------------------------------------- queues


def queue_url(queue: Queue) -> str:
    """The queue's URL at the address Stepyard is being reached on (see console.addresses)."""
    return f"{addresses.base_url()}/{settings.STEPYARD_ACCOUNT}/{queue.name}"


queue_arn = attrs.queue_arn


def get_queue(name: str) -> Queue:
    queue = rows.first(Queue, "name = %s", [name])
    if queue is None:
        raise QueueDoesNotExist()
    return queue


def queue_name_from_url(url: str) -> str | None:
    """The queue name of ``http://host/<account>/<name>``; any host names this server."""
    try:
        segments = [s for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return None
    return segments[-1] if segments else None


def get_queue_by_url(url: str) -> Queue:
    name = queue_name_from_url(url)
    if name is None:
        raise QueueDoesNotExist()
    return get_queue(name)


def get_queue_by_arn(arn: str) -> Queue | None:
    prefix = f"arn:aws:sqs:{settings.STEPYARD_REGION}:{settings.STEPYARD_ACCOUNT}:"
    if not arn.startswith(prefix):
        return None
    return Queue.objects.filter(name=arn.removeprefix(prefix)).first()


def check_queue_name(name: object, fifo: bool) -> str:
    if not isinstance(name, str) or not name:
        raise MissingParameter("The request must contain the parameter QueueName.")
    base = name.removesuffix(".fifo") if fifo else name
    if fifo and not name.endswith(".fifo") or not _NAME.fullmatch(base) or len(name) > 80:
        if fifo:
            raise InvalidParameterValue(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                "underscores, must end with .fifo suffix and be 1 to 80 in length."
            )
        raise InvalidParameterValue(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        )
    return name


def create_queue(name: str, attributes: dict | None = None, tags: dict | None = None) -> Queue:
    """Create a queue, or return the existing one if the given attributes match it (as SQS does)."""
    given = attrs.check_settable(attributes, creating=True)
    fifo = _fifo_flag(given)
    check_queue_name(name, fifo)
    columns = attrs.column_values(given, fifo=fifo)
    redrive = _check_redrive(given.get("RedrivePolicy", ""), fifo)
    checked_tags = check_tags(tags or {}, {})
    with transaction.atomic():
        existing = Queue.objects.filter(name=name).first()
        if existing is not None:
            _same_or_conflict(existing, given)
            return existing
        now = clock()
        queue = Queue(name=name, fifo=fifo, created=now, modified=now, redrive_policy=redrive, **columns)
        queue.other_attributes = attrs.other_values(queue, given)
        queue.tags = json.dumps(checked_tags)
        queue.save()
    return queue


def _fifo_flag(given: dict[str, str]) -> bool:
    value = given.get("FifoQueue", "false")
    attrs.column_values({"FifoQueue": value}, fifo=True)
    return value.lower() == "true"


def _same_or_conflict(queue: Queue, given: dict[str, str]) -> None:
    current = attrs.report(queue, _zero_counts(), ["All"])
    for name, value in given.items():
        if not _same_value(name, value, current.get(name)):
            raise QueueNameExists(
                f"A queue already exists with the same name and a different value for attribute {name}"
            )


def _same_value(name: str, value: str, current: str | None) -> bool:
    if current is None:
        return name == "FifoQueue" and value.lower() == "false" or value == ""
    if name == "RedrivePolicy":
        return attrs.parse_redrive_policy(value) == attrs.parse_redrive_policy(current)
    return value.lower() == current.lower()


def _zero_counts() -> dict[str, int]:
    return {name: 0 for name in attrs.COUNT_ATTRIBUTES}


def _check_redrive(value: str, fifo: bool) -> str:
    parsed = attrs.parse_redrive_policy(value)
    if parsed is None:
        return ""
    arn, count = parsed
    target = get_queue_by_arn(arn)
    if target is None:
        raise InvalidParameterValue(
            f"Value {value} for parameter RedrivePolicy is invalid. Reason: Dead letter target "
            "does not exist."
        )
    if target.fifo != fifo:
        raise InvalidParameterValue(
            f"Value {value} for parameter RedrivePolicy is invalid. Reason: Dead-letter queue "
            "must be same type of queue as the source."
        )
    return attrs.format_redrive_policy(arn, count)


def set_queue_attributes(queue: Queue, attributes: dict | None) -> Queue:
    given = attrs.check_settable(attributes, creating=False)
    columns = attrs.column_values(given, fifo=queue.fifo)
    with transaction.atomic():
        queue = _locked(queue.pk)
        for column, value in columns.items():
            setattr(queue, column, value)
        if "RedrivePolicy" in given:
            queue.redrive_policy = _check_redrive(given["RedrivePolicy"], queue.fifo)
        queue.other_attributes = attrs.other_values(queue, given)
        queue.modified = clock()
        queue.save()
    notify_after_commit(queue.pk)
    return queue


def _locked(queue_id: int) -> Queue:
    queue = rows.first(Queue, "id = %s", [queue_id], for_update=True)
    if queue is None:
        raise QueueDoesNotExist()
    return queue


def get_queue_attributes(queue: Queue, names: list[str] | None) -> dict[str, str]:
    names = attrs.check_requested(names)
    needs_counts = "All" in names or any(n in attrs.COUNT_ATTRIBUTES for n in names)
    return attrs.report(queue, counts(queue) if needs_counts else _zero_counts(), names)


def delete_queue(queue: Queue) -> None:
    Queue.objects.filter(pk=queue.pk).delete()
    wakeups.notify(queue.pk)


def purge_queue(queue: Queue) -> int:
    """Delete every message of the queue; return how many there were."""
    return QueueMessage.objects.filter(queue_id=queue.pk).delete()[0]


def list_queues(prefix: str = "") -> QuerySet[Queue]:
    return Queue.objects.filter(name__startswith=prefix).order_by("name")


def dead_letter_sources(queue: Queue) -> list[Queue]:
    """The queues whose RedrivePolicy names ``queue`` as their dead-letter queue."""
    arn = attrs.queue_arn(queue)
    candidates = Queue.objects.filter(redrive_policy__contains=arn).order_by("name")
    return [q for q in candidates if (attrs.redrive_target(q) or ("",))[0] == arn]


def check_tags(tags: object, current: dict[str, str]) -> dict[str, str]:
    if not isinstance(tags, dict):
        raise InvalidParameterValue("Tags must be a map of keys to values.")
    for key, value in tags.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 128:
            raise InvalidParameterValue(f"Tag key '{key}' must be 1 to 128 characters long.")
        if not isinstance(value, str) or len(value) > 256:
            raise InvalidParameterValue(f"Tag value for '{key}' must be at most 256 characters.")
    merged = {**current, **tags}
    if len(merged) > MAX_TAGS:
        raise InvalidParameterValue(f"Too many tags added for queue {len(merged)}; at most {MAX_TAGS}.")
    return merged


def queue_tags(queue: Queue) -> dict[str, str]:
    return json.loads(queue.tags or "{}")


def tag_queue(queue: Queue, tags: dict) -> None:
    with transaction.atomic():
        queue = _locked(queue.pk)
        queue.tags = json.dumps(check_tags(tags, queue_tags(queue)))
        queue.save(update_fields=["tags"])


def untag_queue(queue: Queue, keys: list[str]) -> None:
    with transaction.atomic():
        queue = _locked(queue.pk)
        remaining = {k: v for k, v in queue_tags(queue).items() if k not in set(keys)}
        queue.tags = json.dumps(remaining)
        queue.save(update_fields=["tags"])


# --------------------------------------------------------------------------- counts and peeking


def _live(queryset: QuerySet, now: float) -> QuerySet:
    """Messages not yet past their queue's retention period."""
    return queryset.filter(sent_at__gt=Value(now) - F("queue__retention_seconds"))


def _count_expressions(now: float) -> dict:
    return {
        "ApproximateNumberOfMessages": Count("pk", filter=Q(visible_at__lte=now)),
        "ApproximateNumberOfMessagesNotVisible": Count(
            "pk", filter=Q(visible_at__gt=now, receive_count__gt=0)
        ),
        "ApproximateNumberOfMessagesDelayed": Count(
            "pk", filter=Q(visible_at__gt=now, receive_count=0)
        ),
    }


def counts(queue: Queue) -> dict[str, int]:
    """Available, in-flight and delayed message counts under SQS's attribute names."""
    now = clock()
    return _live(QueueMessage.objects.filter(queue_id=queue.pk), now).aggregate(
        **_count_expressions(now)
    )


def counts_by_queue() -> dict[int, dict[str, int]]:
    """``counts`` for every queue at once (queues without messages are absent)."""
    now = clock()
    counted = _live(QueueMessage.objects.all(), now).values("queue_id").annotate(**_count_expressions(now))
    return {row.pop("queue_id"): row for row in counted}


@dataclass(frozen=True)
class Peeked:
    """A message as the console shows it, with how long until it changes state."""

    message: QueueMessage
    status: str
    seconds_left: float | None


def peek(queue: Queue, limit: int = 100) -> list[Peeked]:
    """The queue's messages in delivery order, without receiving them."""
    now = clock()
    live = _live(QueueMessage.objects.filter(queue_id=queue.pk), now).order_by(*_order(queue))
    return [_peeked(m, now) for m in live[:limit]]


def _peeked(message: QueueMessage, now: float) -> Peeked:
    if message.visible_at <= now:
        return Peeked(message, AVAILABLE, None)
    status = IN_FLIGHT if message.receive_count else DELAYED
    return Peeked(message, status, message.visible_at - now)


def _order(queue: Queue) -> tuple[str, ...]:
    return ("sequence_number", "pk") if queue.fifo else ("pk",)


# --------------------------------------------------------------------------- sending


@dataclass(frozen=True)
class Sent:
    message_id: str
    md5_of_body: str
    md5_of_attributes: str | None
    md5_of_system_attributes: str | None
    sequence_number: str | None


def send_message(queue: Queue, body: object, **options: object) -> Sent:
    """Store one message (SendMessage); a FIFO duplicate within 5 minutes is accepted, not stored."""
    checked = checks.check_message(queue, body, **options)
    with transaction.atomic():
        sent = _enqueue(queue, checked, clock())
        notify_after_commit(queue.pk)
    return sent


def _enqueue(queue: Queue, checked: checks.Checked, now: float) -> Sent:
    if not queue.fifo:
        message = _store(queue.pk, checked, now, None)
        return _sent(message, None)
    sequence = _next_sequence(queue.pk)
    key = _deduplication_key(queue, checked)
    Deduplication.objects.filter(queue_id=queue.pk, expires_at__lte=now).delete()
    earlier = Deduplication.objects.filter(queue_id=queue.pk, key=key).first()
    if earlier is not None:
        return _duplicate(checked, earlier)
    message = _store(queue.pk, checked, now, sequence)
    Deduplication.objects.create(
        queue_id=queue.pk,
        key=key,
        message_id=message.message_id,
        sequence_number=sequence,
        expires_at=now + DEDUPLICATION_WINDOW_S,
    )
    return _sent(message, sequence)


def _deduplication_key(queue: Queue, checked: checks.Checked) -> str:
    scope = json.loads(queue.other_attributes or "{}").get("DeduplicationScope", "queue")
    if scope == "messageGroup":
        return f"{checked.group_id}\n{checked.deduplication_id}"
    return checked.deduplication_id


def _next_sequence(queue_id: int) -> int:
    queue = Queue.objects.filter(pk=queue_id)
    if queue.update(last_sequence_number=F("last_sequence_number") + 1) == 0:
        raise QueueDoesNotExist()
    return queue.values_list("last_sequence_number", flat=True).get()


def _store(queue_id: int, checked: checks.Checked, now: float, sequence: int | None) -> QueueMessage:
    message = QueueMessage(
        queue_id=queue_id,
        message_id=str(uuid.uuid4()),
        body=checked.body,
        md5_of_body=checks.md5_of_body(checked.body),
        attributes=json.dumps(checked.attributes),
        system_attributes=json.dumps(checked.system_attributes),
        sent_at=now,
        visible_at=now + checked.delay,
        group_id=checked.group_id,
        deduplication_id=checked.deduplication_id,
        sequence_number=sequence,
    )
    rows.save_new(message)
    return message


def _sent(message: QueueMessage, sequence: int | None) -> Sent:
    return Sent(
        message_id=message.message_id,
        md5_of_body=message.md5_of_body,
        md5_of_attributes=checks.md5_of_attributes(json.loads(message.attributes)),
        md5_of_system_attributes=checks.md5_of_attributes(json.loads(message.system_attributes)),
        sequence_number=None if sequence is None else str(SEQUENCE_BASE + sequence),
    )


def _duplicate(checked: checks.Checked, earlier: Deduplication) -> Sent:
    return Sent(
        message_id=earlier.message_id,
        md5_of_body=checks.md5_of_body(checked.body),
        md5_of_attributes=checks.md5_of_attributes(checked.attributes),
        md5_of_system_attributes=checks.md5_of_attributes(checked.system_attributes),
        sequence_number=str(SEQUENCE_BASE + earlier.sequence_number),
    )


# --------------------------------------------------------------------------- receiving


def receive_messages(
    queue: Queue,
    *,
    max_number: int = 1,
    visibility_timeout: int | None = None,
    wait_seconds: int | None = None,
) -> list[QueueMessage]:
    """Receive up to ``max_number`` messages, waiting up to ``wait_seconds`` for the first."""
    wait = queue.receive_wait_seconds if wait_seconds is None else wait_seconds
    deadline = time.monotonic() + wait
    while True:
        seen = wakeups.version(queue.pk)
        received, next_visible_in = _receive_once(queue.pk, max_number, visibility_timeout)
        remaining = deadline - time.monotonic()
        if received or remaining <= 0:
            return received
        pause = min(remaining, LONG_POLL_INTERVAL_S, next_visible_in)
        wakeups.wait(queue.pk, seen, max(pause, 0.001))


def _receive_once(queue_id: int, max_number: int, visibility_timeout: int | None) -> tuple[list, float]:
    with transaction.atomic():
        # The queue's row lock serialises receivers, which FIFO group ordering needs.
        queue = _locked(queue_id)
        now = clock()
        rows.delete(QueueMessage, "queue_id = %s AND sent_at <= %s", [queue.pk, now - queue.retention_seconds])
        timeout = queue.visibility_timeout if visibility_timeout is None else visibility_timeout
        received = _deliver_visible(queue, now, max_number, timeout)
        upcoming = rows.values(QueueMessage, "MIN(visible_at)", "queue_id = %s AND visible_at > %s",
                               [queue.pk, now])[0][0]
    return received, (float("inf") if upcoming is None else upcoming - now)


def _deliver_visible(queue: Queue, now: float, max_number: int, timeout: int) -> list[QueueMessage]:
    dead_letter = _dead_letter_queue(queue)
    where, params = "queue_id = %s AND visible_at <= %s", [queue.pk, now]
    busy = _busy_groups(queue, now) if queue.fifo else []
    if busy:
        where += f" AND group_id NOT IN ({rows.marks(busy)})"
        params += busy
    order = "sequence_number, id" if queue.fifo else "id"
    received: list[QueueMessage] = []
    taken: list[int] = []  # one call never returns a message twice, even with a 0 s visibility
    while len(received) < max_number:
        not_taken = f" AND id NOT IN ({rows.marks(taken)})" if taken else ""
        batch = rows.fetch(QueueMessage, where + not_taken, params + taken, order_by=order,
                           limit=max_number - len(received))
        if not batch:
            break
        for message in batch:
            taken.append(message.pk)
            if dead_letter and message.receive_count >= dead_letter[1]:
                _move_to_dead_letter(message, queue, dead_letter[0], now)
            else:
                received.append(_deliver(message, now, timeout))
    return received


def _busy_groups(queue: Queue, now: float) -> list[str]:
    """FIFO groups with a message in flight: none of their messages may be delivered."""
    in_flight = QueueMessage.objects.filter(queue=queue, visible_at__gt=now, receive_count__gt=0)
    return list(in_flight.values_list("group_id", flat=True).distinct())


def _dead_letter_queue(queue: Queue) -> tuple[Queue, int] | None:
    target = attrs.redrive_target(queue)
    if target is None:
        return None
    dead_letter = get_queue_by_arn(target[0])
    return None if dead_letter is None else (dead_letter, target[1])


def _deliver(message: QueueMessage, now: float, timeout: int) -> QueueMessage:
    message.receive_count += 1
    message.visible_at = now + timeout
    message.receipt_handle = _new_receipt_handle(message.message_id)
    if message.first_received_at is None:
        message.first_received_at = now
    rows.update(QueueMessage, "id = %s", [message.pk], receive_count=message.receive_count,
                visible_at=message.visible_at, receipt_handle=message.receipt_handle,
                first_received_at=message.first_received_at)
    return message


def _move_to_dead_letter(message: QueueMessage, source: Queue, target: Queue, now: float) -> None:
    """Past maxReceiveCount: the message moves, keeping its id, body and original send time."""
    message.queue = target
    message.visible_at = now
    message.receipt_handle = ""
    message.dead_letter_source_arn = attrs.queue_arn(source)
    if target.fifo:
        message.sequence_number = _next_sequence(target.pk)
    message.save()
    notify_after_commit(target.pk)


def _new_receipt_handle(message_id: str) -> str:
    return base64.urlsafe_b64encode(f"{message_id}:{secrets.token_hex(24)}".encode()).decode()


def _check_receipt_handle(handle: object) -> str:
    try:
        decoded = base64.urlsafe_b64decode(handle.encode()).decode()  # type: ignore[union-attr]
        message_id, _, nonce = decoded.partition(":")
        uuid.UUID(message_id)
        if len(nonce) != 48:
            raise ValueError(nonce)
    except (AttributeError, ValueError, binascii.Error, UnicodeDecodeError):
        raise ReceiptHandleIsInvalid(
            f'The input receipt handle "{handle}" is not a valid receipt handle.'
        ) from None
    return handle  # type: ignore[return-value]


def delete_message(queue: Queue, receipt_handle: object) -> None:
    """Delete a received message; a stale handle of a well-formed shape is accepted, as in SQS."""
    handle = _check_receipt_handle(receipt_handle)
    with transaction.atomic():
        rows.delete(QueueMessage, "queue_id = %s AND receipt_handle = %s", [queue.pk, handle])
        if queue.fifo:
            notify_after_commit(queue.pk)


def change_visibility(queue: Queue, receipt_handle: object, timeout: object) -> None:
    """Make a message in flight visible after ``timeout`` seconds from now."""
    handle = _check_receipt_handle(receipt_handle)
    maximum = attrs.INTEGER_ATTRIBUTES["VisibilityTimeout"].maximum
    if not isinstance(timeout, int) or isinstance(timeout, bool) or not 0 <= timeout <= maximum:
        raise InvalidParameterValue(
            f"Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Must be "
            f"between 0 and {maximum}, if provided."
        )
    with transaction.atomic():
        message = QueueMessage.objects.select_for_update().filter(queue_id=queue.pk, receipt_handle=handle).first()
        if message is None:
            raise InvalidParameterValue(
                f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does "
                "not exist or is not available for visibility timeout change."
            )
        now = clock()
        if message.visible_at <= now:
            raise MessageNotInflight(f"Message with receipt handle {handle} is not in flight.")
        message.visible_at = now + timeout
        message.save(update_fields=["visible_at"])
        notify_after_commit(queue.pk)


def system_attributes(message: QueueMessage) -> dict[str, str]:
    """The message's system attributes as ReceiveMessage reports them (times in ms)."""
    values = {
        "SenderId": settings.STEPYARD_ACCOUNT,
        "SentTimestamp": str(int(message.sent_at * 1000)),
        "ApproximateReceiveCount": str(message.receive_count),
    }
    if message.first_received_at is not None:
        values["ApproximateFirstReceiveTimestamp"] = str(int(message.first_received_at * 1000))
    if message.group_id:
        values["MessageGroupId"] = message.group_id
    if message.deduplication_id:
        values["MessageDeduplicationId"] = message.deduplication_id
    if message.sequence_number is not None:
        values["SequenceNumber"] = str(SEQUENCE_BASE + message.sequence_number)
    if message.dead_letter_source_arn:
        values["DeadLetterQueueSourceArn"] = message.dead_letter_source_arn
    trace = json.loads(message.system_attributes or "{}").get("AWSTraceHeader")
    if trace:
        values["AWSTraceHeader"] = trace["StringValue"]
    return values
