"""The queue pages and the callback inbox, through Django's test client."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from console.models import Execution, QueueMessage, TaskToken
from console.services import executions, machines
from console.services import queues as queue_service
from console.workers import scheduler

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"


def create(client, name="Orders", **fields):
    data = {
        "name": name, "fifo": "", "visibility_timeout": 30, "delay_seconds": 0,
        "retention_seconds": 345600, "receive_wait_seconds": 0, "maximum_message_size": 262144,
        "dead_letter_queue": "", "max_receive_count": "", **fields,
    }
    return client.post(reverse("queue-create"), data)


def waiting_execution(queue_url: str, name: str = "Tutorial") -> Execution:
    definition = json.dumps({"StartAt": "Check Inventory", "States": {"Check Inventory": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": queue_url, "MessageBody": {"TaskToken.$": "$$.Task.Token"}},
        "HeartbeatSeconds": 600, "End": True}}})
    execution = executions.start_execution(machines.create_machine(name=name, definition=definition))
    for call_id in scheduler.claim_due_calls(time.time()):
        scheduler.perform_call(call_id)
    return execution


def test_it_creates_a_queue_from_the_form_and_shows_it_in_the_list(client):
    response = create(client, visibility_timeout=45)
    assert response.status_code == 302
    queue = queue_service.get_queue("Orders")
    assert queue.visibility_timeout == 45
    page = client.get(reverse("queue-list")).content.decode()
    assert "Orders" in page and "Standard" in page


def test_it_creates_a_fifo_queue_with_a_dead_letter_queue(client):
    queue_service.create_queue("Dead.fifo", {"FifoQueue": "true"})
    create(client, name="Jobs.fifo", fifo="1", content_based_deduplication="on",
           dead_letter_queue="Dead.fifo", max_receive_count=4)
    queue = queue_service.get_queue("Jobs.fifo")
    assert queue.fifo and queue.content_based_deduplication
    assert json.loads(queue.redrive_policy)["maxReceiveCount"] == 4


def test_it_shows_service_errors_on_the_form(client):
    page = create(client, name="bad name").content.decode()
    assert "alphanumeric" in page


def test_it_edits_a_queue_and_deletes_it_after_confirmation(client):
    queue = queue_service.create_queue("Edit")
    client.post(reverse("queue-edit", args=["Edit"]), {
        "visibility_timeout": 5, "delay_seconds": 2, "retention_seconds": 600,
        "receive_wait_seconds": 1, "maximum_message_size": 2048, "dead_letter_queue": "",
    })
    queue.refresh_from_db()
    assert (queue.visibility_timeout, queue.delay_seconds, queue.maximum_message_size) == (5, 2, 2048)
    assert "cannot be undone" in client.get(reverse("queue-delete", args=["Edit"])).content.decode()
    client.post(reverse("queue-delete", args=["Edit"]))
    assert client.get(reverse("queue-detail", args=["Edit"])).status_code == 404


def test_counts_are_served_for_live_refresh(client):
    queue = queue_service.create_queue("Counted")
    queue_service.send_message(queue, "a")
    queue_service.send_message(queue, "b", delay_seconds=60)
    counts = client.get(reverse("queue-counts")).json()["queues"]["Counted"]
    assert counts == {"available": 1, "in_flight": 0, "delayed": 1}


def test_it_sends_a_test_message_with_attributes(client):
    queue_service.create_queue("Send")
    response = client.post(reverse("queue-send", args=["Send"]), {
        "body": '{"order": 1}', "json_body": "on", "attr_name_0": "kind",
        "attr_type_0": "String", "attr_value_0": "test",
    })
    assert response.status_code == 302
    message = QueueMessage.objects.get()
    assert message.body == '{"order": 1}'
    assert json.loads(message.attributes) == {"kind": {"DataType": "String", "StringValue": "test"}}


def test_it_refuses_a_body_that_is_not_json_when_json_is_ticked(client):
    queue_service.create_queue("Strict")
    page = client.post(reverse("queue-send", args=["Strict"]), {"body": "{oops", "json_body": "on"})
    assert "not valid JSON" in page.content.decode()
    assert not QueueMessage.objects.exists()
    client.post(reverse("queue-send", args=["Strict"]), {"body": "plain text"})
    assert QueueMessage.objects.get().body == "plain text"


def test_peeking_does_not_receive_and_escapes_bodies(client):
    queue = queue_service.create_queue("Peek")
    queue_service.send_message(queue, XSS)
    page = client.get(reverse("queue-messages", args=["Peek"])).content.decode()
    assert "&lt;script&gt;" in page and XSS not in page
    assert "available" in page
    assert QueueMessage.objects.get().receive_count == 0


def test_receive_then_delete_from_the_page(client):
    queue = queue_service.create_queue("Take")
    queue_service.send_message(queue, "take me")
    page = client.post(reverse("queue-receive", args=["Take"])).content.decode()
    assert "take me" in page and "in flight" in page
    handle = QueueMessage.objects.get().receipt_handle
    client.post(reverse("queue-delete-message", args=["Take"]), {"receipt_handle": handle})
    assert not QueueMessage.objects.exists()


def test_purge_asks_first_then_empties_the_queue(client):
    queue = queue_service.create_queue("Purge")
    queue_service.send_message(queue, "x")
    assert "Purge Purge" in client.get(reverse("queue-purge", args=["Purge"])).content.decode()
    client.post(reverse("queue-purge", args=["Purge"]))
    assert not QueueMessage.objects.exists()


def test_a_message_carrying_a_task_token_links_to_its_execution(client):
    queue = queue_service.create_queue("Orders")
    execution = waiting_execution(queue_service.queue_url(queue))
    page = client.get(reverse("queue-detail", args=["Orders"])).content.decode()
    assert reverse("execution-detail", args=[execution.pk]) in page
    assert "Task token of Check Inventory" in page


def test_the_inbox_lists_open_tokens_and_approves_with_json_output(client):
    queue = queue_service.create_queue("Orders")
    execution = waiting_execution(queue_service.queue_url(queue))
    task = TaskToken.objects.get(execution=execution)
    page = client.get(reverse("callback-list")).content.decode()
    assert "Check Inventory" in page and execution.name in page and "heartbeat by" in page
    client.post(reverse("callback-approve", args=[task.pk]), {"output": '{"ok": true}'})
    execution.refresh_from_db()
    assert (execution.status, json.loads(execution.output)) == ("SUCCEEDED", {"ok": True})
    assert "Check Inventory" not in client.get(reverse("callback-rows")).content.decode()


def test_the_inbox_refuses_output_that_is_not_json(client):
    queue = queue_service.create_queue("Orders")
    execution = waiting_execution(queue_service.queue_url(queue))
    task = TaskToken.objects.get(execution=execution)
    page = client.post(reverse("callback-approve", args=[task.pk]), {"output": "{nope"}, follow=True)
    assert "InvalidOutput" in page.content.decode()
    execution.refresh_from_db()
    assert execution.status == "RUNNING"


def test_the_inbox_rejects_and_sends_heartbeats(client):
    queue = queue_service.create_queue("Orders")
    execution = waiting_execution(queue_service.queue_url(queue))
    task = TaskToken.objects.get(execution=execution)
    client.post(reverse("callback-heartbeat", args=[task.pk]))
    task.refresh_from_db()
    assert task.last_heartbeat is not None
    client.post(reverse("callback-reject", args=[task.pk]), {"error": "No", "cause": "Out of stock"})
    execution.refresh_from_db()
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "No", "Out of stock")
