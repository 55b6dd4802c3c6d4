"""Parallel and Map states (States Language: "Parallel State", "Map State": ItemsPath /
Items, ItemSelector (legacy Parameters), MaxConcurrency(Path), ToleratedFailureCount /
Percentage(Path), inline and distributed processing).

Each branch and each iteration runs in a child frame; the parent frame waits with
``wait == "children"`` and its scratch (plain JSON) counts what is running and done.
Distributed Map iterations are child executions on AWS, so their states leave no events
in the parent's history: their frames are ``silent``, and a STANDARD child's events go to
a history of its own (``Run.start_child``: the step's ``child_events``), which the host
stores as an execution; a redriven Map Run continues its failed and aborted children from
the points they ended at (``child_redrive`` in the Map frame's scratch).
"""

from __future__ import annotations

import uuid
from typing import Any

from engine import map_io, steps
from engine.errors import (
    STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD,
    STATES_ITEM_READER_FAILED,
    STATES_QUERY_EVALUATION_ERROR,
    STATES_RUNTIME,
    StatesError,
)
from engine.execution import Frame
from engine.json_types import type_name
from engine.paths import to_json
from engine.protocols import Run

_THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded"


def _state_of(run: Run, frame: Frame) -> Any:
    return run.machines[frame.machine_key].states[frame.state_name]


def _children(run: Run, frame: Frame) -> list[Frame]:
    return sorted((f for f in run.ex.frames.values() if f.parent == frame.id),
                  key=lambda f: f.index)


def abort_children(run: Run, frame: Frame, state: Any) -> None:
    """Stop the branches/iterations still running, with AWS's *Aborted events."""
    children = _children(run, frame)
    for child in children:
        _abort_events(run, child)
        # Every live iteration frame had its MapIterationStarted event at launch.
        if state.type == "Map" and not state.distributed:
            run.emit(frame, "MapIterationAborted", {"name": state.name, "index": child.index})
    run.abort_frames({child.id for child in children})


def _abort_events(run: Run, frame: Frame) -> None:
    """Emit ``<Type>StateAborted`` for the state a frame is waiting in, innermost first."""
    if frame.entered_event_id == 0 or frame.wait in (None, "done"):
        return
    state = _state_of(run, frame)
    if frame.wait == "children":
        for child in _children(run, frame):
            _abort_events(run, child)
    run.emit(frame, f"{state.type}StateAborted")


# --------------------------------------------------------------------------- Parallel


def start_parallel(run: Run, frame: Frame, state: Any) -> None:
    effective = steps.effective_input(run, frame, state)
    branch_input = steps.parameters(run, frame, state, effective)
    frame.scratch = {"input": branch_input}
    _launch_parallel(run, frame, state, branch_input)


def retry_parallel(run: Run, frame: Frame, state: Any) -> None:
    steps.guarded(run, frame, state, lambda: start_parallel(run, frame, state))


def _launch_parallel(run: Run, frame: Frame, state: Any, branch_input: Any) -> None:
    run.emit(frame, "ParallelStateStarted")
    count = len(state.branches)
    frame.scratch.update(results=[None] * count, pending=count)
    if run.inspect is not None and "mock" in run.inspect:
        _finish_parallel(run, frame, state, run.inspect["mock"]())
        return
    completed = _keep_completed(run, frame)
    frame.scratch["pending"] -= len(completed)
    if frame.scratch["pending"] == 0:
        _parallel_done(run, frame, state)
        return
    frame.wait = "children"
    for index, branch in enumerate(state.branches):
        if index not in completed:
            child = run.new_frame(frame, index, branch, branch_input, dict(frame.variables))
            run.ready.append(child)


def _keep_completed(run: Run, frame: Frame) -> dict[int, Any]:
    """A redriven state keeps its successful branches'/iterations' outputs (run no more);
    return them by index."""
    scratch = frame.scratch
    completed = {index: output for index, output in run.take_redrive_completed(frame).items()
                 if index < len(scratch["results"])}
    for index, output in completed.items():
        scratch["results"][index] = output
    if completed:
        scratch.setdefault("succeeded", []).extend(completed)
        scratch["kept"] = list(completed)
    return completed


def _parallel_child_succeeded(run: Run, frame: Frame, state: Any, child: Frame,
                              output: Any) -> None:
    scratch = frame.scratch
    scratch["results"][child.index] = output
    scratch.setdefault("succeeded", []).append(child.index)
    scratch["pending"] -= 1
    if scratch["pending"] == 0:
        _parallel_done(run, frame, state)
        run.resume(frame)


def _parallel_done(run: Run, frame: Frame, state: Any) -> None:
    run.emit(frame, "ParallelStateSucceeded")
    frame.wait = None
    steps.guarded(run, frame, state, lambda: _finish_parallel(run, frame, state, frame.scratch["results"]))


def _finish_parallel(run: Run, frame: Frame, state: Any, results: Any) -> None:
    if run.inspect is not None:
        run.inspect["result"] = results
    steps.finish_state(run, frame, state, results)


def _parallel_child_failed(run: Run, frame: Frame, state: Any, error: str | None,
                           cause: str | None) -> None:
    abort_children(run, frame, state)
    frame.wait = None
    run.state_failed(frame, state, StatesError(error or "", cause),
                     final_event="ParallelStateFailed")
    run.resume(frame)


# --------------------------------------------------------------------------- Map


def start_map(run: Run, frame: Frame, state: Any) -> None:
    try:
        _start_map(run, frame, state)
    except StatesError as err:
        final = None if err.name == STATES_RUNTIME else "MapStateFailed"
        run.state_failed(frame, state, err, located=True, final_event=final)


def retry_map(run: Run, frame: Frame, state: Any) -> None:
    start_map(run, frame, state)


MAX_BATCH_BYTES = 262_144  # AWS's limit on a batch's input (and its default)


def _start_map(run: Run, frame: Frame, state: Any) -> None:
    effective = steps.effective_input(run, frame, state)
    scope = run.scope(frame, state, effective)
    if state.item_reader is not None and run.inspect is None:
        # The items are in S3: announce the Map Run, then ask the host to read them.
        run.emit(frame, "MapStateStarted", {"length": 0})
        redriven = run.take_redrive_map_run(frame)
        frame.scratch = {"effective": effective, "announced": True, "redriven": redriven,
                         "map_run_arn": redriven["arn"] if redriven else _map_run_arn(run, state)}
        _map_run_started(run, frame, state)
        try:
            map_io.request_items(run, frame, state, scope)
        except StatesError as err:
            _map_run_failed(run, frame, err)
            raise
        return
    items = _items(state, _read_items(run, state, scope))
    _begin_map(run, frame, state, effective, scope, items)


def _begin_map(run: Run, frame: Frame, state: Any, effective: Any, scope: Any, items: list[Any]) -> None:
    announced = frame.scratch.get("announced", False)
    map_run_arn = frame.scratch.get("map_run_arn")
    redriven = frame.scratch.get("redriven")
    if state.distributed and not announced and run.inspect is None:
        redriven = run.take_redrive_map_run(frame)
        map_run_arn = redriven["arn"] if redriven else None
    if run.inspect is not None and not state.io.jsonata:
        run.inspect["afterItemsPath"] = items
    limit = _integer(state.max_concurrency, scope, "MaxConcurrency")
    if not announced:
        run.emit(frame, "MapStateStarted", {"length": len(items)})
    count = _integer(state.tolerated_count, scope, "ToleratedFailureCount")
    percentage = _percentage(state.tolerated_percentage, scope)
    if run.inspect is not None:
        _inspect_map(run.inspect, limit, count, percentage)
    frame.scratch = {
        "effective": effective, "items": items, "results": [None] * len(items),
        "next": 0, "running": 0, "done": 0, "failed": 0, "limit": limit or 0,
        "tolerated_count": count, "tolerated_percentage": percentage,
    }
    if run.inspect is not None and state.item_selector is not None:
        run.inspect["afterItemSelector"] = [_iteration_input(run, frame, state, i, item)
                                            for i, item in enumerate(items)]
    if state.distributed:
        if redriven:
            frame.scratch.update(redriven=redriven, child_points=redriven["children"])
        _distribute(run, frame, state, items, scope, map_run_arn, announced)
    if run.inspect is not None and "mock" in run.inspect:
        _map_mocked(run, run.inspect, frame, state)
        return
    frame.scratch["done"] += len(_keep_completed(run, frame))
    if frame.scratch["done"] == len(frame.scratch["items"]):
        _finish_map(run, frame, state)
        return
    frame.wait = "children"
    _launch_iterations(run, frame, state)


def _distribute(run: Run, frame: Frame, state: Any, items: list[Any], scope: Any, map_run_arn: str | None,
                announced: bool) -> None:
    """A Distributed Map: its items in batches (ItemBatcher), and its Map Run."""
    if state.batcher is not None:
        batches = _batches(run, frame, state, items, scope)
        frame.scratch.update(items=batches, results=[None] * len(batches), batched=True)
        if run.inspect is not None:
            run.inspect["afterItemBatcher"] = batches
    frame.scratch["map_run_arn"] = map_run_arn or _map_run_arn(run, state)
    if not announced:
        _map_run_started(run, frame, state)
    record = run.ex.map_runs.get(frame.scratch["map_run_arn"])
    if record is not None:
        record.update(items=len(items), executions=len(frame.scratch["items"]), frame=frame.id,
                      max_concurrency=frame.scratch["limit"], tolerated_count=frame.scratch["tolerated_count"],
                      tolerated_percentage=frame.scratch["tolerated_percentage"])


def _map_run_started(run: Run, frame: Frame, state: Any) -> None:
    arn = frame.scratch["map_run_arn"]
    record = run.ex.map_runs.get(arn)
    if frame.scratch.get("redriven") and record is not None:
        _map_run_redriven(run, frame, arn, record)
        return
    run.emit(frame, "MapRunStarted", {"mapRunArn": arn})
    run.ex.map_runs[arn] = {
        "state": state.name, "status": "RUNNING", "start": run.now, "stop": None, "frame": frame.id,
        # The execution that started it: the parent, or a child running a nested Distributed Map.
        "execution": frame.child or run.ex.context.get("Execution", {}).get("Id", ""),
        "items": 0, "executions": 0, "max_concurrency": 0, "tolerated_count": None, "tolerated_percentage": None,
        "item_counts": dict.fromkeys(_COUNTED, 0), "execution_counts": dict.fromkeys(_COUNTED, 0),
    }


_COUNTED = ("running", "succeeded", "failed", "aborted")


def _map_run_redriven(run: Run, frame: Frame, arn: str, record: dict[str, Any]) -> None:
    """A redriven parent continues its failed Map Run (same ARN): what succeeded stays
    counted, what failed or was aborted runs again."""
    record["redrive_count"] = record.get("redrive_count", 0) + 1
    record.update(status="RUNNING", stop=None, redrive_date=run.now)
    for counts in (record["item_counts"], record["execution_counts"]):
        counts["failed"] = counts["aborted"] = counts["running"] = 0
    run.emit(frame, "MapRunRedriven", {"mapRunArn": arn, "redriveCount": record["redrive_count"]})


def _tally(run: Run, frame: Frame, index: int, moves: tuple[tuple[str, int], ...]) -> None:
    """Count a child execution (and its items: a batch's size) into or out of a status."""
    record = run.ex.map_runs.get(frame.scratch.get("map_run_arn", ""))
    if record is None:
        return
    item = frame.scratch["items"][index]
    size = len(item.get("Items", ())) if frame.scratch.get("batched") and isinstance(item, dict) else 1
    for status, delta in moves:
        record["execution_counts"][status] += delta
        record["item_counts"][status] += delta * size


def map_run_ended(run: Run, frame: Frame, status: str) -> None:
    """Record how a Map Run ended (SUCCEEDED, FAILED, ABORTED); children still running are aborted."""
    record = run.ex.map_runs.get(frame.scratch.get("map_run_arn", ""))
    if record is not None and record["status"] == "RUNNING":
        record.update(status=status, stop=run.now)
        for counts in (record["item_counts"], record["execution_counts"]):
            counts["aborted"] += counts["running"]
            counts["running"] = 0


def _map_run_failed(run: Run, frame: Frame, err: StatesError) -> None:
    map_run_ended(run, frame, "FAILED")
    details = {"error": err.name}
    if err.cause is not None:
        details["cause"] = err.cause
    run.emit(frame, "MapRunFailed", details)


def io_succeeded(run: Run, frame: Frame, purpose: str, output: Any) -> None:
    """The host read the ItemReader's items (``purpose`` "items") or wrote the results."""
    state = _state_of(run, frame)
    frame.wait = None
    frame.scratch.pop("asking", None)
    if purpose == "results" and frame.scratch.get("failing"):
        name, cause = frame.scratch["failing"]
        run.state_failed(frame, state, StatesError(name, cause), final_event="MapStateFailed")
        return
    if purpose == "results":
        _map_run_succeeded(run, frame, state, output)
        return
    effective = frame.scratch["effective"]
    try:
        items = output if isinstance(output, list) else []
        _begin_map(run, frame, state, effective, run.scope(frame, state, effective), items)
    except StatesError as err:
        frame.wait = None
        _map_run_failed(run, frame, err)
        final = None if err.name == STATES_RUNTIME else "MapStateFailed"
        run.state_failed(frame, state, err, located=True, final_event=final)


def io_failed(run: Run, frame: Frame, error: str | None, cause: str | None) -> None:
    """The host could not read the items or write the results: the Map Run fails."""
    state = _state_of(run, frame)
    frame.wait = None
    frame.scratch.pop("asking", None)
    err = StatesError(error or STATES_RUNTIME, cause)
    if not frame.scratch.get("failing"):
        _map_run_failed(run, frame, err)
    run.state_failed(frame, state, err, final_event="MapStateFailed")


def _read_items(run: Run, state: Any, scope: Any) -> Any:
    if state.item_reader is None:
        return state.items.get(scope)
    # Reading items from S3 needs the S3 integration; TestState passes them in.
    if run.inspect is not None and "reader_items" in run.inspect:
        return run.inspect["reader_items"]
    raise StatesError(STATES_ITEM_READER_FAILED, "ItemReader sources are not supported")


def _inspect_map(inspect: dict[str, Any], limit: int | None, count: int | None,
                 percentage: float | None) -> None:
    inspect["maxConcurrency"] = limit or 0
    if count is not None:
        inspect["toleratedFailureCount"] = count
    if percentage is not None:
        inspect["toleratedFailurePercentage"] = percentage


def _map_mocked(run: Run, inspect: dict[str, Any], frame: Frame, state: Any) -> None:
    """TestState: the mock stands for the iterations' results (or their failure)."""
    result = inspect["mock"]()
    scratch = frame.scratch
    scratch["failed"] = inspect.get("map_failures", 0)
    tolerance_set = state.tolerated_count is not None or state.tolerated_percentage is not None
    if scratch["failed"] and tolerance_set and _exceeds_tolerance(scratch):
        raise StatesError(STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD, _THRESHOLD_CAUSE)
    scratch["results"] = result
    _finish_map(run, frame, state)


def _map_run_arn(run: Run, state: Any) -> str:
    """AWS's form: ``arn:...:mapRun:<machine>/<Label, else a UUID>:<UUID>`` (the UUIDs are
    derived from the execution and the run's place in it, so a replayed step agrees)."""
    execution_arn = run.ex.context.get("Execution", {}).get("Id", "")
    head, _, rest = execution_arn.partition(":execution:")
    seed = f"{execution_arn}#{state.name}#{run.ex.seq}"
    label = state.label or str(uuid.uuid5(uuid.NAMESPACE_URL, seed + "#label"))
    return f"{head}:mapRun:{rest.split(':', 1)[0]}/{label}:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}"


def labelled_machine_arn(arn: str) -> str:
    """The state machine ARN AWS gives a Map Run and its children, from either's ARN:
    ``arn:...:stateMachine:<machine>/<label>``."""
    kind = ":mapRun:" if ":mapRun:" in arn else ":execution:"
    head, _, rest = arn.partition(kind)
    return f"{head}:stateMachine:{rest.rsplit(':', 1)[0]}"


def child_arn(map_run_arn: str, index: int) -> str:
    """The ARN of the child execution that runs item (or batch) ``index`` of a Map Run:
    ``arn:...:execution:<machine>/<label>:<UUID>``. Each Map state start is a new Map Run
    and launches each index once, so the pair names one child."""
    head, _, rest = map_run_arn.partition(":mapRun:")
    labelled = rest.rsplit(":", 1)[0]
    return f"{head}:execution:{labelled}:{uuid.uuid5(uuid.NAMESPACE_URL, f'{map_run_arn}#{index}')}"


def _items(state: Any, value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    spec = state.items
    if spec.jsonata:
        inner = spec.text[2:-2].strip() if isinstance(spec.text, str) else spec.text
        raise StatesError(
            STATES_QUERY_EVALUATION_ERROR,
            f"The JSONata expression '{inner}' specified for the field 'Items' returned an "
            f"unexpected result type. Expected 'array', but was '{type_name(value)}' for "
            f"value: {to_json(value)}",
        )
    if spec.field == "ItemsPath":
        # AWS names the path as written, a context path ($$.Execution.Input) too.
        raise StatesError(STATES_RUNTIME, f'Reference path "{spec.text}" must point to array.')
    name = STATES_QUERY_EVALUATION_ERROR if state.io.jsonata else STATES_RUNTIME
    raise StatesError(name, f"Map state input must be an array but was: {to_json(value)}")


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else to_json(value)


def _numeric_text(value: Any) -> Any:
    """Path forms accept numbers written as strings ("1"), as AWS does."""
    if isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            return value
    return value


def _integer(spec: Any, scope: Any, name: str) -> int | None:
    if spec is None:
        return None
    value = _numeric_text(spec.get(scope))
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        if spec.jsonata:
            raise StatesError(STATES_QUERY_EVALUATION_ERROR,
                              f"The {spec.field} field must be a non-negative integer: "
                              f"{_shown(value)}")
        raise StatesError(STATES_RUNTIME, f"The {spec.field} field refers to value "
                                          f"\"{_shown(value)}\" which is not a valid integer: "
                                          f"{spec.text}")
    if value < 0:
        raise StatesError(STATES_RUNTIME, f"{name} cannot be negative.")
    return int(value)


def _percentage(spec: Any, scope: Any) -> float | None:
    if spec is None:
        return None
    value = _numeric_text(spec.get(scope))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise StatesError(STATES_RUNTIME, f"The {spec.field} field refers to value "
                                          f"\"{_shown(value)}\" which is not a valid float: "
                                          f"{spec.text}")
    if not 0 <= value <= 100:
        raise StatesError(STATES_RUNTIME, "ToleratedFailurePercentage must be between 0 and 100.")
    return value


def _launch_iterations(run: Run, frame: Frame, state: Any) -> None:
    scratch = frame.scratch
    items = scratch["items"]
    limit = scratch["limit"]
    kept = scratch.get("kept", ())
    while scratch["next"] < len(items) and (limit == 0 or scratch["running"] < limit):
        index = scratch["next"]
        scratch["next"] = index + 1
        if index in kept:
            continue
        scratch["running"] += 1
        try:
            value = _iteration_input(run, frame, state, index, items[index])
        except StatesError as err:
            _map_failed(run, frame, state, err)
            return
        if not state.distributed:
            run.emit(frame, "MapIterationStarted", {"name": state.name, "index": index})
        else:
            _tally(run, frame, index, (("running", 1),))
        child = run.new_frame(frame, index, state.processor, value, dict(frame.variables),
                              silent=state.distributed)
        if state.distributed and state.child_type == "STANDARD" and run.inspect is None:
            point = (scratch.get("child_points") or {}).get(str(index))
            run.start_child(child, child_arn(scratch["map_run_arn"], index), value, scratch["map_run_arn"], point)
        run.ready.append(child)


def _batches(run: Run, frame: Frame, state: Any, items: list[Any], scope: Any) -> list[Any]:
    """ItemBatcher: the items (each through ItemSelector first) in batches of at most
    MaxItemsPerBatch items and MaxInputBytesPerBatch bytes, each child's input being
    ``{"Items": [...]}`` plus ``"BatchInput"`` when one is given."""
    batcher = state.batcher
    most = _integer(batcher.max_items, scope, "MaxItemsPerBatch") or len(items) or 1
    budget = _integer(batcher.max_bytes, scope, "MaxInputBytesPerBatch") or MAX_BATCH_BYTES
    extra = None if batcher.batch_input is None else batcher.batch_input.get(scope)
    batches: list[list[Any]] = []
    size = 0
    for index, item in enumerate(items):
        selected = _iteration_input(run, frame, state, index, item)
        item_size = len(to_json(selected).encode()) + 1
        if not batches or len(batches[-1]) >= most or (batches[-1] and size + item_size > budget):
            batches.append([])
            size = 0
        batches[-1].append(selected)
        size += item_size
    return [{"Items": batch} if extra is None else {"Items": batch, "BatchInput": extra} for batch in batches]


def _iteration_input(run: Run, frame: Frame, state: Any, index: int, item: Any) -> Any:
    if state.item_selector is None or frame.scratch.get("batched"):
        return item
    frame.item = [index, item]
    try:
        data = frame.data if state.io.jsonata else frame.scratch["effective"]
        return state.item_selector.get(run.scope(frame, state, data))
    finally:
        frame.item = None


def _map_child_succeeded(run: Run, frame: Frame, state: Any, child: Frame,
                         output: Any) -> None:
    scratch = frame.scratch
    scratch["results"][child.index] = output
    scratch.setdefault("succeeded", []).append(child.index)
    if child.child is not None:
        run.end_child(child, "ExecutionSucceeded", {"output": to_json(output)})
    if not state.distributed:
        run.emit(frame, "MapIterationSucceeded", {"name": state.name, "index": child.index})
    else:
        _tally(run, frame, child.index, (("running", -1), ("succeeded", 1)))
    _iteration_done(run, frame, state)


def _iteration_done(run: Run, frame: Frame, state: Any) -> None:
    scratch = frame.scratch
    scratch["running"] -= 1
    scratch["done"] += 1

    if scratch["done"] == len(scratch["items"]):
        frame.wait = None
        steps.guarded(run, frame, state, lambda: _finish_map(run, frame, state))
        run.resume(frame)
    else:
        _launch_iterations(run, frame, state)


def _finish_map(run: Run, frame: Frame, state: Any) -> None:
    if state.distributed and state.result_writer is not None and run.inspect is None:
        effective = frame.scratch["effective"]
        scope = run.scope(frame, state, effective)
        map_io.request_write(run, frame, state, scope, map_io.iteration_results(frame.scratch))
        return
    _map_run_succeeded(run, frame, state, frame.scratch["results"])


def _map_run_succeeded(run: Run, frame: Frame, state: Any, results: Any) -> None:
    if state.distributed:
        map_run_ended(run, frame, "SUCCEEDED")
        run.emit(frame, "MapRunSucceeded")
    run.emit(frame, "MapStateSucceeded")
    if run.inspect is not None:
        run.inspect["result"] = results
    steps.finish_state(run, frame, state, results)


def _map_child_failed(run: Run, frame: Frame, state: Any, child: Frame, error: str | None,
                      cause: str | None, ended: str = "failed") -> None:
    scratch = frame.scratch
    if not state.distributed:
        run.emit(frame, "MapIterationFailed", {"name": state.name, "index": child.index})
        _map_failed(run, frame, state, StatesError(error or "", cause))
        return
    scratch["failed"] += 1
    _tally(run, frame, child.index, (("running", -1), (ended, 1)))
    if child.child is not None:
        details = {"error": error, "cause": cause}
        run.end_child(child, "ExecutionFailed", {k: v for k, v in details.items() if v is not None}, frame)
    error_output: dict[str, Any] = {"Error": error}
    if cause is not None:
        error_output["Cause"] = cause
    scratch["results"][child.index] = error_output
    if not _fail_beyond_tolerance(run, frame, state):
        _iteration_done(run, frame, state)


def _fail_beyond_tolerance(run: Run, frame: Frame, state: Any) -> bool:
    """Fail the Map Run (and the state) once its failures pass the tolerated threshold."""
    if _exceeds_tolerance(frame.scratch):
        map_run_ended(run, frame, "FAILED")
        run.emit(frame, "MapRunFailed", {"error": STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD,
                                         "cause": _THRESHOLD_CAUSE})
        err = StatesError(STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD, _THRESHOLD_CAUSE)
        if state.result_writer is not None and run.inspect is None:
            _write_then_fail(run, frame, state, err)
        else:
            _map_failed(run, frame, state, err)
        return True
    return False


def _write_then_fail(run: Run, frame: Frame, state: Any, err: StatesError) -> None:
    """A failed Map Run still writes its results (what succeeded, failed, never ran),
    then the state fails."""
    abort_children(run, frame, state)
    frame.scratch["failing"] = [err.name, err.cause]
    scope = run.scope(frame, state, frame.scratch["effective"])
    map_io.request_write(run, frame, state, scope, map_io.iteration_results(frame.scratch))


def _exceeds_tolerance(scratch: dict[str, Any]) -> bool:
    failed = scratch["failed"]
    count = scratch["tolerated_count"]
    percentage = scratch["tolerated_percentage"]
    if count is None and percentage is None:
        return failed > 0
    if count is not None and failed <= count:
        return False
    total = len(scratch["items"])
    if percentage is not None and total and failed * 100.0 / total <= percentage:
        return False
    return True


def _map_failed(run: Run, frame: Frame, state: Any, err: StatesError) -> None:
    abort_children(run, frame, state)
    frame.wait = None
    run.state_failed(frame, state, err, final_event="MapStateFailed")
    run.resume(frame)


def update_map_run(run: Run, trigger: Any) -> None:
    """UpdateMapRun: new concurrency or tolerance for a running Map Run (more iterations
    may start at once; the new tolerance applies to the next failure)."""
    record = run.ex.map_runs.get(trigger.map_run_arn)
    if not record or record["status"] != "RUNNING":
        return
    frame = run.ex.frames.get(record["frame"])
    if frame is None or frame.scratch.get("map_run_arn") != trigger.map_run_arn:
        return
    scratch = frame.scratch
    if trigger.max_concurrency is not None:
        scratch["limit"] = record["max_concurrency"] = trigger.max_concurrency
    if trigger.tolerated_count is not None:
        scratch["tolerated_count"] = record["tolerated_count"] = trigger.tolerated_count
    if trigger.tolerated_percentage is not None:
        scratch["tolerated_percentage"] = record["tolerated_percentage"] = trigger.tolerated_percentage
    if frame.wait != "children":
        return
    state = _state_of(run, frame)
    # A tolerance lowered below the failures so far fails the run at once.
    if not (scratch["failed"] and _fail_beyond_tolerance(run, frame, state)):
        _launch_iterations(run, frame, state)


def stop_child(run: Run, trigger: Any) -> None:
    """StopExecution on a running child of a Map Run: it ends ABORTED and its item fails."""
    frames = run.ex.frames
    root = next((f for f in frames.values() if f.child == trigger.arn
                 and getattr(frames.get(f.parent or ""), "child", None) != trigger.arn), None)
    if root is None or root.parent not in frames:
        return
    parent = frames[root.parent]
    _abort_events(run, root)
    details = {"error": trigger.error, "cause": trigger.cause}
    run.end_child(root, "ExecutionAborted", {k: v for k, v in details.items() if v is not None}, parent)
    run.abort_frames({root.id})
    _map_child_failed(run, parent, _state_of(run, parent), root, "States.Aborted", None, ended="aborted")
    run.resume(parent)


# --------------------------------------------------------------------------- dispatch


def child_succeeded(run: Run, parent: Frame, child: Frame, output: Any) -> None:
    state = _state_of(run, parent)
    if state.type == "Parallel":
        _parallel_child_succeeded(run, parent, state, child, output)
    else:
        _map_child_succeeded(run, parent, state, child, output)


def child_failed(run: Run, parent: Frame, child: Frame, error: str | None,
                 cause: str | None) -> None:
    state = _state_of(run, parent)
    if state.type == "Parallel":
        _parallel_child_failed(run, parent, state, error, cause)
    else:
        _map_child_failed(run, parent, state, child, error, cause)
