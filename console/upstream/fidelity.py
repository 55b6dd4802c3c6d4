"""Where the embedded moto answers differently from AWS, the difference put right.

EventBridge's PutEvents refuses, entry by entry, a ``Detail`` that is not a JSON object
(``MalformedDetail``, "Detail is malformed.") and still sends the other entries; moto
accepts any text. The malformed entries are kept from moto and answered as EventBridge
answers them, in their place among the others.

DynamoDB reports ``ConsumedCapacity`` only when the request asks for it
(``ReturnConsumedCapacity`` TOTAL or INDEXES); moto adds it to some answers regardless.

S3 encrypts every object (SSE-S3) since January 2023 and says so on every object answer
(``x-amz-server-side-encryption: AES256``), and names the type of a checksum it returns
(``x-amz-checksum-type: FULL_OBJECT`` for a whole-object CRC); moto says neither.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import replace
from typing import Any

from console.upstream.catalog import Call, Reply

MALFORMED = {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}


def dispatch(call: Call, serve) -> Reply:
    """Serve ``call`` with ``serve`` (moto), putting right what moto gets wrong."""
    if call.service == "events" and call.headers.get("x-amz-target") == "AWSEvents.PutEvents":
        return _put_events(call, serve)
    if call.service == "dynamodb" and call.method == "POST":
        return _without_unasked_capacity(call, serve(call))
    if call.service == "s3" and call.method in ("PUT", "GET", "HEAD"):
        return _s3_object_headers(call, serve(call))
    return serve(call)


_CHECKSUMS = ("x-amz-checksum-crc32", "x-amz-checksum-crc32c", "x-amz-checksum-crc64nvme")


def _s3_object_headers(call: Call, reply: Reply) -> Reply:
    is_object = "/" in call.path.strip("/") and "uploadId=" not in call.query and "partNumber=" not in call.query
    if reply.status != 200 or not is_object:
        return reply
    headers = dict(reply.headers)
    present = {name.lower() for name in headers}
    if "x-amz-server-side-encryption" not in present:
        headers["x-amz-server-side-encryption"] = "AES256"
    if "x-amz-checksum-type" not in present and any(name in present for name in _CHECKSUMS):
        headers["x-amz-checksum-type"] = "FULL_OBJECT"
    return Reply(reply.status, headers, reply.body)


def _without_unasked_capacity(call: Call, reply: Reply) -> Reply:
    try:
        asked = json.loads(call.body or b"{}").get("ReturnConsumedCapacity", "NONE")
        answer = json.loads(reply.body) if reply.status == 200 else {}
    except (ValueError, AttributeError):
        return reply
    if asked != "NONE" or not isinstance(answer, dict) or "ConsumedCapacity" not in answer:
        return reply
    del answer["ConsumedCapacity"]
    body = json.dumps(answer).encode()
    headers = {**reply.headers, "x-amz-crc32": str(zlib.crc32(body))}
    headers.pop("Content-Length", None)
    return Reply(reply.status, headers, body)


def _put_events(call: Call, serve) -> Reply:
    try:
        request = json.loads(call.body)
        entries = request["Entries"]
        malformed = [not _is_object_text(entry.get("Detail", "{}")) for entry in entries]
    except (ValueError, KeyError, TypeError, AttributeError):
        return serve(call)  # moto and the validation answer a broken request
    if not any(malformed):
        return serve(call)
    kept = [entry for entry, bad in zip(entries, malformed, strict=True) if not bad]
    answered: list[dict[str, Any]] = []
    failed = 0
    if kept:
        reply = serve(replace(call, body=json.dumps({**request, "Entries": kept}).encode()))
        if reply.status != 200:
            return reply
        answer = json.loads(reply.body)
        answered, failed = answer.get("Entries", []), answer.get("FailedEntryCount", 0)
    merged = iter(answered)
    result = [dict(MALFORMED) if bad else next(merged, {}) for bad in malformed]
    body = json.dumps({"FailedEntryCount": failed + sum(malformed), "Entries": result}).encode()
    return Reply(200, {"Content-Type": "application/x-amz-json-1.1"}, body)


def _is_object_text(detail: Any) -> bool:
    if not isinstance(detail, str):
        return False
    try:
        return isinstance(json.loads(detail), dict)
    except ValueError:
        return False
