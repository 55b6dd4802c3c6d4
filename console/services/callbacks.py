"""Task tokens: SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat.

Closing a token is one conditional UPDATE, so when many answers race on one token
exactly one wins; the others get TaskTimedOut, as AWS answers for a closed task.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import transaction

from console.db import rows
from console.models import Execution, TaskToken
from console.runtime import stepper
from console.services import InvalidOutput, InvalidToken, TaskTimedOut, ValidationError
from engine import json_types
from engine.execution import Heartbeat, TaskFailed, TaskSucceeded

MAX_TOKEN_LENGTH = 1024
MAX_OUTPUT_BYTES = 262_144
MAX_ERROR_LENGTH = 256
MAX_CAUSE_LENGTH = 32_768
INVALID_TOKEN = "Invalid Token: 'Invalid token'"  # AWS's words for a token it never issued


@stepper.outside_write_turn
def send_task_success(token: str, output: str) -> None:
    with transaction.atomic():
        # The token is judged first (an unknown token with bad output is InvalidToken, as
        # on AWS); bad output then rolls the claim back and leaves the task open.
        task = _close(token)
        value = _check_output(output)
        stepper.apply(Execution(pk=task.execution_id), TaskSucceeded(task.task_id, value))


@stepper.outside_write_turn
def send_task_failure(token: str, error: str | None = None, cause: str | None = None) -> None:
    _check_length("error", error, MAX_ERROR_LENGTH)
    _check_length("cause", cause, MAX_CAUSE_LENGTH)
    with transaction.atomic():
        task = _close(token)
        stepper.apply(Execution(pk=task.execution_id), TaskFailed(task.task_id, error, cause))


@stepper.outside_write_turn
def send_task_heartbeat(token: str) -> None:
    with transaction.atomic():
        task = _open_task(token)
        TaskToken.objects.filter(pk=task.pk).update(last_heartbeat=datetime.now(UTC))
        stepper.apply(Execution(pk=task.execution_id), Heartbeat(task.task_id))


def _close(token: str) -> TaskToken:
    _check_token(token)
    if rows.update(TaskToken, "token = %s AND closed IS NULL", [token], closed=datetime.now(UTC)) == 1:
        # The step loads (and locks) the execution itself: fetch only what leads to it.
        task = rows.first(TaskToken, "token = %s", [token], only=("id", "execution_id", "task_id"))
        if task is not None:
            return task
    raise _closed_or_unknown(token)


def _open_task(token: str) -> TaskToken:
    _check_token(token)
    task = TaskToken.objects.select_related("execution").filter(token=token).first()
    if task is None or task.closed is not None:
        raise _closed_or_unknown(token)
    return task


def _closed_or_unknown(token: str) -> Exception:
    if TaskToken.objects.filter(token=token).exists():
        return TaskTimedOut("Task Timed Out: 'Provided task does not exist anymore'")
    return InvalidToken(INVALID_TOKEN)


def _check_token(token: str) -> None:
    if not isinstance(token, str) or not 1 <= len(token) <= MAX_TOKEN_LENGTH:
        raise InvalidToken(INVALID_TOKEN)


def _check_output(output: str) -> object:
    if len(output.encode()) > MAX_OUTPUT_BYTES:
        raise InvalidOutput(f"Invalid Output: 'The output exceeds {MAX_OUTPUT_BYTES} bytes.'")
    try:
        return json_types.loads(output)
    except ValueError as error:
        raise InvalidOutput(f"Invalid Output: '{error}'") from None


def _check_length(field: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise ValidationError(
            f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {limit}"
        )
