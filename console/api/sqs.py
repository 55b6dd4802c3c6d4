"""SQS actions (``X-Amz-Target: AmazonSQS.<Action>``) over the queue services.

Queue URLs name the address the call was sent to (console.addresses). Any host in a
QueueUrl given back is accepted: only the queue name in its path matters.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings

from console.models import Queue, QueueMessage
from console.services import queue_messages
from console.services import queues as service
from console.services.queue_errors import (
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    EmptyBatchRequest,
    InvalidBatchEntryId,
    InvalidParameterValue,
    MissingParameter,
    QueueDoesNotExist,
    SqsError,
    TooManyEntriesInBatchRequest,
)
from console.wire.sqs_results import send_to

MAX_BATCH_ENTRIES = 10
MAX_BATCH_BYTES = 1_048_576
MAX_QUEUE_NAME = 80
_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
SYSTEM_ATTRIBUTE_NAMES = (
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageDeduplicationId",
    "MessageGroupId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
)

def _url(queue: Queue) -> str:
    return service.queue_url(queue)


# --------------------------------------------------------------------------- parameters


def _required(params: dict, name: str) -> Any:
    value = params.get(name)
    if value is None or value == "":
        raise MissingParameter(f"The request must contain the parameter {name}.")
    return value


def _text(params: dict, name: str, *, required: bool = False) -> str | None:
    value = _required(params, name) if required else params.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidParameterValue(f"Value {value} for parameter {name} is invalid.")
    return value


def _number(params: dict, name: str, minimum: int, maximum: int, reason: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise InvalidParameterValue(f"Value {value} for parameter {name} is invalid. Reason: {reason}")
    return value


def _names(params: dict, name: str) -> list[str]:
    value = params.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidParameterValue(f"Value {value} for parameter {name} is invalid.")
    return value


def _queue(params: dict) -> Queue:
    return service.get_queue_by_url(_text(params, "QueueUrl", required=True))


# --------------------------------------------------------------------------- queues


def create_queue(params: dict) -> dict[str, Any]:
    name = _text(params, "QueueName", required=True)
    queue = service.create_queue(name, params.get("Attributes"), params.get("tags"))
    return {"QueueUrl": _url(queue)}


def get_queue_url(params: dict) -> dict[str, Any]:
    name = _text(params, "QueueName", required=True)
    owner = _text(params, "QueueOwnerAWSAccountId")
    if owner is not None and owner != settings.STEPYARD_ACCOUNT:
        raise QueueDoesNotExist()
    return {"QueueUrl": _url(service.get_queue(name))}


def list_queues(params: dict) -> dict[str, Any]:
    prefix = _text(params, "QueueNamePrefix") or ""
    if len(prefix) > MAX_QUEUE_NAME:  # a prefix of a queue name (SQS: up to 80 characters)
        raise InvalidParameterValue(f"Value {prefix[:100]} for parameter QueueNamePrefix is invalid. "
                                    f"Reason: Can only include alphanumeric characters, hyphens, or "
                                    f"underscores. 1 to {MAX_QUEUE_NAME} in length")
    queues = service.list_queues(prefix)
    return _paged(list(queues), params, "QueueUrls")


def list_dead_letter_source_queues(params: dict) -> dict[str, Any]:
    return _paged(service.dead_letter_sources(_queue(params)), params, "queueUrls")


def _paged(queues: list[Queue], params: dict, key: str) -> dict[str, Any]:
    """SQS pages only when MaxResults is given; NextToken is the last name returned."""
    size = _number(params, "MaxResults", 1, 1000, "MaxResults must be an integer between 1 and 1000.")
    after = _decode_token(_text(params, "NextToken"))
    remaining = [q for q in queues if q.name > after] if after else queues
    chunk = remaining[: size or 1000]
    result: dict[str, Any] = {key: [_url(q) for q in chunk]} if chunk else {}
    if size is not None and len(remaining) > size:
        result["NextToken"] = base64.urlsafe_b64encode(chunk[-1].name.encode()).decode()
    return result


def _decode_token(token: str | None) -> str:
    if not token:
        return ""
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except ValueError:
        raise InvalidParameterValue("Invalid NextToken value.") from None


def get_queue_attributes(params: dict) -> dict[str, Any]:
    values = service.get_queue_attributes(_queue(params), params.get("AttributeNames"))
    return {"Attributes": values} if values else {}


def set_queue_attributes(params: dict) -> dict[str, Any]:
    queue = _queue(params)
    service.set_queue_attributes(queue, _required(params, "Attributes"))
    return {}


def delete_queue(params: dict) -> dict[str, Any]:
    service.delete_queue(_queue(params))
    return {}


def purge_queue(params: dict) -> dict[str, Any]:
    service.purge_queue(_queue(params))
    return {}


def tag_queue(params: dict) -> dict[str, Any]:
    service.tag_queue(_queue(params), _required(params, "Tags"))
    return {}


def untag_queue(params: dict) -> dict[str, Any]:
    service.untag_queue(_queue(params), _names(params, "TagKeys"))
    return {}


def list_queue_tags(params: dict) -> dict[str, Any]:
    tags = service.queue_tags(_queue(params))
    return {"Tags": tags} if tags else {}


# --------------------------------------------------------------------------- sending


def send_message(params: dict) -> dict[str, Any]:
    return send_to(_queue(params), params)


def send_message_batch(params: dict) -> dict[str, Any]:
    queue = _queue(params)
    entries = _batch_entries(params, "SendMessageBatchRequestEntry")
    size = sum(len(str(e.get("MessageBody") or "").encode()) for e in entries)
    if size > MAX_BATCH_BYTES:
        raise BatchRequestTooLong(
            f"Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You have sent {size} bytes."
        )
    return _run_batch(entries, lambda entry: send_to(queue, entry))


def _batch_entries(params: dict, kind: str) -> list[dict]:
    entries = params.get("Entries")
    if entries is None:
        raise MissingParameter("The request must contain the parameter Entries.")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InvalidParameterValue("Value for parameter Entries is invalid.")
    if not entries:
        raise EmptyBatchRequest(f"There should be at least one {kind} in the request.")
    if len(entries) > MAX_BATCH_ENTRIES:
        raise TooManyEntriesInBatchRequest(
            f"Maximum number of entries per request are {MAX_BATCH_ENTRIES}. You have sent {len(entries)}."
        )
    seen: set[str] = set()
    for entry in entries:
        entry_id = entry.get("Id")
        if not isinstance(entry_id, str) or not _BATCH_ID.fullmatch(entry_id):
            raise InvalidBatchEntryId(
                "A batch entry id can only contain alphanumeric characters, hyphens and "
                "underscores. It can be at most 80 letters long."
            )
        if entry_id in seen:
            raise BatchEntryIdsNotDistinct(f"Id {entry_id} repeated.")
        seen.add(entry_id)
    return entries


def _run_batch(entries: list[dict], run: Callable[[dict], dict]) -> dict[str, Any]:
    """Each entry succeeds or fails on its own, as SQS reports batches."""
    successful, failed = [], []
    for entry in entries:
        try:
            successful.append({"Id": entry["Id"], **run(entry)})
        except SqsError as error:
            failed.append(
                {"Id": entry["Id"], "SenderFault": True, "Code": error.code, "Message": error.message}
            )
    return {"Successful": successful, "Failed": failed}


# --------------------------------------------------------------------------- receiving


def receive_message(params: dict) -> dict[str, Any]:
    queue = _queue(params)
    received = service.receive_messages(
        queue,
        max_number=_number(
            params, "MaxNumberOfMessages", 1, service.MAX_RECEIVE, "Must be between 1 and 10, if provided."
        ) or 1,
        visibility_timeout=_number(
            params, "VisibilityTimeout", 0, 43_200, "Must be between 0 and 43200, if provided."
        ),
        wait_seconds=_number(
            params, "WaitTimeSeconds", 0, service.MAX_WAIT_SECONDS, "Must be >= 0 and <= 20, if provided."
        ),
    )
    if not received:
        return {}
    system = _system_names(params)
    wanted = _names(params, "MessageAttributeNames")
    return {"Messages": [_message(m, system, wanted) for m in received]}


def _system_names(params: dict) -> set[str]:
    names = {*_names(params, "AttributeNames"), *_names(params, "MessageSystemAttributeNames")}
    return set(SYSTEM_ATTRIBUTE_NAMES) if "All" in names else names


def _message(message: QueueMessage, system: set[str], wanted: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "MessageId": message.message_id,
        "ReceiptHandle": message.receipt_handle,
        "MD5OfBody": message.md5_of_body,
        "Body": message.body,
    }
    values = {k: v for k, v in service.system_attributes(message).items() if k in system}
    if values:
        result["Attributes"] = values
    chosen = queue_messages.select_attributes(json.loads(message.attributes), wanted)
    if chosen:
        result["MessageAttributes"] = chosen
        result["MD5OfMessageAttributes"] = queue_messages.md5_of_attributes(chosen)
    return result


def delete_message(params: dict) -> dict[str, Any]:
    queue = _queue(params)
    service.delete_message(queue, _text(params, "ReceiptHandle", required=True))
    return {}


def delete_message_batch(params: dict) -> dict[str, Any]:
    queue = _queue(params)
    entries = _batch_entries(params, "DeleteMessageBatchRequestEntry")

    def run(entry: dict) -> dict:
        service.delete_message(queue, _text(entry, "ReceiptHandle", required=True))
        return {}

    return _run_batch(entries, run)


def change_message_visibility(params: dict) -> dict[str, Any]:
    queue = _queue(params)
    handle = _text(params, "ReceiptHandle", required=True)
    service.change_visibility(queue, handle, _required(params, "VisibilityTimeout"))
    return {}


def change_message_visibility_batch(params: dict) -> dict[str, Any]:
    queue = _queue(params)
    entries = _batch_entries(params, "ChangeMessageVisibilityBatchRequestEntry")

    def run(entry: dict) -> dict:
        handle = _text(entry, "ReceiptHandle", required=True)
        service.change_visibility(queue, handle, _required(entry, "VisibilityTimeout"))
        return {}

    return _run_batch(entries, run)


ACTIONS: dict[str, Callable[[dict], dict[str, Any]]] = {
    "CreateQueue": create_queue,
    "GetQueueUrl": get_queue_url,
    "ListQueues": list_queues,
    "ListDeadLetterSourceQueues": list_dead_letter_source_queues,
    "GetQueueAttributes": get_queue_attributes,
    "SetQueueAttributes": set_queue_attributes,
    "DeleteQueue": delete_queue,
    "PurgeQueue": purge_queue,
    "TagQueue": tag_queue,
    "UntagQueue": untag_queue,
    "ListQueueTags": list_queue_tags,
    "SendMessage": send_message,
    "SendMessageBatch": send_message_batch,
    "ReceiveMessage": receive_message,
    "DeleteMessage": delete_message,
    "DeleteMessageBatch": delete_message_batch,
    "ChangeMessageVisibility": change_message_visibility,
    "ChangeMessageVisibilityBatch": change_message_visibility_batch,
}
