"""Queue attributes as SQS names, checks and reports them (all values are strings)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings

from console.models import Queue
from console.services.queue_errors import (
    InvalidAttributeName,
    InvalidAttributeValue,
    InvalidParameterValue,
)
from engine import json_types


@dataclass(frozen=True)
class IntegerAttribute:
    column: str
    minimum: int
    maximum: int


INTEGER_ATTRIBUTES = {
    "DelaySeconds": IntegerAttribute("delay_seconds", 0, 900),
    "MaximumMessageSize": IntegerAttribute("maximum_message_size", 1024, 1_048_576),
    "MessageRetentionPeriod": IntegerAttribute("retention_seconds", 60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": IntegerAttribute("receive_wait_seconds", 0, 20),
    "VisibilityTimeout": IntegerAttribute("visibility_timeout", 0, 43_200),
}
# Stored and reported as given; Stepyard does not encrypt or enforce policies.
OTHER_ATTRIBUTES = (
    "Policy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
)
FIFO_ATTRIBUTES = ("FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
COUNT_ATTRIBUTES = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)
READ_ONLY_ATTRIBUTES = (*COUNT_ATTRIBUTES, "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn")
SETTABLE = (*INTEGER_ATTRIBUTES, "RedrivePolicy", *OTHER_ATTRIBUTES, *FIFO_ATTRIBUTES[1:])
MAX_RECEIVE_COUNT = 1000


def queue_arn(queue: Queue) -> str:
    return f"arn:aws:sqs:{settings.STEPYARD_REGION}:{settings.STEPYARD_ACCOUNT}:{queue.name}"


def check_settable(attributes: object, *, creating: bool) -> dict[str, str]:
    """Check names and value types; raise InvalidAttributeName for unknown or read-only ones."""
    if attributes is None:
        return {}
    if not isinstance(attributes, dict):
        raise InvalidAttributeValue("Attributes must be a map of names to values.")
    allowed = (*SETTABLE, "FifoQueue") if creating else SETTABLE
    for name, value in attributes.items():
        if name not in allowed:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
        if not isinstance(value, str):
            raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
    return attributes


def column_values(attributes: dict[str, str], *, fifo: bool) -> dict:
    """Turn checked attribute strings into Queue column values (RedrivePolicy checked apart)."""
    values: dict = {}
    for name, value in attributes.items():
        if name in INTEGER_ATTRIBUTES:
            spec = INTEGER_ATTRIBUTES[name]
            values[spec.column] = _integer(name, value, spec)
        elif name in FIFO_ATTRIBUTES:
            _check_fifo_attribute(name, value, fifo)
            if name == "ContentBasedDeduplication":
                values["content_based_deduplication"] = value.lower() == "true"
    return values


def _integer(name: str, value: str, spec: IntegerAttribute) -> int:
    try:
        number = int(value)
    except ValueError:
        raise InvalidAttributeValue(f"Invalid value for the parameter {name}.") from None
    if not spec.minimum <= number <= spec.maximum:
        raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
    return number


_FIFO_VALUES = {
    "FifoQueue": ("true", "false"),
    "ContentBasedDeduplication": ("true", "false"),
    "DeduplicationScope": ("messageGroup", "queue"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}


def _check_fifo_attribute(name: str, value: str, fifo: bool) -> None:
    if not fifo and name != "FifoQueue":
        raise InvalidAttributeName(f"Unknown Attribute {name}.")
    if value.lower() not in [v.lower() for v in _FIFO_VALUES[name]]:
        raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")


def other_values(queue: Queue, attributes: dict[str, str]) -> str:
    """The stored JSON of the attributes kept as given (FIFO scope settings included)."""
    stored = json.loads(queue.other_attributes or "{}")
    for name, value in attributes.items():
        if name in OTHER_ATTRIBUTES or name in ("DeduplicationScope", "FifoThroughputLimit"):
            if value == "":
                stored.pop(name, None)
            else:
                stored[name] = value
    return json.dumps(stored, sort_keys=True)


def parse_redrive_policy(value: str) -> tuple[str, int] | None:
    """Return (deadLetterTargetArn, maxReceiveCount) of a RedrivePolicy; None for ""."""
    if value == "":
        return None
    try:
        policy = json_types.loads(value)
        arn = policy["deadLetterTargetArn"]
        count = int(policy["maxReceiveCount"])
    except (ValueError, TypeError, KeyError):
        raise InvalidParameterValue(
            f"Value {value} for parameter RedrivePolicy is invalid. Reason: Redrive policy is "
            "not a valid JSON map with deadLetterTargetArn and maxReceiveCount."
        ) from None
    if not isinstance(arn, str) or not 1 <= count <= MAX_RECEIVE_COUNT:
        raise InvalidParameterValue(
            f"Value {value} for parameter RedrivePolicy is invalid. Reason: Invalid value for "
            f"maxReceiveCount: {policy['maxReceiveCount']}, valid values are from 1 to "
            f"{MAX_RECEIVE_COUNT} both inclusive."
        )
    return arn, count


def format_redrive_policy(arn: str, count: int) -> str:
    return json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": count}, separators=(",", ":"))


def redrive_target(queue: Queue) -> tuple[str, int] | None:
    return parse_redrive_policy(queue.redrive_policy) if queue.redrive_policy else None


def check_requested(names: object) -> list[str]:
    """The attribute names of GetQueueAttributes; "All" or known names only."""
    if names is None:
        return []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidAttributeName("AttributeNames must be a list of attribute names.")
    known = {"All", *READ_ONLY_ATTRIBUTES, *SETTABLE, "FifoQueue"}
    for name in names:
        if name not in known:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
    return names


def report(queue: Queue, counts: dict[str, int], names: list[str]) -> dict[str, str]:
    """Every attribute of ``queue`` (as strings), filtered to ``names`` unless "All" is asked."""
    everything = _all_attributes(queue, counts)
    if "All" in names:
        return everything
    return {name: everything[name] for name in names if name in everything}


def _all_attributes(queue: Queue, counts: dict[str, int]) -> dict[str, str]:
    values = {
        "QueueArn": queue_arn(queue),
        **{name: str(counts[name]) for name in COUNT_ATTRIBUTES},
        "CreatedTimestamp": str(int(queue.created)),
        "LastModifiedTimestamp": str(int(queue.modified)),
        "SqsManagedSseEnabled": "true",
    }
    for name, spec in INTEGER_ATTRIBUTES.items():
        values[name] = str(getattr(queue, spec.column))
    if queue.redrive_policy:
        values["RedrivePolicy"] = queue.redrive_policy
    if queue.fifo:
        values.update(
            FifoQueue="true",
            ContentBasedDeduplication=str(queue.content_based_deduplication).lower(),
            DeduplicationScope="queue",
            FifoThroughputLimit="perQueue",
        )
    values.update(json.loads(queue.other_attributes or "{}"))
    return values
