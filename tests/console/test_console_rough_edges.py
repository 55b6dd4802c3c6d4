"""Issue 18's rough edges, below the browser: HEAD, starters that bring what they call,
short JSON syntax errors, the history export's name, redriven states' colour."""

from __future__ import annotations

import contextvars
import json

import pytest
from django.urls import reverse

from console import history
from console.models import Function, Queue
from console.services import executions, machines

pytestmark = pytest.mark.django_db

BROKEN = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass" "End": true}\n  }\n}'


def test_it_answers_head_like_get_without_a_body(client):
    response = client.head(reverse("machine-list"))
    assert response.status_code == 200
    assert response.content == b""
    assert int(response["Content-Length"]) > 0
    assert client.head("/").status_code == 302


def test_the_check_inventory_starter_names_a_queue_on_the_host_being_browsed(client, monkeypatch):
    from console import addresses

    monkeypatch.setattr(addresses, "_last_served", addresses._last_served)  # bind() remembers it
    context = contextvars.copy_context()  # bound as the ASGI layer binds each request
    context.run(addresses.bind, "http", [(b"host", b"localhost:9123")])
    page = context.run(client.get, reverse("machine-create") + "?starter=check-inventory")
    assert "http://localhost:9123/000000000000/CheckInventoryQueue" in page.content.decode()


def test_creating_from_a_starter_creates_what_it_calls(client):
    starter_form = client.get(reverse("machine-create") + "?starter=check-inventory").context["form"]
    client.post(reverse("machine-create"), {**starter_form.initial, "starter": "check-inventory", "role_arn": ""})
    assert Queue.objects.filter(name="CheckInventoryQueue").exists()

    text = client.get(reverse("machine-create") + "?starter=text-processing").context["form"].initial
    response = client.post(reverse("machine-create"), {**text, "starter": "text-processing", "role_arn": ""},
                           follow=True)
    names = set(Function.objects.values_list("name", flat=True))
    assert {"DecodeBase64String", "GenerateStatistics", "RemoveSpecialCharacters", "TokenizeAndCount"} <= names
    assert "function TokenizeAndCount" in response.content.decode()


def test_a_starter_never_overwrites_a_function_the_user_has(client):
    from console.services import functions

    functions.create_function("TokenizeAndCount", code="def handler(event, context):\n    return 'mine'\n")
    text = client.get(reverse("machine-create") + "?starter=text-processing").context["form"].initial
    client.post(reverse("machine-create"), {**text, "starter": "text-processing", "role_arn": ""})
    assert "mine" in Function.objects.get(name="TokenizeAndCount").code


def test_a_json_syntax_error_names_its_line_without_quoting_the_definition(client):
    response = client.post(reverse("machine-validate"), {"definition": BROKEN, "type": "STANDARD"},
                           content_type="application/json")
    [diagnostic] = response.json()["diagnostics"]
    assert (diagnostic["line"], diagnostic["column"]) == (4, 27)
    assert "StartAt" not in diagnostic["message"] and "[Source" not in diagnostic["message"]


def test_a_failed_save_does_not_repeat_the_definition(client):
    response = client.post(reverse("machine-create"), {"name": "Bad", "type": "STANDARD", "definition": BROKEN})
    errors = " ".join(response.context["form"].errors["definition"])
    assert "line: 4, column: 27" not in errors and "line 4, column 27" in errors
    assert '"StartAt"' not in errors


def test_the_history_export_is_named_after_the_execution(client):
    machine = machines.create_machine(
        name="Named", definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}))
    execution = executions.start_execution(machine, name="my-run")
    response = client.get(reverse("execution-history-json", args=[execution.pk]))
    assert 'filename="my-run-history.json"' in response["Content-Disposition"]


def _row(event_id: int, kind: str, state: str = "") -> history.Row:
    return history.Row(event_id, event_id - 1, kind, float(event_id), None, state)


def test_a_state_a_redrive_runs_again_is_succeeded_not_caught():
    rows = [
        _row(1, "ExecutionStarted"), _row(2, "TaskStateEntered", "Send"), _row(3, "TaskScheduled", "Send"),
        _row(4, "TaskFailed", "Send"), _row(5, "ExecutionFailed"), _row(6, "ExecutionRedriven"),
        _row(7, "TaskStateEntered", "Send"), _row(8, "TaskScheduled", "Send"), _row(9, "TaskSucceeded", "Send"),
        _row(10, "TaskStateExited", "Send"), _row(11, "ExecutionSucceeded"),
    ]
    assert history.state_statuses(rows, "SUCCEEDED") == {"Send": "succeeded"}


def test_a_failure_caught_within_the_visit_is_still_caught():
    rows = [_row(1, "TaskStateEntered", "T"), _row(2, "TaskFailed", "T"), _row(3, "TaskStateExited", "T")]
    assert history.state_statuses(rows, "SUCCEEDED") == {"T": "caught"}


def test_message_attributes_are_listed_as_rows():
    from console.templatetags.stepyard import message_attributes

    stored = json.dumps({"b": {"DataType": "Number", "StringValue": "1"}, "a": {"DataType": "Binary",
                                                                             "BinaryValue": "AAE="}})
    assert message_attributes(stored) == [("a", "Binary", "AAE="), ("b", "Number", "1")]
    assert message_attributes("not json") == [] and message_attributes("[]") == []


def test_the_editor_can_ask_for_diagnostics_without_the_slow_drawing(client):
    text = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    quick = client.post(reverse("machine-validate"), {"definition": text, "draw": False},
                        content_type="application/json").json()
    drawn = client.post(reverse("machine-validate"), {"definition": text}, content_type="application/json").json()
    assert quick["ok"] and "svg" not in quick
    assert "<svg" in drawn["svg"]


def test_the_preview_skips_graphviz_when_the_drawing_would_not_change(client):
    states = {"A": {"Type": "Pass", "End": True}}
    first = client.post(reverse("machine-validate"), {"definition": json.dumps({"StartAt": "A", "States": states})},
                        content_type="application/json").json()
    commented = json.dumps({"Comment": "only a comment", "StartAt": "A", "States": states})
    again = client.post(reverse("machine-validate"), {"definition": commented, "drawn": first["graph_digest"]},
                        content_type="application/json").json()
    assert again["unchanged"] and "svg" not in again
    renamed = json.dumps({"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}})
    changed = client.post(reverse("machine-validate"), {"definition": renamed, "drawn": first["graph_digest"]},
                          content_type="application/json").json()
    assert "s-B" in changed["svg"] and changed["graph_digest"] != first["graph_digest"]


def test_a_page_carries_only_the_start_of_long_payloads_and_the_rest_on_request(client):
    machine = machines.create_machine(
        name="Big", definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}))
    text = json.dumps({"blob": "z" * 50_000})
    execution = executions.start_execution(machine, name="big", input=text)
    events = client.get(reverse("execution-events", args=[execution.pk])).json()["events"]
    entered = next(e for e in events if e["type"] == "PassStateEntered")
    assert entered["cut"]["input"] > 50_000 and len(entered["details"]["input"]) == history.PREVIEW_CHARS
    full = client.get(reverse("execution-event-details", args=[execution.pk, entered["id"]])).json()
    assert json.loads(full["input"]) == json.loads(text)
    assert json.loads(client.get(reverse("execution-text", args=[execution.pk, "input"])).content) == json.loads(text)
    assert client.get(reverse("execution-text", args=[execution.pk, "secret"])).status_code == 404
    assert client.get(reverse("execution-event-details", args=[execution.pk, 999])).status_code == 404
    page = client.get(reverse("execution-detail", args=[execution.pk])).content.decode()
    assert len(page) < 40_000


def test_times_are_written_in_utc_for_the_page_to_localise():
    from datetime import UTC, datetime

    from console.templatetags.stepyard import when

    html = when(datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC), "precise")
    assert 'datetime="2026-01-02T03:04:05.678000+00:00"' in html and "2026-01-02 03:04:05.678 UTC" in html
    assert "1970-01-01 00:01:40 UTC" in when("100")
    assert when(None) == "—"


def test_durations_read_like_a_person_says_them():
    from console.templatetags.stepyard import human_ms

    assert [human_ms(v) for v in (850, 2400, 42_000, 185_000, 7_800_000)] == [
        "850 ms", "2.4 s", "42 s", "3 min 5 s", "2 h 10 min"]


def test_a_waiting_state_says_when_its_wait_fires(client):
    machine = machines.create_machine(name="Waits", definition=json.dumps(
        {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 600, "End": True}}}))
    execution = executions.start_execution(machine, name="waiting")
    timers = client.get(reverse("execution-events", args=[execution.pk])).json()["timers"]
    [hold] = timers["Hold"]
    assert hold["purpose"] == "wait"
    assert 590 < hold["due"] - execution.start_date.timestamp() <= 601
