"""TestState as an engine function (Step Functions API: TestState): run one state of a
definition on an input, with an optional mocked task result or error, variables, a
context object and state configuration, and answer like the API does (status, output,
error, cause, nextState, inspectionData at inspection level INFO, DEBUG or TRACE).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from engine import json_types, steps
from engine.context import VirtualClock, execution_context
from engine.definition import State, StateMachine, load, load_state
from engine.errors import STATES_RUNTIME, STATES_TASK_FAILED, StatesError
from engine.execution import FAILED, ExecutionState, Frame
from engine.interpreter import HANDLERS, Run

# Which intermediate values TestState reports for each state type (JSONPath states).
_INSPECTED: dict[str, tuple[str, ...]] = {
    "Pass": ("afterInputPath", "afterParameters", "result", "afterResultSelector",
             "afterResultPath"),
    "Task": ("afterInputPath", "afterParameters", "afterArguments", "result",
             "afterResultSelector", "afterResultPath"),
    "Choice": ("afterInputPath",),
    "Wait": ("afterInputPath",),
    "Succeed": ("afterInputPath",),
    "Fail": ("afterInputPath",),
    "Parallel": ("afterResultSelector", "afterResultPath"),
    "Map": ("afterInputPath", "afterItemsPath", "afterItemSelector", "afterItemBatcher",
            "afterResultSelector", "afterResultPath", "maxConcurrency", "toleratedFailureCount",
            "toleratedFailurePercentage"),
}
_JSONATA_INSPECTED: dict[str, tuple[str, ...]] = {
    "Task": ("afterArguments", "result"),
    "Map": ("afterItemSelector", "afterItemBatcher", "maxConcurrency", "toleratedFailureCount",
            "toleratedFailurePercentage"),
}
_CONTEXT_STATE_NAME = "StateName"


def _text(value: Any) -> str:
    # TestState echoes JSON the way it received it: with ", " and ": " separators.
    return json.dumps(value, ensure_ascii=False)


def run_test_state(definition: Any, request: dict[str, Any], *, account_id: str = "123456789012",
               region: str = "us-east-1",
               integrations: Mapping[str, Callable[[Any], Any]] | None = None) -> dict[str, Any]:
    """Run the state described by ``request`` and return TestState's response.

    A Task without a ``mock`` calls ``integrations[resource](parameters)``, as TestState
    calls the real service; with no such integration the task fails.
    """
    machine, state = _locate(definition, request.get("stateName"))
    level = request.get("inspectionLevel", "INFO")
    state_input = _json(request.get("input"), {})
    clock = VirtualClock()
    context = _context(request, clock.now(), f"arn:aws:states:{region}:{account_id}")
    ex = ExecutionState(context=context, input=state_input)
    run = Run(machine, ex, clock)
    run.inspect = _inspect_setup(request)
    if request.get("context") is not None:
        run.pinned_context = context
    frame = run.new_frame(None, 0, machine, state_input, _json(request.get("variables"), {}))
    frame.state_name = state.name
    frame.entered_time = clock.now()
    _preset_retries(frame, state, request.get("stateConfiguration") or {})
    _execute(run, frame, state, request.get("mock"), integrations or {})
    return _response(run, frame, state, state_input, request, level)


# --------------------------------------------------------------------------- setup


def _json(text: Any, default: Any) -> Any:
    if text is None:
        return default
    return json_types.loads(text) if isinstance(text, str) else text


def _locate(definition: Any, state_name: str | None) -> tuple[StateMachine, State]:
    source = json_types.loads(definition) if isinstance(definition, str) else definition
    if "States" not in source:
        name = state_name or _CONTEXT_STATE_NAME
        state = load_state(name, source, source.get("QueryLanguage", "JSONPath"))
        index: dict[str, StateMachine] = {}
        machine = StateMachine(start_at=name, states={name: state}, source=source,
                               machines=index)
        index[""] = machine
        return machine, state
    root = load(source)
    name = state_name or root.start_at
    for machine in root.machines.values():
        if name in machine.states:
            return machine, machine.states[name]
    raise StatesError(STATES_RUNTIME, f"State '{name}' does not exist in the definition")


def _context(request: dict[str, Any], now: float, prefix: str) -> dict[str, Any]:
    given = _json(request.get("context"), None)
    if given is not None:
        return given
    context = execution_context(
        execution_arn=f"{prefix}:express:test-state-machine:test-state-execution",
        name="test-state-execution",
        state_machine_arn=f"{prefix}:stateMachine:test-state-machine",
        state_machine_name="test-state-machine",
        start_time=now,
        role_arn=request.get("roleArn"),
        redrive_count=None,
    )
    # AWS names the state "StateName" in TestState's context object.
    context["State"] = {"Name": _CONTEXT_STATE_NAME}
    return context


def _inspect_setup(request: dict[str, Any]) -> dict[str, Any]:
    inspect: dict[str, Any] = {}
    mock = request.get("mock")
    if mock is not None:
        inspect["mock"] = _mock_answer(mock)
    config = request.get("stateConfiguration") or {}
    if config.get("mapIterationFailureCount"):
        inspect["map_failures"] = config["mapIterationFailureCount"]
    if "mapItemReaderData" in config:
        inspect["reader_items"] = _json(config["mapItemReaderData"], [])
    return inspect


def _mock_answer(mock: dict[str, Any]) -> Callable[[], Any]:
    def answer() -> Any:
        if "errorOutput" in mock:
            error = mock["errorOutput"]
            raise StatesError(error.get("error", ""), error.get("cause"))
        return _json(mock.get("result"), None)

    return answer


def _preset_retries(frame: Frame, state: State, config: dict[str, Any]) -> None:
    count = config.get("retrierRetryCount")
    if count and state.retriers:
        frame.retry_counts = [int(count)] * len(state.retriers)


# --------------------------------------------------------------------------- running


def _execute(run: Run, frame: Frame, state: State, mock: dict[str, Any] | None,
             integrations: Mapping[str, Callable[[Any], Any]]) -> None:
    try:
        HANDLERS[state.type](run, frame, state)
    except StatesError as err:
        run.state_failed(frame, state, err, located=True)
        return
    if state.type == "Task" and frame.wait == "task":
        _answer_task(run, frame, state, mock, integrations)


def _answer_task(run: Run, frame: Frame, state: Any, mock: dict[str, Any] | None,
                 integrations: Mapping[str, Callable[[Any], Any]]) -> None:
    call = run.effects[-1]
    if mock is not None and run.inspect is not None:
        answer = run.inspect["mock"]
    elif state.resource in integrations:
        answer = lambda: integrations[state.resource](call.parameters)  # noqa: E731
    else:
        steps.task_failed(run, frame, state, STATES_TASK_FAILED,
                          f"No integration is registered for resource '{state.resource}'")
        return
    try:
        result = answer()
    except StatesError as err:
        steps.task_failed(run, frame, state, err.name, err.cause)
        return
    steps.task_succeeded(run, frame, state, result)


# --------------------------------------------------------------------------- response


def _response(run: Run, frame: Frame, state: State, state_input: Any,
              request: dict[str, Any], level: str) -> dict[str, Any]:
    inspect = run.inspect or {}
    response: dict[str, Any] = {}
    error = inspect.get("error")
    if "catch" in inspect:
        response["status"] = "CAUGHT_ERROR"
    elif frame.wait == "retry":
        response["status"] = "RETRIABLE"
    elif run.ex.status == FAILED or error is not None:
        response["status"] = "FAILED"
        error = (run.ex.error, run.ex.cause) if run.ex.status == FAILED else error
    else:
        response["status"] = "SUCCEEDED"
    if error is not None and response["status"] != "SUCCEEDED":
        if error[0] is not None:
            response["error"] = error[0]
        if error[1] is not None:
            response["cause"] = error[1]
    if response["status"] in ("SUCCEEDED", "CAUGHT_ERROR"):
        response["output"] = _text(inspect.get("output"))
        next_state = inspect.get("next")
        if next_state is not None:
            response["nextState"] = next_state
    if level != "INFO":
        response["inspectionData"] = _inspection_data(inspect, state, state_input, request)
    return response


def _inspection_data(inspect: dict[str, Any], state: State, state_input: Any,
                     request: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"input": _text(state_input)}
    if state.io.jsonata:
        keys = _JSONATA_INSPECTED.get(state.type, ())
    else:
        keys = _INSPECTED[state.type]
    for key in keys:
        if key in inspect:
            value = inspect[key]
            data[key] = value if key.startswith(("max", "tolerated")) else _text(value)
    variables = _json(request.get("variables"), None)
    if variables:
        data["variables"] = _text(variables)
    details = _error_details(inspect)
    if details:
        data["errorDetails"] = details
    return data


def _error_details(inspect: dict[str, Any]) -> dict[str, Any]:
    if "catch" in inspect:
        return {"catchIndex": inspect["catch"]}
    if "retry" in inspect:
        index, delay = inspect["retry"]
        return {"retryIndex": index, "retryBackoffIntervalSeconds": int(delay)}
    if "retry_exhausted" in inspect:
        return {"retryIndex": inspect["retry_exhausted"]}
    return {}
