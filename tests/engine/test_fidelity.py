"""Behaviours where Stepyard follows what AWS answers rather than the letter of the spec:
JSONata sequences, bare Fail states inside Map/Parallel, Map items that are not an array,
Express and TestState context objects."""

from __future__ import annotations

import json

import pytest

from engine.context import default_context, execution_context
from engine.driver import run_execution
from engine.teststate import run_test_state

JSONATA = {"QueryLanguage": "JSONata"}


def _pass_output(expression: str, data: object = None) -> object:
    definition = {**JSONATA, "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": expression, "End": True}}}
    result = run_execution(definition, data or {})
    assert result.status == "SUCCEEDED", result.cause
    return result.output


# ------------------------------------------------------------------ JSONata sequences


def test_it_gives_the_single_value_of_a_one_item_range() -> None:
    # $range(0, 5, 10) yields one number: AWS answers it, not a one-item array.
    assert _pass_output("{% $range(0, 5, 10) %}") == 0
    assert _pass_output("{% {'n': $range(7, 7, 1)} %}") == {"n": 7}


def test_it_keeps_arrays_of_several_items_and_explicit_arrays() -> None:
    assert _pass_output("{% $range(0, 4, 2) %}") == [0, 2, 4]
    assert _pass_output("{% [$range(0, 5, 10)] %}") == [0]
    assert _pass_output("{% $count($range(0, 5, 10)) %}") == 1


def test_a_null_output_gives_null_and_the_event_says_so() -> None:
    definition = {**JSONATA, "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": None, "End": True}}}
    result = run_execution(definition, {"a": 1})
    assert result.status == "SUCCEEDED"
    assert result.output is None
    assert result.history()[-1]["executionSucceededEventDetails"]["output"] == "null"


# ------------------------------------------------------------------ bare Fail in Map


def _fanout(kind: str, fail: dict) -> dict:
    processor = {"StartAt": "F", "States": {"F": {"Type": "Fail", **fail}}}
    if kind == "Map":
        return {"StartAt": "S", "States": {"S": {"Type": "Map", "ItemProcessor": processor, "End": True}}}
    return {"StartAt": "S", "States": {"S": {"Type": "Parallel", "Branches": [processor], "End": True}}}


@pytest.mark.parametrize("kind", ["Map", "Parallel"])
def test_a_bare_fail_in_an_iteration_fails_the_execution_without_error_or_cause(kind: str) -> None:
    result = run_execution(_fanout(kind, {}), [1])
    assert (result.status, result.error, result.cause) == ("FAILED", None, None)
    last = result.history()[-1]
    assert last["type"] == "ExecutionFailed"
    assert last["executionFailedEventDetails"] == {}
    assert set(result.history()[-2]) == {"timestamp", "type", "id", "previousEventId"}


def test_a_fail_with_only_a_cause_keeps_the_cause() -> None:
    result = run_execution(_fanout("Map", {"Cause": "why"}), [1])
    assert (result.error, result.cause) == (None, "why")
    assert result.history()[-1]["executionFailedEventDetails"] == {"cause": "why"}


# ------------------------------------------------------------------ Map items


def _map(items: dict, query_language: str = "JSONPath") -> dict:
    return {"QueryLanguage": query_language, "StartAt": "M", "States": {"M": {
        "Type": "Map", **items, "End": True,
        "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}}}}


@pytest.mark.parametrize("path", ["$.items", "$$.Execution.Input", "$.items.inner"])
def test_an_items_path_that_is_not_an_array_fails_naming_the_path(path: str) -> None:
    data = {"items": {"inner": "text"}}
    result = run_execution(_map({"ItemsPath": path}), data)
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
    assert result.cause.endswith(f'Reference path "{path}" must point to array.')


def test_jsonata_items_that_are_not_an_array_fail_as_a_query_error() -> None:
    result = run_execution(_map({"Items": "{% $states.input.n %}"}, "JSONata"), {"n": 1})
    assert result.error == "States.QueryEvaluationError"
    assert "Expected 'array', but was 'number' for value: 1" in result.cause


# ------------------------------------------------------------------ context objects


def _context_of(context: dict) -> dict:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"c.$": "$$"}, "End": True}}}
    return run_execution(definition, {}, context=context).output["c"]


def test_an_express_context_has_no_redrive_count_and_a_standard_one_does() -> None:
    express = execution_context("arn:e", "e", "arn:m", "m", 0.0, redrive_count=None)
    assert "RedriveCount" not in _context_of(express)["Execution"]
    assert _context_of(default_context(0.0))["Execution"]["RedriveCount"] == 0


PASS_CONTEXT = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"c.$": "$$"}, "End": True}}}


@pytest.mark.parametrize("context", [{}, {"Execution": {}, "State": {}, "StateMachine": {}, "Task": {}}])
def test_test_state_uses_exactly_the_context_given(context: dict) -> None:
    answer = run_test_state(PASS_CONTEXT, {"input": "{\"a\": 1}", "context": json.dumps(context)})
    assert json.loads(answer["output"]) == {"c": context}


def test_test_state_with_a_jsonata_state_sees_exactly_the_context_given() -> None:
    definition = {**JSONATA, "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": "{% $states.context %}",
                                                               "End": True}}}
    answer = run_test_state(definition, {"input": "{}", "context": "{}"})
    assert json.loads(answer["output"]) == {}


def test_test_state_without_a_context_fills_one_in() -> None:
    answer = run_test_state(PASS_CONTEXT, {"input": "{}"})
    context = json.loads(answer["output"])["c"]
    assert context["State"]["Name"] == "StateName"
    assert "RedriveCount" not in context["Execution"]
