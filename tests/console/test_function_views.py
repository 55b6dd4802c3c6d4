"""The function pages: list, create, code view, test invocations, edit and delete."""

from __future__ import annotations

import json
import time

import pytest

from console.models import Function, Invocation
from console.services import executions, functions, machines
from console.workers import scheduler

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("function_dir")]



def test_the_list_shows_directory_and_console_functions(client, function_dir):
    (function_dir / "FromFile.py").write_text("def handler(event, context):\n    return 1\n")
    functions.create_function("Typed")
    page = client.get("/functions/").content.decode()
    assert "FromFile" in page and "Functions directory" in page
    assert "Typed" in page and str(function_dir) in page


def test_a_user_creates_a_function_with_code_and_settings(client):
    response = client.post("/functions/new", {
        "name": "Hello", "handler": "main", "timeout": 10, "memory_size": 256,
        "environment": "GREETING=hi\nEMPTY=", "description": "says hi",
        "code": "import os\ndef main(event, context):\n    return os.environ['GREETING']\n",
    })
    assert response.status_code == 302
    function = Function.objects.get(name="Hello")
    assert (function.handler, function.timeout, function.memory_size) == ("main", 10, 256)
    assert json.loads(function.environment) == {"GREETING": "hi", "EMPTY": ""}
    page = client.get("/functions/Hello/").content.decode()
    assert "def main(event, context):" in page


def test_bad_settings_are_shown_next_to_the_form(client):
    response = client.post("/functions/new", {"name": "Bad", "handler": "x y", "timeout": 3,
                                              "memory_size": 128, "environment": "NOT A PAIR", "code": "x"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Line 1 is not NAME=value." in page
    assert not Function.objects.filter(name="Bad").exists()


def test_the_code_of_a_directory_function_is_shown_escaped_and_cannot_be_edited_here(client, function_dir):
    (function_dir / "Html.py").write_text("def handler(event, context):\n    return '<b>bold</b>'\n")
    page = client.get("/functions/Html/").content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    edit = client.get("/functions/Html/edit").content.decode()
    assert 'name="code"' not in edit and "edit it there" in edit
    assert client.post("/functions/Html/delete").status_code == 302
    assert Function.objects.filter(name="Html").exists()


@pytest.mark.django_db(transaction=True)
def test_a_test_event_invokes_the_function_and_the_page_shows_result_and_logs(client):
    functions.create_function("Shout", code="def handler(event, context):\n"
                                            "    print('shouting')\n    return event['word'].upper()\n")
    response = client.post("/functions/Shout/invoke", {"event": '{"word": "<hey>"}'})
    assert response.status_code == 302
    invocation = Invocation.objects.get()
    assert invocation.request_id in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "&quot;&lt;HEY&gt;&quot;" in page
    assert "shouting" in page and "REPORT RequestId" in page


@pytest.mark.django_db(transaction=True)
def test_a_failing_invocation_shows_the_error_type_and_message(client):
    functions.create_function("Fails", code="def handler(event, context):\n    raise ValueError('nope')\n")
    response = client.post("/functions/Fails/invoke", {"event": "{}"}, follow=True)
    page = response.content.decode()
    assert "<strong>ValueError</strong>: nope" in page


@pytest.mark.django_db(transaction=True)
def test_an_event_that_is_not_json_is_refused_with_a_message(client):
    functions.create_function("Strict")
    response = client.post("/functions/Strict/invoke", {"event": "{oops"})
    assert response.status_code == 400
    assert "The event is not valid JSON" in response.content.decode()
    assert not Invocation.objects.exists()


def test_a_console_function_is_edited_and_deleted(client):
    functions.create_function("Change")
    response = client.post("/functions/Change/edit", {
        "handler": "handler", "timeout": 30, "memory_size": 512, "environment": "",
        "description": "", "code": "def handler(event, context):\n    return 'new'\n"})
    assert response.status_code == 302
    function = Function.objects.get(name="Change")
    assert function.timeout == 30 and "return 'new'" in function.code
    assert client.post("/functions/Change/delete").status_code == 302
    assert not Function.objects.filter(name="Change").exists()


def test_an_unknown_function_is_not_found(client):
    assert client.get("/functions/Nobody/").status_code == 404


def test_an_invocation_by_an_execution_links_to_that_execution(client):
    functions.create_function("Called", code="def handler(event, context):\n    return event\n")
    task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "Called"}, "End": True}
    machine = machines.create_machine(name="Caller", definition=json.dumps({"StartAt": "T", "States": {"T": task}}))
    execution = executions.start_execution(machine, name="run-1")
    for call_id in scheduler.claim_due_calls(time.time()):
        scheduler.perform_call(call_id)
    page = client.get("/functions/Called/").content.decode()
    assert f'href="/executions/{execution.pk}/">run-1</a>' in page
