"""A Distributed Map's ItemReader and ResultWriter are effects the host performs: the engine asks with
a CallIntegration, waits, and goes on with the items (or the manifest's place) given back as a trigger."""

from __future__ import annotations

import json

from engine.context import VirtualClock
from engine.definition import load
from engine.execution import CallIntegration, Start, TaskFailed, TaskSucceeded, UpdateMapRun
from engine.interpreter import advance

DISTRIBUTED = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
PASS = {"P": {"Type": "Pass", "End": True}}


def machine(**extra) -> object:
    return load(json.dumps({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "CSV", "MaxItemsPath": "$.max"},
                       "Parameters": {"Bucket.$": "$.bucket", "Key": "rows.csv"}},
        "ItemProcessor": {"ProcessorConfig": DISTRIBUTED, "StartAt": "P", "States": PASS},
        **extra}}}))


def test_the_engine_asks_for_the_items_and_runs_them_when_they_come_back():
    clock = VirtualClock(seed=1)
    step = advance(machine(), None, Start({"bucket": "b", "max": 5}, {}), clock)
    [ask] = [e for e in step.effects if isinstance(e, CallIntegration)]
    assert ask.resource == "arn:aws:states:::s3:getObject"
    assert ask.parameters == {"Parameters": {"Bucket": "b", "Key": "rows.csv"},
                              "ReaderConfig": {"InputType": "CSV", "MaxItems": 5}}
    assert step.status == "RUNNING"
    step = advance(machine(), step.state, TaskSucceeded(ask.task_id, [{"a": "1"}, {"a": "2"}]), clock)
    assert (step.status, step.state.output) == ("SUCCEEDED", [{"a": "1"}, {"a": "2"}])
    [record] = step.state.map_runs.values()
    assert (record["status"], record["item_counts"]["succeeded"]) == ("SUCCEEDED", 2)


def test_a_reader_failure_fails_the_map_run_and_the_state():
    clock = VirtualClock(seed=1)
    step = advance(machine(), None, Start({"bucket": "b", "max": 0}, {}), clock)
    ask = next(e for e in step.effects if isinstance(e, CallIntegration))
    step = advance(machine(), step.state, TaskFailed(ask.task_id, "States.ItemReaderFailed", "no"), clock)
    assert (step.status, step.state.error, step.state.cause) == ("FAILED", "States.ItemReaderFailed", "no")
    assert [e.type for e in step.events][-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]


def test_a_result_writer_is_asked_to_write_before_the_map_succeeds():
    writer = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "p"}}
    definition = machine(ResultWriter=writer)
    clock = VirtualClock(seed=1)
    step = advance(definition, None, Start({"bucket": "b", "max": 0}, {}), clock)
    ask = next(e for e in step.effects if isinstance(e, CallIntegration))
    step = advance(definition, step.state, TaskSucceeded(ask.task_id, ["x"]), clock)
    [write] = [e for e in step.effects if isinstance(e, CallIntegration)]
    assert write.parameters["Parameters"] == {"Bucket": "out", "Prefix": "p"}
    assert write.parameters["Results"] == [{"Index": 0, "Status": "SUCCEEDED", "Input": "x", "Output": "x"}]
    details = {"MapRunArn": write.parameters["MapRunArn"], "ResultWriterDetails": {"Bucket": "out", "Key": "k"}}
    step = advance(definition, step.state, TaskSucceeded(write.task_id, details), clock)
    assert (step.status, step.state.output) == ("SUCCEEDED", details)


def test_update_map_run_for_an_unknown_run_changes_nothing():
    clock = VirtualClock(seed=1)
    step = advance(machine(), None, Start({"bucket": "b", "max": 0}, {}), clock)
    step = advance(machine(), step.state, UpdateMapRun("arn:aws:states:::mapRun:none/M:1", max_concurrency=3), clock)
    assert step.status == "RUNNING" and step.events == []
