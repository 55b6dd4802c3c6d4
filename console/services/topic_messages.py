"""What SNS checks of one published message: body, subject, structure, attributes, FIFO ids.

No database access. Errors are SNS's InvalidParameter with SNS's wording.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from console.models import Topic
from console.services.topic_errors import InvalidParameter
from engine import json_types

MAX_MESSAGE_BYTES = 262_144
MAX_SUBJECT = 100
DATA_TYPES = ("String", "Number", "Binary", "String.Array")


@dataclass(frozen=True)
class Message:
    text: str
    subject: str | None = None
    # {"name": {"DataType": ..., "StringValue" | "BinaryValue": ...}}
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    # MessageStructure=json: the message for each protocol, "default" for the others.
    per_protocol: dict[str, str] | None = None
    group_id: str = ""
    deduplication_id: str = ""

    def for_protocol(self, protocol: str) -> str:
        if self.per_protocol is None:
            return self.text
        return self.per_protocol.get(protocol, self.per_protocol["default"])


def check_message(topic: Topic, message: object, *, content_based: bool = False, subject: object = None,
                  attributes: object = None, structure: object = None, group_id: object = None,
                  deduplication_id: object = None) -> Message:
    text = _check_text(message)
    checked_attributes = check_attributes(attributes)
    size = len(text.encode()) + sum(len(k) + len(json.dumps(v)) for k, v in checked_attributes.items())
    if size > MAX_MESSAGE_BYTES:
        raise InvalidParameter("Message too long")
    group, dedup = _check_fifo(topic, text, group_id, deduplication_id, content_based)
    return Message(text=text, subject=_check_subject(subject), attributes=checked_attributes,
                   per_protocol=_structure(text, structure), group_id=group, deduplication_id=dedup)


def _check_text(message: object) -> str:
    if message is None or message == "":
        raise InvalidParameter("Empty message")
    if not isinstance(message, str):
        raise InvalidParameter("Message")
    return message


def _check_subject(subject: object) -> str | None:
    if subject is None:
        return None
    if not isinstance(subject, str) or not subject or len(subject) > MAX_SUBJECT:
        raise InvalidParameter("Subject")
    # SNS takes printable ASCII only, without line breaks.
    if not all(32 <= ord(c) < 127 for c in subject):
        raise InvalidParameter("Subject")
    return subject


def _structure(text: str, structure: object) -> dict[str, str] | None:
    if structure is None or structure == "":
        return None
    if structure != "json":
        raise InvalidParameter("MessageStructure")
    try:
        parsed = json_types.loads(text)
    except ValueError:
        raise InvalidParameter("Message Structure - JSON message body failed to parse") from None
    if not isinstance(parsed, dict) or "default" not in parsed:
        raise InvalidParameter("Message Structure - No default entry in JSON message body")
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in parsed.items()}


def check_attributes(attributes: object) -> dict[str, dict[str, str]]:
    if not attributes:
        return {}
    if not isinstance(attributes, dict):
        raise InvalidParameter("MessageAttributes")
    return {name: _check_attribute(name, value) for name, value in attributes.items()}


def _check_attribute(name: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not isinstance(value.get("DataType"), str):
        raise InvalidParameter(f"The message attribute '{name}' must contain non-empty message attribute type.")
    data_type = value["DataType"]
    base = data_type if data_type in DATA_TYPES else data_type.split(".", 1)[0]
    if base not in DATA_TYPES:
        raise InvalidParameter(f"The message attribute '{name}' has an invalid message attribute type, the set "
                               "of supported type prefixes is Binary, Number, and String.")
    if base == "Binary":
        return {"DataType": data_type, "BinaryValue": _binary(name, value.get("BinaryValue"))}
    text = value.get("StringValue")
    if not isinstance(text, str) or text == "":
        raise InvalidParameter(f"The message attribute '{name}' must contain non-empty message attribute value "
                               f"for message attribute type '{base}'.")
    if base == "Number":
        _number(name, text)
    if base == "String.Array":
        _array(name, text)
    return {"DataType": data_type, "StringValue": text}


def _binary(name: str, value: object) -> str:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    try:
        base64.b64decode(str(value or ""), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameter(f"The message attribute '{name}' has an invalid binary value.") from None
    if not value:
        raise InvalidParameter(f"The message attribute '{name}' must contain non-empty message attribute value "
                               "for message attribute type 'Binary'.")
    return str(value)


def _number(name: str, text: str) -> None:
    try:
        Decimal(text)
    except InvalidOperation:
        raise InvalidParameter(f"Could not cast message attribute '{name}' value to number.") from None


def _array(name: str, text: str) -> None:
    try:
        parsed = json_types.loads(text)
    except ValueError:
        parsed = None
    if not isinstance(parsed, list):
        raise InvalidParameter(f"The message attribute '{name}' with type 'String.Array' has to be a valid "
                               "JSON array.")


def _check_fifo(topic: Topic, text: str, group_id: object, deduplication_id: object,
                content_based: bool) -> tuple[str, str]:
    if not topic.fifo:
        if deduplication_id:
            raise InvalidParameter("MessageDeduplicationId Reason: The request includes MessageDeduplicationId "
                                   "parameter that is not valid for this topic type")
        return (group_id if isinstance(group_id, str) else ""), ""
    if not isinstance(group_id, str) or not group_id:
        raise InvalidParameter("The MessageGroupId parameter is required for FIFO topics")
    if isinstance(deduplication_id, str) and deduplication_id:
        return group_id, deduplication_id
    if not content_based:
        raise InvalidParameter("The topic should either have ContentBasedDeduplication enabled or "
                               "MessageDeduplicationId provided explicitly")
    return group_id, hashlib.sha256(text.encode()).hexdigest()
