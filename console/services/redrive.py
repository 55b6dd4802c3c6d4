"""RedriveExecution: which executions may be redriven, as AWS decides it.

AWS redrives a Standard execution that FAILED, TIMED_OUT or was ABORTED, within 14 days
of its end, from the state that failed. An execution that passes these checks is
restarted by the runtime (``executions.redrive_execution``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from console.models import Execution, StateMachine
from console.services import ExecutionNotRedrivable, executions

REDRIVABLE = (Execution.FAILED, Execution.TIMED_OUT, Execution.ABORTED)
REDRIVE_WINDOW = timedelta(days=14)
MAX_REDRIVES = 1000


def redrive_status(execution: Execution, now: datetime | None = None) -> tuple[str, str | None]:
    """DescribeExecution's (redriveStatus, redriveStatusReason)."""
    problem = _problem(execution, now or datetime.now(UTC))
    return ("NOT_REDRIVABLE", problem) if problem else ("REDRIVABLE", None)


def _problem(execution: Execution, now: datetime) -> str | None:
    if execution.type == StateMachine.EXPRESS:
        return "Execution is of Express type"
    if execution.status == Execution.RUNNING:
        return "Execution is RUNNING and cannot be redriven"
    if execution.status not in REDRIVABLE:
        return f"Execution is {execution.status} and cannot be redriven"
    if execution.stop_date is not None and now - execution.stop_date > REDRIVE_WINDOW:
        return "Execution redrivable period exceeded"  # one of DescribeExecution's documented reasons
    if execution.redrive_count >= MAX_REDRIVES:
        return f"Execution has been redriven {MAX_REDRIVES} times"
    return None


def check_redrivable(execution: Execution) -> None:
    status, reason = redrive_status(execution)
    if status != "REDRIVABLE":
        raise ExecutionNotRedrivable(f"Execution {execution.arn} cannot be redriven: {reason}")


def redrive_execution(execution: Execution) -> Execution:
    """Redrive a failed Standard execution from the state that failed."""
    check_redrivable(execution)
    return executions.redrive_execution(execution)
