"""SendMessage's result, shared by the SQS API and the sqs:sendMessage integration."""

from __future__ import annotations

from typing import Any

from console.models import Queue
from console.services import queues


def send_to(queue: Queue, params: dict) -> dict[str, Any]:
    """SendMessage's result for ``params`` (shared with the Step Functions integration)."""
    sent = queues.send_message(
        queue,
        params.get("MessageBody"),
        delay_seconds=params.get("DelaySeconds"),
        attributes=params.get("MessageAttributes"),
        system_attributes=params.get("MessageSystemAttributes"),
        group_id=params.get("MessageGroupId"),
        deduplication_id=params.get("MessageDeduplicationId"),
    )
    return sent_result(sent)


def sent_result(sent: queues.Sent) -> dict[str, Any]:
    """SendMessage's result members for one sent message."""
    result = {"MD5OfMessageBody": sent.md5_of_body, "MessageId": sent.message_id}
    if sent.md5_of_attributes:
        result["MD5OfMessageAttributes"] = sent.md5_of_attributes
    if sent.md5_of_system_attributes:
        result["MD5OfMessageSystemAttributes"] = sent.md5_of_system_attributes
    if sent.sequence_number:
        result["SequenceNumber"] = sent.sequence_number
    return result
