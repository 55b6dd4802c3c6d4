"""One engine step in one transaction: lock the execution, advance, persist everything.

The events of the step, the execution's new snapshot, its timers, task tokens and the
integration calls it asked for are written together, so a crash at any instant loses
nothing and duplicates nothing (design.md, boundary 2). What must happen outside the
database (waking the scheduler, publishing to the console) runs after commit.

On SQLite one transaction at a time holds the write turn (console/db/sqlite), so a step
must not compute for long inside one: the engine's work under the turn gets a small
budget (``LOCKED_BUDGET_S``). A step that needs more (a slow JSONata expression) raises
``SlowStep``; the entry point (decorated with ``outside_write_turn``) rolls back, does
the engine's work with no turn held (``precompute``), and runs again, saving the step it
computed if the execution has not moved meanwhile. Expressions are bounded in time by
engine.jsonata_bounds, so the slow step ends (a looping one fails with
States.QueryEvaluationError) and is recorded like any other: a restart does not replay it.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from console.mocking.calls import MockedCalls
from console.models import Execution
from console.runtime import map_children, ports, store
from console.runtime.clock import SystemClock, scaled_due, time_scale
from console.runtime.machines import compiled
from console.runtime.ports import CallContext
from engine.execution import (
    RUNNING,
    SUCCEEDED,
    ArmTimer,
    CallIntegration,
    CancelTask,
    CancelTimer,
    ExecutionState,
    Redrive,
    Step,
)
from engine.interpreter import advance
from engine.jsonata_bounds import BudgetExceeded, budget

CLOCK = SystemClock()
# Set by a scheduler running in this process: it performs a step's calls right after the
# commit, so they are created leased to it. Otherwise workers claim them by polling.
performs_calls_after_commit = False


@dataclass
class Applied:
    """A committed step: the execution as saved, its new events and its effects."""

    execution: Execution
    events: list[Any]
    effects: list[Any]
    calls: list[int] = field(default_factory=list)  # PendingCall ids, leased to this process


_after_commit_hooks: list[Callable[[Applied], None]] = []


def on_step(hook: Callable[[Applied], None]) -> None:
    """Call ``hook(applied)`` after each committed step (the scheduler, the console)."""
    if hook not in _after_commit_hooks:
        _after_commit_hooks.append(hook)


def apply(execution: Execution, trigger: Any) -> Applied | None:
    """Advance a stored execution by one trigger; None if it has already ended."""
    with transaction.atomic():
        execution = store.lock_execution(execution.pk)
        if execution.status != RUNNING:
            return None
        return _advance_and_save(execution, execution.engine_state, trigger)


def redrive(execution: Execution) -> Applied:
    """Restart an ended execution from the state that ended it (RedriveExecution)."""
    with transaction.atomic():
        execution = store.lock_whole_execution(execution.pk)
        return _advance_and_save(execution, execution.engine_state, Redrive())


def apply_new(execution: Execution, trigger: Any) -> Applied:
    """Run the first trigger (Start) of a new execution and insert it (call in a transaction)."""
    return _advance_and_save(execution, None, trigger)


def _advance_and_save(execution: Execution, state_text: str | None, trigger: Any) -> Applied:
    machine = compiled(execution.definition, execution.type)
    first = _advance_in_turn(machine, execution, state_text, trigger)
    step = _run_inline_calls(machine, execution, first)
    calls = _save(execution, step, closes_tasks=state_text is not None)
    map_children.record(execution, machine, step)
    applied = Applied(execution, step.events, step.effects, calls)
    transaction.on_commit(lambda: notify(applied))
    return applied


# ----------------------------------------------------------- slow steps (see module docstring)

LOCKED_BUDGET_S = 0.05  # engine work a step may do holding the write turn (it takes ~1 ms)
SLOW_STEP_TRIES = 3
_ready = threading.local()  # .steps: {arn: (state_text, trigger, Step)} computed outside


class SlowStep(Exception):
    """A step needs more than LOCKED_BUDGET_S: compute it outside the write turn, then retry."""

    def __init__(self, execution: Execution, state_text: str | None, trigger: Any):
        super().__init__(f"step of {execution.arn} is slow")
        self.arn, self.definition, self.type = execution.arn, execution.definition, execution.type
        self.state_text, self.trigger = state_text, trigger


def _advance_in_turn(machine: Any, execution: Execution, state_text: str | None, trigger: Any) -> Step:
    ready = getattr(_ready, "steps", {}).pop(execution.arn, None)
    if ready is not None and ready[0] == state_text and ready[1] == trigger:
        return ready[2]
    state = None if state_text is None else ExecutionState.from_json(json.loads(state_text))
    if getattr(_ready, "unbudgeted", False):
        return advance(machine, state, trigger, CLOCK)
    try:
        with budget(LOCKED_BUDGET_S):
            return advance(machine, state, trigger, CLOCK)
    except BudgetExceeded:
        raise SlowStep(execution, state_text, trigger) from None


def precompute(slow: SlowStep) -> None:
    """Do a slow step's engine work now, holding nothing, for this thread's next try."""
    machine = compiled(slow.definition, slow.type)
    state = None if slow.state_text is None else ExecutionState.from_json(json.loads(slow.state_text))
    step = advance(machine, state, slow.trigger, CLOCK)
    if not hasattr(_ready, "steps"):
        _ready.steps = {}
    _ready.steps[slow.arn] = (slow.state_text, slow.trigger, step)


def outside_write_turn(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate an entry point that runs steps: retry it after computing a slow step outside."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        if connection.in_atomic_block:
            return func(*args, **kwargs)  # the entry point holding the transaction retries
        # An entry point may run another one after its commit: each keeps its own steps.
        saved = getattr(_ready, "steps", {}), getattr(_ready, "unbudgeted", False)
        _ready.steps, _ready.unbudgeted = {}, False
        try:
            for _ in range(SLOW_STEP_TRIES):
                try:
                    return func(*args, **kwargs)
                except SlowStep as slow:
                    precompute(slow)
            # The execution kept moving under us: take the time inside the turn, bounded.
            _ready.unbudgeted = True
            return func(*args, **kwargs)
        finally:
            _ready.steps, _ready.unbudgeted = saved

    return run


def _run_inline_calls(machine: Any, execution: Execution, step: Step) -> Step:
    """Answer now, in this transaction, the calls of mocked states (a test case's run) and of
    inline integrations, and advance the engine with their outcome; other effects are kept
    for after the commit."""
    mocked = MockedCalls.of(execution)
    events, kept, pending = list(step.events), [], list(step.effects)
    children = list(step.child_events)
    state = step.state
    while pending:
        effect = pending.pop(0)
        trigger = _answer_now(execution, mocked, state, effect, kept)
        if trigger is None:
            continue
        following = advance(machine, state, trigger, CLOCK)
        state = following.state
        events += following.events
        children += following.child_events
        pending += following.effects
    if mocked is not None:
        execution.mock_attempts = mocked.attempts_json()
    return Step(state, events, kept, children)


def _answer_now(execution: Execution, mocked: MockedCalls | None, state: ExecutionState, effect: Any,
                kept: list[Any]) -> Any:
    """The trigger that answers ``effect`` at once, or None after keeping it for later.

    A mocked state is answered from the test case whatever its resource (``.sync`` and
    ``.waitForTaskToken`` included: the mocked value is the task's result, no token waits)."""
    if not isinstance(effect, CallIntegration):
        kept.append(effect)
        return None
    state_name = _task_state_name(state, effect.task_id)
    if mocked is not None:
        trigger = mocked.answer(state_name, effect.task_id)
        if trigger is not None:
            return trigger
    if not ports.integrations().is_inline(effect.resource):
        kept.append(effect)
        return None
    if effect.wait_for_token and effect.token:
        kept.append(_TokenOnly(effect))  # the task still waits for its token
    context = CallContext(execution.arn, state_name, effect.token, effect.timeout_s,
                                       effect.resource, effect.task_id)
    return ports.integrations().outcome(effect.parameters, context, wait_for_token=effect.wait_for_token)


@dataclass(frozen=True)
class _TokenOnly:
    """An inline call already performed whose task waits for its token: record the token."""

    call: CallIntegration


def notify(applied: Applied) -> None:
    """Run the after-step hooks (call it after the step's data is committed)."""
    for hook in _after_commit_hooks:
        hook(applied)


def _save(execution: Execution, step: Step, *, closes_tasks: bool) -> list[int]:
    """Write the execution row first (an INSERT for a new one), then its events and effects;
    return the ids of the integration calls the step asked for."""
    _save_execution(execution, step.state)
    store.insert_events(execution.pk, step.events)
    calls = _apply_effects(execution, step)
    if closes_tasks:
        store.close_tokens_except(execution.pk, list(step.state.waits))
        # An execution that ends in its first step never had timers, calls or tokens.
        if step.state.status != RUNNING:
            store.close_everything(execution.pk)
    return calls if performs_calls_after_commit else []


_STEP_FIELDS = ["engine_state", "event_count", "status"]
_REDRIVE_FIELDS = ["redrive_count", "redrive_date"]
_END_FIELDS = ["stop_date", "output", "error", "cause"]


def _save_execution(execution: Execution, state: ExecutionState) -> None:
    """Save what the step changed (only those columns: a step never reads input or output)."""
    execution.engine_state = json.dumps(state.to_json())
    execution.event_count = state.event_count
    execution.status = state.status
    fields = list(_STEP_FIELDS)
    if execution.mock:
        fields.append("mock_attempts")
    redrives = state.context.get("Execution", {}).get("RedriveCount", 0)
    if redrives != execution.redrive_count:
        execution.redrive_count = redrives
        execution.redrive_date = datetime.fromtimestamp(CLOCK.now(), tz=UTC)
        execution.stop_date = execution.output = execution.error = execution.cause = None
        fields += _REDRIVE_FIELDS + _END_FIELDS
    if state.status != RUNNING:
        execution.output = output_text(state.output, state.status)
        execution.error, execution.cause = state.error, state.cause
        execution.stop_date = datetime.fromtimestamp(CLOCK.now(), tz=UTC)
        fields += [f for f in _END_FIELDS if f not in fields]
    store.save_execution(execution, fields)


def output_text(output: Any, status: str = SUCCEEDED) -> str | None:
    """An execution's output as AWS returns it: compact JSON text; a succeeded execution's
    null output is ``"null"`` (a JSONata ``"Output": null``), an ended one's is absent."""
    if output is None and status != SUCCEEDED:
        return None
    return json.dumps(output, separators=(",", ":"), ensure_ascii=False)


def _apply_effects(execution: Execution, step: Step) -> list[int]:
    scale = time_scale()
    now = CLOCK.now()
    calls = []
    for effect in step.effects:
        if isinstance(effect, ArmTimer):
            store.arm_timer(execution.pk, effect.timer_id, scaled_due(effect.due_at, now, scale))
        elif isinstance(effect, CancelTimer):
            store.cancel_timer(execution.pk, effect.timer_id)
        elif isinstance(effect, CallIntegration):
            calls.append(_schedule_call(execution, step.state, effect, now))
        elif isinstance(effect, CancelTask):
            store.cancel_task(execution.pk, effect.task_id)
        elif isinstance(effect, _TokenOnly) and effect.call.task_id in step.state.waits:
            store.record_token(execution.pk, effect.call, _task_state_name(step.state, effect.call.task_id))
    return calls


def _schedule_call(execution: Execution, state: ExecutionState, call: CallIntegration, now: float) -> int:
    """Record the call, leased to this process: it is performed as soon as the step commits,
    and by any worker once the lease runs out if this process dies first."""
    state_name = _task_state_name(state, call.task_id)
    leased = performs_calls_after_commit
    pending_id = store.insert_call(execution.pk, call, state_name, leased_until=now + call_lease_s() if leased else 0,
                                   attempts=1 if leased else 0)
    if call.token:  # .waitForTaskToken, activities and .sync tasks can be answered on it
        store.record_token(execution.pk, call, state_name)
    return pending_id


def call_lease_s() -> float:
    """How long a call stays leased without renewal: the worker performing it renews the
    lease while it works (scheduler.LeaseKeeper); once a dead worker's lease runs out,
    another worker performs the call again."""
    return settings.STEPYARD_LEASE_S


def _task_state_name(state: ExecutionState, task_id: str) -> str:
    frame_id = state.waits.get(task_id, "").split("|")[0]
    frame = state.frames.get(frame_id)
    return frame.state_name if frame is not None else ""
