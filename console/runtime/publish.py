"""Publish committed steps to the channel layer, for the console's live pages.

Groups: ``execution-<pk>`` (its new events and status), ``state-machine-<pk>`` and
``executions`` (starts and status changes, for the lists). Steps commit in many threads
(requests, scheduler, integration calls); the message is handed to the event loop that serves websockets when there is
one in this process, and sent directly otherwise (Redis layer, management commands).

Handing messages to the event loop one by one cost three thread-safe wake-ups (and three
futures) per step, a fifth of a busy server's CPU; instead they join an outbox that one
scheduled drain on the loop empties, so a burst of steps costs one wake-up.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from console.runtime import stepper

log = logging.getLogger(__name__)
_loop: asyncio.AbstractEventLoop | None = None
_outbox: deque[tuple[str, dict[str, Any]]] = deque()
_drain_lock = threading.Lock()
_drain_scheduled = False


def bind_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Remember the event loop serving websockets in this process."""
    global _loop
    _loop = loop


MACHINES_GROUP = "state-machines"


def execution_group(pk: int) -> str:
    return f"execution-{pk}"


def machine_group(pk: int) -> str:
    return f"state-machine-{pk}"


def function_group(pk: int) -> str:
    return f"function-{pk}"


def publish(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    loop = _loop
    if loop is not None and loop.is_running():
        _post(loop, group, message)
    else:
        async_to_sync(layer.group_send)(group, message)


def _post(loop: asyncio.AbstractEventLoop, group: str, message: dict[str, Any]) -> None:
    """Queue the message for the loop, scheduling a drain unless one is already due."""
    global _drain_scheduled
    _outbox.append((group, message))
    with _drain_lock:
        if _drain_scheduled:
            return
        _drain_scheduled = True
    try:
        loop.call_soon_threadsafe(_start_drain)
    except RuntimeError:  # the loop closed meanwhile: the server is stopping
        with _drain_lock:
            _drain_scheduled = False


def _start_drain() -> None:
    asyncio.ensure_future(_drain())


async def _drain() -> None:
    global _drain_scheduled
    layer = get_channel_layer()
    while True:
        with _drain_lock:
            if not _outbox:
                _drain_scheduled = False
                return
        group, message = _outbox.popleft()
        try:
            await layer.group_send(group, message)
        except Exception as error:  # a live page misses one update; the step is committed
            log.warning("could not publish to the channel layer: %s", error)


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
