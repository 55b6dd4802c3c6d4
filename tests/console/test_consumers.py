"""The live pages' websockets, driven with channels' WebsocketCommunicator."""

from __future__ import annotations

import json
import time

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from console.routing import websocket_urlpatterns
from console.services import executions, machines
from console.workers import scheduler

pytestmark = pytest.mark.django_db(transaction=True)
APP = URLRouter(websocket_urlpatterns)
WAITING = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "Next": "P"},
                                                  "P": {"Type": "Pass", "End": True}}})


def test_an_execution_socket_replays_then_follows_new_steps():
    execution = executions.start_execution(machines.create_machine(name="Live", definition=WAITING))

    async def scenario():
        socket = WebsocketCommunicator(APP, f"/ws/executions/{execution.pk}/")
        connected, _ = await socket.connect()
        assert connected
        await socket.send_json_to({"after": 1})
        first = await socket.receive_json_from(timeout=5)
        assert [e["type"] for e in first["events"]] == ["WaitStateEntered"]
        assert first["statuses"] == {"W": "in-progress"}
        await fire()
        update = await socket.receive_json_from(timeout=5)
        assert update["status"] == "SUCCEEDED"
        assert [e["type"] for e in update["events"]][0] == "WaitStateExited"
        assert update["statuses"] == {"W": "succeeded", "P": "succeeded"}
        await socket.disconnect()

    fire = database_sync_to_async(lambda: scheduler.fire_due_timers(time.time() + 31))
    async_to_sync(scenario)()


def test_an_execution_socket_reads_deep_or_broken_json_as_nothing():
    execution = executions.start_execution(machines.create_machine(name="Deep", definition=WAITING))

    async def scenario():
        socket = WebsocketCommunicator(APP, f"/ws/executions/{execution.pk}/")
        assert (await socket.connect())[0]
        for text in ("[" * 5000 + "]" * 5000, "{", "NaN"):
            await socket.send_to(text_data=text)
            replayed = await socket.receive_json_from(timeout=5)
            assert [e["type"] for e in replayed["events"]][:2] == ["ExecutionStarted", "WaitStateEntered"]
        await socket.disconnect()

    async_to_sync(scenario)()


def test_the_list_socket_announces_status_changes():
    machine = machines.create_machine(name="Listed", definition=WAITING)

    async def scenario():
        socket = WebsocketCommunicator(APP, "/ws/executions/")
        connected, _ = await socket.connect()
        assert connected
        started = await database_sync_to_async(executions.start_execution)(machine)
        message = await socket.receive_json_from(timeout=5)
        assert message == {"id": started.pk, "status": "RUNNING"}
        await socket.disconnect()

    async_to_sync(scenario)()


def test_a_state_machine_socket_hears_only_its_own_executions():
    mine = machines.create_machine(name="Mine", definition=WAITING)
    other = machines.create_machine(name="Other", definition=WAITING)

    async def scenario():
        socket = WebsocketCommunicator(APP, f"/ws/state-machines/{mine.pk}/")
        connected, _ = await socket.connect()
        assert connected
        await database_sync_to_async(executions.start_execution)(other)
        started = await database_sync_to_async(executions.start_execution)(mine)
        message = await socket.receive_json_from(timeout=5)
        assert message == {"id": started.pk, "status": "RUNNING"}
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    async_to_sync(scenario)()


def test_the_state_machine_list_socket_hears_creates_updates_and_deletes():
    async def scenario():
        socket = WebsocketCommunicator(APP, "/ws/state-machines/")
        connected, _ = await socket.connect()
        assert connected
        machine = await database_sync_to_async(machines.create_machine)(name="Announced", definition=WAITING)
        assert await socket.receive_json_from(timeout=5) == {"changed": True}
        await database_sync_to_async(machines.delete_machine)(machine)
        assert await socket.receive_json_from(timeout=5) == {"changed": True}
        await socket.disconnect()

    async_to_sync(scenario)()


def test_a_function_socket_announces_its_invocations():
    from console.services import functions

    function = functions.create_function("LiveFn", code="def handler(event, context):\n    return 1\n")

    async def scenario():
        socket = WebsocketCommunicator(APP, f"/ws/functions/{function.pk}/")
        connected, _ = await socket.connect()
        assert connected
        await database_sync_to_async(functions.invoke)("LiveFn", "{}")
        assert await socket.receive_json_from(timeout=10) == {"changed": True}  # started
        assert await socket.receive_json_from(timeout=10) == {"changed": True}  # ended
        await socket.disconnect()

    async_to_sync(scenario)()
