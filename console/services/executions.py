"""Executions: start (idempotent by name), stop, and look-ups by ARN."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, transaction

from console.models import Execution, ExecutionSource, StateMachine, StateMachineRevision
from console.runtime import express, stepper
from console.services import (
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    ExecutionNotRedrivable,
    InvalidArn,
    InvalidExecutionInput,
    StateMachineTypeNotSupported,
    ValidationError,
    versions,
)
from console.services.names import check_name
from engine import json_types
from engine.context import execution_context
from engine.execution import Start, Stop, StopChild

MAX_PAYLOAD_BYTES = 262_144
MAX_TEST_CASE_NAME = 80


def execution_arn(machine: StateMachine, name: str) -> str:
    prefix = f"arn:aws:states:{settings.STEPYARD_REGION}:{settings.STEPYARD_ACCOUNT}"
    kind = "express" if machine.type == StateMachine.EXPRESS else "execution"
    return f"{prefix}:{kind}:{machine.name}:{name}"


def check_input(text: str | None) -> str:
    """Return the execution input (``{}`` when absent); InvalidExecutionInput if it is not JSON."""
    if text is None:
        return "{}"
    if len(text.encode()) > MAX_PAYLOAD_BYTES:
        raise InvalidExecutionInput(
            "Invalid State Machine Execution Input: 'The input exceeds the maximum size "
            f"of {MAX_PAYLOAD_BYTES} bytes.'"
        )
    try:
        json_types.loads(text)
    except ValueError as error:
        raise InvalidExecutionInput(f"Invalid State Machine Execution Input: '{error}'") from None
    return text


@dataclass(frozen=True)
class Published:
    """A published version to run instead of the machine's current revision."""

    definition: str
    role_arn: str
    revision_id: str
    on_created: Callable[[Execution], None]


def published(target: versions.Target) -> Published | None:
    """The version a start through a version or alias ARN runs, recorded on the execution."""
    if target.version is None and target.alias is None:
        return None
    version = target.version or versions.pick_version(target.alias)
    alias_arn = target.alias.arn if target.alias is not None else ""

    def record(execution: Execution) -> None:
        ExecutionSource.objects.create(execution=execution, version_arn=version.arn, alias_arn=alias_arn)

    return Published(version.definition, version.role_arn, version.revision_id, record)


@dataclass(frozen=True)
class Mocked:
    """A test case to run: its name and its mocked states (see console.services.test_cases)."""

    name: str
    states: dict


def start_execution(machine: StateMachine, *, name: str | None = None, input: str | None = None,
                    version: Published | None = None, test_case: Mocked | None = None) -> Execution:
    """Start an execution; the same name and input while it runs return the same execution."""
    name = name if name is not None else str(uuid.uuid4())
    check_name(name)
    text = check_input(input)
    if test_case is not None and len(test_case.name) > MAX_TEST_CASE_NAME:
        raise ValidationError(f"A test case name can have at most {MAX_TEST_CASE_NAME} characters.")
    arn = execution_arn(machine, name)
    # The unique ARN decides: a second start with the same name fails to insert.
    try:
        return _create_and_start(machine, name, arn, text, version, test_case, started=stepper.CLOCK.now())
    except IntegrityError:
        return _same_or_conflict(Execution.objects.get(arn=arn), text)


@lru_cache(maxsize=1024)
def _revision_id_of(machine_pk: int, number: int) -> str:
    return StateMachineRevision.objects.get(machine_id=machine_pk, number=number).revision_id


def _revision_id(machine: StateMachine) -> str:
    """The id of the machine's current revision (revisions never change once saved)."""
    return _revision_id_of(machine.pk, machine.revision)


def _same_or_conflict(existing: Execution, text: str) -> Execution:
    if existing.is_running and existing.input == text:
        return existing
    raise ExecutionAlreadyExists(f"Execution Already Exists: '{existing.arn}'")


@stepper.outside_write_turn
def _create_and_start(machine: StateMachine, name: str, arn: str, text: str,
                      version: Published | None = None, test_case: Mocked | None = None, *,
                      started: float) -> Execution:
    with transaction.atomic():
        execution = Execution(
            arn=arn,
            name=name,
            machine=machine,
            machine_arn=machine.arn,
            machine_name=machine.name,
            type=machine.type,
            definition=version.definition if version else machine.definition,
            revision_id=version.revision_id if version else _revision_id(machine),
            role_arn=version.role_arn if version else machine.role_arn,
            input=text,
            start_date=datetime.fromtimestamp(started, tz=UTC),
            test_case=test_case.name if test_case else "",
            mock=json.dumps(test_case.states) if test_case else "",
            mock_attempts="{}" if test_case else "",
        )
        context = execution_context(
            execution_arn=arn,
            name=name,
            state_machine_arn=machine.arn,
            state_machine_name=machine.name,
            start_time=started,
            role_arn=machine.role_arn,
            redrive_count=None if execution.type == StateMachine.EXPRESS else 0,
        )
        start = Start(json_types.loads(text), context)
        if execution.type == StateMachine.EXPRESS:
            execution.save(force_insert=True)
        else:
            stepper.apply_new(execution, start)  # inserts the row with its first step
        if version is not None:
            version.on_created(execution)
    if execution.type == StateMachine.EXPRESS:
        # In memory from here on; its threads write the row only once it is committed.
        express.runtime.start(execution, start)
    return execution


@stepper.outside_write_turn
def stop_execution(execution: Execution, *, error: str | None = None, cause: str | None = None) -> Execution:
    """Abort a running execution (a stopped or finished one is left as it is, like AWS)."""
    if execution.type == StateMachine.EXPRESS:
        # Only the process running it can stop an Express execution; one that is not
        # running here has ended (or was lost with the process that ran it).
        express.runtime.stop(execution.pk, error, cause)
    elif execution.parent_id is not None:
        # A Map Run's child runs in its parent's engine: the parent stops it.
        if execution.status == Execution.RUNNING:
            stepper.apply(Execution(pk=execution.parent_id), StopChild(execution.arn, error, cause))
    else:
        stepper.apply(execution, Stop(error, cause))
    execution.refresh_from_db()
    return execution


REDRIVABLE = (Execution.FAILED, Execution.TIMED_OUT, Execution.ABORTED)
REDRIVE_WINDOW = timedelta(days=14)
MAX_REDRIVES = 1000


@stepper.outside_write_turn
def redrive_execution(execution: Execution) -> Execution:
    """Run a failed, timed-out or aborted Standard execution again from where it ended."""
    execution.refresh_from_db()
    problem = redrive_problem(execution)
    if problem:
        raise ExecutionNotRedrivable(f"Execution {execution.arn} cannot be redriven: {problem}")
    before = execution.redrive_count
    stepper.redrive(execution)
    execution.refresh_from_db()
    if execution.redrive_count == before:
        raise ExecutionNotRedrivable(f"Execution {execution.arn} cannot be redriven: nothing to run again.")
    return execution


def redrive_problem(execution: Execution, now: datetime | None = None) -> str | None:
    """Why AWS would not redrive ``execution`` (DescribeExecution's redriveStatusReason), or None."""
    if execution.type == StateMachine.EXPRESS:
        return "Execution is of Express type"
    if execution.parent_id is not None:
        return "Execution is a child of a Map Run: redrive its parent execution"
    if execution.status == Execution.RUNNING:
        return "Execution is RUNNING and cannot be redriven"
    if execution.status not in REDRIVABLE:
        return f"Execution is {execution.status} and cannot be redriven"
    if execution.stop_date is not None and (now or datetime.now(UTC)) - execution.stop_date > REDRIVE_WINDOW:
        return "Execution redrivable period exceeded"  # one of DescribeExecution's documented reasons
    if execution.redrive_count >= MAX_REDRIVES:
        return f"Execution has been redriven {MAX_REDRIVES} times"
    return None


def get_execution(arn: str) -> Execution:
    if not arn.startswith("arn:aws:states:") or not (":execution:" in arn or ":express:" in arn):
        raise InvalidArn(f"Invalid Arn: '{arn}'")
    try:
        return Execution.objects.get(arn=arn)
    except Execution.DoesNotExist:
        raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{arn}'") from None


# --------------------------------------------------------------------------- synchronous
SYNC_TIMEOUT_S = 300.0  # Express executions last at most five minutes


def start_sync_execution(machine: StateMachine, *, name: str | None = None, input: str | None = None,
                         version: Published | None = None, test_case: Mocked | None = None) -> Execution:
    """Run an Express execution and return it once it has ended (StartSyncExecution).

    Express executions run in memory in the process that starts them, so the wait is on
    the run itself; no run here means it ended while it started."""
    if machine.type != StateMachine.EXPRESS:
        raise StateMachineTypeNotSupported("This operation is not supported by this type of state machine")
    execution = start_execution(machine, name=name, input=input, version=version, test_case=test_case)
    run = express.runtime.runs.get(execution.pk)
    if run is not None and not run.done.wait(timeout=SYNC_TIMEOUT_S):
        return stop_execution(execution, error="States.Timeout", cause="The execution ran for more than 5 minutes.")
    execution.refresh_from_db()
    return execution
