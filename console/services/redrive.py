"""RedriveExecution: which executions may be redriven, as AWS decides it.

AWS redrives a Standard execution that FAILED, TIMED_OUT or was ABORTED, within 14 days
of its end, from the state that failed, at most 1,000 times. The rule itself is
``executions.redrive_problem`` (the console's Redrive button uses it too); an execution
that passes it is restarted by ``executions.redrive_execution``.
"""

from __future__ import annotations

from datetime import datetime

from console.models import Execution
from console.services import executions


def redrive_status(execution: Execution, now: datetime | None = None) -> tuple[str, str | None]:
    """DescribeExecution's (redriveStatus, redriveStatusReason)."""
    problem = executions.redrive_problem(execution, now)
    return ("NOT_REDRIVABLE", problem) if problem else ("REDRIVABLE", None)


def redrive_execution(execution: Execution) -> Execution:
    """Redrive a failed Standard execution from the state that failed (ExecutionNotRedrivable
    with DescribeExecution's reason when AWS would refuse)."""
    return executions.redrive_execution(execution)
