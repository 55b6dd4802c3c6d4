"""The checks AWS's JSON services make before an action runs, which moto skips.

A request without a member the service model marks as required (or with it set to
null) is refused by AWS with a ``ValidationException`` whose message names every such
member, lower camel case, in one sentence: "1 validation error detected: Value null at
'item' failed to satisfy constraint: Member must not be null".
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from console.upstream.catalog import SERVICES, Call, Reply, error_reply


def check(call: Call) -> Reply | None:
    """An error reply for a JSON-protocol call AWS would refuse, or None."""
    service = SERVICES.get(call.service)
    target = call.headers.get("x-amz-target", "")
    if service is None or not service.targets or call.method != "POST" or "." not in target:
        return None
    try:
        params = json.loads(call.body or b"{}")
    except ValueError:
        return error_reply(call.service, "SerializationException", "Start of structure or map found where "
                           "not expected." if call.body.strip()[:1] == b"[" else "Malformed JSON body.", 400)
    if not isinstance(params, dict):
        return error_reply(call.service, "SerializationException", "Start of structure or map expected.", 400)
    message = missing_members(call.service, target.partition(".")[2], params)
    return error_reply(call.service, "ValidationException", message, 400) if message else None


def missing_members(service: str, operation: str, params: dict[str, Any]) -> str | None:
    """AWS's message for the required members ``params`` lacks, or None."""
    missing = [name for name in _required(service, operation) if params.get(name) is None]
    if not missing:
        return None
    errors = [f"Value null at '{name[:1].lower()}{name[1:]}' failed to satisfy constraint: "
              "Member must not be null" for name in missing]
    noun = "error" if len(errors) == 1 else "errors"
    return f"{len(errors)} validation {noun} detected: " + "; ".join(errors)


@cache
def _required(service: str, operation: str) -> tuple[str, ...]:
    import botocore.session

    model = botocore.session.get_session().get_service_model(service)
    if operation not in model.operation_names:
        return ()
    shape = model.operation_model(operation).input_shape
    return tuple(shape.required_members) if shape is not None else ()
