"""Compile a validated FDL flow onto the engine's model (engine.definition's frozen states),
and render the same structure as an ASL document (Serverless Workflow: task, pass, choice,
parallel, foreach, wait, succeed and fail steps; retry and catch).

Every FDL step becomes exactly one engine state of the same name, so the history, the live
graph and the callback inbox read like an ASL machine's. The interpreter runs the states
unchanged; only their data-flow callables (``StateIO``) are FDL's: InputPath turns the frame
data into the parent's scope, Parameters builds the step input and the task's serviceParams,
ResultPath/OutputPath join the step's output to the scope (engine.fdl.flow).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine import exprs
from engine.definition import (
    Catcher,
    ChoiceRule,
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    Retrier,
    State,
    StateMachine,
    SucceedState,
    TaskState,
    WaitState,
)
from engine.fdl import errors as fnf
from engine.fdl.conditions import compile_condition
from engine.fdl.data import Mappings, compile_source, compile_template, context_reader, new_scope
from engine.fdl.flow import (
    BranchEnd,
    ChoiceExit,
    FlowIO,
    LocalOf,
    StepFlow,
    local_is_empty,
    local_is_input,
    local_is_result,
    no_context,
)

WAIT_SUFFIX = ".waitForTaskToken"
SYNC_SUFFIX = ".sync"
# FDL's pattern (and CloudFlow's TaskMode) -> the ASL resource suffix the engine and the
# console's integrations already understand.
PATTERN_SUFFIX = {
    "requestResponse": "", "sync": SYNC_SUFFIX, "waitForCallback": WAIT_SUFFIX,
    "RequestComplete": "", "WaitForSystemCallback": SYNC_SUFFIX,
    "WaitForCustomCallback": WAIT_SUFFIX,
}


@dataclass
class Sequence:
    """Where a run of steps sits: what its last step exits, and what follows it."""

    exits: tuple[Any, ...]
    next_at_end: str | None
    frame_exits: tuple[Any, ...]


@dataclass
class Machine:
    """The states of one engine frame (the flow, a branch or an iteration body)."""

    key: str
    index: dict[str, StateMachine]
    states: dict[str, State] = field(default_factory=dict)
    asl: dict[str, Any] = field(default_factory=dict)
    goto_targets: set[str] = field(default_factory=set)


def mappings(items: Any) -> Mappings | None:
    if items is None:
        return None
    return Mappings(tuple((m["target"], compile_source(m.get("source")), str(m.get("source")))
                          for m in items))


def compile_flow(flow: dict[str, Any]) -> tuple[StateMachine, dict[str, Any]]:
    """The engine model and the ASL rendering of a validated FDL flow."""
    flow_io = FlowIO(mappings(flow.get("inputMappings")), mappings(flow.get("outputMappings")))
    index: dict[str, StateMachine] = {}
    machine, asl = _frame(flow["steps"], "", index, (flow_io,), flow_io)
    asl = {"Comment": "The ASL equivalent of an FDL flow (data flows as FDL maps it)", **asl}
    if flow.get("timeoutSeconds"):
        asl["TimeoutSeconds"] = flow["timeoutSeconds"]
    top = StateMachine(start_at=machine.start_at, states=machine.states, source=asl,
                       comment=asl["Comment"], timeout_seconds=flow.get("timeoutSeconds"),
                       key="", machines=index)
    index[""] = top
    return top, asl


def _frame(steps: list[dict[str, Any]], key: str, index: dict[str, StateMachine],
           frame_end: tuple[Any, ...], raw_start: FlowIO | None
           ) -> tuple[StateMachine, dict[str, Any]]:
    machine = Machine(key, index)
    _collect_gotos(steps, machine.goto_targets)
    _sequence(machine, steps, Sequence(frame_end, None, frame_end), raw_start)
    asl = {"StartAt": steps[0]["name"], "States": machine.asl}
    model = StateMachine(start_at=steps[0]["name"], states=machine.states, source=asl,
                         key=key, machines=index)
    index[key] = model
    return model, asl


def _collect_gotos(steps: list[dict[str, Any]], into: set[str]) -> None:
    for step in steps:
        for rule in list(step.get("choices") or ()) + [step.get("default") or {}]:
            if rule.get("goto"):
                into.add(rule["goto"])
            _collect_gotos(rule.get("steps") or [], into)
        for catch in step.get("catch") or ():
            into.add(catch["goto"])


def _sequence(machine: Machine, steps: list[dict[str, Any]], seq: Sequence,
              raw_start: FlowIO | None = None) -> None:
    for i, step in enumerate(steps):
        last = i == len(steps) - 1 or bool(step.get("end"))
        exits = seq.exits if last else ()
        next_name = seq.next_at_end if last else steps[i + 1]["name"]
        start = raw_start if i == 0 else None
        _step(machine, step, exits, next_name, seq, start)


def _flow_of(step: dict[str, Any], exits: tuple[Any, ...], raw_start: FlowIO | None,
             machine: Machine, empty_default: bool = False) -> StepFlow:
    return StepFlow(
        name=step["name"],
        input_mappings=mappings(step.get("inputMappings")),
        output_mappings=mappings(step.get("outputMappings")),
        empty_default_output=empty_default,
        exits=exits,
        raw_start=raw_start,
        always_raw=raw_start is not None and step["name"] not in machine.goto_targets,
    )


def _common(step: dict[str, Any], kind: str, next_name: str | None, io: exprs.StateIO,
            asl: dict[str, Any]) -> dict[str, Any]:
    if kind not in ("Choice", "Succeed", "Fail"):
        if next_name is None:
            asl["End"] = True
        else:
            asl["Next"] = next_name
    return {"name": step["name"], "type": kind, "source": asl, "next": next_name,
            "end": next_name is None and kind not in ("Choice", "Succeed", "Fail"),
            "io": io}


def _step(machine: Machine, step: dict[str, Any], exits: tuple[Any, ...],
          next_name: str | None, seq: Sequence, raw_start: FlowIO | None) -> None:
    builder = _BUILDERS[step["type"]]
    state, asl = builder(machine, step, exits, next_name, seq, raw_start)
    machine.states[step["name"]] = state
    machine.asl[step["name"]] = asl


# --------------------------------------------------------------------------- data-flow IO


def _pending(state_input: Any, result: Any) -> Any:
    """ResultPath: keep the frame data and the result together for OutputPath."""
    return (state_input, result)


def _result_io(flow: StepFlow, local_of: LocalOf, parameters: Any = None) -> exprs.StateIO:
    """IO of a step with a result (task, pass, parallel, foreach)."""

    def input_path(scope: Any) -> Any:
        return flow.scope_of(scope.data, context_reader(scope))

    def output_path(scope: Any) -> Any:
        data, result = scope.data
        context_fn = context_reader(scope)
        parent = flow.scope_of(data, context_fn)
        step_input = flow.step_input(parent, context_fn)
        return flow.complete(parent, step_input, local_of(step_input, result), context_fn)

    return exprs.StateIO(input_path=input_path, parameters=parameters, result_path=_pending,
                         output_path=output_path, has_result_path=True)


def _plain_io(flow: StepFlow, local_of: LocalOf) -> exprs.StateIO:
    """IO of a step whose OutputPath sees the scope itself (wait, succeed)."""

    def input_path(scope: Any) -> Any:
        return flow.scope_of(scope.data, context_reader(scope))

    def output_path(scope: Any) -> Any:
        context_fn = context_reader(scope)
        step_input = flow.step_input(scope.data, context_fn)
        return flow.complete(scope.data, step_input, local_of(step_input, None), context_fn)

    return exprs.StateIO(input_path=input_path, output_path=output_path)


def _step_input_getter(flow: StepFlow) -> Callable[[Any], Any]:
    def step_input(scope: Any) -> Any:
        return flow.step_input(scope.data, context_reader(scope))

    return step_input


# --------------------------------------------------------------------------- retry / catch


def _retriers(step: dict[str, Any], asl: dict[str, Any]) -> tuple[Retrier, ...]:
    out = []
    for rule in step.get("retry") or ():
        source = {"ErrorEquals": fnf.to_states(rule["errors"]),
                  "IntervalSeconds": rule.get("intervalSeconds", 1),
                  "MaxAttempts": rule.get("maxAttempts", 3),
                  "BackoffRate": rule.get("multiplier", 2)}
        if "maxIntervalSeconds" in rule:
            source["MaxDelaySeconds"] = rule["maxIntervalSeconds"]
        out.append(Retrier(error_equals=fnf.matching(rule["errors"]),
                           interval_seconds=source["IntervalSeconds"],
                           max_attempts=source["MaxAttempts"],
                           backoff_rate=float(source["BackoffRate"]),
                           max_delay_seconds=source.get("MaxDelaySeconds"), source=source))
    if out:
        asl["Retry"] = [r.source for r in out]
    return tuple(out)


def _catchers(step: dict[str, Any], flow: StepFlow, asl: dict[str, Any]) -> tuple[Catcher, ...]:
    error_mappings = mappings(step.get("errorMappings"))

    def caught(state_input: Any, error_output: Any) -> Any:
        parent = flow.scope_of(state_input, no_context)
        local = {"error": fnf.to_fnf(error_output.get("Error")),
                 "cause": error_output.get("Cause")}
        output = {} if error_mappings is None else error_mappings.apply(None, local, no_context)
        return {**parent, "local": {**parent["local"], **output}}

    out = []
    for rule in step.get("catch") or ():
        source = {"ErrorEquals": fnf.to_states(rule["errors"]), "Next": rule["goto"]}
        out.append(Catcher(error_equals=fnf.matching(rule["errors"]), next=rule["goto"],
                           io=exprs.CatchIO(result_path=caught), source=source))
    if out:
        asl["Catch"] = [c.source for c in out]
    return tuple(out)


# --------------------------------------------------------------------------- step types


def _build_task(machine: Machine, step: dict[str, Any], exits: tuple[Any, ...],
                next_name: str | None, seq: Sequence, raw_start: FlowIO | None) -> Any:
    flow = _flow_of(step, exits, raw_start, machine)
    template = compile_template(step["serviceParams"]) if "serviceParams" in step else None
    step_input = _step_input_getter(flow)

    def parameters(scope: Any) -> Any:
        value = step_input(scope)
        return template(value, context_reader(scope)) if template is not None else value

    resource = step["resourceArn"] + PATTERN_SUFFIX[step.get("pattern", "requestResponse")]
    asl: dict[str, Any] = {"Type": "Task", "Resource": resource}
    if "serviceParams" in step:
        asl["Parameters"] = _asl_template(step["serviceParams"])
    timeout = step.get("timeoutSeconds")
    if timeout:
        asl["TimeoutSeconds"] = timeout
    common = _common(step, "Task", next_name, _result_io(flow, local_is_result, parameters), asl)
    return TaskState(**common, resource=resource,
                     timeout=exprs.Value("TimeoutSeconds", timeout, lambda s: timeout)
                     if timeout else None,
                     retriers=_retriers(step, asl), catchers=_catchers(step, flow, asl)), asl


def _build_pass(machine: Machine, step: dict[str, Any], exits: tuple[Any, ...],
                next_name: str | None, seq: Sequence, raw_start: FlowIO | None) -> Any:
    flow = _flow_of(step, exits, raw_start, machine)
    asl: dict[str, Any] = {"Type": "Pass"}
    return PassState(**_common(step, "Pass", next_name, _result_io(flow, local_is_input),
                               asl)), asl


def _build_wait(machine: Machine, step: dict[str, Any], exits: tuple[Any, ...],
                next_name: str | None, seq: Sequence, raw_start: FlowIO | None) -> Any:
    flow = _flow_of(step, exits, raw_start, machine)
    asl: dict[str, Any] = {"Type": "Wait"}
    seconds = timestamp = None
    if "timestamp" in step:
        text = step["timestamp"]
        asl["Timestamp"] = text
        timestamp = exprs.Value("Timestamp", text, lambda s: text)
    else:
        duration = step.get("duration", 0)
        asl["Seconds"] = duration
        seconds = exprs.Value("Seconds", duration, lambda s: duration)
    common = _common(step, "Wait", next_name, _plain_io(flow, local_is_input), asl)
    return WaitState(**common, seconds=seconds, timestamp=timestamp), asl


def _build_succeed(machine: Machine, step: dict[str, Any], exits: tuple[Any, ...],
                   next_name: str | None, seq: Sequence, raw_start: FlowIO | None) -> Any:
    # A succeed step ends its whole frame: every enclosing choice, then the flow/branch.
    flow = _flow_of(step, seq.frame_exits, raw_start, machine)
    asl: dict[str, Any] = {"Type": "Succeed"}
    return SucceedState(**_common(step, "Succeed", None, _plain_io(flow, local_is_empty),
                                  asl)), asl


def _build_fail(machine: Machine, step: dict[str, Any], exits: tuple[Any, ...],
                next_name: str | None, seq: Sequence, raw_start: FlowIO | None) -> Any:
    asl: dict[str, Any] = {"Type": "Fail"}
    values = {}
    for field_name, key in (("Error", "error"), ("Cause", "cause")):
        if key in step:
            text = str(step[key])
            asl[field_name] = text
            values[key] = exprs.Value(field_name, text, _constant(text))
    return FailState(**_common(step, "Fail", None, exprs.StateIO(), asl),
                     error=values.get("error"), cause=values.get("cause")), asl


def _build_parallel(machine: Machine, step: dict[str, Any], exits: tuple[Any, ...],
                    next_name: str | None, seq: Sequence, raw_start: FlowIO | None) -> Any:
    flow = _flow_of(step, exits, raw_start, machine, empty_default=True)
    step_input = _step_input_getter(flow)
    branches, asl_branches = [], []
    for i, branch in enumerate(step["branches"]):
        key = json.dumps([machine.key, step["name"], str(i)])
        model, asl_branch = _frame(branch["steps"], key, machine.index, (BranchEnd(),), None)
        branches.append(model)
        asl_branches.append(asl_branch)
    asl: dict[str, Any] = {"Type": "Parallel", "Branches": asl_branches}
    io = _result_io(flow, local_is_result, lambda scope: new_scope(step_input(scope)))
    common = _common(step, "Parallel", next_name, io, asl)
    return ParallelState(**common, branches=tuple(branches), retriers=_retriers(step, asl),
                         catchers=_catchers(step, flow, asl)), asl


def _build_foreach(machine: Machine, step: dict[str, Any], exits: tuple[Any, ...],
                   next_name: str | None, seq: Sequence, raw_start: FlowIO | None) -> Any:
    flow = _flow_of(step, exits, raw_start, machine, empty_default=True)
    step_input = _step_input_getter(flow)
    iteration = step["iterationMapping"]
    collection = compile_source(iteration["collection"], allow_dollar=True)
    item_key, index_key = iteration["item"], iteration.get("index")

    def items(scope: Any) -> Any:
        return collection(step_input(scope), None, context_reader(scope))

    def item_input(scope: Any) -> Any:
        position = scope.context_fn()["Map"]["Item"]
        value = {**step_input(scope), item_key: position["Value"]}
        if index_key:
            value[index_key] = position["Index"]
        return new_scope(value)

    key = json.dumps([machine.key, step["name"], "p"])
    processor, asl_body = _frame(step["steps"], key, machine.index, (BranchEnd(),), None)
    asl: dict[str, Any] = {"Type": "Map", "ItemsPath": iteration["collection"],
                           "ItemProcessor": asl_body}
    limit = step.get("maxConcurrency")
    if limit is not None:
        asl["MaxConcurrency"] = limit
    common = _common(step, "Map", next_name, _result_io(flow, local_is_result), asl)
    return MapState(
        **common, processor=processor,
        items=exprs.Value("ItemsPath", iteration["collection"], items),
        item_selector=exprs.Value("ItemSelector", iteration, item_input),
        max_concurrency=exprs.Value("MaxConcurrency", limit, lambda s: limit)
        if limit is not None else None,
        retriers=_retriers(step, asl), catchers=_catchers(step, flow, asl),
    ), asl


def _build_choice(machine: Machine, step: dict[str, Any], exits: tuple[Any, ...],
                  next_name: str | None, seq: Sequence, raw_start: FlowIO | None) -> Any:
    flow = _flow_of(step, (), raw_start, machine)
    step_input = _step_input_getter(flow)
    inner = Sequence((ChoiceExit(flow),) + exits, next_name,
                     (ChoiceExit(flow),) + seq.frame_exits)
    rules, asl_rules, nested = [], [], []
    for option in step.get("choices") or ():
        test, jsonata = compile_condition(option["condition"])
        target = _choice_target(machine, option, inner)
        rules.append(ChoiceRule(next=target, test=_on_step_input(test, step_input),
                                io=exprs.RuleIO(),
                                source={"Condition": option["condition"], "Next": target}))
        asl_rules.append({"Condition": jsonata, "Next": target})
        nested.append("steps" in option)
    default = step.get("default")
    default_target = _choice_target(machine, default, inner) if default else None
    asl: dict[str, Any] = {"Type": "Choice", "QueryLanguage": "JSONata", "Choices": asl_rules}
    if default_target:
        asl["Default"] = default_target
    io = _choice_io(flow, rules, nested, bool(default and "steps" in default))
    common = _common(step, "Choice", None, io, asl)
    return ChoiceState(**common, choices=tuple(rules), default=default_target), asl


def _choice_target(machine: Machine, option: dict[str, Any], inner: Sequence) -> str:
    if "goto" in option:
        return str(option["goto"])
    _sequence(machine, option["steps"], inner)
    return str(option["steps"][0]["name"])


def _choice_io(flow: StepFlow, rules: list[ChoiceRule], nested: list[bool],
               default_nested: bool) -> exprs.StateIO:
    """Leaving a choice: enter the chosen nested steps' scope, or go to a sibling."""

    def input_path(scope: Any) -> Any:
        return flow.scope_of(scope.data, context_reader(scope))

    def output_path(scope: Any) -> Any:
        context_fn = context_reader(scope)
        step_input = flow.step_input(scope.data, context_fn)
        chosen = next((n for rule, n in zip(rules, nested, strict=True) if rule.test(scope)), default_nested)
        if chosen:
            return new_scope(step_input, outer=scope.data)
        return flow.complete(scope.data, step_input, {}, context_fn)

    return exprs.StateIO(input_path=input_path, output_path=output_path)


def _asl_template(value: Any) -> Any:
    """serviceParams as an ASL payload template over the step input."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if isinstance(item, str) and item.startswith("$"):
                out[key + ".$"] = item.replace("$input", "$", 1)
            else:
                out[key] = _asl_template(item)
        return out
    if isinstance(value, list):
        return [_asl_template(item) for item in value]
    return value


_BUILDERS: dict[str, Callable[..., Any]] = {
    "task": _build_task,
    "pass": _build_pass,
    "wait": _build_wait,
    "succeed": _build_succeed,
    "fail": _build_fail,
    "parallel": _build_parallel,
    "foreach": _build_foreach,
    "choice": _build_choice,
}


def _constant(value: Any) -> Callable[[Any], Any]:
    """A compiled value that is the same in every scope."""
    return lambda scope: value


def _on_step_input(test: Callable[[Any], bool], step_input: Callable[[Any], Any]) -> Callable[[Any], bool]:
    """A choice condition evaluated against the step's input."""
    return lambda scope: test(step_input(scope))
