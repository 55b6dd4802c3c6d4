"""Deliveries of published messages: what each subscriber receives, and sending it.

At publish time ``build_deliveries`` evaluates each subscription's filter policy and
writes what the endpoint will receive (SNS's JSON envelope, the raw message, or
Lambda's ``Records`` event) into Delivery rows of the publish's transaction. After the
commit a dispatcher (console.workers.sources) leases due rows and performs them; a row
whose lease ran out (its process died) is performed again, so delivery is at least
once. Failed attempts are retried with a back-off, then the row is marked failed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from django.db import transaction
from django.db.models import F

from console.addresses import base_url
from console.models import Delivery, Subscription, Topic
from console.services import ServiceError, functions, queues
from console.services import topic_filters as filters
from console.services.topic_messages import Message

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
RETRY_DELAYS_S = (1.0, 5.0)
LEASE_S = 60.0
HTTP_TIMEOUT_S = 15.0
BATCH = 100
_listeners: list[Callable[[], None]] = []


def on_published(listener: Callable[[], None]) -> None:
    """Call ``listener`` after each commit that wrote deliveries (the dispatcher's wake-up)."""
    if listener not in _listeners:
        _listeners.append(listener)


def notify_after_commit() -> None:
    transaction.on_commit(lambda: [listener() for listener in list(_listeners)])


# --------------------------------------------------------------------------- building


def build_deliveries(topic: Topic, subscriptions: list[Subscription], message: Message, message_id: str,
                     sequence: str | None, now: float) -> list[Delivery]:
    rows = []
    for subscription in subscriptions:
        attributes = json.loads(subscription.attributes or "{}")
        if not _passes(attributes, message):
            continue
        raw = attributes.get("RawMessageDelivery") == "true"
        body = _body(topic, subscription, message, message_id, sequence, now, raw)
        rows.append(Delivery(
            topic=topic, subscription=subscription, subscription_arn=subscription.arn,
            protocol=subscription.protocol, endpoint=subscription.endpoint, message_id=message_id,
            body=body, attributes=json.dumps(message.attributes if raw else {}),
            group_id=message.group_id, deduplication_id=message.deduplication_id or message_id,
            due_at=now, created=now))
    return rows


def _passes(attributes: dict[str, str], message: Message) -> bool:
    policy_text = attributes.get("FilterPolicy")
    if not policy_text:
        return True
    scope = attributes.get("FilterPolicyScope") or filters.ATTRIBUTES
    policy = filters.check_policy(policy_text, scope)
    return filters.matches(policy, scope, message.for_protocol("default"), message.attributes)


def _body(topic: Topic, subscription: Subscription, message: Message, message_id: str, sequence: str | None,
          now: float, raw: bool) -> str:
    text = message.for_protocol(subscription.protocol)
    if raw:
        return text
    if subscription.protocol == "lambda":
        return json.dumps(lambda_event(topic, subscription, message, text, message_id, now))
    return json.dumps(envelope(topic, subscription, message, text, message_id, sequence, now))


def timestamp(now: float) -> str:
    moment = datetime.fromtimestamp(now, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def envelope(topic: Topic, subscription: Subscription, message: Message, text: str, message_id: str,
             sequence: str | None, now: float) -> dict[str, Any]:
    """SNS's JSON envelope, as queues and HTTP endpoints receive it."""
    body: dict[str, Any] = {"Type": "Notification", "MessageId": message_id}
    if sequence is not None:
        body["SequenceNumber"] = sequence
    body["TopicArn"] = topic.arn
    if message.subject is not None:
        body["Subject"] = message.subject
    body.update({
        "Message": text,
        "Timestamp": timestamp(now),
        "SignatureVersion": "1",
        "Signature": _signature(message_id, text, now),
        "SigningCertURL": _signing_cert_url(),
        "UnsubscribeURL": _unsubscribe_url(subscription),
    })
    if message.attributes:
        body["MessageAttributes"] = _envelope_attributes(message.attributes)
    return body


def lambda_event(topic: Topic, subscription: Subscription, message: Message, text: str, message_id: str,
                 now: float) -> dict[str, Any]:
    """The event Lambda receives from SNS: one record (note Lambda's ``...Url`` spelling)."""
    return {"Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription.arn,
        "Sns": {
            "Type": "Notification",
            "MessageId": message_id,
            "TopicArn": topic.arn,
            "Subject": message.subject,
            "Message": text,
            "Timestamp": timestamp(now),
            "SignatureVersion": "1",
            "Signature": _signature(message_id, text, now),
            "SigningCertUrl": _signing_cert_url(),
            "UnsubscribeUrl": _unsubscribe_url(subscription),
            "MessageAttributes": _envelope_attributes(message.attributes),
        },
    }]}


def _envelope_attributes(attributes: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    return {name: {"Type": value["DataType"], "Value": value.get("StringValue", value.get("BinaryValue", ""))}
            for name, value in attributes.items()}


def _signature(message_id: str, text: str, now: float) -> str:
    # Stepyard holds no signing certificate: the signature is a digest that looks like
    # SNS's (base64) but verifies against nothing.
    digest = hashlib.sha256(f"{message_id}\n{text}\n{now}".encode()).digest() * 8
    return base64.b64encode(digest).decode()


def _signing_cert_url() -> str:
    return f"{base_url()}/SimpleNotificationService-stepyard.pem"


def _unsubscribe_url(subscription: Subscription) -> str:
    return f"{base_url()}/?Action=Unsubscribe&SubscriptionArn={quote(subscription.arn, safe='')}"


# --------------------------------------------------------------------------- performing


def claim_due(now: float, limit: int = BATCH) -> list[int]:
    """Lease due pending deliveries (each to one performer); return their ids."""
    claimed = []
    due = Delivery.objects.filter(status=Delivery.PENDING, due_at__lte=now, leased_until__lte=now)
    for pk in due.order_by("pk").values_list("pk", flat=True)[:limit]:
        lease = Delivery.objects.filter(pk=pk, status=Delivery.PENDING, leased_until__lte=now)
        if lease.update(leased_until=now + LEASE_S, attempts=F("attempts") + 1) == 1:
            claimed.append(pk)
    return claimed


def release_leases() -> int:
    """Forget every delivery lease: for the only performer (the embedded mode), a lease
    taken before it started belongs to a process that is gone."""
    return Delivery.objects.filter(status=Delivery.PENDING, leased_until__gt=0).update(leased_until=0)


def next_due(now: float) -> float | None:
    """Seconds until the next unleased delivery is due (None when nothing waits); one being
    performed now is not counted, so a slow endpoint does not make the dispatcher spin."""
    waiting = Delivery.objects.filter(status=Delivery.PENDING, leased_until__lte=now)
    upcoming = waiting.order_by("due_at").values_list("due_at", flat=True).first()
    return None if upcoming is None else max(0.0, upcoming - now)


def perform(delivery_id: int, now_fn: Callable[[], float]) -> None:
    """Send one leased delivery and record the outcome."""
    delivery = Delivery.objects.filter(pk=delivery_id, status=Delivery.PENDING).first()
    if delivery is None:
        return
    try:
        detail = _send(delivery)
    except DeliveryFailed as failure:
        _record_failure(delivery, str(failure), now_fn())
        return
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.DELIVERED, detail=detail[:2000],
                                                   finished=now_fn(), leased_until=0)


def deliver_pending(now_fn: Callable[[], float]) -> int:
    """Perform every due delivery in this thread (tests, and the dispatcher's catch-up)."""
    done = 0
    while True:
        claimed = claim_due(now_fn())
        if not claimed:
            return done
        for pk in claimed:
            perform(pk, now_fn)
        done += len(claimed)


def _record_failure(delivery: Delivery, reason: str, now: float) -> None:
    rows = Delivery.objects.filter(pk=delivery.pk)
    if delivery.attempts >= MAX_ATTEMPTS:
        rows.update(status=Delivery.FAILED, detail=reason[:2000], finished=now, leased_until=0)
        return
    delay = RETRY_DELAYS_S[min(delivery.attempts, len(RETRY_DELAYS_S)) - 1]
    rows.update(detail=reason[:2000], due_at=now + delay, leased_until=0)


class DeliveryFailed(Exception):
    """The endpoint did not take the message; the attempt may be retried."""


def _send(delivery: Delivery) -> str:
    sender = _SENDERS.get(delivery.protocol)
    if sender is None:
        return f"Stepyard does not send {delivery.protocol} messages; recorded only."
    return sender(delivery)


def _send_to_queue(delivery: Delivery) -> str:
    queue = queues.get_queue_by_arn(delivery.endpoint)
    if queue is None:
        raise DeliveryFailed(f"The queue {delivery.endpoint} does not exist.")
    attributes = json.loads(delivery.attributes or "{}") or None
    fifo_ids = {"group_id": delivery.group_id or "default", "deduplication_id": delivery.deduplication_id}
    try:
        sent = queues.send_message(queue, delivery.body, attributes=attributes, **(fifo_ids if queue.fifo else {}))
    except ServiceError as error:
        raise DeliveryFailed(f"{error.code}: {error.message}") from None
    return f"Sent to {queue.name} as message {sent.message_id}."


def _send_to_function(delivery: Delivery) -> str:
    try:
        result = functions.invoke(delivery.endpoint, delivery.body, caller=delivery.subscription_arn)
    except ServiceError as error:
        raise DeliveryFailed(f"{error.code}: {error.message}") from None
    if result.error is not None:
        raise DeliveryFailed(f"The function failed: {json.dumps(result.error)}")
    return f"Invoked (request {result.request_id}): {(result.payload or '')[:500]}"


def _send_over_http(delivery: Delivery) -> str:
    request = urllib.request.Request(delivery.endpoint, data=delivery.body.encode(), method="POST", headers={
        "Content-Type": "text/plain; charset=UTF-8",
        "User-Agent": "Amazon Simple Notification Service Agent",
        "x-amz-sns-message-type": "Notification",
        "x-amz-sns-message-id": delivery.message_id,
        "x-amz-sns-topic-arn": delivery.subscription_arn.rsplit(":", 1)[0],
        "x-amz-sns-subscription-arn": delivery.subscription_arn,
    })
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
            return f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        raise DeliveryFailed(f"HTTP {error.code}") from None
    except (OSError, ValueError) as error:
        raise DeliveryFailed(f"{type(error).__name__}: {error}") from None


_SENDERS: dict[str, Callable[[Delivery], str]] = {
    "sqs": _send_to_queue,
    "lambda": _send_to_function,
    "http": _send_over_http,
    "https": _send_over_http,
}
