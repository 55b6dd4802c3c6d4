"""What an execution did, read from its history: each state's visits and each task's results.

Used to compare two executions side by side and to turn an execution into a test case.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from console.history import Row

_TASK_RESULTS = ("TaskSucceeded", "LambdaFunctionSucceeded", "ActivitySucceeded")
_TASK_FAILURES = ("TaskFailed", "LambdaFunctionFailed", "ActivityFailed", "TaskTimedOut",
                  "LambdaFunctionTimedOut", "ActivityTimedOut")


@dataclass
class Visit:
    """One run of a state (a Map iteration runs its states once per item)."""

    state: str
    iteration: str
    type: str
    entered: float
    exited: float | None = None
    input: Any = None
    output: Any = None
    error: str | None = None
    cause: str | None = None

    @property
    def key(self) -> str:
        return f"{self.iteration} / {self.state}" if self.iteration else self.state

    @property
    def duration_ms(self) -> int | None:
        return None if self.exited is None else round((self.exited - self.entered) * 1000)


@dataclass
class TaskResult:
    """What a task's call answered: a result, or an error and cause."""

    state: str
    returns: Any = None
    error: str | None = None
    cause: str | None = None

    def as_answer(self) -> dict[str, Any]:
        if self.error is not None:
            throw = {"Error": self.error}
            if self.cause is not None:
                throw["Cause"] = self.cause
            return {"Throw": throw}
        return {"Return": self.returns}


def _parsed(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def visits(rows: list[Row]) -> list[Visit]:
    """Every state visit, in the order the states were entered."""
    done: list[Visit] = []
    open_: dict[tuple[str, str], Visit] = {}
    for row in rows:
        details = row.details or {}
        if row.type.endswith("StateEntered"):
            visit = Visit(row.state, row.iteration, row.type[: -len("StateEntered")], row.timestamp,
                          input=_parsed(details.get("input")))
            open_[(row.iteration, row.state)] = visit
            done.append(visit)
        elif row.type.endswith("StateExited") and (row.iteration, row.state) in open_:
            visit = open_.pop((row.iteration, row.state))
            visit.exited, visit.output = row.timestamp, _parsed(details.get("output"))
        elif "error" in details and (row.iteration, row.state) in open_:
            visit = open_[(row.iteration, row.state)]
            visit.error, visit.cause = details.get("error"), details.get("cause")
    return done


def task_results(rows: list[Row]) -> list[TaskResult]:
    """Every task answer, in the order the calls were made (a retried task answers once per
    attempt; concurrent Map iterations may answer out of order, so each answer is placed where
    its call was scheduled)."""
    scheduled: dict[tuple[str, str], int] = {}
    placed: list[tuple[int, TaskResult]] = []
    for row in rows:
        details = row.details or {}
        where = (row.iteration, row.state)
        if row.type.endswith("Scheduled"):
            scheduled[where] = row.id
        elif row.type in _TASK_RESULTS or row.type in _TASK_FAILURES:
            placed.append((scheduled.get(where, row.id), _result(row, details)))
    return [result for _, result in sorted(placed, key=lambda pair: pair[0])]


def _result(row: Row, details: dict[str, Any]) -> TaskResult:
    if row.type in _TASK_RESULTS:
        return TaskResult(row.state, returns=_parsed(details.get("output")))
    error = details.get("error") or ("States.Timeout" if row.type.endswith("TimedOut") else "")
    return TaskResult(row.state, error=error, cause=details.get("cause"))


def mocks_from(results: list[TaskResult]) -> dict[str, dict[str, Any]]:
    """Test-case mocks answering each state's calls as they were answered: equal answers in a
    row share a range ("1-3")."""
    answers: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        answers.setdefault(result.state, []).append(result.as_answer())
    return {state: _ranges(list_) for state, list_ in answers.items()}


def _ranges(answers: list[dict[str, Any]]) -> dict[str, Any]:
    response: dict[str, Any] = {}
    start = 0
    for index in range(1, len(answers) + 1):
        if index == len(answers) or answers[index] != answers[start]:
            key = str(start) if index - 1 == start else f"{start}-{index - 1}"
            response[key] = answers[start]
            start = index
    return response


# --------------------------------------------------------------------------- JSON differences
@dataclass(frozen=True)
class Change:
    path: str
    kind: str  # "added", "removed", "changed"
    left: Any = None
    right: Any = None


@dataclass
class StatePair:
    """The same state visit in two executions."""

    key: str
    state: str
    left: Visit | None
    right: Visit | None
    input_changes: list[Change] = field(default_factory=list)
    output_changes: list[Change] = field(default_factory=list)
    left_status: str = ""
    right_status: str = ""

    @property
    def same(self) -> bool:
        both = self.left is not None and self.right is not None
        return both and not self.input_changes and not self.output_changes and \
            (self.left.error, self.left.cause) == (self.right.error, self.right.cause)


def diff(left: Any, right: Any, path: str = "$") -> list[Change]:
    """The differences between two JSON values, as JSONPath-like paths."""
    if isinstance(left, dict) and isinstance(right, dict):
        changes: list[Change] = []
        for key in [*left, *[k for k in right if k not in left]]:
            child = f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key)}]"
            if key not in right:
                changes.append(Change(child, "removed", left=left[key]))
            elif key not in left:
                changes.append(Change(child, "added", right=right[key]))
            else:
                changes += diff(left[key], right[key], child)
        return changes
    if isinstance(left, list) and isinstance(right, list):
        changes = []
        for index in range(max(len(left), len(right))):
            child = f"{path}[{index}]"
            if index >= len(right):
                changes.append(Change(child, "removed", left=left[index]))
            elif index >= len(left):
                changes.append(Change(child, "added", right=right[index]))
            else:
                changes += diff(left[index], right[index], child)
        return changes
    if left == right and type(left) is type(right):
        return []
    return [Change(path, "changed", left, right)]


def pair_visits(left: list[Visit], right: list[Visit]) -> list[StatePair]:
    """Line up the visits of two executions by state, Map iteration and visit number."""
    rights = dict(_keyed(right))
    pairs = [_pair(key, visit.state, visit, rights.pop(key, None)) for key, visit in _keyed(left)]
    return pairs + [_pair(key, visit.state, None, visit) for key, visit in rights.items()]


def _keyed(visits_: list[Visit]) -> list[tuple[str, Visit]]:
    seen: dict[str, int] = {}
    keyed = []
    for visit in visits_:
        seen[visit.key] = seen.get(visit.key, 0) + 1
        count = seen[visit.key]
        keyed.append((visit.key if count == 1 else f"{visit.key} (visit {count})", visit))
    return keyed


def _pair(key: str, state: str, left: Visit | None, right: Visit | None) -> StatePair:
    pair = StatePair(key, state, left, right)
    if left is not None and right is not None:
        pair.input_changes = diff(left.input, right.input)
        pair.output_changes = diff(left.output, right.output)
    return pair
