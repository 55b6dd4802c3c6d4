"""The live pages' websockets, driven with channels' WebsocketCommunicator."""

from __future__ import annotations

import json
import time

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from console.models import Execution
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


def test_a_map_run_childs_socket_follows_the_steps_its_parent_runs():
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                 "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "Next": "P"},
                                            "P": {"Type": "Pass", "End": True}}}
    definition = json.dumps({"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": processor}}})
    parent = executions.start_execution(machines.create_machine(name="LiveChildren", definition=definition),
                                        input="[1]")
    [child] = Execution.objects.filter(parent=parent)

    async def scenario():
        socket = WebsocketCommunicator(APP, f"/ws/executions/{child.pk}/")
        assert (await socket.connect())[0]
        await socket.send_json_to({"after": 0})
        first = await socket.receive_json_from(timeout=5)
        assert [e["type"] for e in first["events"]] == ["ExecutionStarted", "WaitStateEntered"]
        # The child's Wait is its own (its timer is kept by the parent that runs it).
        assert [t["purpose"] for t in first["timers"]["W"]] == ["wait"]
        await fire()
        update = await socket.receive_json_from(timeout=5)
        assert update["status"] == "SUCCEEDED"
        assert [e["type"] for e in update["events"]][-1] == "ExecutionSucceeded"
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


TWO_WAITS = json.dumps({"StartAt": "W1", "States": {
    "W1": {"Type": "Wait", "Seconds": 30, "Next": "W2"},
    "W2": {"Type": "Wait", "Seconds": 60, "Next": "P"},
    "P": {"Type": "Pass", "End": True}}})


def _event_ids(execution, after):
    from console.models import HistoryEvent

    return list(HistoryEvent.objects.filter(execution=execution, event_id__gt=after)
                .order_by("event_id").values_list("event_id", flat=True))


def test_a_push_sends_only_new_events_and_changed_statuses_and_a_reconnect_gets_what_it_missed():
    execution = executions.start_execution(machines.create_machine(name="Cursor", definition=TWO_WAITS))
    fire = database_sync_to_async(lambda seconds: scheduler.fire_due_timers(time.time() + seconds))
    ids_after = database_sync_to_async(_event_ids)

    async def scenario():
        socket = WebsocketCommunicator(APP, f"/ws/executions/{execution.pk}/")
        assert (await socket.connect())[0]
        assert await socket.receive_nothing(timeout=0.3)  # nothing until the page says what it has
        cursor = (await ids_after(execution, 0))[-1]
        await socket.send_json_to({"after": cursor})
        first = await socket.receive_json_from(timeout=5)
        assert first["events"] == [] and first["last"] == cursor
        assert first["statuses"] == {"W1": "in-progress"}  # every status, once, at connect
        await fire(31)
        step = await socket.receive_json_from(timeout=5)
        assert [e["id"] for e in step["events"]] == await ids_after(execution, cursor)
        assert step["statuses"] == {"W1": "succeeded", "W2": "in-progress"}  # only what changed
        seen = step["last"]
        await socket.disconnect()

        await fire(91)  # the page is away while the execution ends
        again = WebsocketCommunicator(APP, f"/ws/executions/{execution.pk}/")
        assert (await again.connect())[0]
        await again.send_json_to({"after": seen})
        caught_up = await again.receive_json_from(timeout=5)
        missed = await ids_after(execution, seen)
        assert missed and [e["id"] for e in caught_up["events"]] == missed
        assert caught_up["status"] == "SUCCEEDED"
        assert caught_up["statuses"] == {"W1": "succeeded", "W2": "succeeded", "P": "succeeded"}
        await again.disconnect()

    async_to_sync(scenario)()


LOOP_AND_CATCH = json.dumps({"StartAt": "Init", "States": {
    "Init": {"Type": "Pass", "Result": {"n": 0}, "Next": "Tick"},
    "Tick": {"Type": "Wait", "Seconds": 5, "Next": "Add"},
    "Add": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "More"},
    "More": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Tick"}],
             "Default": "Split"},
    "Split": {"Type": "Parallel", "Branches": [
        {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 5, "End": True}}},
        {"StartAt": "Bad", "States": {"Bad": {"Type": "Fail", "Error": "E"}}}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Sleep"}], "End": True},
    "Sleep": {"Type": "Wait", "Seconds": 5, "Next": "Boom"},
    "Boom": {"Type": "Fail", "Error": "Done"}}})


def test_incremental_statuses_match_a_full_recomputation_at_every_step():
    from console import history
    from console.execution_feed import Feed
    from console.models import Execution, HistoryEvent

    execution = executions.start_execution(machines.create_machine(name="Folded", definition=LOOP_AND_CATCH))
    feed = Feed(execution.pk)
    first = feed.start(0)
    shown, shown_visits = first["statuses"], first["visits"]
    assert shown["Init"] == "succeeded"
    seen_statuses, now = set(), time.time()
    for _ in range(10):
        now += 6
        scheduler.fire_due_timers(now)
        message = feed.next()
        assert "Init" not in message["statuses"]  # sent once; it never changes again
        shown.update(message["statuses"])
        shown_visits.update(message["visits"])
        status = Execution.objects.get(pk=execution.pk).status
        full = history.state_statuses(history.rows(HistoryEvent.objects.filter(execution=execution)), status)
        assert shown == full
        assert shown_visits == Feed(execution.pk).start(0)["visits"]  # read afresh from the whole history
        assert feed.progress.last == HistoryEvent.objects.filter(execution=execution).count()
        seen_statuses.update(full.values())
    assert status == "FAILED"
    assert {"in-progress", "succeeded", "caught", "failed"} <= seen_statuses
    assert sorted(set(shown_visits.values())) == ["caught", "failed", "succeeded"]


def _visits_of(events, execution_status):
    from types import SimpleNamespace

    from console import history

    progress = history.Progress()
    progress.read(SimpleNamespace(event_id=i, previous_event_id=i - 1, type=kind, timestamp=0.0,
                                  details=json.dumps({"name": name}) if name else None)
                  for i, (kind, name) in enumerate(events, start=1))
    return progress.visits.changes(execution_status)


def test_visit_statuses_follow_the_steps_table_rules():
    ran_again = [("ExecutionStarted", ""), ("TaskStateEntered", "T"), ("TaskFailed", ""),
                 ("ExecutionFailed", ""), ("ExecutionRedriven", ""), ("TaskStateEntered", "T"),
                 ("TaskSucceeded", ""), ("TaskStateExited", "T"), ("FailStateEntered", "F")]
    assert _visits_of(ran_again, "FAILED") == {2: "failed", 6: "succeeded", 9: "failed"}
    caught = [("ExecutionStarted", ""), ("TaskStateEntered", "T"), ("TaskTimedOut", ""), ("TaskStateExited", "T"),
              ("WaitStateEntered", "W")]
    assert _visits_of(caught, "RUNNING") == {2: "caught", 5: "in-progress"}
    assert _visits_of(caught, "ABORTED") == {2: "caught", 5: "cancelled"}
