"""The optimized EventBridge integration ``arn:aws:states:::events:putEvents`` (and its
``.waitForTaskToken`` form), served by the embedded moto or the events upstream.

As AWS documents it: a ``Detail`` given as JSON is sent as its text, the execution's and
its state machine's ARNs are added to each entry's ``Resources``, and an answer with a
non-zero ``FailedEntryCount`` fails the task with ``EventBridge.FailedEntry``, the answer
(``Entries``, ``FailedEntryCount``) as the cause. Service errors are the AWS SDK for
Java 1's: ``EventBridge.<Name>`` for the exceptions the model declares, otherwise
``EventBridge.AmazonEventBridgeException``.
"""

from __future__ import annotations

import json
from typing import Any

from console.integrations import CallContext, Route
from console.integrations.service_calls import CallFailed, Unreachable, java_sdk_error, perform
from engine.errors import StatesError

PATTERN = r"arn:aws:states:::events:putEvents"


def put_events(parameters: Any, context: CallContext) -> dict[str, Any]:
    request = dict(parameters) if isinstance(parameters, dict) else {}
    if isinstance(request.get("Entries"), list):
        request["Entries"] = [_entry(entry, context.execution_arn) for entry in request["Entries"]]
    try:
        answer = perform("events", "PutEvents", request)
    except CallFailed as error:
        raise _states_error(error) from None
    except Unreachable as error:
        raise StatesError("EventBridge.SdkClientException", str(error)) from None
    result = {"Entries": answer.result.get("Entries", []), "FailedEntryCount": answer.result.get("FailedEntryCount", 0)}
    if result["FailedEntryCount"]:
        raise StatesError("EventBridge.FailedEntry", json.dumps(result, separators=(",", ":")))
    return result


def _entry(entry: Any, execution_arn: str) -> Any:
    if not isinstance(entry, dict):
        return entry
    entry = dict(entry)
    if "Detail" in entry and not isinstance(entry["Detail"], str):
        entry["Detail"] = json.dumps(entry["Detail"], separators=(",", ":"), ensure_ascii=False)
    resources = entry.get("Resources") if isinstance(entry.get("Resources"), list) else []
    entry["Resources"] = [*resources, execution_arn, state_machine_arn(execution_arn)]
    return entry


def state_machine_arn(execution_arn: str) -> str:
    """The ARN of the state machine an execution ARN belongs to."""
    parts = execution_arn.split(":")
    return ":".join([*parts[:5], "stateMachine", parts[6]]) if len(parts) > 6 else execution_arn


def _states_error(error: CallFailed) -> StatesError:
    return java_sdk_error(error, service="events", prefix="EventBridge", label="EventBridge",
                          fallback="AmazonEventBridgeException")

# What console.wiring registers: (resource pattern, integration[, inline]).
ROUTES = (
    Route(PATTERN, put_events),
)
