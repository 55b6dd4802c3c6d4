"""The state machine pages: list, create, validate, view, edit, revisions, delete."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from console.models import StateMachine
from console.services import machines

pytestmark = pytest.mark.django_db

XSS_NAME = "<img src=x onerror=alert(1)>"


def definition(states: dict | None = None, start: str = "Hello") -> str:
    states = states or {"Hello": {"Type": "Pass", "End": True}}
    return json.dumps({"StartAt": start, "States": states})


def create(client, name="Orders", text=None, machine_type="STANDARD", follow=False):
    return client.post(
        reverse("machine-create"),
        {"name": name, "type": machine_type, "definition": text or definition(), "role_arn": ""},
        follow=follow,
    )


def test_it_lists_machines_with_type_and_dates(client):
    machines.create_machine(name="Alpha", definition=definition())
    machines.create_machine(name="Beta", definition=definition(), machine_type="EXPRESS")
    page = client.get(reverse("machine-list")).content.decode()
    assert "Alpha" in page and "Beta" in page
    assert "Express" in page and "Standard" in page


def test_it_shows_an_empty_list_with_a_way_to_create(client):
    page = client.get(reverse("machine-list")).content.decode()
    assert "No state machines yet" in page


def test_it_creates_a_machine_and_shows_its_graph(client):
    response = create(client, follow=True)
    assert response.status_code == 200
    machine = StateMachine.objects.get(name="Orders")
    assert machine.arn == "arn:aws:states:us-east-1:000000000000:stateMachine:Orders"
    page = response.content.decode()
    assert "<svg" in page and 'id="s-Hello"' in page
    assert "Created state machine Orders." in page


def test_it_refuses_an_invalid_definition_with_the_aws_diagnostic(client):
    bad = definition({"Hello": {"Type": "Pass", "Next": "Nowhere"}})
    response = create(client, text=bad)
    assert response.status_code == 200
    assert not StateMachine.objects.exists()
    page = response.content.decode()
    assert "InvalidDefinition" in page
    assert "MISSING_TRANSITION_TARGET" in page


def test_it_refuses_text_that_is_not_json(client):
    response = create(client, text="{not json")
    assert "INVALID_JSON_DESCRIPTION" in response.content.decode()
    assert not StateMachine.objects.exists()


@pytest.mark.parametrize("name", ["has space", "a/b", "x" * 81, "semi;colon", "tab\tname"])
def test_it_refuses_names_aws_refuses(client, name):
    response = create(client, name=name)
    assert response.status_code == 200
    assert not StateMachine.objects.exists()
    assert "A name" in response.content.decode()


def test_it_refuses_a_second_machine_with_the_same_name_and_another_definition(client):
    create(client)
    other = definition({"Other": {"Type": "Succeed"}}, start="Other")
    response = create(client, text=other)
    assert "StateMachineAlreadyExists" in response.content.decode()
    assert StateMachine.objects.get().definition == definition()


def test_it_prefills_the_form_from_a_starting_template(client):
    page = client.get(reverse("machine-create") + "?starter=check-inventory").content.decode()
    assert "sqs:sendMessage.waitForTaskToken" in page
    assert "$$.Task.Token" in page
    page = client.get(reverse("machine-create") + "?starter=text-processing").content.decode()
    assert page.count("lambda:invoke") == 4
    assert 'value="EXPRESS" selected' in page


def test_starting_templates_are_valid_machines(client):
    from console.starters import STARTERS

    for starter in STARTERS.values():
        machine = machines.create_machine(
            name=starter.name, definition=starter.definition_text(), machine_type=starter.machine_type
        )
        page = client.get(reverse("machine-detail", args=[machine.name])).content.decode()
        assert "<svg" in page, starter.key


def test_it_edits_a_machine_keeping_earlier_revisions_visible(client):
    create(client)
    changed = definition({"Hi": {"Type": "Succeed"}}, start="Hi")
    response = client.post(reverse("machine-edit", args=["Orders"]), {"definition": changed}, follow=True)
    assert "Saved revision 2 of Orders." in response.content.decode()
    machine = StateMachine.objects.get()
    assert (machine.revision, machine.definition) == (2, changed)
    old = client.get(reverse("machine-revision", args=["Orders", 1])).content.decode()
    assert "earlier revision" in old and 'id="s-Hello"' in old
    detail = client.get(reverse("machine-detail", args=["Orders"])).content.decode()
    assert reverse("machine-revision", args=["Orders", 1]) in detail


def test_an_edit_that_changes_nothing_saves_no_revision(client):
    create(client)
    response = client.post(reverse("machine-edit", args=["Orders"]), {"definition": definition()}, follow=True)
    assert "Nothing changed" in response.content.decode()
    assert StateMachine.objects.get().revisions.count() == 1


def test_an_invalid_edit_keeps_the_current_revision(client):
    create(client)
    response = client.post(reverse("machine-edit", args=["Orders"]), {"definition": '{"StartAt": "X"}'})
    assert "SCHEMA_VALIDATION_FAILED" in response.content.decode()
    assert StateMachine.objects.get().revision == 1


def test_it_deletes_only_after_confirmation(client):
    create(client)
    confirm = client.get(reverse("machine-delete", args=["Orders"]))
    assert "This cannot be undone" in confirm.content.decode()
    assert StateMachine.objects.exists()
    response = client.post(reverse("machine-delete", args=["Orders"]), follow=True)
    assert "Deleted state machine Orders." in response.content.decode()
    assert not StateMachine.objects.exists()


def test_unknown_machines_and_revisions_are_404(client):
    assert client.get(reverse("machine-detail", args=["Nope"])).status_code == 404
    create(client)
    assert client.get(reverse("machine-revision", args=["Orders", 9])).status_code == 404


def validate(client, body):
    return client.post(reverse("machine-validate"), body, content_type="application/json")


def test_live_validation_returns_diagnostics_with_locations(client):
    bad = definition({"Hello": {"Type": "Pass", "Next": "Gone"}})
    result = validate(client, {"definition": bad, "type": "STANDARD"}).json()
    assert result["ok"] is False
    assert any(
        d["code"] == "MISSING_TRANSITION_TARGET" and d["location"] == "/States/Hello/Next"
        for d in result["diagnostics"]
    )
    assert "svg" not in result


def test_live_validation_returns_the_preview_graph_of_a_valid_definition(client):
    result = validate(client, {"definition": definition(), "type": "EXPRESS"}).json()
    assert result["ok"] is True and result["diagnostics"] == []
    assert result["svg"].startswith("<svg") and 'id="s-Hello"' in result["svg"]


def test_live_validation_applies_the_express_rules(client):
    text = definition({"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                             "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}}, "End": True}},
                      start="T")
    assert validate(client, {"definition": text, "type": "STANDARD"}).json()["ok"] is True
    express = validate(client, {"definition": text, "type": "EXPRESS"}).json()
    assert express["ok"] is False
    assert "Express state machine does not support" in express["diagnostics"][0]["message"]


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"type": "STANDARD"}', b'{"definition": 5}', b'{"definition": "{}", "type": "X"}']
)
def test_live_validation_answers_malformed_requests_with_400(client, body):
    response = client.post(reverse("machine-validate"), body, content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json()


def test_state_names_are_escaped_in_the_page_and_the_svg(client):
    text = definition({XSS_NAME: {"Type": "Pass", "Comment": "<script>alert(2)</script>", "End": True}}, start=XSS_NAME)
    create(client, text=text)
    page = client.get(reverse("machine-detail", args=["Orders"])).content.decode()
    assert "<img src=x" not in page
    assert "<script>alert(2)" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    preview = validate(client, {"definition": text, "type": "STANDARD"}).json()["svg"]
    assert "<img" not in preview and "&lt;img src=x onerror=alert(1)&gt;" in preview


def test_an_escaped_name_in_the_form_stays_text(client):
    response = create(client, name=XSS_NAME)
    page = response.content.decode()
    assert "<img src=x" not in page


def test_deleting_in_the_console_drops_the_machines_tags(client):
    from console.models import Tag
    from console.services import tags

    machine = machines.create_machine(name="Tagged", definition=definition())
    tags.tag_resource(machine.arn, [{"key": "team", "value": "a"}])
    assert Tag.objects.filter(resource_arn=machine.arn).exists()
    client.post(reverse("machine-delete", args=["Tagged"]))
    assert not Tag.objects.filter(resource_arn=machine.arn).exists()
