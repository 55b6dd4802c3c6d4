"""A one-call driver over ``advance()`` for executions that need no durable host:
tests, the benchmark and ``engine.run``. Time is virtual (Waits, retries and timeouts
fire at once, in due order) and tasks are answered by an optional in-process mapping
``{resource: callable(parameters) -> result}``.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import engine
from engine.context import Clock, VirtualClock, default_context
from engine.definition import StateMachine
from engine.errors import STATES_TASK_FAILED, StatesError
from engine.events import Event
from engine.execution import (
    RUNNING,
    SUCCEEDED,
    ArmTimer,
    CallIntegration,
    CancelTimer,
    ExecutionState,
    Start,
    TaskFailed,
    TaskSucceeded,
    TimerFired,
)
from engine.interpreter import advance

Integration = Callable[[Any], Any]

_CACHE_SIZE = 256
_machines: dict[Any, tuple[Any, StateMachine]] = {}


def compiled(definition: Any, machine_type: str = "STANDARD") -> StateMachine:
    """``engine.load(definition, machine_type)`` (ASL or FDL), cached per definition text (or
    dict object) and type.

    The one compiled-definition cache: the console's runtime uses it too."""
    if isinstance(definition, StateMachine):
        return definition
    # A dict is cached by identity (kept alive by the cache, so its id is not reused);
    # callers must not mutate a definition dict after running it.
    key = (definition if isinstance(definition, (str, bytes)) else id(definition), machine_type)
    hit = _machines.get(key)
    if hit is not None and (hit[0] is definition or isinstance(key[0], (str, bytes))):
        return hit[1]
    machine = engine.load(definition, machine_type)
    if len(_machines) >= _CACHE_SIZE:
        _machines.clear()
    _machines[key] = (definition, machine)
    return machine


@dataclass
class ExecutionResult:
    """How an execution ended, with its full history."""

    status: str
    output: Any
    error: str | None
    cause: str | None
    events: list[Event]
    state: ExecutionState

    def history(self) -> list[dict[str, Any]]:
        return [event.to_aws() for event in self.events]


class ExecutionFailed(StatesError):
    """``run()`` raises this when the execution did not succeed."""

    def __init__(self, result: ExecutionResult):
        self.result = result
        self.status = result.status
        super().__init__(result.error or result.status, result.cause)


def run(definition: Any, input: Any = None, *,
        integrations: Mapping[str, Integration] | None = None,
        context: dict[str, Any] | None = None, clock: Clock | None = None) -> Any:
    """Run an execution to its end and return its output (raise ExecutionFailed)."""
    result = run_execution(definition, input, integrations=integrations, context=context,
                           clock=clock)
    if result.status != SUCCEEDED:
        raise ExecutionFailed(result)
    return result.output


def run_execution(definition: Any, input: Any = None, *,
                  integrations: Mapping[str, Integration] | None = None,
                  context: dict[str, Any] | None = None, clock: Clock | None = None,
                  machine_type: str = "STANDARD") -> ExecutionResult:
    """Run an execution to its end (or until only unanswerable waits remain)."""
    machine = compiled(definition, machine_type)
    clock = clock if clock is not None else VirtualClock()
    ctx = context if context is not None else default_context(clock.now())
    host = _Host(integrations or {}, clock)
    step = advance(machine, None, Start({} if input is None else input, ctx), clock)
    events = list(step.events)
    state = step.state
    host.take(step.effects)
    while state.status == RUNNING:
        trigger = host.next_trigger()
        if trigger is None:
            break
        step = advance(machine, state, trigger, clock)
        events.extend(step.events)
        host.take(step.effects)
    return ExecutionResult(state.status, state.output, state.error, state.cause, events, state)


class _Host:
    """Performs effects in-process: calls integrations, keeps virtual timers."""

    def __init__(self, integrations: Mapping[str, Integration], clock: Clock):
        self.integrations = integrations
        self.clock = clock
        self.triggers: deque[Any] = deque()
        self.timers: list[tuple[float, int, str]] = []
        self.cancelled: set[str] = set()
        self.order = 0

    def take(self, effects: list[Any]) -> None:
        for effect in effects:
            if isinstance(effect, CallIntegration):
                self.triggers.append(self.call(effect))
            elif isinstance(effect, ArmTimer):
                self.order += 1
                heapq.heappush(self.timers, (effect.due_at, self.order, effect.timer_id))
            elif isinstance(effect, CancelTimer):
                self.cancelled.add(effect.timer_id)

    def call(self, effect: CallIntegration) -> Any:
        handler = self.integrations.get(effect.resource)
        if handler is None:
            return TaskFailed(effect.task_id, STATES_TASK_FAILED,
                              f"No integration is registered for resource '{effect.resource}'")
        try:
            return TaskSucceeded(effect.task_id, handler(effect.parameters))
        except StatesError as err:
            return TaskFailed(effect.task_id, err.name, err.cause)
        except Exception as exc:  # noqa: BLE001 - a failing integration fails the task
            return TaskFailed(effect.task_id, type(exc).__name__, str(exc))

    def next_trigger(self) -> Any:
        if self.triggers:
            return self.triggers.popleft()
        while self.timers:
            due, _, timer_id = heapq.heappop(self.timers)
            if timer_id in self.cancelled:
                self.cancelled.discard(timer_id)
                continue
            advance_to = getattr(self.clock, "advance_to", None)
            if advance_to is not None:
                advance_to(due)
            return TimerFired(timer_id)
        return None
