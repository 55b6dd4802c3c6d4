"""ListMapRuns, DescribeMapRun and UpdateMapRun over the Map Run service."""

from __future__ import annotations

from typing import Any

from console.api.executions import _execution
from console.api.protocol import integer, page, string
from console.services import ValidationError, map_runs
from engine import fanout

ARN_MAX = 2000


def _map_run(params: dict) -> map_runs.MapRun:
    return map_runs.get_map_run(string(params, "mapRunArn", required=True, max_length=ARN_MAX, min_length=1))


def _parent_machine(run: map_runs.MapRun) -> str:
    return fanout.labelled_machine_arn(run.arn)


def list_map_runs(params: dict) -> dict[str, Any]:
    execution = _execution(params)
    items, token = page(map_runs.map_runs_of(execution), params)
    result: dict[str, Any] = {"mapRuns": [
        {"executionArn": execution.arn, "mapRunArn": run.arn, "stateMachineArn": _parent_machine(run),
         "startDate": run.record["start"], **({"stopDate": run.record["stop"]} if run.record["stop"] else {})}
        for run in items]}
    if token:
        result["nextToken"] = token
    return result


def describe_map_run(params: dict) -> dict[str, Any]:
    run = _map_run(params)
    record = run.record
    result: dict[str, Any] = {
        "mapRunArn": run.arn, "executionArn": run.started_by, "status": record["status"],
        "startDate": record["start"], "maxConcurrency": record["max_concurrency"] or 0,
        "toleratedFailurePercentage": float(record["tolerated_percentage"] or 0),
        "toleratedFailureCount": int(record["tolerated_count"] or 0),
        "itemCounts": map_runs.item_counts(record, "item_counts", "items"),
        "executionCounts": map_runs.item_counts(record, "execution_counts", "executions"),
        "redriveCount": record.get("redrive_count", 0),
    }
    if record["stop"]:
        result["stopDate"] = record["stop"]
    if record.get("redrive_date"):
        result["redriveDate"] = record["redrive_date"]
    return result


def update_map_run(params: dict) -> dict[str, Any]:
    arn = string(params, "mapRunArn", required=True, max_length=ARN_MAX, min_length=1)
    percentage = params.get("toleratedFailurePercentage")
    if percentage is not None and (isinstance(percentage, bool) or not isinstance(percentage, (int, float))
                                   or not 0 <= percentage <= 100):
        raise ValidationError("toleratedFailurePercentage must be a number between 0 and 100.")
    map_runs.update_map_run(
        arn, max_concurrency=integer(params, "maxConcurrency", minimum=0, maximum=2**31 - 1),
        tolerated_count=integer(params, "toleratedFailureCount", minimum=0, maximum=2**31 - 1),
        tolerated_percentage=percentage)
    return {}


ACTIONS = {"ListMapRuns": list_map_runs, "DescribeMapRun": describe_map_run, "UpdateMapRun": update_map_run}
