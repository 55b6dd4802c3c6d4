"""Executions search (filters and sorting), the versions/aliases page, revision diff and restore."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from console.models import Execution
from console.services import executions, machines
from console.services import versions as version_service
from console.views.versions import diff_lines

pytestmark = pytest.mark.django_db


def _machine(name="Searched", state="A"):
    return machines.create_machine(name=name, definition=json.dumps(
        {"StartAt": state, "States": {state: {"Type": "Pass", "End": True}}}))


def _names(response) -> list[str]:
    return [e.name for e in response.context["page"].object_list]


def test_it_finds_executions_by_text_in_their_input_or_output(client):
    machine = _machine()
    executions.start_execution(machine, name="with", input='{"say": "needle"}')
    executions.start_execution(machine, name="without", input='{"say": "hay"}')
    assert _names(client.get(reverse("execution-list"), {"text": "needle"})) == ["with"]


def test_it_filters_by_duration_and_start_time_in_the_readers_zone(client):
    machine = _machine()
    quick = executions.start_execution(machine, name="quick")
    slow = executions.start_execution(machine, name="slow")
    Execution.objects.filter(pk=slow.pk).update(stop_date=slow.start_date + timedelta(seconds=30))
    assert _names(client.get(reverse("execution-list"), {"min_s": "10"})) == ["slow"]
    assert _names(client.get(reverse("execution-list"), {"max_s": "10"})) == ["quick"]
    local = (quick.start_date + timedelta(hours=2, minutes=1)).strftime("%Y-%m-%dT%H:%M:%S")  # read at UTC+2
    assert _names(client.get(reverse("execution-list"), {"after": local, "tz": "-120"})) == []
    assert len(_names(client.get(reverse("execution-list"), {"before": local, "tz": "-120"}))) == 2


def test_it_sorts_by_a_column_and_ignores_what_it_cannot_read(client):
    machine = _machine()
    for name in ("b", "c", "a"):
        executions.start_execution(machine, name=name)
    assert _names(client.get(reverse("execution-list"), {"sort": "name"})) == ["a", "b", "c"]
    assert _names(client.get(reverse("execution-list"), {"sort": "-name"})) == ["c", "b", "a"]
    odd = client.get(reverse("execution-list"), {"sort": "password", "min_s": "x", "after": "yesterday"})
    assert odd.status_code == 200 and len(_names(odd)) == 3


def test_the_versions_page_publishes_and_routes(client):
    machine = _machine("Routed")
    client.post(reverse("version-publish", args=["Routed"]), {"description": "first"})
    machines.update_machine(machine, definition=json.dumps({"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}))
    client.post(reverse("version-publish", args=["Routed"]))
    response = client.post(reverse("alias-save", args=["Routed"]),
                           {"alias": "prod", "version": "2", "weight": "70", "second_version": "1"}, follow=True)
    assert "Created alias prod." in response.content.decode()
    [alias] = machine.aliases.all()
    assert [r["weight"] for r in version_service.routing(alias)] == [70, 30]
    page = client.get(reverse("machine-versions", args=["Routed"])).content.decode()
    assert "version 2 · 70%" in page and "version 1 · 30%" in page
    refused = client.post(reverse("version-delete", args=["Routed", 1]), follow=True).content.decode()
    assert "ConflictException" in refused
    assert client.get(reverse("version-delete", args=["Routed", 1])).status_code == 405


def test_a_revision_is_diffed_and_restored_as_a_new_revision(client):
    machine = _machine("Revised", "First")
    machines.update_machine(machine, definition=json.dumps({"StartAt": "Second", "States": {
        "Second": {"Type": "Pass", "End": True}}}))
    page = client.get(reverse("revision-diff", args=["Revised", 1])).content.decode()
    assert 'class="diff-del">-  &quot;StartAt&quot;: &quot;First&quot;,' in page
    response = client.post(reverse("revision-restore", args=["Revised", 1]), follow=True)
    assert "Restored revision 1 as revision 3." in response.content.decode()
    machine.refresh_from_db()
    assert json.loads(machine.definition)["StartAt"] == "First"
    assert client.get(reverse("revision-diff", args=["Revised", 9])).status_code == 404
    assert client.post(reverse("revision-restore", args=["Revised", 9])).status_code == 404


def test_diff_lines_mark_additions_and_removals():
    lines = diff_lines('{"a": 1}', '{"a": 2}')
    assert ("del", '-  "a": 1') in lines and ("add", '+  "a": 2') in lines


def test_the_search_form_remembers_what_was_typed(client):
    _machine()
    page = client.get(reverse("execution-list"), {"text": "<b>x</b>", "min_s": "2"}).content.decode()
    assert 'value="&lt;b&gt;x&lt;/b&gt;"' in page and 'name="min_s" value="2"' in page
