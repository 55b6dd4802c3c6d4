"""Event sources: a queue feeding a function or a state machine.

Queue -> function works like Lambda's SQS event source mapping: the function gets a
batch of messages as SQS's ``Records`` event; if it returns, the batch is deleted; if it
fails, nothing is deleted, so the messages become visible again after the queue's
visibility timeout and, with a RedrivePolicy, end in the dead-letter queue. With
``report_batch_item_failures`` only the messages named in ``batchItemFailures`` stay.

Queue -> state machine (like an EventBridge pipe) starts one execution per message,
with the body as input (a body that is not JSON is passed as a JSON string), named after
the message id so that a redelivered message does not start a second execution; the
message is deleted once its execution has started.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet

from console.models import EventSource, Execution, Queue, QueueMessage
from console.services import ServiceError, ValidationError, executions, functions, machines
from console.services import queues as queue_service
from console.services.queue_messages import md5_of_attributes
from engine import json_types

# Lambda's limits for an SQS event source mapping.
_listeners: list[Callable[[], None]] = []
MAX_BATCH_SIZE = 10_000
MAX_BATCHING_WINDOW_S = 300
RECEIVE_LIMIT = 10


class SourceNotFound(ServiceError):
    code = "ResourceNotFoundException"
    status = 404


@dataclass(frozen=True)
class Outcome:
    """What one batch did: how many messages were handled (deleted) and what happened."""

    handled: int
    failed: int
    summary: str


# --------------------------------------------------------------------------- configuration


def on_changed(listener: Callable[[], None]) -> None:
    """Call ``listener`` after each commit that created, changed or deleted a source (the
    pollers' supervisor: a new or re-enabled source starts polling at once)."""
    if listener not in _listeners:
        _listeners.append(listener)


def _notify() -> None:
    transaction.on_commit(lambda: [listener() for listener in list(_listeners)])


def create_source(queue: Queue, target_type: str, target: str, *, batch_size: int = 10,
                  report_batch_item_failures: bool = False, enabled: bool = True,
                  maximum_batching_window: int = 0) -> EventSource:
    _check_target(target_type, target)
    _check_batching(batch_size, maximum_batching_window)
    now = time.time()
    source = EventSource.objects.create(
        uuid=str(uuid.uuid4()), queue=queue, target_type=target_type, target=target, batch_size=batch_size,
        maximum_batching_window=maximum_batching_window, report_batch_item_failures=report_batch_item_failures,
        enabled=enabled, created=now, modified=now)
    _notify()
    return source


def ensure_source(queue: Queue, target_type: str, target: str, **options: Any) -> EventSource:
    """The source from ``queue`` to ``target`` (created if missing, enabled either way)."""
    existing = EventSource.objects.filter(queue=queue, target_type=target_type, target=target).first()
    if existing is None:
        return create_source(queue, target_type, target, **options)
    return update_source(existing, enabled=True, **options)


def _check_target(target_type: str, target: str) -> None:
    if target_type == EventSource.FUNCTION:
        functions.get_function(target)
    elif target_type == EventSource.STATE_MACHINE:
        machines.get_machine(target)
    else:
        raise ValidationError(f"Unknown target type {target_type!r}: use 'function' or 'state-machine'.")


def _check_batching(batch_size: int, window: int) -> None:
    """Lambda's rules: 1-10,000 messages, a window of 0-300 s, and a window for more than 10."""
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValidationError(f"The batch size must be between 1 and {MAX_BATCH_SIZE}.")
    if not 0 <= window <= MAX_BATCHING_WINDOW_S:
        raise ValidationError(f"The maximum batching window must be between 0 and {MAX_BATCHING_WINDOW_S} seconds.")
    if batch_size > RECEIVE_LIMIT and window < 1:
        raise ValidationError("Maximum batch window in seconds must be greater than 0 if maximum batch size "
                              "is greater than 10")


def update_source(source: EventSource, *, enabled: bool | None = None, batch_size: int | None = None,
                  report_batch_item_failures: bool | None = None, maximum_batching_window: int | None = None,
                  target: str | None = None) -> EventSource:
    if target is not None:
        _check_target(source.target_type, target)
        source.target = target
    batch_size = source.batch_size if batch_size is None else batch_size
    window = source.maximum_batching_window if maximum_batching_window is None else maximum_batching_window
    _check_batching(batch_size, window)
    source.batch_size, source.maximum_batching_window = batch_size, window
    if enabled is not None:
        source.enabled = enabled
    if report_batch_item_failures is not None:
        source.report_batch_item_failures = report_batch_item_failures
    source.modified = time.time()
    source.save(update_fields=["target", "batch_size", "maximum_batching_window", "enabled",
                               "report_batch_item_failures", "modified"])
    _notify()
    return source


def delete_source(source: EventSource) -> None:
    EventSource.objects.filter(pk=source.pk).delete()


def get_source(pk: int) -> EventSource:
    source = EventSource.objects.select_related("queue").filter(pk=pk).first()
    if source is None:
        raise SourceNotFound(f"No event source {pk}")
    return source


def list_sources(queue: Queue | None = None) -> QuerySet[EventSource]:
    rows = EventSource.objects.select_related("queue").order_by("pk")
    return rows.filter(queue=queue) if queue is not None else rows


# --------------------------------------------------------------------------- running


def receive_batch(source: EventSource, wait_seconds: int) -> list[QueueMessage]:
    """Up to ``batch_size`` messages: a long poll for the first, then what is there already,
    or, with a batching window, what arrives until the window (from the first message) ends."""
    batch: dict[str, QueueMessage] = {}
    wait = wait_seconds
    window_ends: float | None = None
    while len(batch) < source.batch_size:
        received = queue_service.receive_messages(
            source.queue, max_number=min(RECEIVE_LIMIT, source.batch_size - len(batch)), wait_seconds=wait)
        # A queue with a visibility timeout of 0 hands the same message out again at once
        # (with a new receipt handle, which is the one that deletes it).
        fresh = [m for m in received if m.message_id not in batch]
        batch.update((m.message_id, m) for m in received)
        if window_ends is None and batch:
            window_ends = time.monotonic() + source.maximum_batching_window
        left = (window_ends or 0) - time.monotonic()
        if not fresh:
            if left <= 0:
                break
            if left < 1:
                time.sleep(left)  # a receive's long poll counts whole seconds
        wait = 1 if left >= 1 else 0
    return list(batch.values())


def poll_once(source: EventSource, wait_seconds: int = 0) -> Outcome | None:
    """Receive one batch and hand it to the target (None when the queue had nothing)."""
    messages = receive_batch(source, wait_seconds)
    return process_batch(source, messages) if messages else None


def process_batch(source: EventSource, messages: list[QueueMessage]) -> Outcome:
    if source.target_type == EventSource.FUNCTION:
        outcome = _invoke_function(source, messages)
    else:
        outcome = _start_executions(source, messages)
    _record(source, outcome)
    return outcome


def _record(source: EventSource, outcome: Outcome) -> None:
    EventSource.objects.filter(pk=source.pk).update(
        last_run=time.time(), last_result=outcome.summary[:2000],
        messages_processed=F("messages_processed") + outcome.handled,
        batches_failed=F("batches_failed") + (1 if outcome.failed else 0))


def _delete(queue: Queue, messages: list[QueueMessage]) -> None:
    with transaction.atomic():
        for message in messages:
            queue_service.delete_message(queue, message.receipt_handle)


# --------------------------------------------------------------------------- queue -> function


def sqs_event(queue: Queue, messages: list[QueueMessage]) -> dict[str, Any]:
    """The event Lambda's SQS poller sends: one record per message."""
    return {"Records": [_record_of(queue, message) for message in messages]}


def _record_of(queue: Queue, message: QueueMessage) -> dict[str, Any]:
    attributes = json.loads(message.attributes or "{}")
    record: dict[str, Any] = {
        "messageId": message.message_id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": queue_service.system_attributes(message),
        "messageAttributes": {name: _lambda_attribute(value) for name, value in attributes.items()},
        "md5OfBody": message.md5_of_body,
    }
    if attributes:
        record["md5OfMessageAttributes"] = md5_of_attributes(attributes)
    record.update({"eventSource": "aws:sqs", "eventSourceARN": queue_service.queue_arn(queue),
                   "awsRegion": settings.STEPYARD_REGION})
    return record


def _lambda_attribute(value: dict[str, str]) -> dict[str, Any]:
    # Lambda spells SQS's attribute values in camel case, with the (unused) list members.
    shaped: dict[str, Any] = {}
    if "StringValue" in value:
        shaped["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        shaped["binaryValue"] = value["BinaryValue"]
    shaped.update({"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]})
    return shaped


def _invoke_function(source: EventSource, messages: list[QueueMessage]) -> Outcome:
    event = json.dumps(sqs_event(source.queue, messages))
    try:
        result = functions.invoke(source.target, event, caller=f"event source {source.uuid}")
    except ServiceError as error:
        return Outcome(0, len(messages), f"{error.code}: {error.message}")
    if result.error is not None:
        return Outcome(0, len(messages), f"The function failed: {json.dumps(result.error)}")
    failed_ids = _item_failures(source, result.payload)
    keep = [m for m in messages if m.message_id in failed_ids]
    _delete(source.queue, [m for m in messages if m.message_id not in failed_ids])
    summary = f"{len(messages) - len(keep)} of {len(messages)} messages handled by {source.target}"
    return Outcome(len(messages) - len(keep), len(keep), summary)


def _item_failures(source: EventSource, payload: str | None) -> set[str]:
    """ReportBatchItemFailures: the message ids the function's answer says failed."""
    if not source.report_batch_item_failures or not payload:
        return set()
    try:
        answer = json.loads(payload)
    except ValueError:
        return set()
    failures = answer.get("batchItemFailures") if isinstance(answer, dict) else None
    if not isinstance(failures, list):
        return set()
    return {str(item.get("itemIdentifier")) for item in failures if isinstance(item, dict)}


# --------------------------------------------------------------------------- queue -> state machine


def _start_executions(source: EventSource, messages: list[QueueMessage]) -> Outcome:
    try:
        machine = machines.get_machine(source.target)
    except ServiceError as error:
        return Outcome(0, len(messages), f"{error.code}: {error.message}")
    started: list[QueueMessage] = []
    problems: list[str] = []
    for message in messages:
        try:
            _start_one(machine, message)
            started.append(message)
        except ServiceError as error:
            problems.append(f"{message.message_id}: {error.code}: {error.message}")
    _delete(source.queue, started)
    summary = f"{len(started)} executions of {machine.name} started" + "".join(f"; {p}" for p in problems)
    return Outcome(len(started), len(problems), summary)


def _start_one(machine: Any, message: QueueMessage) -> Execution:
    try:
        json_types.loads(message.body)
        text = message.body
    except ValueError:
        text = json.dumps(message.body)
    try:
        return executions.start_execution(machine, name=message.message_id, input=text)
    except executions.ExecutionAlreadyExists:
        # This message started its execution before (it was redelivered): done already.
        return Execution.objects.get(arn=executions.execution_arn(machine, message.message_id))
