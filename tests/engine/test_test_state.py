"""TestState as an engine function: one state, mocked results, inspection levels."""

from __future__ import annotations

import json

from engine.teststate import run_test_state

TASK = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"p.$": "$.v"}, "ResultPath": "$.r", "Next": "After"}


def test_it_runs_a_task_on_a_mocked_result_and_names_the_next_state() -> None:
    response = run_test_state(TASK, {"input": '{"v": 1}', "inspectionLevel": "DEBUG",
                                     "mock": {"result": '{"ok": true}'}})
    assert response["status"] == "SUCCEEDED"
    assert json.loads(response["output"]) == {"v": 1, "r": {"ok": True}}
    assert response["nextState"] == "After"
    inspection = {k: json.loads(v) for k, v in response["inspectionData"].items()}
    assert inspection["afterParameters"] == {"p": 1}
    assert inspection["result"] == {"ok": True}


def test_info_level_has_no_inspection_data() -> None:
    response = run_test_state(TASK, {"input": "{\"v\": 1}", "mock": {"result": "1"}})
    assert "inspectionData" not in response


def test_a_mocked_error_matching_a_retrier_is_retriable() -> None:
    state = {**TASK, "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 3}]}
    response = run_test_state(state, {"input": "{\"v\": 1}", "inspectionLevel": "DEBUG",
                                      "mock": {"errorOutput": {"error": "Boom", "cause": "c"}}})
    assert (response["status"], response["error"], response["cause"]) == (
        "RETRIABLE", "Boom", "c")
    assert response["inspectionData"]["errorDetails"] == {
        "retryIndex": 0, "retryBackoffIntervalSeconds": 3}


def test_a_caught_error_reports_the_catcher_and_its_next_state() -> None:
    state = {**TASK, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}]}
    response = run_test_state(state, {"input": "{\"v\": 1}",
                                      "mock": {"errorOutput": {"error": "Boom", "cause": "c"}}})
    assert response["status"] == "CAUGHT_ERROR"
    assert response["nextState"] == "Oops"
    assert json.loads(response["output"]) == {"Error": "Boom", "Cause": "c"}


def test_it_runs_a_named_state_of_a_whole_machine_with_variables() -> None:
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"seen.$": "$greeting"}, "End": True}}}
    response = run_test_state(definition, {"stateName": "B", "input": "{}",
                                           "variables": '{"greeting": "hi"}'})
    assert json.loads(response["output"]) == {"seen": "hi"}


def test_a_task_without_mock_calls_the_hosts_integration() -> None:
    calls = []
    response = run_test_state(TASK, {"input": '{"v": 2}'}, integrations={
        TASK["Resource"]: lambda params: calls.append(params) or "done"})
    assert calls == [{"p": 2}]
    assert json.loads(response["output"]) == {"v": 2, "r": "done"}


def test_a_batching_map_reports_its_items_after_selector_and_batcher() -> None:
    state = {"Type": "Map", "ItemsPath": "$.items", "ItemSelector": {"v.$": "$$.Map.Item.Value"},
             "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"run": 1}},
             "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                               "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
             "End": True}
    response = run_test_state(state, {"input": '{"items": [1, 2, 3]}', "inspectionLevel": "DEBUG",
                                      "mock": {"result": "[1, 2]"}})
    inspection = response["inspectionData"]
    assert json.loads(inspection["afterItemSelector"]) == [{"v": 1}, {"v": 2}, {"v": 3}]
    assert json.loads(inspection["afterItemBatcher"]) == [{"Items": [{"v": 1}, {"v": 2}], "BatchInput": {"run": 1}},
                                                          {"Items": [{"v": 3}], "BatchInput": {"run": 1}}]
