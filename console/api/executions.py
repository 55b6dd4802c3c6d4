"""Step Functions execution and callback actions over the services."""

from __future__ import annotations

import base64
from typing import Any

from django.db.models import Q, QuerySet

from console.api.protocol import page, string
from console.models import Execution, ExecutionSource, HistoryEvent
from console.services import InvalidToken, ValidationError, callbacks, executions, map_runs, redrive, test_cases
from console.services import versions as version_service
from console.wire import history_events

ARN_MAX = 256
MAP_RUN_ARN_MAX = 2000
STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")


def _execution(params: dict) -> Execution:
    arn = string(params, "executionArn", required=True, max_length=ARN_MAX, min_length=1)
    return executions.get_execution(arn)


def _ts(value: Any) -> float | None:
    return None if value is None else value.timestamp()


def _target(params: dict) -> tuple[version_service.Target, executions.Mocked | None]:
    """The machine (version, alias) to start, and the test case after '#', if any."""
    arn, case = test_cases.split_case(params["stateMachineArn"])
    target = version_service.resolve(arn)
    if case is None:
        return target, None
    return target, executions.Mocked(case, test_cases.resolve(target.machine, case))


def start_execution(params: dict) -> dict[str, Any]:
    target, case = _target(params)
    execution = executions.start_execution(
        target.machine, name=params.get("name"), input=params.get("input"),
        version=executions.published(target), test_case=case)
    return {"executionArn": execution.arn, "startDate": _ts(execution.start_date)}


def start_sync_execution(params: dict) -> dict[str, Any]:
    target, case = _target(params)
    execution = executions.start_sync_execution(
        target.machine, name=params.get("name"), input=params.get("input"),
        version=executions.published(target), test_case=case)
    metadata_only = params.get("includedData") == "METADATA_ONLY"
    result = {
        "executionArn": execution.arn,
        "stateMachineArn": execution.machine_arn,
        "name": execution.name,
        "startDate": _ts(execution.start_date),
        "stopDate": _ts(execution.stop_date),
        "status": execution.status,
        "billingDetails": {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": _billed_ms(execution)},
    }
    _add_payloads(result, execution, metadata_only)
    for field in ("error", "cause"):
        if getattr(execution, field) is not None:
            result[field] = getattr(execution, field)
    return result


def _add_payloads(result: dict[str, Any], execution: Execution, metadata_only: bool) -> None:
    if metadata_only:
        result["inputDetails"] = {"included": False}
        if execution.output is not None:
            result["outputDetails"] = {"included": False}
        return
    result.update(input=execution.input, inputDetails={"included": True})
    if execution.output is not None:
        result.update(output=execution.output, outputDetails={"included": True})


def _billed_ms(execution: Execution) -> int:
    elapsed = (execution.stop_date - execution.start_date).total_seconds() * 1000
    return max(100, int(-(-elapsed // 100) * 100))  # AWS bills in 100 ms steps


def _described(params: dict) -> Execution:
    """The execution with its version/alias source in one query (the engine state left out)."""
    arn = params["executionArn"]
    rows = Execution.objects.select_related("source").defer("engine_state", "definition")
    return rows.filter(arn=arn).first() or executions.get_execution(arn)


def describe_execution(params: dict) -> dict[str, Any]:
    execution = _described(params)
    result: dict[str, Any] = {
        "executionArn": execution.arn,
        "stateMachineArn": execution.machine_arn,
        "name": execution.name,
        "status": execution.status,
        "startDate": _ts(execution.start_date),
        "redriveCount": execution.redrive_count,
    }
    if execution.stop_date:
        result["stopDate"] = _ts(execution.stop_date)
    _add_payloads(result, execution, params.get("includedData") == "METADATA_ONLY")
    for field in ("error", "cause"):
        if getattr(execution, field) is not None:
            result[field] = getattr(execution, field)
    _add_source(result, execution)
    if execution.map_run_arn:
        result["mapRunArn"] = execution.map_run_arn
    if execution.redrive_date:
        result["redriveDate"] = _ts(execution.redrive_date)
    status, reason = redrive.redrive_status(execution)
    result["redriveStatus"] = status
    if reason:
        result["redriveStatusReason"] = reason
    return result


def _add_source(result: dict[str, Any], execution: Execution) -> None:
    source = getattr(execution, "source", None)
    if source is not None:
        result["stateMachineVersionArn"] = source.version_arn
        if source.alias_arn:
            result["stateMachineAliasArn"] = source.alias_arn


def describe_state_machine_for_execution(params: dict) -> dict[str, Any]:
    execution = _execution(params)
    result = {
        "stateMachineArn": execution.machine_arn,
        "name": execution.machine_name,
        "definition": execution.definition,
        "roleArn": execution.role_arn,
        "updateDate": _ts(execution.start_date),
        "revisionId": execution.revision_id,
        "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
        "tracingConfiguration": {"enabled": False},
    }
    source = ExecutionSource.objects.filter(execution=execution).first()
    if source is not None:
        result["stateMachineArn"] = source.version_arn
    if execution.map_run_arn:
        result["mapRunArn"] = execution.map_run_arn
        result["label"] = execution.machine_arn.rsplit("/", 1)[-1]
    return result


def stop_execution(params: dict) -> dict[str, Any]:
    execution = _execution(params)
    execution = executions.stop_execution(execution, error=params.get("error"),
                                          cause=params.get("cause"))
    return {"stopDate": _ts(execution.stop_date)}


def redrive_execution(params: dict) -> dict[str, Any]:
    execution = redrive.redrive_execution(_execution(params))
    return {"redriveDate": _ts(execution.redrive_date)}


_SUMMARY_FIELDS = ("arn", "machine_arn", "name", "status", "start_date", "stop_date",
                   "redrive_count", "redrive_date", "source__version_arn", "source__alias_arn")


def list_executions(params: dict) -> dict[str, Any]:
    rows = _executions_of(params)
    if params.get("statusFilter") is not None:
        rows = rows.filter(status=params["statusFilter"])
    if params.get("redriveFilter") == "REDRIVEN":
        rows = rows.filter(redrive_count__gt=0)
    elif params.get("redriveFilter") == "NOT_REDRIVEN":
        rows = rows.filter(redrive_count=0)
    fields = _SUMMARY_FIELDS + (_CHILD_FIELDS if params.get("mapRunArn") else ())
    chunk, token = page(rows.order_by("-start_date", "-pk").values(*fields), params)
    result: dict[str, Any] = {"executions": [_summary(row) for row in chunk]}
    if token:
        result["nextToken"] = token
    return result


_CHILD_FIELDS = ("map_run_arn", "input")


def _executions_of(params: dict) -> QuerySet:
    arn, map_run = params.get("stateMachineArn"), params.get("mapRunArn")
    if (arn is None) == (map_run is None):
        raise ValidationError("Exactly one of stateMachineArn and mapRunArn must be specified.")
    if map_run is not None:
        string(params, "mapRunArn", max_length=MAP_RUN_ARN_MAX, min_length=1)
        map_runs.get_map_run(map_run)
        return Execution.objects.filter(map_run_arn=map_run)
    target = version_service.resolve(arn)
    rows = Execution.objects.filter(machine_arn=target.machine.arn)
    if target.alias is not None:
        return rows.filter(source__alias_arn=target.alias.arn)
    if target.version is not None:
        return rows.filter(source__version_arn=target.version.arn)
    return rows


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    summary = {
        "executionArn": row["arn"],
        "stateMachineArn": row["machine_arn"],
        "name": row["name"],
        "status": row["status"],
        "startDate": _ts(row["start_date"]),
        "redriveCount": row["redrive_count"],
    }
    if row["stop_date"]:
        summary["stopDate"] = _ts(row["stop_date"])
    if row["redrive_date"]:
        summary["redriveDate"] = _ts(row["redrive_date"])
    if row["source__version_arn"]:
        summary["stateMachineVersionArn"] = row["source__version_arn"]
    if row["source__alias_arn"]:
        summary["stateMachineAliasArn"] = row["source__alias_arn"]
    if row.get("map_run_arn"):  # listed by Map Run: AWS adds the run and the child's item count
        summary["mapRunArn"] = row["map_run_arn"]
        summary["itemCount"] = map_runs.item_count(row["input"])
    return summary


def get_execution_history(params: dict) -> dict[str, Any]:
    """A page of events, read by event id from where the last page ended (keyset paging)."""
    execution = _execution(params)
    include_data = params.get("includeExecutionData", True)
    reverse = bool(params.get("reverseOrder"))
    size = params.get("maxResults") or 100
    rows = HistoryEvent.objects.filter(execution=execution)
    after = _history_position(params.get("nextToken"), reverse)
    if after is not None:
        rows = rows.filter(Q(event_id__lt=after) if reverse else Q(event_id__gt=after))
    rows = rows.order_by("-event_id" if reverse else "event_id")
    fields = ("event_id", "previous_event_id", "type", "timestamp", "details")
    chunk = list(rows.values_list(*fields)[: size + 1])
    result: dict[str, Any] = {"events": [history_events.shape(r, include_data) for r in chunk[:size]]}
    if len(chunk) > size:
        result["nextToken"] = _history_token(chunk[size - 1][0], reverse)
    return result


def _history_token(event_id: int, reverse: bool) -> str:
    return base64.urlsafe_b64encode(f"history:{'r' if reverse else 'f'}:{event_id}".encode()).decode()


def _history_position(token: str | None, reverse: bool) -> int | None:
    if token is None:
        return None
    try:
        kind, direction, event_id = base64.urlsafe_b64decode(token.encode()).decode().split(":")
        if kind == "history" and direction == ("r" if reverse else "f"):
            return int(event_id)
    except (ValueError, UnicodeDecodeError):
        pass
    raise InvalidToken(f"Invalid Token: '{token}'")


def send_task_success(params: dict) -> dict[str, Any]:
    callbacks.send_task_success(params["taskToken"], params["output"])
    return {}


def send_task_failure(params: dict) -> dict[str, Any]:
    callbacks.send_task_failure(params["taskToken"], params.get("error"), params.get("cause"))
    return {}


def send_task_heartbeat(params: dict) -> dict[str, Any]:
    callbacks.send_task_heartbeat(params["taskToken"])
    return {}


ACTIONS = {
    "StartExecution": start_execution,
    "StartSyncExecution": start_sync_execution,
    "DescribeExecution": describe_execution,
    "DescribeStateMachineForExecution": describe_state_machine_for_execution,
    "StopExecution": stop_execution,
    "ListExecutions": list_executions,
    "GetExecutionHistory": get_execution_history,
    "RedriveExecution": redrive_execution,
    "SendTaskSuccess": send_task_success,
    "SendTaskFailure": send_task_failure,
    "SendTaskHeartbeat": send_task_heartbeat,
}
