"""What the execution page shows and follows: its history's events, every state's status,
the open task tokens and the pending timers.

``snapshot`` is the whole picture (the page as first drawn, the events JSON). A ``Feed``
follows one live page: ``start(after)`` reads the history once (at (re)connect) and gives
the events after the page's cursor with every status (of each state and each visit of a state); each
``next()`` then reads only the events after the last one it gave and sends the statuses
that changed, so a push costs
the same for a 20-event execution as for a 20,000-event one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from console import history
from console.models import Execution, HistoryEvent, TaskToken, Timer
from console.runtime import express


class _Stored(NamedTuple):
    """A stored event's columns the page reads (no model instance: 20,000 of those cost ~100 ms)."""

    event_id: int
    previous_event_id: int
    type: str
    timestamp: float
    details: str | None


_EVENT_FIELDS = _Stored._fields


def snapshot(execution: Execution, after: int) -> dict[str, Any]:
    """Events after ``after`` plus every state's status: what the page needs when drawn."""
    execution.refresh_from_db(fields=["status", "event_count"])
    message = Feed(execution.pk).start(after)
    return message if message is not None else _empty(execution)


def _empty(execution: Execution) -> dict[str, Any]:
    return {"status": execution.status, "last": 0, "events": [], "statuses": {}, "visits": {},
            "tokens": {}, "timers": {}}


class Feed:
    """One live page's view of an execution (``statuses`` in a message: those that changed)."""

    def __init__(self, pk: int) -> None:
        self.pk = pk
        self.progress = history.Progress()
        self.sent: dict[str, str] = {}

    @staticmethod
    def parents(pk: int) -> list[int]:
        """The execution that runs ``pk`` when it is a Map Run's child (none otherwise)."""
        parent = Execution.objects.filter(pk=pk).values_list("parent_id", flat=True).first()
        return [] if parent is None else [parent]

    def start(self, after: int) -> dict[str, Any] | None:
        """Read the whole history once; the events after ``after`` and every status (None: no execution)."""
        self.progress = history.Progress()
        self.sent = {}
        return self._message(after)

    def next(self) -> dict[str, Any] | None:
        """The events since the last message and the statuses they changed (None: no execution)."""
        return self._message(self.progress.last)

    def _message(self, after: int) -> dict[str, Any] | None:
        # The status first: events committed with a final status are then read too.
        row = Execution.objects.filter(pk=self.pk).values_list("status", "parent_id", "arn").first()
        if row is None:
            return None
        status, parent, arn = row
        # A Map Run's child waits through its parent's tokens and timers.
        owner = _Owner(parent, arn) if parent is not None else _Owner(self.pk, None)
        rows = self.progress.read(_events_after(self.pk, self.progress.last))
        statuses = self.progress.statuses.settled(status)
        changed = {name: value for name, value in statuses.items() if self.sent.get(name) != value}
        self.sent = statuses
        return {
            "status": status,
            "last": self.progress.last,
            "events": [row.as_json() for row in rows if row.id > after],
            "statuses": changed,
            "visits": self.progress.visits.changes(status),
            "tokens": _open_tokens(owner),
            "timers": _pending_timers(owner),
        }


def _events_after(pk: int, after: int) -> Iterable[Any]:
    live = express.runtime.events(pk)
    if live is not None:
        return [event for event in live if event.event_id > after]
    # (execution, event_id) is unique, so this reads only the new events through its index.
    stored = HistoryEvent.objects.filter(execution_id=pk, event_id__gt=after).order_by("event_id")
    return (_Stored._make(columns) for columns in stored.values_list(*_EVENT_FIELDS))


class _Owner(NamedTuple):
    """The execution whose engine runs the page's execution, and the child it is (or None)."""

    pk: int
    child: str | None


def _pending_timers(owner: _Owner) -> dict[str, list[dict[str, Any]]]:
    """When each state's pending timers fire (a Wait, a retry's backoff, a timeout), by state."""
    due = dict(Timer.objects.filter(execution_id=owner.pk).values_list("timer_id", "due_at"))
    if not due:
        return {}
    frames, waits = _engine_waits(owner.pk)
    timers: dict[str, list[dict[str, Any]]] = {}
    for timer_id, due_at in due.items():
        frame_id, _, purpose = waits.get(timer_id, "|").partition("|")
        frame = frames.get(frame_id) or {}
        name = frame.get("state_name")
        if name and frame.get("child") == owner.child:
            timers.setdefault(name, []).append({"purpose": purpose, "due": due_at})
    return timers


def _open_tokens(owner: _Owner) -> dict[str, list[dict[str, Any]]]:
    """The task tokens waiting for an answer, by state (for the step panel's actions); a
    parent's page shows its children's too."""
    tokens: dict[str, list[dict[str, Any]]] = {}
    waiting = TaskToken.objects.filter(execution_id=owner.pk, closed__isnull=True).order_by("created")
    if owner.child is not None:
        frames, waits = _engine_waits(owner.pk)
        mine = [task for task, wait in waits.items()
                if (frames.get(wait.partition("|")[0]) or {}).get("child") == owner.child]
        waiting = waiting.filter(task_id__in=mine)
    for task in waiting.only("pk", "state_name", "created"):
        tokens.setdefault(task.state_name, []).append({"id": task.pk, "since": task.created.isoformat()})
    return tokens


def _engine_waits(pk: int) -> tuple[dict[str, Any], dict[str, str]]:
    raw = Execution.objects.filter(pk=pk).values_list("engine_state", flat=True).first()
    state = json.loads(raw or "{}")
    return state.get("frames", {}), state.get("waits", {})
