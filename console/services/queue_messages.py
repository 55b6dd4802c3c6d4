"""What SQS checks and computes for one message: body, message attributes, ids, digests.

No database access: the queue service, the SQS API and the console share these.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from console.models import Queue
from console.services.queue_errors import (
    InvalidMessageContents,
    InvalidParameterValue,
    MissingParameter,
)

MAX_ATTRIBUTES = 10
MAX_DELAY_SECONDS = 900
# SQS accepts these characters in bodies and string attributes (the XML 1.0 set).
_FORBIDDEN_CHARACTER = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,256}")
# MessageGroupId / MessageDeduplicationId: alphanumerics and punctuation, 1 to 128.
_FIFO_ID = re.compile(r"[A-Za-z0-9!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]{1,128}")
# The MD5 of message attributes marks each value with its transport type.
_TRANSPORT_STRING = 1
_TRANSPORT_BINARY = 2


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def md5_of_body(body: str) -> str:
    return md5_hex(body.encode())


def md5_of_attributes(attributes: dict[str, dict]) -> str | None:
    """SQS's digest: for each attribute by name, length-prefixed name, type, transport byte, value."""
    if not attributes:
        return None
    encoded = bytearray()
    for name in sorted(attributes):
        value = attributes[name]
        data_type = value["DataType"]
        encoded += _length_prefixed(name.encode()) + _length_prefixed(data_type.encode())
        if _base_type(data_type) == "Binary":
            encoded += bytes([_TRANSPORT_BINARY]) + _length_prefixed(_binary(value))
        else:
            encoded += bytes([_TRANSPORT_STRING]) + _length_prefixed(value["StringValue"].encode())
    return md5_hex(bytes(encoded))


def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _base_type(data_type: str) -> str:
    return data_type.split(".", 1)[0]


def _binary(value: dict) -> bytes:
    return base64.b64decode(value["BinaryValue"])


def check_body(body: object) -> str:
    if body is None or body == "":
        raise MissingParameter("The request must contain the parameter MessageBody.")
    if not isinstance(body, str):
        raise InvalidParameterValue("Value for parameter MessageBody is invalid.")
    _check_characters(body, "the message body")
    return body


def _check_characters(text: str, where: str) -> None:
    bad = _FORBIDDEN_CHARACTER.search(text)
    if bad:
        raise InvalidMessageContents(
            f"Invalid binary character '#x{ord(bad.group()):X}' was found in {where}, the set "
            "of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | "
            "#x10000 to #x10FFFF"
        )


def check_delay(delay: object) -> int:
    if not isinstance(delay, int) or isinstance(delay, bool) or not 0 <= delay <= MAX_DELAY_SECONDS:
        raise InvalidParameterValue(
            f"Value {delay} for parameter DelaySeconds is invalid. "
            f"Reason: DelaySeconds must be >= 0 and <= {MAX_DELAY_SECONDS}."
        )
    return delay


def check_fifo_id(value: object, parameter: str) -> str:
    if not isinstance(value, str) or not _FIFO_ID.fullmatch(value):
        raise InvalidParameterValue(
            f"Value {value} for parameter {parameter} is invalid. Reason: {parameter} can "
            "contain up to 128 alphanumeric and punctuation characters."
        )
    return value


def check_attributes(attributes: object, kind: str = "message (user)") -> dict[str, dict]:
    """Return the attributes in stored form (BinaryValue as base64), or raise as SQS does."""
    if attributes is None:
        return {}
    if not isinstance(attributes, dict):
        raise InvalidParameterValue("The message attributes must be a map.")
    if len(attributes) > MAX_ATTRIBUTES:
        raise InvalidParameterValue(
            f"Number of {kind} attributes [{len(attributes)}] exceeds the allowed maximum "
            f"[{MAX_ATTRIBUTES}]."
        )
    return {name: _check_attribute(name, value, kind) for name, value in attributes.items()}


def _check_attribute(name: object, value: object, kind: str) -> dict:
    _check_attribute_name(name, kind)
    if not isinstance(value, dict):
        raise InvalidParameterValue(f"The {kind} attribute '{name}' must be a structure.")
    data_type = value.get("DataType")
    if not isinstance(data_type, str) or not data_type or len(data_type) > 256:
        raise InvalidParameterValue(f"The {kind} attribute '{name}' must contain a non-empty attribute type.")
    base = _base_type(data_type)
    if base not in ("String", "Number", "Binary"):
        raise InvalidParameterValue(
            f"The type of {kind} attribute '{name}' is invalid. You must use only the "
            "following supported type prefixes: Binary, Number, String."
        )
    if base == "Binary":
        return {"DataType": data_type, "BinaryValue": _binary_value(name, value, kind)}
    return {"DataType": data_type, "StringValue": _string_value(name, value, base, kind)}


def _check_attribute_name(name: object, kind: str) -> None:
    if not isinstance(name, str) or not _ATTRIBUTE_NAME.fullmatch(name):
        raise InvalidParameterValue(
            f"The {kind} attribute name '{name}' is invalid. Attribute name can contain "
            "A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters."
        )
    lowered = name.lower()
    if lowered.startswith(("aws.", "amazon.")) or name.startswith(".") or name.endswith(".") or ".." in name:
        raise InvalidParameterValue(f"The {kind} attribute name '{name}' is reserved or invalid.")


def _string_value(name: str, value: dict, base: str, kind: str) -> str:
    text = value.get("StringValue")
    if not isinstance(text, str) or text == "":
        raise InvalidParameterValue(
            f"The {kind} attribute '{name}' must contain a non-empty value of type '{base}'."
        )
    _check_characters(text, f"the {kind} attribute '{name}'")
    if base == "Number" and not _is_number(text):
        raise InvalidParameterValue(f"Can't cast the value of {kind} attribute '{name}' to a number.")
    return text


def _is_number(text: str) -> bool:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return False
    return number.is_finite()


def _binary_value(name: str, value: dict, kind: str) -> str:
    data = value.get("BinaryValue")
    if isinstance(data, (bytes, bytearray)):
        data = base64.b64encode(data).decode()
    try:
        decoded = base64.b64decode(data or "", validate=True)
    except (binascii.Error, TypeError, ValueError):
        decoded = b""
    if not decoded:
        raise InvalidParameterValue(
            f"The {kind} attribute '{name}' must contain a non-empty value of type 'Binary'."
        )
    return data


def attributes_size(attributes: dict[str, dict]) -> int:
    """Bytes the attributes count toward MaximumMessageSize: names, types and values."""
    size = 0
    for name, value in attributes.items():
        size += len(name.encode()) + len(value["DataType"].encode())
        if "BinaryValue" in value:
            size += len(_binary(value))
        else:
            size += len(value["StringValue"].encode())
    return size


def content_deduplication_id(body: str) -> str:
    """What ContentBasedDeduplication uses as the id: the SHA-256 of the body."""
    return hashlib.sha256(body.encode()).hexdigest()


def select_attributes(attributes: dict[str, dict], names: list[str] | None) -> dict[str, dict]:
    """The attributes a receiver asked for: "All", ".*", "prefix.*" or exact names."""
    if not names:
        return {}
    if "All" in names or ".*" in names:
        return dict(attributes)
    prefixes = tuple(n[:-1] for n in names if n.endswith(".*"))
    exact = set(names)
    return {
        name: value
        for name, value in attributes.items()
        if name in exact or (prefixes and name.startswith(prefixes))
    }


# --------------------------------------------------------------------------- a whole message


@dataclass(frozen=True)
class Checked:
    """A message that passed every check, ready to store."""

    body: str
    delay: int
    attributes: dict[str, dict]
    system_attributes: dict[str, dict]
    group_id: str
    deduplication_id: str


def check_message(
    queue: Queue,
    body: object,
    *,
    delay_seconds: object = None,
    attributes: object = None,
    system_attributes: object = None,
    group_id: object = None,
    deduplication_id: object = None,
) -> Checked:
    """Everything SendMessage checks before it stores anything, worded as SQS words it."""
    text = check_body(body)
    user = check_attributes(attributes)
    system = _check_system_attributes(system_attributes)
    size = len(text.encode()) + attributes_size(user)
    if size > queue.maximum_message_size:
        raise InvalidParameterValue(
            "One or more parameters are invalid. Reason: Message must be shorter than "
            f"{queue.maximum_message_size} bytes."
        )
    delay = _check_delay(queue, delay_seconds)
    group, dedup = _check_fifo_ids(queue, text, group_id, deduplication_id)
    return Checked(text, delay, user, system, group, dedup)


def _check_system_attributes(system_attributes: object) -> dict[str, dict]:
    checked = check_attributes(system_attributes, "message system")
    for name, value in checked.items():
        if name != "AWSTraceHeader" or value["DataType"] != "String":
            raise InvalidParameterValue(
                f"Message system attribute name '{name}' is invalid; only AWSTraceHeader "
                "(String) is supported."
            )
    return checked


def _check_delay(queue: Queue, delay_seconds: object) -> int:
    if delay_seconds is None:
        return queue.delay_seconds
    if queue.fifo:
        raise InvalidParameterValue(
            f"Value {delay_seconds} for parameter DelaySeconds is invalid. Reason: The request "
            "include parameter that is not valid for this queue type."
        )
    return check_delay(delay_seconds)


def _check_fifo_ids(queue: Queue, body: str, group_id: object, dedup_id: object) -> tuple[str, str]:
    if not queue.fifo:
        if dedup_id is not None:
            raise InvalidParameterValue(
                "The request include parameter MessageDeduplicationId that is not valid for "
                "this queue type."
            )
        return (check_fifo_id(group_id, "MessageGroupId") if group_id is not None else ""), ""
    if group_id is None:
        raise MissingParameter("The request must contain the parameter MessageGroupId.")
    group = check_fifo_id(group_id, "MessageGroupId")
    if dedup_id is not None:
        return group, check_fifo_id(dedup_id, "MessageDeduplicationId")
    if not queue.content_based_deduplication:
        raise InvalidParameterValue(
            "The queue should either have ContentBasedDeduplication enabled or "
            "MessageDeduplicationId provided explicitly"
        )
    return group, content_deduplication_id(body)
