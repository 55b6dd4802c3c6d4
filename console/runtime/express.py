"""Express executions: run in memory, at least once, like AWS (design.md, boundary 2).

An Express execution's steps are not committed one by one: the engine's snapshot, its
timers and its integration calls live in this process, and the history is written to
the database once, when the execution ends (so the console can still show every step
of it, which AWS cannot). While it runs, the console reads its events from memory.
A process that dies loses the Express executions it was running, as AWS does; the
embedded mode marks their rows ABORTED at the next start.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import DatabaseError, close_old_connections, transaction

from console.mocking.calls import MockedCalls
from console.models import Execution
from console.runtime import ports, stepper, store
from console.runtime.clock import scaled_due, time_scale
from console.runtime.machines import compiled
from console.runtime.ports import CallContext
from engine.execution import (
    RUNNING,
    ArmTimer,
    CallIntegration,
    CancelTimer,
    ExecutionState,
    Stop,
    TimerFired,
)
from engine.interpreter import advance

log = logging.getLogger(__name__)
ORPHAN_CAUSE = "Stepyard restarted while this Express execution ran; Express executions are not durable."


@dataclass
class ExpressRun:
    execution: Execution
    machine: Any
    state: ExecutionState | None = None
    events: list[Any] = field(default_factory=list)
    timers: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)
    mocked: MockedCalls | None = None


@dataclass(frozen=True)
class EventView:
    """An in-memory event shaped like a stored HistoryEvent row (for console.history)."""

    event_id: int
    previous_event_id: int
    type: str
    timestamp: float
    details: str | None


class ExpressRuntime:
    def __init__(self, workers: int = 8):
        self.runs: dict[int, ExpressRun] = {}
        self._heap: list[tuple[float, int, int, str]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stepyard-express")
        self._timer_thread: threading.Thread | None = None

    # -- starting and steering ------------------------------------------------------
    def start(self, execution: Execution, trigger: Any) -> ExpressRun:
        run = ExpressRun(execution, compiled(execution.definition, execution.type),
                         mocked=MockedCalls.of(execution))
        self.runs[execution.pk] = run
        self.deliver(run, trigger)
        return run

    def stop(self, pk: int, error: str | None, cause: str | None) -> bool:
        run = self.runs.get(pk)
        if run is None:
            return False
        self.deliver(run, Stop(error, cause))
        return True

    def events(self, pk: int) -> list[EventView] | None:
        """The events of a running Express execution, or None if it is not running here."""
        run = self.runs.get(pk)
        if run is None:
            return None
        with run.lock:
            return [EventView(e.id, e.previous_event_id, e.type, e.timestamp,
                              None if e.details is None else json.dumps(e.details)) for e in run.events]

    # -- the step loop ---------------------------------------------------------------
    def deliver(self, run: ExpressRun, trigger: Any) -> None:
        with run.lock:
            if run.state is not None and run.state.status != RUNNING:
                return
            step = advance(run.machine, run.state, trigger, stepper.CLOCK)
            run.state = step.state
            run.events.extend(step.events)
            finished = step.state.status != RUNNING
        for effect in step.effects:
            self._perform(run, effect)
        if finished:
            self._finish(run)
        else:
            stepper.notify(stepper.Applied(run.execution, step.events, step.effects))

    def _perform(self, run: ExpressRun, effect: Any) -> None:
        if isinstance(effect, ArmTimer):
            due = scaled_due(effect.due_at, stepper.CLOCK.now(), time_scale())
            run.timers[effect.timer_id] = due
            self._arm(due, run.execution.pk, effect.timer_id)
        elif isinstance(effect, CancelTimer):
            run.timers.pop(effect.timer_id, None)
        elif isinstance(effect, CallIntegration):
            self._pool.submit(self._call, run, effect)

    def _mocked(self, run: ExpressRun, call: CallIntegration) -> Any:
        """The mocked outcome of the call when its state is mocked by the run's test case."""
        if run.mocked is None:
            return None
        with run.lock:
            return run.mocked.answer(_state_of(run, call.task_id), call.task_id)

    def _call(self, run: ExpressRun, call: CallIntegration) -> None:
        trigger = self._mocked(run, call)
        if trigger is not None:
            self._deliver_in_thread(run, trigger)
            return
        context = CallContext(run.execution.arn, _state_of(run, call.task_id), None,
                                           call.timeout_s, call.resource, call.task_id)
        trigger = ports.integrations().outcome(call.parameters, context, wait_for_token=False)
        self._deliver_in_thread(run, trigger)

    def _deliver_in_thread(self, run: ExpressRun, trigger: Any) -> None:
        try:
            self.deliver(run, trigger)
        finally:
            close_old_connections()

    def _finish(self, run: ExpressRun) -> None:
        """Log the ended execution to the database in one transaction."""
        if self.runs.get(run.execution.pk) is not run:
            return
        try:
            for attempt in range(3):
                try:
                    self._log(run)
                    break
                except DatabaseError:
                    if attempt == 2:
                        raise
                    time.sleep(0.05 * (attempt + 1))
        except Exception:
            log.exception("could not log Express execution %s", run.execution.arn)
        finally:
            self.runs.pop(run.execution.pk, None)
            run.done.set()

    def _log(self, run: ExpressRun) -> None:
        execution, state = run.execution, run.state
        with transaction.atomic():
            store.insert_events(execution.pk, run.events)
            execution.status, execution.event_count = state.status, state.event_count
            execution.output = stepper.output_text(state.output, state.status)
            execution.error, execution.cause = state.error, state.cause
            execution.stop_date = datetime.fromtimestamp(stepper.CLOCK.now(), tz=UTC)
            execution.save(update_fields=["status", "event_count", "output", "error", "cause", "stop_date"])
            applied = stepper.Applied(execution, run.events, [])
            transaction.on_commit(lambda: stepper.notify(applied))

    # -- timers ----------------------------------------------------------------------
    def _arm(self, due: float, pk: int, timer_id: str) -> None:
        with self._wake:
            heapq.heappush(self._heap, (due, next(self._order), pk, timer_id))
            if self._timer_thread is None:
                self._timer_thread = threading.Thread(target=self._timer_loop, name="stepyard-express-timers",
                                                      daemon=True)
                self._timer_thread.start()
            self._wake.notify()

    def _timer_loop(self) -> None:
        while True:
            with self._wake:
                while not self._heap or self._heap[0][0] > stepper.CLOCK.now():
                    timeout = self._heap[0][0] - stepper.CLOCK.now() if self._heap else None
                    self._wake.wait(timeout=timeout)
                due, _, pk, timer_id = heapq.heappop(self._heap)
            run = self.runs.get(pk)
            # A cancelled or re-armed timer leaves a stale heap entry behind: skip it.
            if run is not None and run.timers.get(timer_id) == due:
                run.timers.pop(timer_id, None)
                self._pool.submit(self._fire, run, timer_id)

    def _fire(self, run: ExpressRun, timer_id: str) -> None:
        try:
            self.deliver(run, TimerFired(timer_id))
        finally:
            close_old_connections()


def _state_of(run: ExpressRun, task_id: str) -> str:
    frame = run.state.frames.get(run.state.waits.get(task_id, "").split("|")[0]) if run.state else None
    return frame.state_name if frame is not None else ""


runtime = ExpressRuntime()


def abandon_orphans() -> int:
    """Mark Express executions left RUNNING by a previous process as ABORTED."""
    return Execution.objects.filter(type="EXPRESS", status=Execution.RUNNING).update(
        status=Execution.ABORTED, error="States.Runtime", cause=ORPHAN_CAUSE,
        stop_date=datetime.now(UTC),
    )
