"""The execution step function (States Language: "State Machine Execution", state
transitions, "Errors", Retry/Catch; Step Functions: execution history and quotas).

``advance(machine, state, trigger, clock)`` applies one trigger to an execution and runs
every frame as far as it can go without the outside world, returning the history events
that happened and the effects the host must perform. It never sleeps, never does I/O and
reads time only from ``clock``. engine.driver's ``run()`` is the one-call driver for tests and benchmarks.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from engine import fanout, steps
from engine.context import Clock, iso
from engine.definition import State, StateMachine
from engine.errors import (
    STATES_DATA_LIMIT_EXCEEDED,
    STATES_INTRINSIC_FAILURE,
    STATES_QUERY_EVALUATION_ERROR,
    STATES_RUNTIME,
    STATES_TIMEOUT,
    StatesError,
)
from engine.events import Event
from engine.execution import (
    ABORTED,
    FAILED,
    RUNNING,
    SUCCEEDED,
    TIMED_OUT,
    ArmTimer,
    CancelTask,
    CancelTimer,
    ChildStarted,
    ExecutionState,
    Frame,
    Heartbeat,
    Redrive,
    Start,
    Step,
    Stop,
    StopChild,
    TaskFailed,
    TaskStarted,
    TaskSubmitted,
    TaskSucceeded,
    TimerFired,
    UpdateMapRun,
)
from engine.paths import Scope, to_json
from engine.retry import match_catcher, match_retrier, retry_delay

HANDLERS: dict[str, Callable[[Any, Frame, Any], None]] = {
    "Pass": steps.run_pass,
    "Task": steps.run_task,
    "Choice": steps.run_choice,
    "Wait": steps.run_wait,
    "Succeed": steps.run_succeed,
    "Fail": steps.run_fail,
    "Parallel": fanout.start_parallel,
    "Map": fanout.start_map,
}
RETRY_HANDLERS: dict[str, Callable[[Any, Frame, Any], None]] = {
    "Task": steps.retry_task,
    "Parallel": fanout.retry_parallel,
    "Map": fanout.retry_map,
}

PAYLOAD_LIMIT = 256 * 1024
HISTORY_LIMIT = 25_000
ROOT = "root"

_ENTERED = {t: t + "StateEntered" for t in steps.STATE_TYPES}
_EXITED = {t: t + "StateExited" for t in steps.STATE_TYPES}
# AWS prefixes these errors with the state and the id of its Entered event.
_LOCATED_ERRORS = frozenset({STATES_RUNTIME, STATES_QUERY_EVALUATION_ERROR,
                             STATES_INTRINSIC_FAILURE})
_RETRY_COUNT_TYPES = frozenset({"Task", "Map", "Parallel"})


class HistoryLimitExceeded(Exception):
    """The execution reached AWS's 25,000 history events quota."""


class Run:
    """One ``advance()`` call: the execution, the clock, and what it produced."""

    def __init__(self, machine: StateMachine, state: ExecutionState, clock: Clock):
        self.machine = machine
        self.machines = machine.machines
        self.ex = state
        self.clock = clock
        self.now = clock.now()
        self.events: list[Event] = []
        self.child_events: list[tuple[str, Event]] = []
        self.effects: list[Any] = []
        self.ready: deque[Frame] = deque()
        self.inspect: dict[str, Any] | None = None
        self.redrive_completed: dict[int, Any] = {}
        self.redrive_map_run: dict[str, Any] | None = None
        # TestState with a ``context``: the context object is exactly that, nothing added.
        self.pinned_context: dict[str, Any] | None = None

    # ------------------------------------------------------------------ events

    def emit(self, frame: Frame | None, type: str, details: Any = None) -> int:
        if frame is not None and frame.silent:
            return self._emit_in_child(frame, type, details)
        ex = self.ex
        eid = ex.event_count + 1
        # Keep the last id of the quota for the ExecutionFailed event that ends it.
        if eid >= HISTORY_LIMIT and frame is not None:
            raise HistoryLimitExceeded()
        ex.event_count = eid
        if frame is None:
            prev = eid - 1
        else:
            prev = frame.last_event_id
            frame.last_event_id = eid
        self.events.append(Event(eid, prev, type, self.now, details))
        return eid

    def _emit_in_child(self, frame: Frame, type: str, details: Any) -> int:
        """An event of a Distributed Map child execution: in that execution's own history
        (an Express child, or a TestState run, keeps none)."""
        arn = frame.child
        child = self.ex.children.get(arn) if arn else None
        if arn is None or child is None:
            return frame.last_event_id
        eid = child["events"] + 1
        child["events"] = eid
        self.child_events.append((arn, Event(eid, frame.last_event_id, type, self.now, details)))
        frame.last_event_id = eid
        return eid

    def start_child(self, frame: Frame, arn: str, data: Any, map_run_arn: str,
                    redrive: dict[str, Any] | None = None) -> None:
        """Begin ``frame`` as the child execution ``arn`` of a Map Run; with ``redrive`` (the
        point a failed or aborted child ended at), continue that child from there."""
        frame.child = arn
        if redrive is None:
            self.ex.children[arn] = {"events": 0, "input": data, "start": self.now}
            frame.last_event_id = 0
            details: dict[str, Any] = {"input": to_json(data)}
            role = self.ex.context.get("Execution", {}).get("RoleArn")
            if role:
                details["roleArn"] = role
            self.effects.append(ChildStarted(arn, map_run_arn, frame.machine_key))
            self.emit(frame, "ExecutionStarted", details)
            return
        count = redrive["redrives"] + 1
        self.ex.children[arn] = {"events": redrive["events"], "input": data, "start": redrive["start"],
                                 "redrives": count}
        frame.last_event_id = redrive["events"]
        frame.state_name, frame.data, frame.variables = redrive["state"], redrive["input"], redrive["variables"]
        self.effects.append(ChildStarted(arn, map_run_arn, frame.machine_key, count))
        self.emit(frame, "ExecutionRedriven", {"redriveCount": count})

    def end_child(self, frame: Frame, type: str, details: Any = None, map_frame: Frame | None = None) -> None:
        """The child execution ``frame`` began ended (ExecutionSucceeded/Failed/Aborted). An
        unsuccessful one leaves in ``map_frame`` the point a redrive continues it from."""
        arn = frame.child
        child = self.ex.children.get(arn) if arn else None
        if arn is None or child is None:
            return
        eid = self.emit(frame, type, details)
        del self.ex.children[arn]
        if map_frame is not None and type != "ExecutionSucceeded":
            map_frame.scratch.setdefault("child_redrive", {})[str(frame.index)] = {
                "state": frame.state_name, "input": frame.data, "variables": frame.variables, "events": eid,
                "start": child["start"], "redrives": child.get("redrives", 0)}

    def take_redrive_map_run(self, frame: Frame) -> dict[str, Any] | None:
        """The Map Run a redriven top-level Distributed Map continues (once), if any."""
        if frame.parent is not None:
            return None
        taken, self.redrive_map_run = self.redrive_map_run, None
        return taken

    # ------------------------------------------------------------------ context

    def context_fn(self, frame: Frame, state: State) -> Callable[[], dict[str, Any]]:
        return lambda: self.context_object(frame, state)

    def context_object(self, frame: Frame, state: State) -> dict[str, Any]:
        if self.pinned_context is not None:
            return self._pinned_context(frame, self.pinned_context)
        ex_ctx = self.ex.context
        execution = dict(ex_ctx.get("Execution", {}))
        execution.setdefault("Input", self.ex.input)
        arn = frame.child
        child = self.ex.children.get(arn) if arn else None
        if arn is not None and child is not None:
            execution.update(Id=arn, Name=arn.rsplit(":", 1)[-1], Input=child["input"],
                             StartTime=iso(child["start"]), RedriveCount=child.get("redrives", 0))
        current: dict[str, Any] = {"Name": state.name, "EnteredTime": iso(frame.entered_time)}
        if state.type in _RETRY_COUNT_TYPES:
            current["RetryCount"] = sum(frame.retry_counts)
        # A host (TestState) may pin parts of the context object.
        current.update(ex_ctx.get("State", {}))
        ctx = {"Execution": execution, "StateMachine": ex_ctx.get("StateMachine", {}),
               "State": current}
        token = frame.scratch.get("token")
        if token is not None:
            ctx["Task"] = {"Token": token}
        if "Task" in ex_ctx:
            ctx["Task"] = ex_ctx["Task"]
        if frame.item is not None:
            ctx["Map"] = {"Item": {"Index": frame.item[0], "Value": frame.item[1]}}
        return ctx

    @staticmethod
    def _pinned_context(frame: Frame, pinned: dict[str, Any]) -> dict[str, Any]:
        ctx = copy.deepcopy(pinned)
        if frame.item is not None:  # a Map's ItemSelector still sees the item it shapes
            ctx["Map"] = {"Item": {"Index": frame.item[0], "Value": frame.item[1]}}
        return ctx

    def scope(self, frame: Frame, state: State, data: Any, **extra: Any) -> Scope:
        return Scope(data, self.context_fn(frame, state), frame.variables, now=self.now,
                     **extra)

    # ------------------------------------------------------------------ frames

    def new_frame(self, parent: Frame | None, index: int, machine: StateMachine, data: Any,
                  variables: dict[str, Any], silent: bool = False) -> Frame:
        fid = ROOT if parent is None else self.ex.new_id("f")
        last = 0 if parent is None else parent.last_event_id
        frame = Frame(fid, None if parent is None else parent.id, index, machine.key,
                      machine.start_at, data, variables, last,
                      silent or (parent is not None and parent.silent))
        if parent is not None:
            frame.child = parent.child
        self.ex.frames[fid] = frame
        return frame

    def drain(self) -> None:
        ready = self.ready
        frames = self.ex.frames
        while ready and self.ex.status == RUNNING:
            frame = ready.popleft()
            if frames.get(frame.id) is frame and frame.wait is None:
                self.step_frame(frame)

    def step_frame(self, frame: Frame) -> None:
        states = self.machines[frame.machine_key].states
        handlers = HANDLERS
        while frame.wait is None:
            state = states[frame.state_name]
            self.enter(frame, state)
            try:
                handlers[state.type](self, frame, state)
            except StatesError as err:
                self.state_failed(frame, state, err, located=True)
            except (HistoryLimitExceeded, RecursionError):
                raise
            except Exception as exc:  # noqa: BLE001 - AWS: anything unexpected is States.Runtime
                self.state_failed(frame, state, StatesError(STATES_RUNTIME, str(exc)), True)

    def enter(self, frame: Frame, state: State) -> None:
        text = frame.data_text
        if text is None:
            text = to_json(frame.data)
        frame.data_text = None
        frame.entered_time = self.now
        if frame.retry_counts:
            frame.retry_counts = []
        if frame.scratch:
            frame.scratch = {}
        frame.entered_event_id = self.emit(
            frame, _ENTERED[state.type], {"name": state.name, "input": text}
        )

    def exit_state(self, frame: Frame, state: State, output: Any, next_name: str | None,
                   assigned: Mapping[str, Any] | None = None) -> None:
        text = to_json(output)
        if len(text) > PAYLOAD_LIMIT:
            raise StatesError(STATES_DATA_LIMIT_EXCEEDED, _data_limit_cause(state))
        details: dict[str, Any] = {"name": state.name, "output": text}
        if assigned:
            details["assignedVariables"] = {k: to_json(v) for k, v in assigned.items()}
            details["assignedVariablesDetails"] = {"truncated": False}
        self.emit(frame, _EXITED[state.type], details)
        if next_name is None:
            frame.wait = "done"
            self.frame_succeeded(frame, output)
            return
        frame.state_name = next_name
        frame.data = output
        frame.data_text = text

    def frame_succeeded(self, frame: Frame, output: Any) -> None:
        del self.ex.frames[frame.id]
        if frame.parent is None:
            self.execution_succeeded(output)
            return
        fanout.child_succeeded(self, self.ex.frames[frame.parent], frame, output)

    def frame_failed(self, frame: Frame, error: str | None, cause: str | None) -> None:
        frame.wait = "done"
        self.ex.frames.pop(frame.id, None)
        if frame.parent is None:
            self.remember_redrive_point(frame)
            self.execution_failed(error, cause)
            return
        fanout.child_failed(self, self.ex.frames[frame.parent], frame, error, cause)

    def resume(self, frame: Frame) -> None:
        """A waiting frame may run again: queue it (it runs after the current work)."""
        if frame.wait is None:
            self.ready.append(frame)

    # ------------------------------------------------------------------ errors

    def state_failed(self, frame: Frame, state: State, err: StatesError,
                     located: bool = False, final_event: str | None = None) -> None:
        """Apply Retry, then Catch, else fail the frame (``final_event`` if not retried)."""
        name, cause = err.name, err.cause
        if located and name in _LOCATED_ERRORS:
            cause = self.locate(frame, state, cause)
            if name == STATES_QUERY_EVALUATION_ERROR:
                self.emit(frame, "EvaluationFailed",
                          {"error": name, "cause": cause, "state": state.name})
        if self.inspect is not None:
            self.inspect["error"] = (name, cause)
        # AWS: a States.Runtime error raised by the interpreter "isn't retriable, and will
        # always cause the execution to fail", even when a Retry or Catch names it.
        terminal = name == STATES_RUNTIME
        if state.retriers and not terminal and self.try_retry(frame, state, name, err.also):
            return
        if final_event is not None:
            self.emit(frame, final_event)
        catcher = None if terminal else match_catcher(state.catchers, name, err.also)
        if catcher is not None:
            self.catch(frame, state, catcher, name, cause)
            return
        # A branch or iteration that failed with neither error nor cause (a bare Fail state)
        # fails its Parallel/Map, and so the execution, with neither (AWS leaves both out).
        self.frame_failed(frame, name or None, cause)

    def locate(self, frame: Frame, state: State, cause: str | None) -> str:
        prefix = (f"An error occurred while executing the state '{state.name}' "
                  f"(entered at the event id #{frame.entered_event_id}).")
        if cause and cause.startswith("An error occurred while executing the state"):
            return cause
        return f"{prefix} {cause}" if cause else prefix

    def try_retry(self, frame: Frame, state: State, error: str, also: tuple[str, ...] = ()) -> bool:
        index = match_retrier(state.retriers, error, also)
        if index is None:
            return False
        retrier = state.retriers[index]
        counts = frame.retry_counts or [0] * len(state.retriers)
        frame.retry_counts = counts
        if counts[index] >= retrier.max_attempts:
            if self.inspect is not None:
                self.inspect["retry_exhausted"] = index
            return False
        delay = retry_delay(retrier, counts[index], self.clock.random)
        counts[index] += 1
        if self.inspect is not None:
            self.inspect["retry"] = (index, delay)
        self.arm_timer(frame, "retry", delay)
        frame.wait = "retry"
        return True

    def catch(self, frame: Frame, state: State, catcher: Any, error: str | None,
              cause: str | None) -> None:
        if self.inspect is not None:
            self.inspect["catch"] = state.catchers.index(catcher)
            self.inspect["next"] = catcher.next
        error_output: dict[str, Any] = {"Error": error}
        if cause is not None:
            error_output["Cause"] = cause
        io = catcher.io
        scope = self.scope(frame, state, frame.data, error_output=error_output)
        assigned = io.assign(scope) if io.assign is not None else None
        if state.io.jsonata:
            output = io.output(scope) if io.output is not None else error_output
        else:
            output = io.result_path(frame.data, error_output)
        frame.wait = None
        self.assign(frame, assigned)
        if self.inspect is not None:
            self.inspect["output"] = output
        self.exit_state(frame, state, output, catcher.next, assigned)

    def assign(self, frame: Frame, assigned: Any) -> None:
        if assigned is None:
            return
        if not isinstance(assigned, dict):
            raise StatesError(STATES_QUERY_EVALUATION_ERROR,
                              "The value of the field 'Assign' must be an object")
        if assigned:
            frame.variables = {**frame.variables, **assigned}

    # ------------------------------------------------------------------ timers

    def arm_timer(self, frame: Frame | None, purpose: str, delay: float) -> str:
        """Arm a timer for ``frame`` (None: the execution itself)."""
        timer_id = self.ex.new_id("w")
        self.ex.waits[timer_id] = f"{frame.id if frame else ''}|{purpose}"
        self.effects.append(ArmTimer(timer_id, self.now + max(0.0, delay)))
        return timer_id

    def cancel_timer(self, timer_id: str) -> None:
        self.ex.waits.pop(timer_id, None)
        self.effects.append(CancelTimer(timer_id))

    def cancel_waits(self, frame_ids: set[str]) -> None:
        for wait_id, target in list(self.ex.waits.items()):
            if target.split("|", 1)[0] in frame_ids:
                del self.ex.waits[wait_id]
                kind = CancelTimer(wait_id) if wait_id.startswith("w") else CancelTask(wait_id)
                self.effects.append(kind)

    def abort_frames(self, frame_ids: set[str]) -> None:
        """Drop frames (and their descendants) and cancel what they wait for."""
        frames = self.ex.frames
        doomed = set(frame_ids)
        grew = True
        while grew:
            extra = {fid for fid, f in frames.items() if f.parent in doomed} - doomed
            doomed |= extra
            grew = bool(extra)
        self.cancel_waits(doomed)
        # A child execution ends where its outermost frame stands (its redrive point): end
        # each one before any frame is dropped.
        for fid in doomed:
            frame = frames.get(fid)
            if frame is not None and frame.child is not None:
                parent = frames.get(frame.parent or "")
                if parent is None or parent.child != frame.child:
                    self.end_child(frame, "ExecutionAborted", map_frame=parent)
        for fid in doomed:
            frame = frames.pop(fid, None)
            if frame is not None:
                if frame.scratch and "map_run_arn" in frame.scratch:
                    fanout.map_run_ended(self, frame, "ABORTED")
                frame.wait = "done"

    # ------------------------------------------------------------------ terminal

    def execution_succeeded(self, output: Any) -> None:
        text = to_json(output)
        self.emit(None, "ExecutionSucceeded", {"output": text})
        self.finish(SUCCEEDED, output=output)

    def execution_failed(self, error: str | None, cause: str | None) -> None:
        self.emit(None, "ExecutionFailed", _error_details(error, cause))
        self.finish(FAILED, error=error, cause=cause)

    def remember_redrive_point(self, frame: Frame) -> None:
        point = {"state": frame.state_name, "input": frame.data, "variables": frame.variables}
        # A Map or Parallel keeps what its successful iterations/branches returned: a
        # redrive runs only the others (RedriveExecution: "reschedules and redrives only
        # the iterations and branches that failed or aborted").
        succeeded = frame.scratch.get("succeeded") if frame.scratch else None
        map_run = frame.scratch.get("map_run_arn") if frame.scratch else None
        if map_run:  # a Distributed Map's redrive continues its Map Run and unsuccessful children
            point["map_run"] = {"arn": map_run, "children": frame.scratch.get("child_redrive", {})}
        if succeeded:
            results = frame.scratch["results"]
            point["completed"] = [[index, results[index]] for index in succeeded]
        self.ex.redrive_from = point

    def finish(self, status: str, output: Any = None, error: str | None = None,
               cause: str | None = None) -> None:
        ex = self.ex
        root = ex.frames.get(ROOT)
        if root is not None and status != SUCCEEDED:
            self.remember_redrive_point(root)
        ex.status, ex.output, ex.error, ex.cause = status, output, error, cause
        self.abort_frames(set(ex.frames))
        self.cancel_waits({""})
        self.ready.clear()

    # ------------------------------------------------------------------ triggers

    def start(self, trigger: Start) -> None:
        ex = self.ex
        ex.input = trigger.input
        ex.context = trigger.context
        text = to_json(trigger.input)
        details: dict[str, Any] = {"input": text}
        role = trigger.context.get("Execution", {}).get("RoleArn")
        if role:
            details["roleArn"] = role
        self.emit(None, "ExecutionStarted", details)
        frame = self.new_frame(None, 0, self.machine, trigger.input, {})
        frame.last_event_id = ex.event_count
        frame.data_text = text
        if self.machine.timeout_seconds:
            self.arm_timer(None, "execution", float(self.machine.timeout_seconds))
        self.ready.append(frame)

    def timer_fired(self, trigger: TimerFired) -> None:
        target = self.ex.waits.pop(trigger.timer_id, None)
        if target is None:
            return
        frame_id, purpose = target.split("|", 1)
        if purpose == "execution":
            self.emit(None, "ExecutionTimedOut", _error_details(STATES_TIMEOUT, None))
            self.finish(TIMED_OUT, error=STATES_TIMEOUT)
            return
        frame = self.ex.frames.get(frame_id)
        if frame is None:
            return
        state = self.machines[frame.machine_key].states[frame.state_name]
        if purpose == "wait":
            steps.wait_elapsed(self, frame, state)
        elif purpose == "retry":
            frame.wait = None
            steps.guarded(self, frame, state,
                          lambda: RETRY_HANDLERS[state.type](self, frame, state))
        else:
            steps.task_timed_out(self, frame, state, purpose)
        self.resume(frame)

    def task_trigger(self, trigger: Any) -> None:
        target = self.ex.waits.get(trigger.task_id)
        if target is None:
            return
        frame_id, _, purpose = target.partition("|")
        frame = self.ex.frames.get(frame_id)
        if frame is None:
            return
        if purpose in ("items", "results"):
            self._map_io_trigger(frame, purpose, trigger)
            return
        state = self.machines[frame.machine_key].states[frame.state_name]
        if isinstance(trigger, TaskSucceeded):
            steps.task_succeeded(self, frame, state, trigger.output)
        elif isinstance(trigger, TaskFailed):
            steps.task_failed(self, frame, state, trigger.error, trigger.cause)
        elif isinstance(trigger, TaskStarted):
            steps.task_started(self, frame, state, trigger.worker_name)
        elif isinstance(trigger, TaskSubmitted):
            steps.task_submitted(self, frame, state, trigger.output)
        else:
            steps.task_heartbeat(self, frame, state)
        self.resume(frame)

    def _map_io_trigger(self, frame: Frame, purpose: str, trigger: Any) -> None:
        """The host's answer to a Distributed Map's ItemReader or ResultWriter request."""
        if not isinstance(trigger, (TaskSucceeded, TaskFailed)):
            return
        self.ex.waits.pop(trigger.task_id, None)
        if isinstance(trigger, TaskSucceeded):
            fanout.io_succeeded(self, frame, purpose, trigger.output)
        else:
            fanout.io_failed(self, frame, trigger.error, trigger.cause)
        self.resume(frame)

    def stop(self, trigger: Stop) -> None:
        self.emit(None, "ExecutionAborted", _error_details(trigger.error, trigger.cause))
        self.finish(ABORTED, error=trigger.error, cause=trigger.cause)

    def redrive(self) -> None:
        """RedriveExecution: run again from the top-level state that ended the execution."""
        ex = self.ex
        point = ex.redrive_from
        if ex.status in (RUNNING, SUCCEEDED) or point is None:
            return
        execution = ex.context.setdefault("Execution", {})
        execution["RedriveCount"] = execution.get("RedriveCount", 0) + 1
        ex.status, ex.error, ex.cause, ex.redrive_from = RUNNING, None, None, None
        self.emit(None, "ExecutionRedriven", {"redriveCount": execution["RedriveCount"]})
        frame = self.new_frame(None, 0, self.machine, point["input"], point["variables"])
        frame.state_name = point["state"]
        frame.last_event_id = ex.event_count
        self.redrive_completed = {index: output for index, output in point.get("completed", [])}
        self.redrive_map_run = point.get("map_run")
        self.ready.append(frame)

    def take_redrive_completed(self, frame: Frame) -> dict[int, Any]:
        """The outputs a redriven top-level Map/Parallel keeps from its failed run (once)."""
        if frame.parent is not None or not self.redrive_completed:
            return {}
        completed, self.redrive_completed = self.redrive_completed, {}
        return completed

    def apply(self, trigger: Any) -> None:
        if isinstance(trigger, Start):
            self.start(trigger)
        elif isinstance(trigger, Redrive):
            self.redrive()
        elif self.ex.status != RUNNING:
            return
        elif isinstance(trigger, TimerFired):
            self.timer_fired(trigger)
        elif isinstance(trigger, (TaskSucceeded, TaskFailed, TaskSubmitted, TaskStarted, Heartbeat)):
            self.task_trigger(trigger)
        elif isinstance(trigger, UpdateMapRun):
            fanout.update_map_run(self, trigger)
        elif isinstance(trigger, StopChild):
            fanout.stop_child(self, trigger)
        elif isinstance(trigger, Stop):
            self.stop(trigger)
        else:
            raise TypeError(f"unknown trigger {trigger!r}")
        self.drain()


def _error_details(error: str | None, cause: str | None) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if error is not None:
        details["error"] = error
    if cause is not None:
        details["cause"] = cause
    return details


def _data_limit_cause(state: State) -> str:
    return (f"The state/task '{state.name}' returned a result with a size exceeding the "
            f"maximum number of bytes service limit.")


def advance(machine: StateMachine, state: ExecutionState | None, trigger: Any,
            clock: Clock) -> Step:
    """Apply one trigger; return the new state, the events and the effects."""
    ex = state if state is not None else ExecutionState()
    run = Run(machine, ex, clock)
    try:
        run.apply(trigger)
    except HistoryLimitExceeded:
        run.execution_failed(STATES_RUNTIME, "The execution reached the maximum number of "
                             f"history events ({HISTORY_LIMIT}).")
    except RecursionError:
        # A value nested deeper than Python's stack (built up state after state).
        run.execution_failed(STATES_RUNTIME, "A value of the execution is nested too deeply.")
    return Step(ex, run.events, run.effects, run.child_events)


__all__ = ["Run", "advance"]
