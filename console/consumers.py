"""Websockets of the live pages. They only read and forward; the services change state.

``/ws/executions/<pk>/``: the client sends ``{"after": <last event id it has>}`` on
(re)connect and receives what it missed with every state's status, then every new step
(coalesced): only the new events and the statuses that changed (``execution_feed.Feed``).
``/ws/executions/`` and ``/ws/state-machines/<pk>/``: starts and status changes of any
execution or of one state machine's, for the lists.
``/ws/functions/<pk>/``: a function's invocations started or ended (its page's list).
"""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from console.execution_feed import Feed
from console.runtime.publish import MACHINES_GROUP, execution_group, function_group, machine_group
from engine import json_types

MIN_INTERVAL_S = 0.15  # coalesce bursts of steps into a few messages a second


@database_sync_to_async
def _read(feed: Feed, cursor: int | None) -> dict | None:
    """The client's cursor (on (re)connect): catch it up; otherwise only what is new."""
    return feed.next() if cursor is None else feed.start(cursor)


@database_sync_to_async
def _groups(pk: int) -> list[str]:
    """The groups whose steps change an execution: its own, and for a Map Run's child its
    parent's (the parent's engine runs the child)."""
    return [execution_group(pk)] + [execution_group(parent) for parent in Feed.parents(pk)]


class ExecutionConsumer(AsyncJsonWebsocketConsumer):
    @classmethod
    async def decode_json(cls, text_data: str) -> object:
        # What a page sends is untrusted: deep or broken JSON reads as "nothing".
        try:
            return json_types.loads(text_data)
        except ValueError:
            return None

    async def connect(self) -> None:
        self.pk = int(self.scope["url_route"]["kwargs"]["pk"])
        self.feed = Feed(self.pk)
        self.cursor: int | None = None  # set by the client; until then nothing is sent
        self.started = False
        self.dirty = False
        self.sending = False
        self.groups_joined = await _groups(self.pk)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        after = content.get("after") if isinstance(content, dict) else None
        self.cursor = after if isinstance(after, int) and after >= 0 else 0
        await self.push()

    async def execution_step(self, message: dict) -> None:
        await self.push()

    async def push(self) -> None:
        if self.sending:
            self.dirty = True
            return
        if not self.started and self.cursor is None:
            return  # the client has not said what it has yet
        self.sending = True
        try:
            while True:
                self.dirty = False
                if not await self._send_news():
                    return
                await asyncio.sleep(MIN_INTERVAL_S)
                if not self.dirty:
                    return
        finally:
            self.sending = False

    async def _send_news(self) -> bool:
        cursor, self.cursor = self.cursor, None
        data = await _read(self.feed, cursor)
        if data is None:
            await self.close()
            return False
        self.started = True
        await self.send_json(data)
        return True


class ExecutionListConsumer(AsyncJsonWebsocketConsumer):
    """All executions, or those of one state machine (``/ws/state-machines/<pk>/``)."""

    async def connect(self) -> None:
        machine = self.scope["url_route"]["kwargs"].get("machine")
        self.group = "executions" if machine is None else machine_group(machine)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def executions_changed(self, message: dict) -> None:
        await self.send_json({"id": message["id"], "status": message["status"]})


class MachineListConsumer(AsyncJsonWebsocketConsumer):
    """The state machine list: any create, update or delete, through the console or the API."""

    async def connect(self) -> None:
        await self.channel_layer.group_add(MACHINES_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(MACHINES_GROUP, self.channel_name)

    async def list_changed(self, message: dict) -> None:
        await self.send_json({"changed": True})


class FunctionConsumer(AsyncJsonWebsocketConsumer):
    """A function's page: an invocation started or ended, through the console, the API or a task."""

    async def connect(self) -> None:
        self.group = function_group(self.scope["url_route"]["kwargs"]["pk"])
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def invocations_changed(self, message: dict) -> None:
        await self.send_json({"changed": True})
