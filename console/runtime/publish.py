"""Publish committed steps to the channel layer, for the console's live pages.

Groups: ``execution-<pk>`` (its new events and status), ``state-machine-<pk>`` and
``executions`` (starts and status changes, for the lists). Steps commit in many threads
(requests, scheduler, integration calls); the message is handed to the event loop that serves websockets when there is
one in this process, and sent directly otherwise (Redis layer, management commands).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from console.runtime import stepper

log = logging.getLogger(__name__)
_loop: asyncio.AbstractEventLoop | None = None


def bind_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Remember the event loop serving websockets in this process."""
    global _loop
    _loop = loop


MACHINES_GROUP = "state-machines"


def execution_group(pk: int) -> str:
    return f"execution-{pk}"


def machine_group(pk: int) -> str:
    return f"state-machine-{pk}"


def publish(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    if _loop is not None and _loop.is_running():
        future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), _loop)
        future.add_done_callback(_log_failure)
    else:
        async_to_sync(layer.group_send)(group, message)


def _log_failure(future: Any) -> None:
    if future.exception() is not None:
        log.warning("could not publish to the channel layer: %s", future.exception())


def publish_step(applied: stepper.Applied) -> None:
    """Tell the execution's page and the lists what one committed step did."""
    execution = applied.execution
    publish(
        execution_group(execution.pk),
        {"type": "execution.step", "status": execution.status, "last_event": execution.event_count},
    )
    starts = bool(applied.events) and applied.events[0].type in ("ExecutionStarted", "ExecutionRedriven")
    if execution.status != "RUNNING" or starts:
        change = {"type": "executions.changed", "id": execution.pk, "status": execution.status}
        publish("executions", change)
        if execution.machine_id:
            publish(machine_group(execution.machine_id), change)


def install() -> None:
    stepper.on_step(publish_step)
