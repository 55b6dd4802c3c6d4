"""History events (Step Functions API: GetExecutionHistory, "HistoryEvent").

Events are recorded as small slot objects (type, ids, timestamp, a details dict) and
turned into AWS-shaped dicts only when someone reads them, so recording costs little.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


class EventType:
    """The event type names AWS uses (only the ones the interpreter emits)."""

    ExecutionStarted = "ExecutionStarted"
    ExecutionSucceeded = "ExecutionSucceeded"
    ExecutionFailed = "ExecutionFailed"
    ExecutionAborted = "ExecutionAborted"
    ExecutionTimedOut = "ExecutionTimedOut"
    EvaluationFailed = "EvaluationFailed"
    TaskScheduled = "TaskScheduled"
    TaskStarted = "TaskStarted"
    TaskSubmitted = "TaskSubmitted"
    TaskSucceeded = "TaskSucceeded"
    TaskFailed = "TaskFailed"
    TaskTimedOut = "TaskTimedOut"
    MapStateStarted = "MapStateStarted"
    MapStateSucceeded = "MapStateSucceeded"
    MapStateFailed = "MapStateFailed"
    MapStateAborted = "MapStateAborted"
    MapIterationStarted = "MapIterationStarted"
    MapIterationSucceeded = "MapIterationSucceeded"
    MapIterationFailed = "MapIterationFailed"
    MapIterationAborted = "MapIterationAborted"
    MapRunStarted = "MapRunStarted"
    MapRunSucceeded = "MapRunSucceeded"
    MapRunFailed = "MapRunFailed"
    ParallelStateStarted = "ParallelStateStarted"
    ParallelStateSucceeded = "ParallelStateSucceeded"
    ParallelStateFailed = "ParallelStateFailed"
    ParallelStateAborted = "ParallelStateAborted"


# AWS names the details member after the type, except the per-state-type Entered/Exited
# events, which all share stateEnteredEventDetails / stateExitedEventDetails.
_DETAIL_KEYS: dict[str, str] = {}


def details_key(event_type: str) -> str:
    key = _DETAIL_KEYS.get(event_type)
    if key is None:
        if event_type.endswith("StateEntered"):
            key = "stateEnteredEventDetails"
        elif event_type.endswith("StateExited"):
            key = "stateExitedEventDetails"
        else:
            key = event_type[0].lower() + event_type[1:] + "EventDetails"
        _DETAIL_KEYS[event_type] = key
    return key


_PAYLOAD_FIELDS = ("input", "output", "parameters")


class Event:
    """One history event; ``details`` holds the raw fields of its *EventDetails member."""

    __slots__ = ("id", "previous_event_id", "type", "timestamp", "details")

    def __init__(
        self, id: int, previous_event_id: int, type: str, timestamp: float, details: Any
    ):
        self.id = id
        self.previous_event_id = previous_event_id
        self.type = type
        self.timestamp = timestamp
        self.details = details

    def to_aws(self) -> dict[str, Any]:
        """The event as GetExecutionHistory returns it."""
        event: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(self.timestamp, tz=UTC),
            "type": self.type,
            "id": self.id,
            "previousEventId": self.previous_event_id,
        }
        if self.details is not None:
            event[details_key(self.type)] = _with_payload_details(self.details)
        return event

    def to_json(self) -> list[Any]:
        return [self.id, self.previous_event_id, self.type, self.timestamp, self.details]

    @classmethod
    def from_json(cls, data: list[Any]) -> Event:
        return cls(*data)

    def __repr__(self) -> str:
        return f"Event({self.id}, {self.type})"


def _with_payload_details(details: dict[str, Any]) -> dict[str, Any]:
    out = dict(details)
    for name in _PAYLOAD_FIELDS:
        if name in out and f"{name}Details" not in out:
            out[f"{name}Details"] = {"truncated": False}
    return out
