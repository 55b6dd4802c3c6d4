"""Stored history events in GetExecutionHistory's shape, for the API and the console's download."""

from __future__ import annotations

import json
from typing import Any

from console.models import HistoryEvent
from engine.events import details_key

# Event fields holding a payload; with includeExecutionData false they are left out.
PAYLOADS = ("input", "output", "parameters")


def shape(row: tuple, include_data: bool) -> dict[str, Any]:
    """(event_id, previous_event_id, type, timestamp, details) -> the API's event."""
    event_id, previous, kind, timestamp, details = row
    event: dict[str, Any] = {"timestamp": timestamp, "type": kind, "id": event_id,
                             "previousEventId": previous}
    if details is not None:
        # Parsed fresh from the row, so it may be changed in place (a 10,000-event
        # history is read by the page: no copies).
        parsed = json.loads(details)
        for field in PAYLOADS:
            if field in parsed:
                if include_data:
                    parsed.setdefault(f"{field}Details", {"truncated": False})
                else:
                    del parsed[field]
        event[details_key(kind)] = parsed
    return event


def history_event(row: HistoryEvent, include_data: bool = True) -> dict[str, Any]:
    """One stored event in GetExecutionHistory's shape (timestamps as epoch seconds)."""
    return shape((row.event_id, row.previous_event_id, row.type, row.timestamp, row.details), include_data)
