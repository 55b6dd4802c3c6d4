"""Distributed Map child executions as rows of their own.

The parent's engine runs each child (engine.fanout) and reports its events apart from the
parent's: a ``ChildStarted`` effect opens a child and ``Step.child_events`` carries its
history. Each STANDARD child is saved as an Execution row linked to its parent and its Map
Run, with its own history, so ListExecutions(mapRunArn), DescribeExecution,
GetExecutionHistory and the console show it as AWS does. The row holds no engine snapshot:
only its parent is ever stepped. The step's Map Runs are indexed too (``MapRun``), since a
Map Run's ARN does not name its execution.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from console.models import Execution
from console.runtime import store
from engine import fanout
from engine.definition import JSONATA
from engine.execution import ChildStarted, Step

_ENDED = {"ExecutionSucceeded": Execution.SUCCEEDED, "ExecutionFailed": Execution.FAILED,
          "ExecutionAborted": Execution.ABORTED}
_LOOKUP_CHUNK = 500


def record(parent: Execution, machine: Any, step: Step) -> None:
    """Save what the step did to the parent's Map Runs and child executions."""
    # A nested Distributed Map's run starts in a child's history; the parent holds its record.
    started_runs = [e.details["mapRunArn"] for e in step.events if e.type == "MapRunStarted"]
    started_runs += [e.details["mapRunArn"] for _, e in step.child_events if e.type == "MapRunStarted"]
    if started_runs:
        store.index_map_runs(parent.pk, started_runs)
    if not step.child_events:
        return
    history: dict[str, list[Any]] = {}
    for arn, event in step.child_events:
        history.setdefault(arn, []).append(event)
    starts = {e.arn: e for e in step.effects if isinstance(e, ChildStarted) and e.arn in history}
    ids = _insert_started(parent, machine, [e for e in starts.values() if not e.redrive_count], history)
    inserted = set(ids)
    _update_others(_known_ids(set(history) - inserted, ids), history, inserted, starts)
    store.insert_child_events(ids, history)


def _insert_started(parent: Execution, machine: Any, starts: list[ChildStarted],
                    history: dict[str, list[Any]]) -> dict[str, int]:
    definitions: dict[str, str] = {}
    rows = []
    for start in starts:
        events = history[start.arn]
        if start.machine_key not in definitions:
            definitions[start.machine_key] = _definition(machine.machines[start.machine_key])
        row = {
            "arn": start.arn, "name": start.arn.rsplit(":", 1)[-1], "machine_id": parent.machine_id,
            "machine_arn": fanout.labelled_machine_arn(start.arn), "machine_name": parent.machine_name,
            "type": "STANDARD", "definition": definitions[start.machine_key], "role_arn": parent.role_arn,
            "status": Execution.RUNNING, "input": events[0].details["input"],
            "start_date": _date(events[0].timestamp), "engine_state": "{}", "map_run_arn": start.map_run_arn,
            "parent_id": parent.pk,
        }
        _follow(row, events)
        rows.append(row)
    store.insert_children(rows)
    return _known_ids([row["arn"] for row in rows], {})


def _known_ids(arns: Iterable[str], ids: dict[str, int]) -> dict[str, int]:
    ordered = sorted(arns)
    for at in range(0, len(ordered), _LOOKUP_CHUNK):
        ids.update(Execution.objects.filter(arn__in=ordered[at:at + _LOOKUP_CHUNK]).values_list("arn", "pk"))
    return ids


def _update_others(ids: dict[str, int], history: dict[str, list[Any]], inserted: set[str],
                   starts: dict[str, ChildStarted]) -> None:
    """Children started in an earlier step (or redriven now): their event count, their end
    if it came, and a redrive's new attempt."""
    for arn, events in history.items():
        if arn in inserted or arn not in ids:
            continue
        row: dict[str, Any] = {}
        if arn in starts:  # a redriven Map Run redrives this failed or aborted child
            row.update(status=Execution.RUNNING, redrive_count=starts[arn].redrive_count,
                       redrive_date=_date(events[0].timestamp), stop_date=None, output=None, error=None, cause=None)
        _follow(row, events)
        store.update_child(ids[arn], row)


def _follow(row: dict[str, Any], events: list[Any]) -> None:
    """Bring ``row`` (Execution fields) up to its latest events: their count, and its end."""
    last = events[-1]
    row["event_count"] = last.id
    status = _ENDED.get(last.type)
    if status is not None:
        details = last.details or {}
        row.update(status=status, stop_date=_date(last.timestamp), output=details.get("output"),
                   error=details.get("error"), cause=details.get("cause"))


def _definition(processor: Any) -> str:
    """The ItemProcessor as a definition of its own: its query language made explicit, its
    ProcessorConfig (which belongs to the Map state) left out."""
    source = {key: value for key, value in processor.source.items() if key != "ProcessorConfig"}
    if processor.query_language == JSONATA:
        source.setdefault("QueryLanguage", JSONATA)
    return json.dumps(source, separators=(",", ":"))


def _date(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)
