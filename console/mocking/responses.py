"""One mocked response: answers keyed by attempt number ("0") or range ("1-2").

Each answer is ``{"Return": value}`` or ``{"Throw": {"Error": ..., "Cause": ...}}``. Attempts
count every call of the state in the execution (retries, loops and Map iterations included),
from 0, as Step Functions Local counts them. An attempt the response does not answer fails the
task with States.Runtime, as there (an empty response too: it is only an error once called).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_KEY = re.compile(r"(0|[1-9][0-9]*)(?:-(0|[1-9][0-9]*))?")


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: the keys leading to the offending field."""

    path: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class Answer:
    returns: Any = None
    error: str | None = None
    cause: str | None = None

    @property
    def throws(self) -> bool:
        return self.error is not None


def attempt_range(key: str) -> tuple[int, int] | None:
    """``"3"`` -> (3, 3), ``"1-2"`` -> (1, 2); None for anything else."""
    match = _KEY.fullmatch(key)
    if match is None:
        return None
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) is not None else first
    return (first, last) if last >= first else None


def check_response(response: Any, path: tuple[str, ...] = ()) -> list[Problem]:
    """Every problem of one mocked response (empty when it is well formed)."""
    if not isinstance(response, dict):
        return [Problem(path, "must be an object keyed by attempt number (\"0\", \"1-2\", ...)")]
    problems: list[Problem] = []
    for key, answer in response.items():
        if attempt_range(key) is None:
            problems.append(Problem((*path, key), f"\"{key}\" is not an attempt number or a range "
                                                  "like \"1-2\" (first <= last)"))
        else:
            problems += _check_answer(answer, (*path, key))
    return problems or _check_coverage(response, path)


def _check_answer(answer: Any, path: tuple[str, ...]) -> list[Problem]:
    if not isinstance(answer, dict) or len(answer.keys() & {"Return", "Throw"}) != 1:
        return [Problem(path, "must hold exactly one of \"Return\" and \"Throw\"")]
    extra = sorted(answer.keys() - {"Return", "Throw"})
    if extra:
        return [Problem((*path, extra[0]), f"unknown field \"{extra[0]}\" (only \"Return\" or \"Throw\")")]
    if "Throw" in answer:
        return _check_throw(answer["Throw"], (*path, "Throw"))
    return []


def _check_throw(throw: Any, path: tuple[str, ...]) -> list[Problem]:
    if not isinstance(throw, dict):
        return [Problem(path, "must be an object with \"Error\" and \"Cause\"")]
    problems = []
    if not isinstance(throw.get("Error"), str):
        problems.append(Problem((*path, "Error"), "\"Error\" must be a string (the error name)"))
    if "Cause" in throw and not isinstance(throw["Cause"], str):
        problems.append(Problem((*path, "Cause"), "\"Cause\" must be a string"))
    problems += [Problem((*path, name), f"unknown field \"{name}\" (only \"Error\" and \"Cause\")")
                 for name in sorted(throw.keys() - {"Error", "Cause"})]
    return problems


def _check_coverage(response: dict[str, Any], path: tuple[str, ...]) -> list[Problem]:
    """Attempts start at 0 and follow each other with no gap and no overlap."""
    expected = 0
    for key in sorted(response, key=lambda k: attempt_range(k) or (0, 0)):
        first, last = attempt_range(key) or (0, 0)
        if first != expected:
            what = "overlaps an earlier entry" if first < expected else f"leaves attempt {expected} unanswered"
            return [Problem((*path, key), f"\"{key}\" {what}: attempts start at 0 and follow each other")]
        expected = last + 1
    return []


def answer_for(response: dict[str, Any], attempt: int) -> Answer | None:
    """The answer of a (checked) mocked response to the given attempt (0 for the first), or
    None when it gives none for that attempt."""
    for key, answer in response.items():
        first, last = attempt_range(key) or (0, -1)
        if first <= attempt <= last:
            if "Throw" in answer:
                return Answer(error=answer["Throw"]["Error"], cause=answer["Throw"].get("Cause"))
            return Answer(returns=answer["Return"])
    return None


def answered_attempts(response: dict[str, Any]) -> str:
    """``"0-2"``: the attempts a checked response answers (``"none"`` when empty)."""
    if not response:
        return "none"
    last = max((attempt_range(key) or (0, 0))[1] for key in response)
    return "0" if last == 0 else f"0-{last}"
