"""Map Runs: each Distributed Map's run, kept in its execution's engine snapshot
(``ExecutionState.map_runs``), listed, described and updated (the update is a trigger
applied to the execution, like a task's answer)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from console.models import Execution
from console.runtime import stepper, store
from console.services import InvalidArn, ValidationError
from console.services.tags import ResourceNotFound
from engine.execution import UpdateMapRun


@dataclass(frozen=True)
class MapRun:
    """One Map Run as stored, with the execution it belongs to."""

    arn: str
    execution: Execution  # the execution whose engine runs it (for a nested run, the parent)
    record: dict[str, Any]

    @property
    def started_by(self) -> str:
        """The ARN of the execution that started the run (a child, for a nested run)."""
        return self.record.get("execution") or self.execution.arn

    @property
    def counts(self) -> dict[str, int]:
        return item_counts(self.record, "item_counts", "items")


def item_counts(record: dict[str, Any], key: str, total_key: str) -> dict[str, int]:
    """AWS's counts by status; pending is what has not started yet."""
    counts = record[key]
    total = record[total_key]
    started = counts["running"] + counts["succeeded"] + counts["failed"] + counts["aborted"]
    return {"pending": max(total - started, 0), "running": counts["running"], "succeeded": counts["succeeded"],
            "failed": counts["failed"], "timedOut": 0, "aborted": counts["aborted"], "total": total,
            "resultsWritten": counts["succeeded"] + counts["failed"], "failuresNotRedrivable": 0,
            "pendingRedrive": 0}


def item_count(child_input: str) -> int:
    """How many items a child execution processes: a batch's size (ItemBatcher), else 1."""
    try:
        value = json.loads(child_input)
    except ValueError:
        return 1
    items = value.get("Items") if isinstance(value, dict) else None
    return len(items) if isinstance(items, list) and set(value) <= {"Items", "BatchInput"} else 1


def map_runs_of(execution: Execution) -> list[MapRun]:
    """The Map Runs the execution started, oldest first (a child's are kept by its parent)."""
    owner = execution.parent if execution.parent_id else execution
    runs = (_snapshot(owner).get("map_runs") or {}) if owner is not None else {}
    mine = (MapRun(arn, owner, record) for arn, record in runs.items()
            if record.get("execution", owner.arn) == execution.arn)
    return sorted(mine, key=lambda r: r.record["start"])


def get_map_run(arn: str) -> MapRun:
    if not arn.startswith("arn:aws:states:") or ":mapRun:" not in arn or "/" not in arn:
        raise InvalidArn(f"Invalid Arn: '{arn}'")
    execution = store.map_run_execution(arn) or _recorded_before_the_index(arn)
    record = (_snapshot(execution).get("map_runs") or {}).get(arn) if execution else None
    if record is None:
        raise ResourceNotFound(f"Resource not found: '{arn}'")
    return MapRun(arn, execution, record)


def child_executions(run: MapRun, status: str | None = None) -> QuerySet[Execution]:
    """The run's child executions (STANDARD children; Express ones are not kept, as on AWS),
    in the order they started, optionally of one status."""
    rows = Execution.objects.filter(map_run_arn=run.arn).only(
        "pk", "name", "status", "start_date", "stop_date", "error")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("start_date", "pk")


def starting_execution(run: MapRun) -> Execution:
    """The execution that started the run (for a nested run, the child that ran it)."""
    if run.started_by == run.execution.arn:
        return run.execution
    return Execution.objects.filter(arn=run.started_by).only("pk", "name").first() or run.execution


def update_map_run(arn: str, *, max_concurrency: int | None = None, tolerated_count: int | None = None,
                   tolerated_percentage: float | None = None) -> None:
    """Change a running Map Run's concurrency or failure tolerance."""
    map_run = get_map_run(arn)
    if max_concurrency is None and tolerated_count is None and tolerated_percentage is None:
        raise ValidationError("At least one of maxConcurrency, toleratedFailureCount and "
                              "toleratedFailurePercentage must be given.")
    if map_run.record["status"] == "RUNNING":
        stepper.apply(map_run.execution, UpdateMapRun(arn, max_concurrency, tolerated_count, tolerated_percentage))


def _recorded_before_the_index(arn: str) -> Execution | None:
    """A Map Run stored before Map Runs were indexed had an ARN that named its execution:
    ``...:mapRun:<machine>:<execution>/<state>:<n>``."""
    execution_arn = arn.replace(":mapRun:", ":execution:", 1).split("/", 1)[0]
    return Execution.objects.filter(arn=execution_arn).first()


def _snapshot(execution: Execution) -> dict[str, Any]:
    try:
        return json.loads(execution.engine_state or "{}")
    except ValueError:
        return {}
