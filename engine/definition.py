"""Parse a States Language document into an immutable, compiled model
(States Language: "Structure of a State Machine", "States", "Common State Fields").

``load()`` validates the document (engine.validation when present), then builds one
frozen object per state with every path, payload template, intrinsic, JSONata
expression, Choice rule and Retry/Catch clause compiled once. The interpreter only
ever calls the compiled callables.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine import exprs, json_types
from engine.choice import compile_rule
from engine.errors import DefinitionError, Diagnostic
from engine.validation import validate

JSONPATH = "JSONPath"
JSONATA = "JSONata"


@dataclass(frozen=True, eq=False)
class Retrier:
    """One Retry clause (States Language: "Retrying after an error")."""

    error_equals: tuple[str, ...]
    interval_seconds: float = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter_full: bool = False
    source: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Catcher:
    """One Catch clause (States Language: "Fallback states")."""

    error_equals: tuple[str, ...]
    next: str
    io: exprs.CatchIO
    source: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class ChoiceRule:
    """One top-level Choice rule: a compiled test and where it leads."""

    next: str
    test: Callable[[Any], bool]
    io: exprs.RuleIO
    source: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class State:
    """Fields every state has; type-specific ones live in the subclasses."""

    name: str
    type: str
    source: Mapping[str, Any]
    query_language: str = JSONPATH
    next: str | None = None
    end: bool = False
    comment: str | None = None
    io: exprs.StateIO = field(default_factory=exprs.StateIO)
    choices: tuple[ChoiceRule, ...] = ()
    default: str | None = None
    retriers: tuple[Retrier, ...] = ()
    catchers: tuple[Catcher, ...] = ()
    branches: tuple[StateMachine, ...] = ()
    processor: StateMachine | None = None


@dataclass(frozen=True, eq=False)
class PassState(State):
    result: Any = None
    has_result: bool = False


@dataclass(frozen=True, eq=False)
class TaskState(State):
    resource: str = ""
    timeout: exprs.Number | None = None
    heartbeat: exprs.Number | None = None
    credentials: Any = None


@dataclass(frozen=True, eq=False)
class ChoiceState(State):
    pass


@dataclass(frozen=True, eq=False)
class WaitState(State):
    seconds: exprs.Number | None = None
    timestamp: exprs.Value | None = None
    timestamp_field: str = "Timestamp"


@dataclass(frozen=True, eq=False)
class SucceedState(State):
    pass


@dataclass(frozen=True, eq=False)
class FailState(State):
    error: exprs.Value | None = None
    cause: exprs.Value | None = None


@dataclass(frozen=True, eq=False)
class ParallelState(State):
    pass


@dataclass(frozen=True, eq=False)
class MapState(State):
    items: exprs.Value | None = None
    item_selector: exprs.Value | None = None
    max_concurrency: exprs.Number | None = None
    tolerated_count: exprs.Number | None = None
    tolerated_percentage: exprs.Number | None = None
    distributed: bool = False
    # ProcessorConfig.ExecutionType of a Distributed Map: its children's type.
    child_type: str = "STANDARD"
    label: str | None = None
    item_reader: MapIo | None = None
    result_writer: MapIo | None = None
    batcher: ItemBatcher | None = None


@dataclass(frozen=True)
class MapIo:
    """A Distributed Map's ItemReader or ResultWriter: an S3 resource, its Parameters
    (JSONPath) or Arguments (JSONata), and its ReaderConfig / WriterConfig as written."""

    resource: str
    parameters: exprs.Value | None
    config: Mapping[str, Any]
    max_items: exprs.Value | None = None  # ReaderConfig's MaxItems / MaxItemsPath


@dataclass(frozen=True)
class ItemBatcher:
    """A Distributed Map's ItemBatcher: each child execution gets a batch of items."""

    max_items: exprs.Value | None = None
    max_bytes: exprs.Value | None = None
    batch_input: exprs.Value | None = None


@dataclass(frozen=True, eq=False)
class StateMachine:
    """A top-level machine, a Parallel branch or a Map processor."""

    start_at: str
    states: Mapping[str, State]
    source: Mapping[str, Any]
    comment: str | None = None
    query_language: str = JSONPATH
    timeout_seconds: int | None = None
    key: str = ""
    machines: Mapping[str, StateMachine] = field(default_factory=dict)


def load(definition: Any, machine_type: str = "STANDARD") -> StateMachine:
    """Validate and compile ``definition`` (JSON text or parsed dict)."""
    _validate(definition, machine_type)
    source = json_types.loads(definition) if isinstance(definition, (str, bytes)) else definition
    if not isinstance(source, dict) or "States" not in source:
        raise _definition_error("SCHEMA_VALIDATION_FAILED", "/", "Not a state machine")
    index: dict[str, StateMachine] = {}
    try:
        return _machine(source, "", source.get("QueryLanguage", JSONPATH), index)
    except exprs.CompileError as exc:
        raise _definition_error("SCHEMA_VALIDATION_FAILED", exc.location, str(exc)) from exc


def load_state(name: str, source: Mapping[str, Any], query_language: str = JSONPATH) -> State:
    """Compile one state on its own (TestState runs a single state)."""
    try:
        return _state(name, source, source.get("QueryLanguage", query_language), f"{name}", {})
    except exprs.CompileError as exc:
        raise _definition_error("SCHEMA_VALIDATION_FAILED", exc.location, str(exc)) from exc


def _validate(definition: Any, machine_type: str) -> None:
    diagnostics = validate(definition, machine_type)
    if any(d.severity == "ERROR" for d in diagnostics):
        raise DefinitionError(diagnostics)


def _definition_error(code: str, location: str, message: str) -> DefinitionError:
    return DefinitionError([Diagnostic(code, location, message)])


def _machine(
    source: Mapping[str, Any], key: str, query_language: str, index: dict[str, StateMachine]
) -> StateMachine:
    query_language = source.get("QueryLanguage", query_language)
    states = {
        name: _state(name, body, body.get("QueryLanguage", query_language), key, index)
        for name, body in source["States"].items()
    }
    machine = StateMachine(
        start_at=source["StartAt"],
        states=states,
        source=source,
        comment=source.get("Comment"),
        query_language=query_language,
        timeout_seconds=source.get("TimeoutSeconds"),
        key=key,
        machines=index,
    )
    index[key] = machine
    return machine


def _child_key(key: str, name: str, part: str) -> str:
    return json.dumps([key, name, part])


def _state(
    name: str, body: Mapping[str, Any], ql: str, key: str, index: dict[str, StateMachine]
) -> State:
    kind = body.get("Type")
    builder = _BUILDERS.get(kind) if isinstance(kind, str) else None
    if builder is None:
        raise exprs.CompileError(f"/States/{name}/Type", f"Unknown state type {kind!r}")
    common = _common(name, body, ql)
    return builder(name, body, ql, key, index, common)


def _common(name: str, body: Mapping[str, Any], ql: str) -> dict[str, Any]:
    where = f"/States/{name}"
    return {
        "name": name,
        "type": body["Type"],
        "source": body,
        "query_language": ql,
        "next": body.get("Next"),
        "end": bool(body.get("End", False)),
        "comment": body.get("Comment"),
        "io": exprs.compile_state_io(body, ql, where),
        "retriers": tuple(_retrier(r) for r in body.get("Retry", ())),
        "catchers": tuple(
            _catcher(c, ql, f"{where}/Catch[{i}]") for i, c in enumerate(body.get("Catch", ()))
        ),
    }


def _retrier(source: Mapping[str, Any]) -> Retrier:
    return Retrier(
        error_equals=tuple(source.get("ErrorEquals", ())),
        interval_seconds=source.get("IntervalSeconds", 1),
        max_attempts=source.get("MaxAttempts", 3),
        backoff_rate=source.get("BackoffRate", 2.0),
        max_delay_seconds=source.get("MaxDelaySeconds"),
        jitter_full=source.get("JitterStrategy") == "FULL",
        source=source,
    )


def _catcher(source: Mapping[str, Any], ql: str, where: str) -> Catcher:
    return Catcher(
        error_equals=tuple(source.get("ErrorEquals", ())),
        next=source.get("Next", ""),
        io=exprs.compile_catch_io(source, ql, where),
        source=source,
    )


def _build_pass(name, body, ql, key, index, common) -> State:
    return PassState(**common, result=body.get("Result"), has_result="Result" in body)


def _build_task(name, body, ql, key, index, common) -> State:
    where = f"/States/{name}"
    return TaskState(
        **common,
        resource=body.get("Resource", ""),
        timeout=exprs.compile_number(body, "TimeoutSeconds", ql, where),
        heartbeat=exprs.compile_number(body, "HeartbeatSeconds", ql, where),
        credentials=body.get("Credentials"),
    )


def _build_choice(name, body, ql, key, index, common) -> State:
    rules = []
    for i, rule in enumerate(body.get("Choices", ())):
        where = f"/States/{name}/Choices[{i}]"
        rules.append(
            ChoiceRule(
                next=rule.get("Next", ""),
                test=compile_rule(rule, ql, where),
                io=exprs.compile_rule_io(rule, ql, where),
                source=rule,
            )
        )
    return ChoiceState(**common, choices=tuple(rules), default=body.get("Default"))


def _build_wait(name, body, ql, key, index, common) -> State:
    where = f"/States/{name}"
    ts_field = "TimestampPath" if "TimestampPath" in body else "Timestamp"
    return WaitState(
        **common,
        seconds=exprs.compile_number(body, "Seconds", ql, where),
        timestamp=exprs.compile_value(body, "Timestamp", ql, where, invalid_path_wording=True),
        timestamp_field=ts_field,
    )


def _build_succeed(name, body, ql, key, index, common) -> State:
    return SucceedState(**common)


def _build_fail(name, body, ql, key, index, common) -> State:
    where = f"/States/{name}"
    return FailState(
        **common,
        error=exprs.compile_value(body, "Error", ql, where),
        cause=exprs.compile_value(body, "Cause", ql, where),
    )


def _build_parallel(name, body, ql, key, index, common) -> State:
    branches = tuple(
        _machine(branch, _child_key(key, name, str(i)), ql, index)
        for i, branch in enumerate(body.get("Branches", ()))
    )
    return ParallelState(**common, branches=branches)


def _build_map(name, body, ql, key, index, common) -> State:
    where = f"/States/{name}"
    processor_source = body.get("ItemProcessor") or body.get("Iterator") or {}
    config = processor_source.get("ProcessorConfig") or {}
    processor = _machine(processor_source, _child_key(key, name, "p"), ql, index)
    selector_field = "ItemSelector" if "ItemSelector" in body else "Parameters"
    return MapState(
        **common,
        processor=processor,
        items=exprs.compile_items(body, ql, where),
        item_selector=exprs.compile_template_field(body, selector_field, ql, where),
        max_concurrency=exprs.compile_number(body, "MaxConcurrency", ql, where),
        tolerated_count=exprs.compile_number(body, "ToleratedFailureCount", ql, where),
        tolerated_percentage=exprs.compile_number(body, "ToleratedFailurePercentage", ql, where),
        distributed=config.get("Mode") == "DISTRIBUTED",
        child_type=config.get("ExecutionType") or "STANDARD",
        label=body.get("Label"),
        item_reader=_map_io(body, "ItemReader", "ReaderConfig", ql, where),
        result_writer=_map_io(body, "ResultWriter", "WriterConfig", ql, where),
        batcher=_item_batcher(body, ql, where),
    )


def _map_io(body: Mapping[str, Any], name: str, config_name: str, ql: str, where: str) -> MapIo | None:
    spec = body.get(name)
    if not isinstance(spec, dict):
        return None
    at = f"{where}/{name}"
    arguments = "Arguments" if ql == "JSONata" else "Parameters"
    given = spec.get(config_name)
    config: Mapping[str, Any] = given if isinstance(given, dict) else {}
    return MapIo(
        resource=str(spec.get("Resource", "")),
        parameters=exprs.compile_template_field(spec, arguments, ql, at),
        config=config,
        max_items=exprs.compile_number(config, "MaxItems", ql, f"{at}/{config_name}"),
    )


def _item_batcher(body: Mapping[str, Any], ql: str, where: str) -> ItemBatcher | None:
    spec = body.get("ItemBatcher")
    if not isinstance(spec, dict):
        return None
    at = f"{where}/ItemBatcher"
    return ItemBatcher(
        max_items=exprs.compile_number(spec, "MaxItemsPerBatch", ql, at),
        max_bytes=exprs.compile_number(spec, "MaxInputBytesPerBatch", ql, at),
        batch_input=exprs.compile_template_field(spec, "BatchInput", ql, at),
    )


_BUILDERS: dict[str, Callable[..., State]] = {
    "Pass": _build_pass,
    "Task": _build_task,
    "Choice": _build_choice,
    "Wait": _build_wait,
    "Succeed": _build_succeed,
    "Fail": _build_fail,
    "Parallel": _build_parallel,
    "Map": _build_map,
}
