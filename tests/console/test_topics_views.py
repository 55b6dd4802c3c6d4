"""The topic, event source and sample pages through Django's test client."""

from __future__ import annotations

import json
import time

import pytest

from console.models import Delivery, EventSource, Function
from console.services import functions, queues, topic_delivery, topics

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic():
    return topics.create_topic("Alerts")


def test_it_lists_and_creates_topics(client):
    response = client.post("/topics/new", {"name": "Orders.fifo", "fifo": "on", "display_name": "Orders"})
    assert response.status_code == 302 and response["Location"] == "/topics/Orders.fifo/"
    page = client.get("/topics/").content.decode()
    assert "Orders.fifo" in page and "FIFO" in page


def test_it_shows_sns_wording_for_a_bad_topic_name(client):
    response = client.post("/topics/new", {"name": "bad name"})
    assert "Invalid parameter: Topic Name" in response.content.decode()


def test_it_subscribes_a_queue_with_a_filter_policy_and_removes_it(client, topic):
    queue = queues.create_queue("Inbox")
    response = client.post("/topics/Alerts/subscribe", {
        "protocol": "sqs", "endpoint": queues.queue_arn(queue), "filter_policy": '{"level": ["high"]}',
        "filter_scope": "MessageAttributes", "raw": "on"})
    assert response.status_code == 302
    page = client.get("/topics/Alerts/").content.decode()
    assert "arn:aws:sqs:us-east-1:000000000000:Inbox" in page and "&quot;level&quot;" in page
    subscription = topics.list_subscriptions(topic).get()
    client.post("/topics/Alerts/unsubscribe", {"subscription_arn": subscription.arn})
    assert not topics.list_subscriptions(topic).exists()


def test_a_bad_filter_policy_is_shown_not_saved(client, topic):
    response = client.post("/topics/Alerts/subscribe", {
        "protocol": "sqs", "endpoint": "arn:aws:sqs:us-east-1:000000000000:Inbox",
        "filter_policy": '{"level": "high"}', "filter_scope": "MessageAttributes"})
    assert response.status_code == 400
    assert "FilterPolicy" in response.content.decode()
    assert not topics.list_subscriptions(topic).exists()


def test_publishing_checks_json_and_records_the_delivery(client, topic):
    queue = queues.create_queue("Inbox")
    topics.subscribe(topic, "sqs", queues.queue_arn(queue))
    bad = client.post("/topics/Alerts/publish", {"message": "{nope", "json_message": "on"})
    assert bad.status_code == 400 and "not valid JSON" in bad.content.decode()
    response = client.post("/topics/Alerts/publish", {
        "message": '{"a": 1}', "json_message": "on", "subject": "Hi",
        "attr_name_0": "level", "attr_type_0": "String", "attr_value_0": "high"})
    assert response.status_code == 302
    assert topic_delivery.deliver_pending(time.time) == 1
    [delivery] = Delivery.objects.all()
    assert delivery.status == Delivery.DELIVERED
    envelope = json.loads(delivery.body)
    assert envelope["Subject"] == "Hi" and envelope["MessageAttributes"]["level"]["Value"] == "high"
    rows = client.get("/topics/Alerts/deliveries").content.decode()
    assert "delivered" in rows and "Inbox" in rows
    assert [json.loads(p.message.body)["Message"] for p in queues.peek(queue)] == ['{"a": 1}']


def test_a_delivery_to_a_missing_queue_is_retried_then_marked_failed(topic):
    topics.subscribe(topic, "sqs", "arn:aws:sqs:us-east-1:000000000000:Gone")
    topics.publish(topic, "x")
    start = time.time()
    for attempt in range(topic_delivery.MAX_ATTEMPTS):
        topic_delivery.deliver_pending(lambda at=start + 10 * attempt: at)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.FAILED, topic_delivery.MAX_ATTEMPTS)
    assert "does not exist" in delivery.detail


def test_the_event_sources_page_creates_toggles_and_deletes(client, tmp_path, monkeypatch):
    monkeypatch.setenv("STEPYARD_FUNCTIONS_DIR", str(tmp_path))
    functions.create_function("Worker")
    queues.create_queue("Jobs")
    response = client.post("/event-sources/", {"queue": "Jobs", "target": "function:Worker", "batch_size": 5})
    assert response.status_code == 302
    source = EventSource.objects.get()
    assert (source.queue.name, source.target, source.batch_size, source.enabled) == ("Jobs", "Worker", 5, True)
    assert "Worker" in client.get("/event-sources/?queue=Jobs").content.decode()
    client.post(f"/event-sources/{source.pk}/toggle")
    source.refresh_from_db()
    assert not source.enabled
    client.post(f"/event-sources/{source.pk}/delete")
    assert not EventSource.objects.exists()
    assert Function.objects.filter(name="Worker").exists()


def test_the_samples_page_lists_the_three_samples(client):
    page = client.get("/samples/").content.decode()
    for title in ("Callback Pattern Example", "Check Inventory", "Process high-volume messages"):
        assert title in page
    assert client.get("/samples/nowhere/").status_code == 404


def test_a_delivery_leased_by_a_process_that_died_is_performed_after_a_restart(topic):
    queue = queues.create_queue("Inbox")
    topics.subscribe(topic, "sqs", queues.queue_arn(queue))
    topics.publish(topic, "survives")
    assert len(topic_delivery.claim_due(time.time())) == 1  # leased, then the process died
    assert topic_delivery.deliver_pending(time.time) == 0
    topic_delivery.release_leases()  # what the embedded runner does when it starts
    assert topic_delivery.deliver_pending(time.time) == 1
    assert [json.loads(p.message.body)["Message"] for p in queues.peek(queue)] == ["survives"]
