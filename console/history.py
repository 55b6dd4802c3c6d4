"""Read an execution's history for the console: which state each event belongs to, the
status of every state (for colouring the graph) and of every visit of a state (the steps
table and the timeline). The statuses are decided here only; the pages show them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

# A page carries at most this much of each long text of an event (an input, an output):
# a 200 KB input that passes through ten states would otherwise weigh 4 MB. The rest is
# fetched when the user asks for it (execution_event_details).
PREVIEW_CHARS = 4096

IN_PROGRESS = "in-progress"
SUCCEEDED = "succeeded"
FAILED = "failed"
CAUGHT = "caught"
CANCELLED = "cancelled"


@dataclass
class Row:
    """One history event as the console shows it."""

    id: int
    previous_id: int
    type: str
    timestamp: float
    details: dict[str, Any] | None
    state: str = ""
    iteration: str = ""

    def as_json(self) -> dict[str, Any]:
        """The event for the page, long texts cut to PREVIEW_CHARS ("cut" gives their lengths)."""
        details, cut = _preview(self.details)
        data = {
            "id": self.id,
            "previous": self.previous_id,
            "type": self.type,
            "timestamp": self.timestamp,
            "state": self.state,
            "iteration": self.iteration,
            "details": details,
        }
        if cut:
            data["cut"] = cut
        return data


def _preview(details: dict[str, Any] | None) -> tuple[dict[str, Any] | None, dict[str, int]]:
    if not details:
        return details, {}
    cut = {k: len(v) for k, v in details.items() if isinstance(v, str) and len(v) > PREVIEW_CHARS}
    if not cut:
        return details, {}
    return {k: v[:PREVIEW_CHARS] if k in cut else v for k, v in details.items()}, cut


def rows(events: Iterable[Any]) -> list[Row]:
    """Turn stored events into rows, naming the state and Map iteration of each event.

    An event carries its state's name only when entering or leaving it; the others
    (TaskScheduled, TaskFailed, ...) belong to the state of the event they follow
    (``previousEventId``). MapIteration* events name their Map and index; the events
    of an iteration follow its MapIterationStarted ("Map #index", nested iterations
    joined by " / ").
    """
    reader = _Reader()
    return [reader.read(event) for event in events]


_ITERATION_END = ("MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted")


class _Mark(NamedTuple):
    """What a later event needs of the one it follows (kept instead of the whole row)."""

    type: str
    state: str
    iteration: str


class _Reader:
    def __init__(self) -> None:
        self.by_id: dict[int, _Mark] = {}
        self.levels: dict[str, str] = {}  # Map state name -> the iteration it runs in

    def read(self, event: Any) -> Row:
        details = json.loads(event.details) if event.details else None
        previous = self.by_id.get(event.previous_event_id)
        row = Row(event.event_id, event.previous_event_id, event.type, event.timestamp, details)
        if event.type.startswith("MapIteration"):
            row.state = (details or {}).get("name", "")
            level = self.levels.get(row.state, "")
            label = f"{row.state} #{(details or {}).get('index', 0)}"
            row.iteration = f"{level} / {label}" if level else label
        else:
            row.state = _state_of(event.type, details, previous)
            row.iteration = self._inherited(previous)
            if event.type == "MapStateEntered":
                self.levels[row.state] = row.iteration
        self.by_id[row.id] = _Mark(row.type, row.state, row.iteration)
        return row

    def _inherited(self, previous: _Mark | None) -> str:
        if previous is None:
            return ""
        if previous.type in _ITERATION_END:
            return self.levels.get(previous.state, "")
        return previous.iteration


def _state_of(event_type: str, details: dict | None, previous: _Mark | None) -> str:
    if event_type.startswith("Execution"):
        return ""
    if event_type.endswith(("StateEntered", "StateExited")):
        return (details or {}).get("name", "")
    return previous.state if previous else ""


class StatusFold:
    """Every state's status, updated one history row at a time (the one place it is decided)."""

    def __init__(self) -> None:
        self.status: dict[str, str] = {}
        self.failed_in: set[str] = set()

    def add(self, row: Row) -> None:
        if not row.state:
            return
        if row.type.endswith("StateEntered"):
            # A new visit (a loop, or the state a redrive runs again) starts clean: the
            # failure of an earlier visit was not caught by this one.
            self.failed_in.discard(row.state)
            if self.status.get(row.state) != FAILED:
                self.status[row.state] = IN_PROGRESS
            if row.type == "FailStateEntered":
                self.status[row.state] = FAILED
        elif row.type.endswith("StateExited"):
            if self.status.get(row.state) != FAILED:
                self.status[row.state] = CAUGHT if row.state in self.failed_in else SUCCEEDED
            self.failed_in.discard(row.state)
        elif row.type.endswith(("Failed", "TimedOut", "Aborted")):
            self.failed_in.add(row.state)

    def settled(self, execution_status: str) -> dict[str, str]:
        """{state name: status} once the execution's own status is known (a copy)."""
        status = dict(self.status)
        _settle_unfinished(status, execution_status)
        return status


@dataclass(slots=True)
class _Visit:
    """One visit of a state (opened by its *StateEntered event, whose id names it)."""

    id: int
    kind: str  # the state's type: Task, Fail, Map, ...
    exited: bool = False
    failed: bool = False  # a failure during the visit (not one of a Map's iterations)
    superseded: bool = False  # entered again before it exited (a redrive ran it again)
    sent: str = ""  # the status last given out


_FAILURE = re.compile(r"(Failed|TimedOut)$")


def visit_status(visit: _Visit, execution_status: str) -> str:
    if visit.kind == "Fail":
        return FAILED
    if visit.exited:
        return CAUGHT if visit.failed else SUCCEEDED
    if visit.superseded:
        return FAILED
    return _unfinished(execution_status)


def _unfinished(execution_status: str) -> str:
    if execution_status == "RUNNING":
        return IN_PROGRESS
    return CANCELLED if execution_status == "ABORTED" else FAILED


class VisitFold:
    """Every visit's status, updated one row at a time; ``changes`` gives those that changed."""

    def __init__(self) -> None:
        self.open: dict[tuple[str, str], _Visit] = {}  # by state and Map iteration
        self.touched: dict[int, _Visit] = {}
        self.execution_status = ""

    def add(self, row: Row) -> None:
        if not row.state:
            return
        key = (row.state, row.iteration)
        if row.type.endswith("StateEntered"):
            earlier = self.open.get(key)
            if earlier is not None:
                earlier.superseded = True
                self.touched[earlier.id] = earlier
            self.open[key] = self.touched[row.id] = _Visit(row.id, row.type.removesuffix("StateEntered"))
            return
        visit = self.open.get(key)
        if visit is None:
            return
        if _FAILURE.search(row.type) and not row.type.startswith("MapIteration"):
            visit.failed = True
            self.touched[visit.id] = visit
        if row.type.endswith("StateExited"):
            visit.exited = True
            del self.open[key]
            self.touched[visit.id] = visit

    def changes(self, execution_status: str) -> dict[int, str]:
        """{visit id: status} of the visits whose status changed since the last call."""
        candidates = self.touched
        self.touched = {}
        if execution_status != self.execution_status:  # the unfinished visits settle with it
            self.execution_status = execution_status
            candidates.update((visit.id, visit) for visit in self.open.values())
        changed = {}
        for visit in candidates.values():
            status = visit_status(visit, execution_status)
            if status != visit.sent:
                visit.sent = changed[visit.id] = status
        return changed


class Progress:
    """A history read so far, event by event: each new event costs the same however long
    the history already is (the live page reads only what it has not seen)."""

    def __init__(self) -> None:
        self._reader = _Reader()
        self.statuses = StatusFold()
        self.visits = VisitFold()
        self.last = 0

    def read(self, events: Iterable[Any]) -> list[Row]:
        """The rows of events after ``last`` (in order), folded into the statuses."""
        new = []
        for event in events:
            if event.event_id <= self.last:
                continue
            row = self._reader.read(event)
            self.statuses.add(row)
            self.visits.add(row)
            self.last = row.id
            new.append(row)
        return new


def state_statuses(history: list[Row], execution_status: str) -> dict[str, str]:
    """Return {state name: status} from a history (states never reached are absent)."""
    fold = StatusFold()
    for row in history:
        fold.add(row)
    return fold.settled(execution_status)


def _settle_unfinished(status: dict[str, str], execution_status: str) -> None:
    """States still in progress when the execution ended failed or were cancelled."""
    for name, value in status.items():
        if value == IN_PROGRESS:
            status[name] = _unfinished(execution_status)
