"""Execution pages: lists, start form, execution page, stop; and the history reading."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from console import history
from console.models import Execution, HistoryEvent
from console.services import executions, machines
from console.workers import scheduler

pytestmark = pytest.mark.django_db

FLOW = {
    "StartAt": "Try",
    "States": {
        "Try": {"Type": "Pass", "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 60, "Next": "Decide"},
        "Decide": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Yes"}],
                   "Default": "No"},
        "Yes": {"Type": "Succeed"},
        "No": {"Type": "Fail", "Error": "Nope", "Cause": "<b>not ok</b>"},
    },
}


@pytest.fixture
def flow():
    return machines.create_machine(name="Flow", definition=json.dumps(FLOW))


def statuses_of(execution):
    return history.state_statuses(history.rows(HistoryEvent.objects.filter(execution=execution)), execution.status)


def test_the_start_form_starts_an_execution_and_shows_it(client, flow):
    response = client.post(reverse("execution-start", args=["Flow"]), {"name": "first", "input": '{"ok": true}'})
    execution = Execution.objects.get(name="first")
    assert response.status_code == 302 and response.url == reverse("execution-detail", args=[execution.pk])
    page = client.get(response.url).content.decode()
    assert "RUNNING" in page and 'id="execution-data"' in page and "s-Pause" in page


def test_the_start_form_refuses_bad_json_and_bad_names(client, flow):
    page = client.post(reverse("execution-start", args=["Flow"]), {"name": "", "input": "{nope"}).content.decode()
    assert "InvalidExecutionInput" in page
    page = client.post(reverse("execution-start", args=["Flow"]), {"name": "a b", "input": "{}"}).content.decode()
    assert "InvalidName" in page
    assert not Execution.objects.exists()


def test_new_execution_with_this_input_prefills_the_form(client, flow):
    earlier = executions.start_execution(flow, input='{"ok": false, "tag": "again"}')
    page = client.get(reverse("execution-start", args=["Flow"]) + f"?from={earlier.pk}").content.decode()
    assert "&quot;tag&quot;: &quot;again&quot;" in page


def test_statuses_follow_the_run(flow):
    execution = executions.start_execution(flow, input='{"ok": false}')
    assert statuses_of(execution) == {"Try": "succeeded", "Pause": "in-progress"}
    scheduler.fire_due_timers(time.time() + 61)
    execution.refresh_from_db()
    assert statuses_of(execution) == {"Try": "succeeded", "Pause": "succeeded", "Decide": "succeeded", "No": "failed"}


def test_a_stopped_execution_shows_its_running_state_cancelled(client, flow):
    execution = executions.start_execution(flow)
    response = client.post(reverse("execution-stop", args=[execution.pk]), {"error": "Manual", "cause": "test"})
    assert response.status_code == 302
    execution.refresh_from_db()
    assert (execution.status, execution.error) == ("ABORTED", "Manual")
    assert statuses_of(execution)["Pause"] == "cancelled"


def test_a_caught_failure_is_shown_as_caught():
    definition = {"StartAt": "Boom", "States": {
        "Boom": {"Type": "Parallel", "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}],
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}], "End": True},
        "Recover": {"Type": "Pass", "End": True}}}
    m = machines.create_machine(name="Caught", definition=json.dumps(definition))
    execution = executions.start_execution(m)
    assert execution.status == "SUCCEEDED"
    assert statuses_of(execution) == {"Boom": "caught", "F": "failed", "Recover": "succeeded"}


def test_events_are_attributed_to_their_state(flow):
    execution = executions.start_execution(flow)
    rows = history.rows(HistoryEvent.objects.filter(execution=execution))
    assert [(r.type, r.state) for r in rows] == [
        ("ExecutionStarted", ""), ("PassStateEntered", "Try"), ("PassStateExited", "Try"),
        ("WaitStateEntered", "Pause")]


def test_the_events_endpoint_returns_what_came_after(client, flow):
    execution = executions.start_execution(flow)
    data = client.get(reverse("execution-events", args=[execution.pk]) + "?after=2").json()
    assert [e["id"] for e in data["events"]] == [3, 4]
    assert data["status"] == "RUNNING" and data["last"] == 4


def test_lists_filter_by_status_and_search_by_name(client, flow):
    executions.start_execution(flow, name="alpha-run")
    stopped = executions.start_execution(flow, name="beta-run")
    executions.stop_execution(stopped)
    page = client.get(reverse("execution-list") + "?status=ABORTED").content.decode()
    assert "beta-run" in page and "alpha-run" not in page
    page = client.get(reverse("machine-executions", args=["Flow"]) + "?q=ALPHA").content.decode()
    assert "alpha-run" in page and "beta-run" not in page
    partial = client.get(reverse("execution-list") + "?partial=1").content.decode()
    assert "<html" not in partial and "alpha-run" in partial


def test_lists_are_paginated(client, flow):
    for i in range(55):
        executions.start_execution(flow, name=f"run-{i:02d}")
    page = client.get(reverse("execution-list")).content.decode()
    assert "Page 1 of 2" in page and "run-54" in page and "run-00" not in page
    assert "run-00" in client.get(reverse("execution-list") + "?page=2").content.decode()


def test_user_data_is_escaped_on_the_execution_page(client, flow):
    execution = executions.start_execution(flow, input='{"ok": false, "html": "<script>alert(1)</script>"}')
    scheduler.fire_due_timers(time.time() + 61)
    page = client.get(reverse("execution-detail", args=[execution.pk])).content.decode()
    assert "<script>alert(1)" not in page and "<b>not ok</b>" not in page
    assert "&lt;b&gt;not ok&lt;/b&gt;" in page


def test_unknown_executions_are_404(client):
    assert client.get(reverse("execution-detail", args=[999])).status_code == 404


def test_events_inside_map_iterations_name_their_iteration():
    definition = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "End": True,
        "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Pass", "End": True}}}}}}
    m = machines.create_machine(name="Iterations", definition=json.dumps(definition))
    execution = executions.start_execution(m, input='{"items": [1, 2]}')
    rows = history.rows(HistoryEvent.objects.filter(execution=execution))
    work = [(r.type, r.iteration) for r in rows if r.state == "Work"]
    assert sorted(work) == [("PassStateEntered", "Each #0"), ("PassStateEntered", "Each #1"),
                            ("PassStateExited", "Each #0"), ("PassStateExited", "Each #1")]
    assert [r.iteration for r in rows if r.type == "MapStateExited"] == [""]
    assert {r.state for r in rows if r.type.startswith("MapIteration")} == {"Each"}


def test_a_failed_execution_is_redriven_from_the_failed_state(client, flow):
    execution = executions.start_execution(flow, input='{"ok": false}')
    scheduler.fire_due_timers(time.time() + 61)
    execution.refresh_from_db()
    assert execution.status == "FAILED"
    response = client.post(reverse("execution-redrive", args=[execution.pk]), follow=True)
    assert "Redrove execution" in response.content.decode()
    execution.refresh_from_db()
    assert (execution.status, execution.redrive_count, execution.error) == ("FAILED", 1, "Nope")
    types = list(HistoryEvent.objects.filter(execution=execution).values_list("type", flat=True))
    assert types[types.index("ExecutionRedriven") + 1] == "FailStateEntered"


def test_running_and_succeeded_executions_are_not_redrivable(client, flow):
    execution = executions.start_execution(flow, input='{"ok": true}')
    with pytest.raises(executions.ExecutionNotRedrivable):
        executions.redrive_execution(execution)
    page = client.post(reverse("execution-redrive", args=[execution.pk]), follow=True).content.decode()
    assert "ExecutionNotRedrivable" in page


def test_the_history_downloads_as_aws_json(client, flow):
    execution = executions.start_execution(flow)
    response = client.get(reverse("execution-history-json", args=[execution.pk]))
    assert "attachment" in response["Content-Disposition"]
    events = response.json()["events"]
    assert [e["type"] for e in events] == [
        "ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered"]
    assert events[1]["stateEnteredEventDetails"]["name"] == "Try"
