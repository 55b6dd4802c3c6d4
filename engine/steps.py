"""What each simple state does (States Language: "Pass State", "Task State",
"Choice State", "Wait State", "Succeed State", "Fail State"), and the recipe every state
shares: InputPath -> Parameters/Arguments -> work -> ResultSelector -> Assign ->
ResultPath -> OutputPath (or Output) -> Exited event -> Next.

Handlers receive the interpreter's run, typed by the ``engine.protocols.Run`` protocol.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from engine.choice import parse_timestamp
from engine.definition import State
from engine.errors import (
    STATES_ALL,
    STATES_DATA_LIMIT_EXCEEDED,
    STATES_HEARTBEAT_TIMEOUT,
    STATES_NO_CHOICE_MATCHED,
    STATES_QUERY_EVALUATION_ERROR,
    STATES_RUNTIME,
    STATES_TASK_FAILED,
    STATES_TIMEOUT,
    StatesError,
)
from engine.execution import CallIntegration, CancelTask, Frame
from engine.paths import to_json
from engine.protocols import Run

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")



# --------------------------------------------------------------------------- the recipe


def effective_input(run: Run, frame: Frame, state: State) -> Any:
    """InputPath applied to the state input (JSONata states see the raw input)."""
    io = state.io
    data = frame.data
    if io.input_path is not None:
        data = io.input_path(run.scope(frame, state, data))
    if run.inspect is not None and not io.jsonata:
        run.inspect["afterInputPath"] = data
    return data


def parameters(run: Run, frame: Frame, state: State, effective: Any) -> Any:
    """Parameters over the effective input, or JSONata Arguments over ``$states.input``."""
    io = state.io
    if io.parameters is None:
        value = effective
    else:
        value = io.parameters(run.scope(frame, state, effective))
    if run.inspect is not None:
        run.inspect["afterArguments" if io.jsonata else "afterParameters"] = value
    return value


def finish_state(run: Run, frame: Frame, state: State, result: Any,
                 next_name: str | None = None, rule_io: Any = None) -> None:
    """Everything after the state's work: selectors, Assign, paths/Output, then exit."""
    io = state.io
    inspect = run.inspect
    if io.jsonata:
        scope = run.scope(frame, state, frame.data, result=result)
        output_eval = rule_io.output if rule_io is not None and rule_io.output else io.output
        assign_eval = rule_io.assign if rule_io is not None and rule_io.assign else io.assign
        output = output_eval(scope) if output_eval is not None else result
        assigned = assign_eval(scope) if assign_eval is not None else None
    else:
        if io.result_selector is not None:
            result = io.result_selector(run.scope(frame, state, result))
            if inspect is not None:
                inspect["afterResultSelector"] = result
        assign_eval = rule_io.assign if rule_io is not None and rule_io.assign else io.assign
        assigned = assign_eval(run.scope(frame, state, result)) if assign_eval else None
        output = io.result_path(frame.data, result)
        if inspect is not None:
            inspect.setdefault("afterResultSelector", result)
            inspect["afterResultPath"] = output
        if io.output_path is not None:
            output = io.output_path(run.scope(frame, state, output))
    run.assign(frame, assigned)
    if inspect is not None:
        inspect["output"] = output
        inspect["next"] = next_name if next_name is not None else state.next
    run.exit_state(frame, state, output, next_name if next_name is not None else state.next,
                   assigned)


def guarded(run: Run, frame: Frame, state: State, work: Callable[[], None]) -> None:
    """Run ``work`` for a state outside the main loop, routing errors to Retry/Catch."""
    try:
        work()
    except StatesError as err:
        run.state_failed(frame, state, err, located=True)


# --------------------------------------------------------------------------- Pass


def run_pass(run: Run, frame: Frame, state: Any) -> None:
    if state.io.jsonata:
        finish_state(run, frame, state, frame.data)
        return
    if state.has_result:
        # AWS: a Pass state's Result wins; InputPath and Parameters are not applied.
        if run.inspect is not None:
            run.inspect["result"] = state.result
        finish_state(run, frame, state, state.result)
        return
    effective = effective_input(run, frame, state)
    result = parameters(run, frame, state, effective)
    finish_state(run, frame, state, result)


# --------------------------------------------------------------------------- Succeed / Fail


def run_succeed(run: Run, frame: Frame, state: State) -> None:
    effective = effective_input(run, frame, state)
    io = state.io
    if io.jsonata:
        scope = run.scope(frame, state, frame.data)
        output = io.output(scope) if io.output is not None else frame.data
    else:
        output = effective
        if io.output_path is not None:
            output = io.output_path(run.scope(frame, state, output))
    if run.inspect is not None:
        run.inspect["output"] = output
    run.exit_state(frame, state, output, None)


def run_fail(run: Run, frame: Frame, state: Any) -> None:
    scope = run.scope(frame, state, frame.data)
    error = state.error.get(scope) if state.error is not None else None
    cause = state.cause.get(scope) if state.cause is not None else None
    for field, value in ((state.error, error), (state.cause, cause)):
        if value is not None and not isinstance(value, str):
            raise StatesError(STATES_RUNTIME, f"The value of {field.field} must be a string")
    if run.inspect is not None:
        run.inspect["afterInputPath"] = frame.data
        run.inspect["error"] = (error, cause)
    run.frame_failed(frame, error, cause)


# --------------------------------------------------------------------------- Choice


def run_choice(run: Run, frame: Frame, state: Any) -> None:
    effective = effective_input(run, frame, state)
    scope = run.scope(frame, state, effective)
    for rule in state.choices:
        if rule.test(scope):
            _choice_exit(run, frame, state, effective, rule.next, rule.io)
            return
    if state.default is None:
        raise StatesError(STATES_NO_CHOICE_MATCHED,
                          "No matching choice rule and no Default state")
    _choice_exit(run, frame, state, effective, state.default, None)


def _choice_exit(run: Run, frame: Frame, state: State, effective: Any, next_name: str,
                 rule_io: Any) -> None:
    if state.io.jsonata:
        finish_state(run, frame, state, frame.data, next_name, rule_io)
        return
    io = state.io
    assign_eval = rule_io.assign if rule_io is not None and rule_io.assign else io.assign
    assigned = assign_eval(run.scope(frame, state, effective)) if assign_eval else None
    output = effective
    if io.output_path is not None:
        output = io.output_path(run.scope(frame, state, output))
    run.assign(frame, assigned)
    if run.inspect is not None:
        run.inspect["output"] = output
        run.inspect["next"] = next_name
    run.exit_state(frame, state, output, next_name, assigned)


# --------------------------------------------------------------------------- Wait


def run_wait(run: Run, frame: Frame, state: Any) -> None:
    effective = effective_input(run, frame, state)
    scope = run.scope(frame, state, effective)
    if state.seconds is not None:
        delay = _wait_seconds(state.seconds, state.seconds.get(scope))
    elif state.timestamp is not None:
        delay = _wait_until(state.timestamp, state.timestamp.get(scope)) - run.now
    else:
        delay = 0.0
    frame.scratch["effective"] = effective
    if run.inspect is not None:
        _exit_wait(run, frame, state)
        return
    run.arm_timer(frame, "wait", max(0.0, delay))
    frame.wait = "timer"


def _wait_seconds(value_spec: Any, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise _wait_error(value_spec, value, "cannot be parsed as a long value")
    if value < 0:
        raise _wait_error(value_spec, value, "references a negative value")
    return float(value)


def _wait_error(spec: Any, value: Any, problem: str) -> StatesError:
    shown = to_json(value)
    if spec.jsonata:
        return StatesError(STATES_QUERY_EVALUATION_ERROR,
                           f"The {spec.field} field {problem}: {shown}")
    if spec.field.endswith("Path"):
        return StatesError(STATES_RUNTIME, f"The {spec.field} parameter {problem}: "
                                           f"{spec.text} == {shown}")
    return StatesError(STATES_RUNTIME, f"The {spec.field} field {problem}: {shown}")


def _wait_until(spec: Any, value: Any) -> float:
    moment: datetime | None = parse_timestamp(value)
    if moment is not None:
        return moment.timestamp()
    text = value if isinstance(value, str) else to_json(value)
    if spec.jsonata:
        raise StatesError(STATES_QUERY_EVALUATION_ERROR,
                          "The Timestamp field cannot be parsed as an ISO-8601 extended offset "
                          f"date-time format string: {text}")
    if spec.field.endswith("Path"):
        raise StatesError(STATES_RUNTIME,
                          f"The {spec.field} parameter does not reference a valid ISO-8601 "
                          f"extended offset date-time format string: {spec.text} == {text}")
    raise StatesError(STATES_RUNTIME, "The Timestamp field cannot be parsed as an ISO-8601 "
                                      f"extended offset date-time format string: {text}")


def wait_elapsed(run: Run, frame: Frame, state: State) -> None:
    frame.wait = None
    guarded(run, frame, state, lambda: _exit_wait(run, frame, state))


def _exit_wait(run: Run, frame: Frame, state: State) -> None:
    effective = frame.scratch.pop("effective", frame.data)
    if state.io.jsonata:
        finish_state(run, frame, state, frame.data)
        return
    io = state.io
    assigned = io.assign(run.scope(frame, state, effective)) if io.assign else None
    output = effective
    if io.output_path is not None:
        output = io.output_path(run.scope(frame, state, output))
    run.assign(frame, assigned)
    if run.inspect is not None:
        run.inspect["output"] = output
    run.exit_state(frame, state, output, state.next, assigned)


# --------------------------------------------------------------------------- Task


def task_event_prefix(resource: str) -> str:
    """AWS records Lambda-ARN and activity tasks with their own event types."""
    if resource.startswith("arn:") and ":lambda:" in resource and ":function:" in resource:
        return "LambdaFunction"
    if ":activity:" in resource:
        return "Activity"
    return "Task"


# The payload limit (interpreter.PAYLOAD_LIMIT), which a task's result may not pass either.
TASK_RESULT_LIMIT = 256 * 1024


def resource_parts(resource: str) -> dict[str, str]:
    """resourceType / resource as TaskScheduled shows them (``lambda`` / ``invoke``)."""
    parts = resource.split(":")
    if len(parts) >= 7 and parts[2] == "states" and parts[5]:
        return {"resourceType": parts[5], "resource": ":".join(parts[6:])}
    return {"resourceType": parts[2] if len(parts) > 2 else "", "resource": resource}


def run_task(run: Run, frame: Frame, state: Any) -> None:
    # An activity task waits for a worker to answer on its token, like .waitForTaskToken.
    wait_token = state.resource.endswith(".waitForTaskToken") or task_event_prefix(state.resource) == "Activity"
    # A .sync task has a token too ($$.Task.Token): AWS lets SendTaskSuccess/Failure on it end
    # the task before the job it runs does.
    answerable = wait_token or state.resource.endswith((".sync", ".sync:2"))
    token = run.clock.token() if answerable else None
    frame.scratch = {"token": token} if token else {}
    effective = effective_input(run, frame, state)
    params = parameters(run, frame, state, effective)
    scope = run.scope(frame, state, effective)
    timeout = _task_seconds(state.timeout, scope)
    heartbeat = _task_seconds(state.heartbeat, scope)
    task_id = run.ex.new_id("t")
    run.ex.waits[task_id] = f"{frame.id}|task"
    frame.scratch["task"] = task_id
    frame.wait = "task"
    _task_scheduled_events(run, frame, state, params, timeout, heartbeat)
    if timeout is not None:
        run.arm_timer(frame, "timeout", timeout)
    if heartbeat is not None:
        run.arm_timer(frame, "heartbeat", heartbeat)
    frame.scratch["heartbeat_s"] = heartbeat
    run.effects.append(CallIntegration(task_id, state.resource, params, wait_token, token,
                                       timeout, heartbeat, state.credentials))


def retry_task(run: Run, frame: Frame, state: Any) -> None:
    run_task(run, frame, state)


def _task_scheduled_events(run: Run, frame: Frame, state: Any, params: Any,
                           timeout: float | None, heartbeat: float | None) -> None:
    prefix = task_event_prefix(state.resource)
    parts = resource_parts(state.resource)
    scheduled: dict[str, Any] = {**parts, "region": _region(state.resource),
                                 "parameters": to_json(params)}
    if prefix != "Task":
        scheduled = {"resource": state.resource, "input": to_json(params)}
    if timeout is not None:
        scheduled["timeoutInSeconds"] = int(timeout)
    if heartbeat is not None:
        scheduled["heartbeatInSeconds"] = int(heartbeat)
    run.emit(frame, f"{prefix}Scheduled", scheduled)
    # An activity starts when a worker takes it (task_started), not when it is scheduled.
    if prefix != "Activity":
        run.emit(frame, f"{prefix}Started", parts if prefix == "Task" else None)


def _region(resource: str) -> str:
    parts = resource.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else "us-east-1"


def _task_seconds(spec: Any, scope: Any) -> float | None:
    if spec is None:
        return None
    value = spec.get(scope)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise StatesError(STATES_RUNTIME,
                          f"The {spec.field} value must be a positive integer: {to_json(value)}")
    return float(value)


def task_started(run: Run, frame: Frame, state: Any, worker_name: str | None) -> None:
    """A worker took the activity task: ActivityStarted, with the worker's name if it gave one."""
    if task_event_prefix(state.resource) == "Activity":
        run.emit(frame, "ActivityStarted", {"workerName": worker_name} if worker_name else None)


def task_submitted(run: Run, frame: Frame, state: Any, output: Any) -> None:
    if task_event_prefix(state.resource) == "Activity":
        return  # AWS records no submission for an activity task, only its worker's answer
    details = {**resource_parts(state.resource), "output": to_json(output)}
    run.emit(frame, "TaskSubmitted", details)


def task_succeeded(run: Run, frame: Frame, state: Any, output: Any) -> None:
    text = to_json(output)
    if len(text) > TASK_RESULT_LIMIT and len(text.encode()) > TASK_RESULT_LIMIT:
        _result_too_large(run, frame, state)
        return
    _close_task(run, frame)
    prefix = task_event_prefix(state.resource)
    details: dict[str, Any] = {"output": text}
    if prefix == "Task":
        details = {**resource_parts(state.resource), **details}
    run.emit(frame, f"{prefix}Succeeded", details)
    if run.inspect is not None:
        run.inspect["result"] = output
    guarded(run, frame, state, lambda: finish_state(run, frame, state, output))


def _result_too_large(run: Run, frame: Frame, state: Any) -> None:
    """AWS fails the task itself (TaskFailed, which States.ALL catches), naming the service
    (``lambda``) of an optimised integration, else the resource ARN."""
    parts = resource_parts(state.resource)
    name = parts["resourceType"] if task_event_prefix(state.resource) == "Task" else state.resource
    cause = (f"The state/task '{name}' returned a result with a size exceeding the maximum number of bytes "
             "service limit.")
    task_failed(run, frame, state, STATES_DATA_LIMIT_EXCEEDED, cause, also=(STATES_ALL,))


def task_failed(run: Run, frame: Frame, state: Any, error: str | None,
                cause: str | None, also: tuple[str, ...] = ()) -> None:
    _close_task(run, frame)
    prefix = task_event_prefix(state.resource)
    details: dict[str, Any] = {}
    if prefix == "Task":
        details.update(resource_parts(state.resource))
    if error is not None:
        details["error"] = error
    if cause is not None:
        details["cause"] = cause
    run.emit(frame, f"{prefix}Failed", details)
    # AWS: in a Retry or Catch, States.TaskFailed "matches any known error name except for
    # States.Timeout" that a task raises.
    run.state_failed(frame, state, StatesError(error or "", cause, (*also, STATES_TASK_FAILED)))


def task_timed_out(run: Run, frame: Frame, state: Any, purpose: str) -> None:
    task_id = frame.scratch.get("task")
    if task_id is not None:
        run.effects.append(CancelTask(task_id))
    _close_task(run, frame)
    # AWS reports a missed heartbeat as States.Timeout too; States.HeartbeatTimeout is a
    # name only Retry and Catch use ("only available inside the Catch and Retry fields").
    also = () if purpose == "timeout" else (STATES_HEARTBEAT_TIMEOUT,)
    prefix = task_event_prefix(state.resource)
    details: dict[str, Any] = {"error": STATES_TIMEOUT}
    if prefix == "Task":
        details = {**resource_parts(state.resource), **details}
    run.emit(frame, f"{prefix}TimedOut", details)
    run.state_failed(frame, state, StatesError(STATES_TIMEOUT, None, also))


def task_heartbeat(run: Run, frame: Frame, state: Any) -> None:
    """Push the heartbeat deadline back by HeartbeatSeconds."""
    for wait_id, target in list(run.ex.waits.items()):
        if target == f"{frame.id}|heartbeat":
            del run.ex.waits[wait_id]
            run.cancel_timer(wait_id)
    seconds = frame.scratch.get("heartbeat_s")
    if seconds is None and state.heartbeat is not None:
        seconds = _task_seconds(state.heartbeat, run.scope(frame, state, frame.data))
    if seconds is not None:
        run.arm_timer(frame, "heartbeat", seconds)


def _close_task(run: Run, frame: Frame) -> None:
    """The task ended: forget it and its timeout/heartbeat timers."""
    frame.wait = None
    task_id = frame.scratch.pop("task", None)
    if task_id is not None:
        run.ex.waits.pop(task_id, None)
    run.cancel_waits({frame.id})
