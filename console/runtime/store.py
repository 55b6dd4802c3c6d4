"""Named store operations for an execution and what hangs off it (events, timers, pending
calls, task tokens, child-execution waits).

The stepper, the scheduler and the services change these rows only through here, so
each write has one name and one place. The hot paths keep console/db/rows.py's direct
statements (measured in bench/durable_loop.py): a step costs a handful of statements.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import F

from console.db import rows
from console.models import ChildExecutionWait, Execution, HistoryEvent, MapRun, PendingCall, TaskToken, Timer

# A step reads and writes everything but the execution's input and output.
STEP_READS = tuple(f.attname for f in Execution._meta.concrete_fields if f.name not in ("input", "output"))


# --------------------------------------------------------------------------- executions


def lock_execution(pk: int) -> Execution:
    """The execution's row for a step, locked until the transaction ends (DoesNotExist if none)."""
    execution = rows.first(Execution, "id = %s", [pk], only=STEP_READS, for_update=True)
    if execution is None:
        raise Execution.DoesNotExist(f"Execution {pk} does not exist")
    return execution


def lock_whole_execution(pk: int) -> Execution:
    """The execution's whole row (input and output included), locked (a redrive)."""
    return Execution.objects.select_for_update().get(pk=pk)


def save_execution(execution: Execution, fields: list[str]) -> None:
    """Insert a new execution, or update only ``fields`` of a stored one."""
    if execution.pk is None:
        rows.save_new(execution)
    else:
        rows.update(Execution, "id = %s", [execution.pk], **{name: getattr(execution, name) for name in fields})


def insert_events(execution_id: int, events: list[Any]) -> None:
    """Write a step's events with one prepared INSERT (the hot path of every execution).

    Model instances and bulk_create cost more than the database does here, so the rows
    go straight to ``executemany``.
    """
    if events:
        _insert_event_rows([(execution_id, events)])


def _insert_event_rows(groups: list[tuple[int, list[Any]]]) -> None:
    table = HistoryEvent._meta.db_table
    dumps = json.dumps
    values = [
        (execution_id, e.id, e.previous_event_id, e.type, e.timestamp,
         None if e.details is None else dumps(e.details))
        for execution_id, events in groups for e in events
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (execution_id, event_id, previous_event_id, type, timestamp, details) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            values,
        )


def insert_child_events(ids: dict[str, int], history: dict[str, list[Any]]) -> None:
    """Write the events of a step's Map Run children, each under its own execution."""
    groups = [(ids[arn], events) for arn, events in history.items() if arn in ids]
    if groups:
        _insert_event_rows(groups)


# --------------------------------------------------------------------------- Map Runs


def index_map_runs(execution_id: int, arns: list[str]) -> None:
    """Remember which execution holds each new Map Run."""
    MapRun.objects.bulk_create([MapRun(arn=arn, execution_id=execution_id) for arn in arns],
                               ignore_conflicts=True)


def map_run_execution(arn: str) -> Execution | None:
    row = MapRun.objects.filter(arn=arn).select_related("execution").first()
    return row.execution if row is not None else None


def insert_children(children: list[dict[str, Any]]) -> None:
    """Insert a step's new Map Run child executions, by Execution field (one already stored
    is left as it is)."""
    rows.insert_new(Execution, children)


def update_child(pk: int, values: dict[str, Any]) -> None:
    rows.update(Execution, "id = %s", [pk], **values)


def close_everything(execution_id: int) -> None:
    """An ended execution waits for nothing: drop its timers and pending calls."""
    rows.delete(Timer, "execution_id = %s", [execution_id])
    rows.delete(PendingCall, "execution_id = %s", [execution_id])


# --------------------------------------------------------------------------- timers


def arm_timer(execution_id: int, timer_id: str, due_at: float) -> None:
    """Set the timer's due time (re-arming one replaces it: one row per timer id)."""
    where, key = "execution_id = %s AND timer_id = %s", [execution_id, timer_id]
    if rows.update(Timer, where, key, due_at=due_at) == 0:
        rows.insert(Timer, execution_id=execution_id, timer_id=timer_id, due_at=due_at)


def due_timers(now: float, limit: int) -> list[tuple[int, int, str]]:
    """(id, execution id, timer id) of the timers due at ``now``, soonest first."""
    return rows.values(Timer, "id, execution_id, timer_id", "due_at <= %s", [now], order_by="due_at", limit=limit)


def next_timer_due(excluding: list[int]) -> float | None:
    """When the next timer is due, leaving out the timers ``excluding`` names."""
    if not excluding:
        return rows.values(Timer, "MIN(due_at)")[0][0]
    return rows.values(Timer, "MIN(due_at)", f"id NOT IN ({rows.marks(excluding)})", excluding)[0][0]


def claim_timer(pk: int) -> bool:
    """Delete a due timer: the delete is the claim, so of several workers one fires it."""
    timer = Timer.objects.filter(pk=pk)
    if connection.features.has_select_for_update_skip_locked:
        if not list(timer.select_for_update(skip_locked=True).values_list("pk", flat=True)):
            return False
    return timer.delete()[0] == 1


def cancel_timer(execution_id: int, timer_id: str) -> None:
    rows.delete(Timer, "execution_id = %s AND timer_id = %s", [execution_id, timer_id])


# --------------------------------------------------------------------------- calls and tokens


def insert_call(execution_id: int, call: Any, state_name: str, *, leased_until: float, attempts: int) -> int:
    """Record an integration call (an engine CallIntegration) to perform; return its id."""
    return rows.insert(
        PendingCall,
        execution_id=execution_id,
        task_id=call.task_id,
        state_name=state_name,
        resource=call.resource,
        parameters=json.dumps(call.parameters),
        wait_for_token=call.wait_for_token,
        token=call.token or "",
        timeout_s=call.timeout_s,
        leased_until=leased_until,
        attempts=attempts,
    )


def due_calls(now: float, limit: int) -> list[int]:
    """Ids of the pending calls whose lease has run out (or that nobody leased yet)."""
    return [pk for (pk,) in rows.values(PendingCall, "id", "leased_until <= %s", [now], order_by="id", limit=limit)]


def lease_call(pk: int, now: float, until: float) -> bool:
    """Lease a due call until ``until``; False when another worker leased it first."""
    lease = PendingCall.objects.filter(pk=pk, leased_until__lte=now)
    return lease.update(leased_until=until, attempts=F("attempts") + 1) == 1


def renew_leases(call_ids: list[int], until: float) -> int:
    """Set the leases of calls this process holds to ``until`` (0 frees them at once)."""
    return PendingCall.objects.filter(pk__in=call_ids).update(leased_until=until)


def release_leases() -> int:
    """Forget every lease (the calls become due at once)."""
    return PendingCall.objects.filter(leased_until__gt=0).update(leased_until=0)


def pending_call(pk: int) -> PendingCall | None:
    """A pending call with its execution, or None when it was taken or cancelled."""
    return PendingCall.objects.select_related("execution").filter(pk=pk).first()


def take_call(call_id: int) -> bool:
    """Delete a pending call; False when it was gone already (cancelled, or taken by another)."""
    return PendingCall.objects.filter(pk=call_id).delete()[0] == 1


def record_token(execution_id: int, call: Any, state_name: str) -> None:
    """Remember the task token of a ``.waitForTaskToken`` call (an engine CallIntegration)."""
    rows.insert(
        TaskToken,
        token=call.token,
        execution_id=execution_id,
        task_id=call.task_id,
        state_name=state_name,
        resource=call.resource,
        payload=json.dumps(call.parameters),
        created=datetime.now(UTC),
        timeout_s=call.timeout_s,
        heartbeat_s=call.heartbeat_s,
    )


def close_tokens_except(execution_id: int, waiting_tasks: list[str]) -> None:
    """Close the tokens of the execution's tasks that no longer wait (answered, timed out, caught)."""
    where = "execution_id = %s AND closed IS NULL"
    if waiting_tasks:
        where += f" AND task_id NOT IN ({rows.marks(waiting_tasks)})"
    rows.update(TaskToken, where, [execution_id, *waiting_tasks], closed=datetime.now(UTC))


def cancel_task(execution_id: int, task_id: str) -> None:
    """Forget a task's pending call and close its token."""
    rows.delete(PendingCall, "execution_id = %s AND task_id = %s", [execution_id, task_id])
    rows.update(TaskToken, "execution_id = %s AND task_id = %s AND closed IS NULL", [execution_id, task_id],
                closed=datetime.now(UTC))


# --------------------------------------------------------------------------- child executions


def wait_for_child(call: PendingCall, child_arn: str, *, output_as_json: bool, now: float) -> None:
    """The task of ``call`` now ends when the child execution ``child_arn`` ends."""
    ChildExecutionWait.objects.create(parent_id=call.execution_id, task_id=call.task_id,
                                      child_arn=child_arn, output_as_json=output_as_json, created=now)


def is_awaited(child_arn: str) -> bool:
    """Whether any task waits for this execution (one indexed query, usually empty)."""
    return rows.exists(ChildExecutionWait, "child_arn = %s", [child_arn])


def child_waits(child_arn: str) -> list[ChildExecutionWait]:
    return list(ChildExecutionWait.objects.filter(child_arn=child_arn))


def claim_child_wait(pk: int) -> bool:
    """Delete the wait; True for the one process that deleted it (and so delivers)."""
    return ChildExecutionWait.objects.filter(pk=pk).delete()[0] == 1


def awaited_children_ended() -> set[str]:
    """The children some task waits for that are no longer running (the periodic sweep)."""
    running = Execution.objects.filter(status=Execution.RUNNING).values("arn")
    return set(ChildExecutionWait.objects.exclude(child_arn__in=running).values_list("child_arn", flat=True))
