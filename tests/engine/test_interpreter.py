"""The step function as a durable host drives it: one trigger in, events and effects out."""

from __future__ import annotations

import json

import pytest

from engine.context import VirtualClock, default_context
from engine.definition import load
from engine.driver import ExecutionFailed, run, run_execution
from engine.execution import (
    ABORTED,
    FAILED,
    RUNNING,
    SUCCEEDED,
    TIMED_OUT,
    ArmTimer,
    CallIntegration,
    CancelTimer,
    ChildStarted,
    ExecutionState,
    Heartbeat,
    Redrive,
    Start,
    Stop,
    StopChild,
    TaskFailed,
    TaskSubmitted,
    TaskSucceeded,
    TimerFired,
    UpdateMapRun,
)
from engine.interpreter import advance

ECHO = "arn:aws:states:::lambda:invoke"


def _task_machine(**task: object) -> dict:
    body = {"Type": "Task", "Resource": ECHO, "End": True}
    body.update(task)
    return {"StartAt": "T", "States": {"T": body}}


def _start(definition: dict, data: object = None, clock: VirtualClock | None = None):
    clock = clock or VirtualClock(seed=7)
    machine = load(definition)
    step = advance(machine, None, Start(data or {}, default_context(clock.now())), clock)
    return machine, step, clock


def _types(step) -> list[str]:
    return [event.type for event in step.events]


def _only(effects, kind):
    found = [effect for effect in effects if isinstance(effect, kind)]
    assert len(found) == 1, effects
    return found[0]


def test_it_asks_the_host_to_call_the_task_and_waits() -> None:
    machine, step, clock = _start(_task_machine(Parameters={"x.$": "$.v"}), {"v": 3})
    call = _only(step.effects, CallIntegration)
    assert (call.resource, call.parameters, call.wait_for_token) == (ECHO, {"x": 3}, False)
    assert step.status == RUNNING
    assert _types(step) == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled",
                            "TaskStarted"]
    done = advance(machine, step.state, TaskSucceeded(call.task_id, {"ok": 1}), clock)
    assert done.status == SUCCEEDED and done.state.output == {"ok": 1}
    assert _types(done) == ["TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    assert [e.id for e in step.events + done.events] == list(range(1, 8))


def test_it_resumes_from_a_serialised_snapshot() -> None:
    definition = _task_machine(ResultPath="$.r", Next="P", End=None)
    definition["States"]["T"].pop("End")
    definition["States"]["P"] = {"Type": "Pass", "End": True}
    machine, step, clock = _start(definition, {"a": 1})
    call = _only(step.effects, CallIntegration)
    snapshot = json.loads(json.dumps(step.state.to_json()))
    restored = ExecutionState.from_json(snapshot)
    done = advance(machine, restored, TaskSucceeded(call.task_id, "res"), clock)
    assert done.state.output == {"a": 1, "r": "res"}
    assert done.events[0].id == step.state.event_count + 1


def test_it_gives_wait_for_task_token_tasks_an_injected_token() -> None:
    definition = _task_machine(
        Resource="arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        Parameters={"MessageBody": {"token.$": "$$.Task.Token"}},
    )
    machine, step, clock = _start(definition)
    call = _only(step.effects, CallIntegration)
    assert call.wait_for_token and len(call.token) == 64
    assert call.parameters == {"MessageBody": {"token": call.token}}
    submitted = advance(machine, step.state, TaskSubmitted(call.task_id, {"MessageId": "m"}),
                        clock)
    assert _types(submitted) == ["TaskSubmitted"] and submitted.status == RUNNING
    done = advance(machine, submitted.state, TaskSucceeded(call.task_id, {"ok": True}), clock)
    assert done.state.output == {"ok": True}


def test_a_wait_state_arms_a_timer_and_never_finishes_early() -> None:
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}}
    machine, step, clock = _start(definition)
    timer = _only(step.effects, ArmTimer)
    assert timer.due_at == clock.now() + 30
    assert step.status == RUNNING
    done = advance(machine, step.state, TimerFired(timer.timer_id), clock)
    assert done.status == SUCCEEDED
    assert _types(done) == ["WaitStateExited", "ExecutionSucceeded"]


def test_retry_backs_off_exponentially_up_to_max_delay() -> None:
    retry = [{"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "BackoffRate": 3,
              "MaxAttempts": 3, "MaxDelaySeconds": 10}]
    machine, step, clock = _start(_task_machine(Retry=retry))
    delays = []
    state = step.state
    for _ in range(3):
        call = _only(step.effects, CallIntegration)
        step = advance(machine, state, TaskFailed(call.task_id, "Boom", "bad"), clock)
        timer = _only(step.effects, ArmTimer)
        delays.append(timer.due_at - clock.now())
        step = advance(machine, step.state, TimerFired(timer.timer_id), clock)
        state = step.state
    assert delays == [2, 6, 10]
    call = _only(step.effects, CallIntegration)
    failed = advance(machine, state, TaskFailed(call.task_id, "Boom", "bad"), clock)
    assert (failed.status, failed.state.error, failed.state.cause) == (FAILED, "Boom", "bad")


def test_full_jitter_draws_the_delay_from_the_injected_random_source() -> None:
    class HalfClock(VirtualClock):
        def random(self) -> float:
            return 0.5

    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 8, "JitterStrategy": "FULL"}]
    machine, step, clock = _start(_task_machine(Retry=retry), clock=HalfClock())
    call = _only(step.effects, CallIntegration)
    step = advance(machine, step.state, TaskFailed(call.task_id, "X"), clock)
    assert _only(step.effects, ArmTimer).due_at == clock.now() + 4


def test_catch_puts_the_error_at_result_path_and_moves_on() -> None:
    definition = _task_machine(Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err",
                                       "Next": "Done"}])
    definition["States"]["Done"] = {"Type": "Pass", "End": True}
    machine, step, clock = _start(definition, {"keep": 1})
    call = _only(step.effects, CallIntegration)
    done = advance(machine, step.state, TaskFailed(call.task_id, "Oops", "why"), clock)
    assert done.state.output == {"keep": 1, "err": {"Error": "Oops", "Cause": "why"}}
    assert _types(done)[:2] == ["TaskFailed", "TaskStateExited"]


def test_task_timeout_fails_the_task_with_states_timeout() -> None:
    machine, step, clock = _start(_task_machine(TimeoutSeconds=5))
    timer = _only(step.effects, ArmTimer)
    assert timer.due_at == clock.now() + 5
    done = advance(machine, step.state, TimerFired(timer.timer_id), clock)
    assert (done.status, done.state.error) == (FAILED, "States.Timeout")
    assert "TaskTimedOut" in _types(done)


def test_a_heartbeat_pushes_the_heartbeat_deadline_back() -> None:
    machine, step, clock = _start(_task_machine(HeartbeatSeconds=10))
    first = _only(step.effects, ArmTimer)
    call = _only(step.effects, CallIntegration)
    clock.advance_to(clock.now() + 6)
    beat = advance(machine, step.state, Heartbeat(call.task_id), clock)
    assert _only(beat.effects, CancelTimer).timer_id == first.timer_id
    assert _only(beat.effects, ArmTimer).due_at == clock.now() + 10
    late = advance(machine, beat.state, TimerFired(first.timer_id), clock)
    assert late.status == RUNNING
    second = _only(beat.effects, ArmTimer)
    done = advance(machine, late.state, TimerFired(second.timer_id), clock)
    # AWS reports a missed heartbeat as States.Timeout (recorded: TaskTimedOut, ExecutionFailed).
    assert done.state.error == "States.Timeout"
    assert [e.details["error"] for e in done.events if e.type == "TaskTimedOut"] == ["States.Timeout"]


def _timed_out_by(purpose: str, error_equals: list[str]):
    """Run a task with a 5 s heartbeat and 20 s timeout until ``purpose`` fires it, under a Catch."""
    catch = {"ErrorEquals": error_equals, "ResultPath": "$.caught", "Next": "Caught"}
    definition = _task_machine(HeartbeatSeconds=5, TimeoutSeconds=20, Catch=[catch])
    definition["States"]["T"].pop("End")
    definition["States"]["T"]["Next"] = "Done"
    definition["States"].update({"Caught": {"Type": "Pass", "End": True}, "Done": {"Type": "Pass", "End": True}})
    machine, step, clock = _start(definition)
    call = _only(step.effects, CallIntegration)
    timers = sorted((t for t in step.effects if isinstance(t, ArmTimer)), key=lambda t: t.due_at)
    state = step.state
    if purpose == "timeout":  # heartbeats keep the task alive until its TimeoutSeconds
        for _ in range(4):
            clock.advance_to(clock.now() + 4)
            state = advance(machine, state, Heartbeat(call.task_id), clock).state
        timer = timers[-1]
    else:
        timer = timers[0]
    clock.advance_to(timer.due_at)
    return advance(machine, state, TimerFired(timer.timer_id), clock)


@pytest.mark.parametrize(("purpose", "error_equals", "caught"), [
    ("heartbeat", ["States.HeartbeatTimeout"], True),
    ("heartbeat", ["States.Timeout"], True),
    ("heartbeat", ["States.ALL"], True),
    ("timeout", ["States.Timeout"], True),
    ("timeout", ["States.HeartbeatTimeout"], False),
])
def test_catch_tells_a_missed_heartbeat_from_a_task_timeout(purpose, error_equals, caught) -> None:
    done = _timed_out_by(purpose, error_equals)
    if caught:
        assert done.state.status == "SUCCEEDED"
        assert done.state.output["caught"]["Error"] == "States.Timeout"
    else:
        assert (done.state.status, done.state.error) == ("FAILED", "States.Timeout")


def test_the_machine_timeout_ends_the_execution_timed_out() -> None:
    definition = {"TimeoutSeconds": 3, "StartAt": "W",
                  "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}
    result = run_execution(definition)
    assert (result.status, result.error) == (TIMED_OUT, "States.Timeout")
    assert result.events[-1].type == "ExecutionTimedOut"


def test_stop_aborts_and_cancels_pending_timers() -> None:
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}
    machine, step, clock = _start(definition)
    timer = _only(step.effects, ArmTimer)
    stopped = advance(machine, step.state, Stop("Halt", "user"), clock)
    assert (stopped.status, stopped.state.error) == (ABORTED, "Halt")
    assert _only(stopped.effects, CancelTimer).timer_id == timer.timer_id
    assert _types(stopped) == ["ExecutionAborted"]


def test_parallel_branches_wait_on_their_tasks_at_the_same_time() -> None:
    branches = [{"StartAt": name, "States": {name: {"Type": "Task", "Resource": ECHO,
                                                    "End": True}}} for name in ("A", "B")]
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True,
                                                   "Branches": branches}}}
    machine, step, clock = _start(definition, {"n": 1})
    calls = [e for e in step.effects if isinstance(e, CallIntegration)]
    assert len(calls) == 2
    state = step.state
    for answer, call in zip(("b", "a"), reversed(calls), strict=True):
        step = advance(machine, state, TaskSucceeded(call.task_id, answer), clock)
        state = step.state
    assert state.output == ["a", "b"]


def test_map_max_concurrency_one_runs_one_task_at_a_time() -> None:
    processor = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ECHO,
                                                  "End": True}}}
    definition = {"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 1,
                                                   "ItemProcessor": processor, "End": True}}}
    machine, step, clock = _start(definition, [1, 2, 3])
    outputs = []
    while step.status == RUNNING:
        call = _only(step.effects, CallIntegration)
        outputs.append(call.parameters)
        step = advance(machine, step.state, TaskSucceeded(call.task_id, call.parameters * 10),
                       clock)
    assert outputs == [1, 2, 3] and step.state.output == [10, 20, 30]


def test_run_answers_tasks_from_the_integrations_mapping() -> None:
    out = run(_task_machine(), {"a": 2}, integrations={ECHO: lambda p: {"twice": p["a"] * 2}})
    assert out == {"twice": 4}


def test_run_fails_a_task_whose_resource_has_no_integration() -> None:
    with pytest.raises(ExecutionFailed) as failure:
        run(_task_machine())
    assert failure.value.name == "States.TaskFailed"
    assert failure.value.status == FAILED


def test_an_output_over_256_kib_fails_with_data_limit_exceeded() -> None:
    big = "x" * (256 * 1024)
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": big, "End": True}}}
    result = run_execution(definition)
    assert (result.status, result.error) == (FAILED, "States.DataLimitExceeded")


def test_an_execution_stops_at_25000_history_events() -> None:
    definition = {"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True,
                                             "Next": "End"}], "Default": "P"},
        "End": {"Type": "Succeed"},
    }}
    result = run_execution(definition)
    assert result.status == FAILED
    assert len(result.events) == 25_000
    assert result.events[-1].type == "ExecutionFailed"


def test_events_read_like_get_execution_history() -> None:
    result = run_execution({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                           {"k": "v"})
    history = result.history()
    assert [e["type"] for e in history] == ["ExecutionStarted", "PassStateEntered",
                                            "PassStateExited", "ExecutionSucceeded"]
    entered = history[1]
    assert entered["previousEventId"] == 1 and entered["id"] == 2
    assert entered["stateEnteredEventDetails"] == {
        "name": "P", "input": '{"k":"v"}', "inputDetails": {"truncated": False}}
    assert json.loads(history[3]["executionSucceededEventDetails"]["output"]) == {"k": "v"}


def test_redrive_restarts_at_the_state_that_failed_with_its_input() -> None:
    definition = _task_machine(Next="Done", End=None)
    definition["States"]["T"].pop("End")
    definition["States"]["Done"] = {"Type": "Pass", "End": True}
    machine, step, clock = _start(definition, {"n": 1})
    call = _only(step.effects, CallIntegration)
    failed = advance(machine, step.state, TaskFailed(call.task_id, "Boom"), clock)
    assert failed.status == FAILED
    again = advance(machine, failed.state, Redrive(), clock)
    assert _types(again)[:2] == ["ExecutionRedriven", "TaskStateEntered"]
    retry_call = _only(again.effects, CallIntegration)
    assert retry_call.parameters == {"n": 1}
    done = advance(machine, again.state, TaskSucceeded(retry_call.task_id, "ok"), clock)
    assert (done.status, done.state.output) == (SUCCEEDED, "ok")
    assert done.state.context["Execution"]["RedriveCount"] == 1


def _stored(state: ExecutionState) -> ExecutionState:
    """The state as the runtime stores it between steps (JSON)."""
    return ExecutionState.from_json(json.loads(json.dumps(state.to_json())))


def _calls(step) -> list[CallIntegration]:
    return [e for e in step.effects if isinstance(e, CallIntegration)]


def test_redrive_of_a_map_runs_only_the_iterations_that_did_not_succeed() -> None:
    task = {"Type": "Task", "Resource": ECHO, "Parameters": {"item.$": "$"}, "End": True}
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemsPath": "$.items", "End": True,
        "ItemProcessor": {"StartAt": "T", "States": {"T": task}}}}}
    machine, step, clock = _start(definition, {"items": ["a", "b", "c"]})
    first = {c.parameters["item"]: c for c in _calls(step)}
    assert sorted(first) == ["a", "b", "c"]
    state = advance(machine, step.state, TaskSucceeded(first["a"].task_id, "A"), clock).state
    failed = advance(machine, _stored(state), TaskFailed(first["b"].task_id, "Boom"), clock)
    assert failed.status == FAILED

    again = advance(machine, _stored(failed.state), Redrive(), clock)
    rerun = {c.parameters["item"]: c for c in _calls(again)}
    assert sorted(rerun) == ["b", "c"]  # "a" succeeded and keeps its result
    state = advance(machine, _stored(again.state), TaskSucceeded(rerun["b"].task_id, "B"), clock).state
    done = advance(machine, _stored(state), TaskSucceeded(rerun["c"].task_id, "C"), clock)
    assert (done.status, done.state.output) == (SUCCEEDED, ["A", "B", "C"])


def test_redrive_of_a_parallel_runs_only_the_branches_that_did_not_succeed() -> None:
    def branch(name: str) -> dict:
        return {"StartAt": name, "States": {name: {"Type": "Task", "Resource": ECHO,
                                                   "Parameters": {"branch": name}, "End": True}}}
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True,
                                                   "Branches": [branch("one"), branch("two")]}}}
    machine, step, clock = _start(definition)
    calls = {c.parameters["branch"]: c for c in _calls(step)}
    state = advance(machine, step.state, TaskSucceeded(calls["one"].task_id, 1), clock).state
    failed = advance(machine, _stored(state), TaskFailed(calls["two"].task_id, "Boom"), clock)
    assert failed.status == FAILED

    again = advance(machine, _stored(failed.state), Redrive(), clock)
    assert [c.parameters["branch"] for c in _calls(again)] == ["two"]
    done = advance(machine, _stored(again.state), TaskSucceeded(_calls(again)[0].task_id, 2), clock)
    assert (done.status, done.state.output) == (SUCCEEDED, [1, 2])


def _batched_map(batcher: dict, items: list, **map_fields) -> dict:
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                 "StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
    state = {"Type": "Map", "ItemsPath": "$.items", "ItemBatcher": batcher, "ItemProcessor": processor,
             "End": True, **map_fields}
    return run(definition={"StartAt": "M", "States": {"M": state}}, input={"items": items, "f": 3})


def test_item_batcher_gives_each_child_a_batch_with_the_batch_input() -> None:
    output = _batched_map({"MaxItemsPerBatch": 2, "BatchInput": {"factor.$": "$.f", "fixed": 1}}, [1, 2, 3, 4, 5])
    assert output == [{"Items": [1, 2], "BatchInput": {"factor": 3, "fixed": 1}},
                      {"Items": [3, 4], "BatchInput": {"factor": 3, "fixed": 1}},
                      {"Items": [5], "BatchInput": {"factor": 3, "fixed": 1}}]


def test_item_batcher_applies_the_item_selector_to_each_item_first() -> None:
    output = _batched_map({"MaxItemsPerBatchPath": "$.f"}, ["a", "b", "c", "d"],
                          ItemSelector={"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"})
    assert output == [{"Items": [{"v": "a", "i": 0}, {"v": "b", "i": 1}, {"v": "c", "i": 2}]},
                      {"Items": [{"v": "d", "i": 3}]}]


def test_item_batcher_keeps_each_batch_under_its_byte_limit() -> None:
    output = _batched_map({"MaxInputBytesPerBatch": 25}, ["aaaaaaaa", "bbbbbbbb", "cccccccc"])
    assert [batch["Items"] for batch in output] == [["aaaaaaaa", "bbbbbbbb"], ["cccccccc"]]


def _distributed(processor: dict, **map_fields) -> dict:
    config = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": {**config, **processor},
                                              **map_fields}}}


def _child_streams(*steps) -> dict[str, list[tuple[int, int, str]]]:
    streams: dict[str, list[tuple[int, int, str]]] = {}
    for step in steps:
        for arn, event in step.child_events:
            streams.setdefault(arn, []).append((event.id, event.previous_event_id, event.type))
    return streams


def test_distributed_children_keep_their_events_in_histories_of_their_own() -> None:
    branch = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ECHO, "End": True}}}
    processor = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [branch], "End": True}}}
    machine, step, clock = _start(_distributed(processor, Label="L"), ["a", "b"])
    assert "ParallelStateEntered" not in _types(step) and "MapRunStarted" in _types(step)
    started = [e for e in step.effects if isinstance(e, ChildStarted)]
    assert len(started) == 2 and all(":execution:" in s.arn and "/L:" in s.arn for s in started)
    calls = _calls(step)
    state = advance(machine, _stored(step.state), TaskSucceeded(calls[0].task_id, 1), clock)
    done = advance(machine, _stored(state.state), TaskFailed(calls[1].task_id, "Boom"), clock)
    streams = _child_streams(step, state, done)
    assert set(streams) == {s.arn for s in started}
    for events in streams.values():  # numbered from 1, each event after the one before it
        assert [e[0] for e in events] == list(range(1, len(events) + 1))
        assert events[0][2] == "ExecutionStarted" and events[1][1] == 1
    ends = sorted(events[-1][2] for events in streams.values())
    assert ends == ["ExecutionFailed", "ExecutionSucceeded"]
    assert done.status == FAILED and not done.state.children


def test_a_distributed_childs_context_object_is_its_own_execution() -> None:
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True, "Parameters": {
        "id.$": "$$.Execution.Id", "input.$": "$$.Execution.Input", "redrives.$": "$$.Execution.RedriveCount"}}}}
    _, step, _ = _start(_distributed(processor), [7])
    [started] = [e for e in step.effects if isinstance(e, ChildStarted)]
    assert step.state.output == [{"id": started.arn, "input": 7, "redrives": 0}]


def test_stopping_a_child_aborts_it_and_counts_its_item_as_failed() -> None:
    wait = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}
    machine, step, clock = _start(_distributed(wait, ToleratedFailureCount=1), [1, 2])
    arns = [e.arn for e in step.effects if isinstance(e, ChildStarted)]
    stopped = advance(machine, _stored(step.state), StopChild(arns[0], "Op", "why"), clock)
    assert [t for _, _, t in _child_streams(stopped)[arns[0]]] == ["WaitStateAborted", "ExecutionAborted"]
    [record] = stopped.state.map_runs.values()
    assert record["item_counts"]["aborted"] == 1 and stopped.status == "RUNNING"
    # A tolerance lowered below that one failure fails the run at once.
    lowered = advance(machine, _stored(stopped.state), UpdateMapRun(record_arn(stopped), tolerated_count=0), clock)
    assert lowered.status == FAILED and lowered.state.error == "States.ExceedToleratedFailureThreshold"


def record_arn(step) -> str:
    [arn] = step.state.map_runs
    return arn


def test_a_redrive_continues_the_map_run_and_its_failed_child_where_it_failed() -> None:
    processor = {"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Next": "T"}, "T": {"Type": "Task", "Resource": ECHO, "End": True}}}
    machine, step, clock = _start(_distributed(processor), ["a", "b"])
    calls = {json.dumps(c.parameters): c for c in _calls(step)}
    state = advance(machine, _stored(step.state), TaskSucceeded(calls['"a"'].task_id, "A"), clock)
    failed = advance(machine, _stored(state.state), TaskFailed(calls['"b"'].task_id, "Boom"), clock)
    assert failed.status == FAILED
    failed_arn = next(arn for arn, e in _child_streams(failed).items() if e[-1][2] == "ExecutionFailed")
    before = len(_child_streams(step, state, failed)[failed_arn])

    again = advance(machine, _stored(failed.state), Redrive(), clock)
    assert "MapRunRedriven" in _types(again) and "MapRunStarted" not in _types(again)
    [redriven] = [e for e in again.effects if isinstance(e, ChildStarted)]
    assert (redriven.arn, redriven.redrive_count) == (failed_arn, 1)
    events = _child_streams(again)[failed_arn]
    assert [t for _, _, t in events][:3] == ["ExecutionRedriven", "TaskStateEntered", "TaskScheduled"]
    assert events[0][0] == before + 1
    [call] = _calls(again)
    done = advance(machine, _stored(again.state), TaskSucceeded(call.task_id, "B"), clock)
    assert (done.status, done.state.output) == (SUCCEEDED, ["A", "B"])
    [record] = done.state.map_runs.values()
    assert record["redrive_count"] == 1 and record["item_counts"]["succeeded"] == 2
