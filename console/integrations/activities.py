"""Activity tasks (``arn:aws:states:<region>:<account>:activity:<name>``).

The task waits for a worker: the call queues the task's input under its task token,
GetActivityTask hands it to one worker, and the worker answers with SendTaskSuccess,
SendTaskFailure or SendTaskHeartbeat on that token, like any ``.waitForTaskToken`` task.
"""

from __future__ import annotations

from typing import Any

from console.integrations import CallContext, Route
from console.services import activities
from engine.errors import STATES_RUNTIME, StatesError

PATTERN = r"arn:aws:states:[^:]+:\d{12}:activity:[^:]+"


def queue_activity_task(parameters: Any, context: CallContext) -> None:
    if context.task_token is None:
        # The engine must wait on a token for activity tasks, as it does for
        # .waitForTaskToken resources; without one no worker could ever answer.
        raise StatesError(STATES_RUNTIME, "Stepyard's engine issued this activity task "
                                          "without a task token, so no worker could answer it.")
    activities.queue_task(context.task_token, parameters)

# What console.wiring registers: (resource pattern, integration[, inline]).
ROUTES = (
    Route(PATTERN, queue_activity_task),
)
