"""CloudFlow state machines (the newer FDL spelling: ``Type: StateMachine``, ``StartAt``,
``States: [...]`` with ``Name``; CloudFlow docs: "Task state", "Service integration modes",
"Data passing", "Inputs and outputs", "Error handling") compiled onto the engine's model.

CloudFlow states pass data like ASL states: a state's input is the previous state's output.
``InputConstructor`` / ``Parameters`` / ``OutputConstructor`` are templates whose ``key.$``
values read ``$Input``, ``$Output`` and ``$Context`` (paths only; CloudFlow's built-in
functions are not supported). Choices: stepyard reads a ``Condition`` with the FDL grammar
of engine.fdl.conditions, ``$Input`` standing for the state input.

Choices made where the CloudFlow documents are silent:

- Without an OutputConstructor a Pass, Wait, Choice or Succeed state outputs its input, a
  Task, Parallel or Map state its result (as in ASL).
- A Task's resource is ``Parameters.resourceArn`` when it is a constant, else its
  ``Action`` (``MNS:SendMessage``); ``TaskMode`` adds the engine's pattern suffix
  (WaitForCustomCallback -> ``.waitForTaskToken``, WaitForSystemCallback -> ``.sync``).
  ``$Context.Current.TaskToken`` is the token.
- A caught error without an OutputConstructor outputs ``{"Error": ..., "Cause": ...}``.
- Retry without ``BackoffRate`` keeps the interval constant (the documented default).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from engine import exprs, paths
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
from engine.errors import STATES_RUNTIME, StatesError
from engine.fdl import errors as fnf
from engine.fdl.build import PATTERN_SUFFIX
from engine.fdl.conditions import compile_condition

_ROOT = re.compile(r"^\$(Input|Output|Context)(?=$|[.\[])")
_CONDITION_INPUT = re.compile(r"\$Input\b")
Template = Callable[[Any, Any, Callable[[], Any]], Any]


def cloudflow_path(text: str) -> tuple[str, Callable[[Any], Any]]:
    """``$Input.a`` -> ("Input", getter over the input); ValueError if not such a path."""
    match = _ROOT.match(text)
    if not match:
        raise ValueError(f"'{text}' must start with $Input, $Output or $Context")
    getter = paths.compile_path("$" + text[match.end():])

    def read(root: Any) -> Any:
        try:
            return getter(paths.Scope(root, dict, {}))
        except paths.PathNotFound as exc:
            raise StatesError(STATES_RUNTIME, f"The path '{text}' selects nothing") from exc

    return match.group(1), read


def compile_constructor(template: Any) -> Template:
    """A constructor / Parameters template: ``key.$`` values are paths, the rest constants."""
    if isinstance(template, dict):
        parts = []
        for key, value in template.items():
            if key.endswith(".$") and isinstance(value, str):
                parts.append((key[:-2], _path_part(value)))
            else:
                parts.append((key, compile_constructor(value)))
        return lambda i, o, c: {key: part(i, o, c) for key, part in parts}
    if isinstance(template, list):
        items = [compile_constructor(item) for item in template]
        return lambda i, o, c: [item(i, o, c) for item in items]
    return lambda i, o, c: template


def _path_part(text: str) -> Template:
    root, read = cloudflow_path(text)
    if root == "Input":
        return lambda i, o, c: read(i)
    if root == "Output":
        return lambda i, o, c: read(o)
    return lambda i, o, c: read(c())


def _context(scope: Any, state_input: Any = None) -> Callable[[], Any]:
    def build() -> Any:
        asl = scope.context_fn()
        current = {"Name": asl.get("State", {}).get("Name"), "Input": state_input,
                   "RetryCount": asl.get("State", {}).get("RetryCount", 0)}
        if asl.get("Task"):
            current["TaskToken"] = asl["Task"].get("Token")
        execution = asl.get("Execution", {})
        return {"Execution": {"Name": execution.get("Name"), "Input": execution.get("Input"),
                              "RoleArn": execution.get("RoleArn")},
                "Current": current}

    return build


def _io(body: dict[str, Any], result_bearing: bool, parameters: Any = None) -> exprs.StateIO:
    constructor = body.get("InputConstructor")
    make_input = compile_constructor(constructor) if constructor is not None else None
    output = body.get("OutputConstructor")
    make_output = compile_constructor(output) if output is not None else None

    def state_input(data: Any, scope: Any) -> Any:
        if make_input is None:
            return data
        return make_input(data, None, _context(scope, data))

    def input_path(scope: Any) -> Any:
        return state_input(scope.data, scope)

    def output_path(scope: Any) -> Any:
        data, result = scope.data if result_bearing else (None, scope.data)
        effective = state_input(data, scope) if result_bearing else result
        if make_output is None:
            return result
        return make_output(effective, result, _context(scope, effective))

    if not result_bearing:
        return exprs.StateIO(input_path=input_path, output_path=output_path)
    return exprs.StateIO(input_path=input_path, parameters=parameters,
                         result_path=_pending, output_path=output_path, has_result_path=True)


def _pending(state_input: Any, result: Any) -> Any:
    """ResultPath: keep the input with the result; OutputPath builds the output."""
    return (state_input, result)


def _parameters(body: dict[str, Any]) -> Any:
    if "Parameters" not in body:
        return None
    template = compile_constructor(body["Parameters"])
    return lambda scope: template(scope.data, None, _context(scope, scope.data))


def _retriers(body: dict[str, Any]) -> tuple[Retrier, ...]:
    return tuple(
        Retrier(error_equals=fnf.matching(rule["Errors"]),
                interval_seconds=rule.get("IntervalSeconds", 1),
                max_attempts=rule.get("MaxAttempts", 3),
                backoff_rate=float(rule.get("BackoffRate", 1)),
                max_delay_seconds=rule.get("MaxBackoffSeconds"), source=rule)
        for rule in body.get("Retry") or ())


def _catchers(body: dict[str, Any]) -> tuple[Catcher, ...]:
    out = []
    for rule in body.get("Catch") or ():
        constructor = rule.get("OutputConstructor")
        make = compile_constructor(constructor) if constructor is not None else None

        def caught(data: Any, error: Any, make: Template | None = make) -> Any:
            if make is None:
                return error
            detail = {"Code": fnf.to_fnf(error.get("Error")), "Detail": error.get("Cause")}
            return make(data, error, lambda: {"Current": {"Input": data, "Error": detail}})

        out.append(Catcher(error_equals=fnf.matching(rule["Errors"]), next=rule["Next"],
                           io=exprs.CatchIO(result_path=caught), source=rule))
    return tuple(out)


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    return float(value)


def _common(body: dict[str, Any], io: exprs.StateIO) -> dict[str, Any]:
    return {"name": body["Name"], "type": body["Type"], "source": body,
            "next": body.get("Next"), "end": bool(body.get("End")), "io": io,
            "comment": body.get("Description")}


def _task(body: dict[str, Any], key: str, index: dict[str, StateMachine]) -> State:
    params = body.get("Parameters") or {}
    base = params["resourceArn"] if isinstance(params.get("resourceArn"), str) else str(body["Action"])
    resource = base + PATTERN_SUFFIX[body.get("TaskMode", "RequestComplete")]
    timeout = _seconds(body.get("Timeout"))
    return TaskState(**_common(body, _io(body, True, _parameters(body))), resource=resource,
                     timeout=exprs.Value("Timeout", timeout, lambda s: timeout)
                     if timeout else None,
                     retriers=_retriers(body), catchers=_catchers(body))


def _pass(body: dict[str, Any], key: str, index: dict[str, StateMachine]) -> State:
    return PassState(**_common(body, _io(body, True)))


def _wait(body: dict[str, Any], key: str, index: dict[str, StateMachine]) -> State:
    seconds = body.get("Seconds", body.get("Duration"))
    timestamp = body.get("Timestamp")
    return WaitState(**_common(body, _io(body, False)),
                     seconds=exprs.Value("Seconds", seconds, lambda s: seconds)
                     if seconds is not None else None,
                     timestamp=exprs.Value("Timestamp", timestamp, lambda s: timestamp)
                     if timestamp is not None else None)


def _succeed(body: dict[str, Any], key: str, index: dict[str, StateMachine]) -> State:
    return SucceedState(**_common(body, _io(body, False)))


def _fail(body: dict[str, Any], key: str, index: dict[str, StateMachine]) -> State:
    code, detail = body.get("Code"), body.get("Detail")
    return FailState(**_common(body, exprs.StateIO()),
                     error=exprs.Value("Error", code, lambda s: code) if code else None,
                     cause=exprs.Value("Cause", detail, lambda s: detail) if detail else None)


def _choice(body: dict[str, Any], key: str, index: dict[str, StateMachine]) -> State:
    rules = []
    for branch in body.get("Branches") or ():
        test, _ = compile_condition(_CONDITION_INPUT.sub("$", branch["Condition"]))
        rules.append(ChoiceRule(next=branch["Next"], test=_on_data(test),
                                io=exprs.RuleIO(), source=branch))
    return ChoiceState(**_common(body, _io(body, False)), choices=tuple(rules),
                       default=body.get("Default"))


def _parallel(body: dict[str, Any], key: str, index: dict[str, StateMachine]) -> State:
    branches = tuple(_machine(branch, json.dumps([key, body["Name"], str(i)]), index)
                     for i, branch in enumerate(body["Branches"]))
    return ParallelState(**_common(body, _io(body, True)), branches=branches,
                         retriers=_retriers(body), catchers=_catchers(body))


def _map(body: dict[str, Any], key: str, index: dict[str, StateMachine]) -> State:
    processor = _machine(body["Processor"], json.dumps([key, body["Name"], "p"]), index)
    items_path = body.get("ItemsPath", "$Input")
    _, read = cloudflow_path(items_path)
    limit = body.get("MaxConcurrency")
    return MapState(**_common(body, _io(body, True)), processor=processor,
                    items=exprs.Value("ItemsPath", items_path, lambda s: read(s.data)),
                    max_concurrency=exprs.Value("MaxConcurrency", limit, lambda s: limit)
                    if limit is not None else None,
                    retriers=_retriers(body), catchers=_catchers(body))


_BUILDERS: dict[str, Callable[[dict[str, Any], str, dict[str, StateMachine]], State]] = {
    "Task": _task, "Pass": _pass, "Wait": _wait, "Succeed": _succeed, "Fail": _fail,
    "Choice": _choice, "Parallel": _parallel, "Map": _map,
}


def _machine(body: dict[str, Any], key: str, index: dict[str, StateMachine]) -> StateMachine:
    states = {state["Name"]: _BUILDERS[state["Type"]](state, key, index)
              for state in body["States"]}
    timeout = body.get("Timeout")
    machine = StateMachine(start_at=body["StartAt"], states=states, source=to_asl(body),
                           comment=body.get("Description"), key=key, machines=index,
                           timeout_seconds=int(timeout) if timeout else None)
    index[key] = machine
    return machine


def compile_cloudflow(document: dict[str, Any]) -> tuple[StateMachine, dict[str, Any]]:
    """The engine model and the ASL rendering of a validated CloudFlow state machine."""
    index: dict[str, StateMachine] = {}
    machine = _machine(document, "", index)
    return machine, machine.source  # type: ignore[return-value]


# --------------------------------------------------------------------------- ASL view


def to_asl(body: dict[str, Any]) -> dict[str, Any]:
    """The ASL shape of a CloudFlow machine: States keyed by name, CloudFlow fields mapped."""
    return {"StartAt": body["StartAt"],
            "States": {state["Name"]: _asl_state(state) for state in body["States"]}}


def _asl_state(state: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Type": state["Type"]}
    for key in ("Next", "End", "Default", "MaxConcurrency", "ItemsPath", "Seconds",
                "Timestamp"):
        if key in state:
            out[key] = state[key]
    build = _ASL_BY_TYPE.get(state["Type"])
    if build is not None:
        out.update(build(state))
    for field, source in (("Retry", "Retry"), ("Catch", "Catch")):
        if state.get(source):
            out[field] = [_asl_rule(rule) for rule in state[source]]
    return out


def _asl_task(state: dict[str, Any]) -> dict[str, Any]:
    params = state.get("Parameters") or {}
    base = params["resourceArn"] if isinstance(params.get("resourceArn"), str) else str(state["Action"])
    out: dict[str, Any] = {"Resource": base + PATTERN_SUFFIX[state.get("TaskMode", "RequestComplete")]}
    if "Parameters" in state:
        out["Parameters"] = _asl_paths(state["Parameters"])
    return out


def _asl_fail(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in (("Error", state.get("Code")), ("Cause", state.get("Detail"))) if v}


def _asl_choice(state: dict[str, Any]) -> dict[str, Any]:
    return {"Choices": [{"Condition": b["Condition"], "Next": b["Next"]} for b in state.get("Branches") or ()]}


def _asl_parallel(state: dict[str, Any]) -> dict[str, Any]:
    return {"Branches": [to_asl(b) for b in state["Branches"]]}


def _asl_map(state: dict[str, Any]) -> dict[str, Any]:
    return {"ItemProcessor": to_asl(state["Processor"])}


_ASL_BY_TYPE = {"Task": _asl_task, "Fail": _asl_fail, "Choice": _asl_choice,
                "Parallel": _asl_parallel, "Map": _asl_map}


_ASL_ROOTS = (("$Context.Current.TaskToken", "$$.Task.Token"), ("$Context.Current", "$$.State"),
              ("$Context", "$$"), ("$Input", "$"))


def _asl_paths(value: Any) -> Any:
    """CloudFlow template paths in ASL spelling (``$Input.a`` -> ``$.a``)."""
    if isinstance(value, dict):
        return {key: _asl_path(item) if key.endswith(".$") and isinstance(item, str)
                else _asl_paths(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_asl_paths(item) for item in value]
    return value


def _asl_path(text: str) -> str:
    for cloudflow, asl in _ASL_ROOTS:
        if text == cloudflow or text.startswith((cloudflow + ".", cloudflow + "[")):
            return asl + text[len(cloudflow):]
    return text


def _asl_rule(rule: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"ErrorEquals": fnf.to_states(rule.get("Errors", []))}
    for src, dst in (("IntervalSeconds", "IntervalSeconds"), ("MaxAttempts", "MaxAttempts"),
                     ("BackoffRate", "BackoffRate"), ("MaxBackoffSeconds", "MaxDelaySeconds"),
                     ("Next", "Next")):
        if src in rule:
            out[dst] = rule[src]
    return out


def _on_data(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """A choice condition evaluated against the state's data."""
    return lambda scope: test(scope.data)
