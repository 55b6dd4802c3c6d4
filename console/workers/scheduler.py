"""The engine's background loop: fires due timers and performs integration calls.

Event-driven: a waiting execution is a row (a timer, a token, a pending call), never a
thread. In the embedded mode one scheduler runs inside the Daphne process and is woken
after every step that armed a timer or asked for a call; ``manage.py runengine`` runs
the same loop in worker processes, which claim work with row locks (SKIP LOCKED on
PostgreSQL) and poll briefly, since other processes' writes cannot wake them.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import close_old_connections, transaction

from console.models import Execution, PendingCall
from console.runtime import ports, stepper, store
from console.runtime.clock import scaled_due, time_scale
from console.runtime.ports import CallContext
from engine.execution import ArmTimer, TimerFired

log = logging.getLogger(__name__)
BATCH = 200


class LeaseKeeper:
    """The calls this process holds (queued or being performed), and the heartbeat thread
    that renews their leases a third of a lease apart: a live worker never loses a call,
    however long it takes, and a dead worker's calls are free again one lease later."""

    def __init__(self, lease_s: float):
        self.lease_s = lease_s
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, call_id: int) -> None:
        with self._lock:
            self._held.add(call_id)

    def release(self, call_id: int) -> None:
        with self._lock:
            self._held.discard(call_id)

    def held(self) -> list[int]:
        with self._lock:
            return sorted(self._held)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="stepyard-leases", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop renewing, and free the calls still held (queued, never started): a graceful
        stop hands them to the other workers at once instead of one lease later."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        held = self.held()
        if held:
            store.renew_leases(held, 0)

    def _loop(self) -> None:
        while not self._stopping.wait(self.lease_s / 3):
            try:
                self.renew(time.time())
            except Exception:
                log.exception("could not renew the leases of integration calls")
            finally:
                close_old_connections()

    def renew(self, now: float) -> int:
        """Push the lease of every held call to ``now`` + one lease; return how many."""
        held = self.held()
        if not held:
            return 0
        return store.renew_leases(held, now + self.lease_s)


class Scheduler:
    def __init__(self, *, poll_s: float = 1.0, workers: int = 8):
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stepyard-call")
        self.leases = LeaseKeeper(stepper.call_lease_s())
        self._thread: threading.Thread | None = None
        # When the loop's next pass is due (infinity while a pass runs): a step that arms a
        # timer due before then wakes it; later timers are found by that pass.
        self._next_pass = float("inf")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="stepyard-scheduler", daemon=True)
        self._thread.start()
        self.leases.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.leases.stop()

    def submit(self, call_id: int) -> None:
        """Perform a call leased to this process, renewing its lease until it is done."""
        self.leases.hold(call_id)
        try:
            self._pool.submit(self._perform, call_id)
        except RuntimeError:  # the pool is shut down: the lease runs out, another worker calls
            self.leases.release(call_id)

    def _perform(self, call_id: int) -> None:
        try:
            _perform_in_thread(call_id)
        finally:
            self.leases.release(call_id)

    def wake(self) -> None:
        self._wake.set()

    def after_step(self, applied: stepper.Applied) -> None:
        """Perform the step's calls and wake for its timers (an after-commit hook: console.wiring)."""
        # The step's calls are leased to this process already: perform them now.
        for call_id in applied.calls:
            self.submit(call_id)
        timers = [e for e in applied.effects if isinstance(e, ArmTimer)]
        if timers:
            now = time.time()
            scale = time_scale()
            if min(scaled_due(t.due_at, now, scale) for t in timers) < self._next_pass:
                self._wake.set()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._next_pass = float("inf")  # a timer armed during the pass wakes the next one
            try:
                wait = self.run_once()
            except Exception:
                log.exception("scheduler pass failed")
                wait = self.poll_s
            finally:
                close_old_connections()
            wait = max(0.0, min(wait, self.poll_s))
            self._next_pass = time.time() + wait
            self._wake.wait(timeout=wait)
            self._wake.clear()

    def run_once(self) -> float:
        """Fire due timers and hand out due calls; return seconds until the next timer."""
        fire_due_timers(time.time())
        for call_id in claim_due_calls(time.time()):
            self.submit(call_id)
        upcoming = _next_due()
        return self.poll_s if upcoming is None else upcoming - time.time()


def fire_due_timers(now: float) -> int:
    """Deliver TimerFired for every timer due at ``now``; return how many fired.

    A timer whose step is slow (stepper.SlowStep) is handed to another thread, so that
    one execution's long computation never delays the other executions' timers.
    """
    fired = 0
    due = store.due_timers(now, BATCH)
    for pk, execution_id, timer_id in due:
        if pk in _slow_timers:
            continue
        try:
            fired += _fire_timer(pk, execution_id, timer_id)
        except stepper.SlowStep:
            _slow_timers.add(pk)
            _SLOW_POOL.submit(_fire_slow_timer, pk, execution_id, timer_id)
    return fired


def _next_due() -> float | None:
    """The due time of the next timer, leaving out those another thread is firing."""
    return store.next_timer_due(list(_slow_timers))


def _fire_timer(pk: int, execution_id: int, timer_id: str) -> int:
    with transaction.atomic():
        # The delete is the claim: of several workers, one deletes the row.
        if store.claim_timer(pk):
            stepper.apply(Execution(pk=execution_id), TimerFired(timer_id))
            return 1
    return 0


_slow_timers: set[int] = set()
_SLOW_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="stepyard-slow-step")


def _fire_slow_timer(pk: int, execution_id: int, timer_id: str) -> None:
    try:
        stepper.outside_write_turn(_fire_timer)(pk, execution_id, timer_id)
    except Exception:
        log.exception("timer %s of execution %s failed", timer_id, execution_id)
    finally:
        _slow_timers.discard(pk)
        close_old_connections()


def claim_due_calls(now: float) -> list[int]:
    """Lease every pending call that nobody is performing; return their ids.

    The claiming process renews the lease while it works (LeaseKeeper), so a lease runs out
    only when its worker died: then another worker performs the call again.
    """
    until = now + stepper.call_lease_s()
    return [pk for pk in store.due_calls(now, BATCH) if store.lease_call(pk, now, until)]


def release_leases() -> int:
    """Forget every lease: for a process that is the only worker (the embedded mode),
    calls leased before it started were leased by a process that is gone."""
    return store.release_leases()


def _perform_in_thread(call_id: int) -> None:
    try:
        perform_call(call_id)
    except Exception:
        log.exception("integration call %s failed", call_id)
    finally:
        close_old_connections()


def perform_call(call_id: int) -> None:
    """Call the integration, then deliver its result as the task's next trigger."""
    call = store.pending_call(call_id)
    if call is None:
        return
    _deliver_result(call, _call(call))


@stepper.outside_write_turn
def _deliver_result(call: PendingCall, trigger: Any) -> None:
    with transaction.atomic():
        # The call was cancelled (execution stopped, task timed out) while it ran.
        if not store.take_call(call.pk):
            return
        stepper.apply(call.execution, trigger)


def _call(call: PendingCall):
    context = CallContext(
        execution_arn=call.execution.arn,
        state_name=call.state_name,
        task_token=call.token or None,
        timeout_s=call.timeout_s,
        resource=call.resource,
        task_id=call.task_id,
    )
    return ports.integrations().outcome(json.loads(call.parameters), context, wait_for_token=call.wait_for_token)
