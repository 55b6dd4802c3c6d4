"""Reference paths, payload templates and ResultPath, as a workflow author sees them."""

from __future__ import annotations

import pytest

from engine.driver import run, run_execution
from engine.errors import StatesError
from engine.paths import Scope, compile_path, compile_result_path


def _get(path: str, data: object) -> object:
    return compile_path(path)(Scope(data, lambda: {"Execution": {"Id": "e"}}, {"v": {"k": 5}}))


def test_definite_paths_read_keys_indexes_and_quoted_names() -> None:
    data = {"a": {"b c": [10, 20]}}
    assert _get("$.a['b c'][1]", data) == 20
    assert _get("$$.Execution.Id", data) == "e"
    assert _get("$v.k", data) == 5


def test_indefinite_paths_return_every_match_as_a_list() -> None:
    data = {"items": [{"x": 1}, {"x": 2}, {"y": 3}]}
    assert _get("$.items[*].x", data) == [1, 2]
    assert _get("$.items[?(@.x > 1)].x", data) == [2]
    assert _get("$.missing[*]", data) == []


def test_result_path_copies_the_input_and_never_mutates_it() -> None:
    state_input = {"a": {"keep": 1}}
    out = compile_result_path("$.a.b")(state_input, 2)
    assert out == {"a": {"keep": 1, "b": 2}}
    assert state_input == {"a": {"keep": 1}}


def test_result_path_into_a_non_object_fails_like_aws() -> None:
    with pytest.raises(StatesError) as err:
        compile_result_path("$.a.b")({"a": 3}, 1)
    assert err.value.name == "States.ResultPathMatchFailure"


def test_a_missing_parameters_path_names_the_field_and_the_input() -> None:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True,
                                                   "Parameters": {"v.$": "$.nope"}}}}
    result = run_execution(definition, {"a": 1})
    assert result.error == "States.Runtime"
    assert result.cause == (
        "An error occurred while executing the state 'P' (entered at the event id #2). "
        "The JSONPath '$.nope' specified for the field 'v.$' could not be found in the "
        "input '{\"a\":1}'")


def test_a_missing_output_path_reads_invalid_path() -> None:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True,
                                                   "OutputPath": "$.x.y"}}}
    result = run_execution(definition, {"a": 1})
    assert result.cause.endswith("Invalid path '$.x.y' : Missing property in path $['x']")


def test_input_output_and_result_paths_compose_in_aws_order() -> None:
    definition = {"StartAt": "P", "States": {"P": {
        "Type": "Pass", "InputPath": "$.in", "Parameters": {"got.$": "$.v"},
        "ResultPath": "$.res", "OutputPath": "$.res", "End": True}}}
    assert run(definition, {"in": {"v": 7}, "other": 1}) == {"got": 7}
