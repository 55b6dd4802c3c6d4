"""FDL flows in the console: the language choice and starter, live validation with located
errors, the graph preview, the machine page with its ASL equivalent, edits and revisions."""

from __future__ import annotations

import html
import json

import pytest
from django.urls import reverse

from console import starters
from console.models import StateMachine
from console.services import machines

pytestmark = pytest.mark.django_db

FLOW = starters.MNS_TOPIC_CALLBACK.definition
BAD_FLOW = FLOW.replace("pattern: waitForCallback", "pattern: waitForCalback")


def validate(client, text: str, machine_type: str = "STANDARD") -> dict:
    response = client.post(reverse("machine-validate"), json.dumps({"definition": text, "type": machine_type}),
                           content_type="application/json")
    assert response.status_code == 200
    return response.json()


def page(client, url: str) -> str:
    return html.unescape(client.get(url).content.decode())


def test_the_create_form_offers_both_languages(client):
    text = page(client, reverse("machine-create"))
    assert "Amazon States Language (JSON)" in text
    assert "Serverless Workflow FDL (YAML)" in text
    assert starters.BLANK_FDL_DEFINITION.splitlines()[0] in text  # the blank flow, ready for the choice


def test_the_fdl_starter_fills_in_the_mns_callback_flow(client):
    text = page(client, reverse("machine-create") + "?starter=fdl-mns-callback")
    assert "resourceArn: acs:mns:::/topics/fnf-demo/messages" in text
    assert '<option value="FDL" selected>' in text
    assert "Definition (Serverless Workflow FDL, YAML)" in text


def test_it_creates_an_fdl_flow_and_keeps_its_text(client):
    response = client.post(reverse("machine-create"), {"name": "Flow", "type": "STANDARD", "definition": FLOW,
                                                       "role_arn": ""})
    assert response.status_code == 302
    assert StateMachine.objects.get(name="Flow").definition == FLOW


def test_a_bad_flow_is_refused_with_its_location(client):
    response = client.post(reverse("machine-create"), {"name": "Flow", "type": "STANDARD",
                                                       "definition": BAD_FLOW, "role_arn": ""})
    text = html.unescape(response.content.decode())
    assert "InvalidDefinition" in text
    assert "/steps/0/pattern" in text and "(line 7, column 14)" in text
    assert not StateMachine.objects.exists()


def test_live_validation_locates_fdl_errors_by_pointer_and_line(client):
    found = validate(client, BAD_FLOW)
    assert found["ok"] is False
    assert found["language"] == "FDL"
    [diagnostic] = found["diagnostics"]
    assert diagnostic["location"] == "/steps/0/pattern"
    assert diagnostic["message"].endswith("(line 7, column 14)")


def test_unknown_fields_are_warnings_and_the_graph_still_draws(client):
    found = validate(client, FLOW.replace("    pattern:", "    colour: blue\n    pattern:"))
    assert found["ok"] is True
    assert [d["severity"] for d in found["diagnostics"]] == ["WARNING"]
    assert "mns-topic-task" in found["svg"]


def test_yaml_syntax_errors_carry_their_line(client):
    found = validate(client, "version: v1\ntype: flow\nsteps:\n  - type: pass\n   name: x\n")
    assert found["ok"] is False
    assert "(line 5" in found["diagnostics"][0]["message"]


def test_the_graph_preview_draws_the_flow(client):
    found = validate(client, FLOW)
    assert found == {**found, "ok": True, "diagnostics": [], "language": "FDL"}
    assert "mns-topic-task" in found["svg"]


def test_asl_validation_is_unchanged(client):
    found = validate(client, starters.BLANK_DEFINITION)
    assert (found["ok"], found["language"]) == (True, "ASL")


def test_the_machine_page_shows_the_yaml_and_its_asl_equivalent(client):
    machines.create_machine(name="Flow", definition=FLOW)
    text = page(client, reverse("machine-detail", args=["Flow"]))
    assert "source: $context.task.token" in text
    assert "Show ASL equivalent" in text
    assert '"Resource": "acs:mns:::/topics/fnf-demo/messages.waitForTaskToken"' in text
    assert 'id="mns-topic-task"' in text or "mns-topic-task</text>" in text


def test_an_asl_machine_page_has_no_asl_equivalent(client):
    machines.create_machine(name="Plain", definition=starters.BLANK_DEFINITION)
    assert "Show ASL equivalent" not in page(client, reverse("machine-detail", args=["Plain"]))


def test_editing_a_flow_saves_a_revision_with_its_own_asl_view(client):
    machines.create_machine(name="Flow", definition=FLOW)
    edit = page(client, reverse("machine-edit", args=["Flow"]))
    assert '<option value="FDL" selected>' in edit
    changed = FLOW.replace("target: status", "target: outcome")
    response = client.post(reverse("machine-edit", args=["Flow"]), {"definition": changed, "role_arn": ""})
    assert response.status_code == 302
    assert StateMachine.objects.get(name="Flow").revision == 2
    first = page(client, reverse("machine-revision", args=["Flow", 1]))
    assert "target: status" in first and "Show ASL equivalent" in first
    assert "target: outcome" in page(client, reverse("machine-detail", args=["Flow"]))
