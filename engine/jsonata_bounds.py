"""Runtime bounds for JSONata evaluation: time, depth and size, so no expression stalls its host.

AWS evaluates JSONata in its own fleet, so a looping or exploding expression costs
the caller nothing but a failed state. Here it would hold a thread (and whatever the
thread holds), so every evaluation is bounded, using the hooks jsonata-python offers
for this (``__evaluate_entry`` / ``__evaluate_exit``, the ones its ``Timebox`` binds):

* time: an expression that runs longer than ``LIMITS.timeout_s`` fails with JSONata's
  own ``D1012`` ("Evaluation timeout ... Check for infinite loop");
* depth: more than ``LIMITS.max_depth`` nested evaluations fails with ``D1011``;
* size: a string or array bigger than ``LIMITS.max_size`` (characters or items) fails,
  so doubling a string in a loop cannot exhaust memory before the clock runs out.

All three become ``States.QueryEvaluationError`` (engine.jsonata). jsonata-python's
``Timebox`` is not used as is: it starts its clock when it is created, not per
evaluation, and its depth count never recovers from an error.

A host may also give a thread a *budget* (``budget(seconds)``): when an evaluation
runs past it, ``BudgetExceeded`` is raised instead, which no handler in the engine
catches, so the host can abandon the step and do it again somewhere cheaper (the
console does this to keep slow steps out of the database's write turn).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from jsonata import JException


@dataclass
class Limits:
    timeout_s: float = 5.0
    max_depth: int = 2000
    max_size: int = 10_000_000
    # What compiles regex literals (jsonata-python's RegexEngine); None is its default (the
    # standard library's ``re``, which can backtrack for ever). A host may plug in a bounded
    # one (console/jsonata_regex.py); the engine itself imports no regex library.
    regex_engine: Callable[..., Any] | None = None


LIMITS = Limits()
YIELD_EVERY_S = 0.001


class BudgetExceeded(BaseException):  # noqa: N818 - a signal to the host, not an error
    """The thread's budget ran out mid-evaluation; the host abandons the step.

    A BaseException, like KeyboardInterrupt, so that the engine's "anything
    unexpected is States.Runtime" handlers and JSONata's own let it through.
    """


class SizeExceeded(Exception):
    """An intermediate value grew past ``LIMITS.max_size``."""


_budget = threading.local()


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Raise BudgetExceeded from any evaluation in this block that runs past ``seconds``."""
    previous = getattr(_budget, "deadline", None)
    _budget.deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        _budget.deadline = previous


class Bounds:
    """The entry/exit hooks of one evaluation: a clock, a depth count and a size check."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + LIMITS.timeout_s
        self.budget = getattr(_budget, "deadline", None)
        self.depth = 0
        self.yielded = self.started

    def hooks(self) -> dict[str, Any]:
        return {"__evaluate_entry": self.entry, "__evaluate_exit": self.exit}

    def entry(self, expr: Any, input: Any, env: Any) -> None:
        self.depth += 1
        if self.depth > LIMITS.max_depth:
            raise JException("D1011", -1)
        self._check_clock()

    def exit(self, expr: Any, input: Any, env: Any, result: Any) -> None:
        self.depth -= 1
        if isinstance(result, (str, list)) and len(result) > LIMITS.max_size:
            raise SizeExceeded(f"a value grew past {LIMITS.max_size} characters or items")
        self._check_clock()

    def _check_clock(self) -> None:
        now = time.monotonic()
        if self.budget is not None and now > self.budget:
            raise BudgetExceeded()
        if now > self.deadline:
            raise JException("D1012", -1, round(LIMITS.timeout_s * 1000))
        if now - self.yielded > YIELD_EVERY_S:
            # A long evaluation hands the interpreter lock over now and then: otherwise
            # each database call of the host's other threads waits out Python's 5 ms
            # switch interval, and an unrelated timer fires hundreds of ms late.
            self.yielded = now
            time.sleep(0)
