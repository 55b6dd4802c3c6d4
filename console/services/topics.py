"""Topics like SNS, stored in the database: topics, subscriptions, publishing, tags.

Publishing writes one Delivery row per matching subscription in the publish's own
transaction (an outbox); console.services.topic_delivery performs them after the
commit, and again after a restart until each one is done (at least once).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, QuerySet

from console.models import Delivery, Subscription, Topic, TopicDeduplication
from console.services import topic_filters as filters
from console.services.topic_delivery import build_deliveries, notify_after_commit
from console.services.topic_errors import (
    InvalidParameter,
    NotFound,
    ResourceNotFound,
    TagLimitExceeded,
)
from console.services.topic_messages import Message, check_message

DEDUPLICATION_WINDOW_S = 300.0  # SNS FIFO topics deduplicate over five minutes

clock: Callable[[], float] = time.time

MAX_TAGS = 50
RECENT_DELIVERIES = 200
PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose")
RAW_PROTOCOLS = ("sqs", "http", "https", "firehose")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}")
_TOPIC_ATTRIBUTES = (
    "DisplayName", "Policy", "DeliveryPolicy", "KmsMasterKeyId", "SignatureVersion", "TracingConfig",
    "ContentBasedDeduplication", "ArchivePolicy", "DataProtectionPolicy", "FifoThroughputScope",
    "HTTPSuccessFeedbackRoleArn", "HTTPFailureFeedbackRoleArn", "HTTPSuccessFeedbackSampleRate",
    "LambdaSuccessFeedbackRoleArn", "LambdaFailureFeedbackRoleArn", "LambdaSuccessFeedbackSampleRate",
    "SQSSuccessFeedbackRoleArn", "SQSFailureFeedbackRoleArn", "SQSSuccessFeedbackSampleRate",
)
_SUBSCRIPTION_ATTRIBUTES = (
    "DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy",
    "SubscriptionRoleArn", "ReplayPolicy",
)
_EFFECTIVE_DELIVERY_POLICY = json.dumps({"http": {"defaultHealthyRetryPolicy": {
    "minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3, "numMaxDelayRetries": 0,
    "numNoDelayRetries": 0, "numMinDelayRetries": 0, "backoffFunction": "linear"},
    "disableSubscriptionOverrides": False, "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"}}})


# --------------------------------------------------------------------------- topics


def topic_arn(name: str) -> str:
    return f"arn:aws:sns:{settings.STEPYARD_REGION}:{settings.STEPYARD_ACCOUNT}:{name}"


def get_topic(arn: object) -> Topic:
    """The topic ``arn`` names; NotFound ("Topic does not exist") otherwise, as SNS answers."""
    if not isinstance(arn, str) or not arn:
        raise InvalidParameter("TopicArn")
    if not arn.startswith("arn:aws:sns:") or arn.count(":") != 5:
        raise InvalidParameter("TopicArn")
    topic = Topic.objects.filter(arn=arn).first()
    if topic is None:
        raise NotFound("Topic does not exist")
    return topic


def get_topic_by_name(name: str) -> Topic | None:
    return Topic.objects.filter(name=name).first()


def create_topic(name: object, attributes: dict | None = None, tags: dict | None = None) -> Topic:
    """Create a topic, or return the existing one when the attributes agree (as SNS does)."""
    given = _check_topic_attributes(attributes or {}, creating=True)
    fifo = given.pop("FifoTopic", "false").lower() == "true"
    _check_topic_name(name, fifo)
    checked_tags = check_tags(tags or {}, {})
    assert isinstance(name, str)
    with transaction.atomic():
        existing = Topic.objects.filter(name=name).first()
        if existing is not None:
            if any(topic_attributes(existing).get(k, "") != v for k, v in given.items()):
                raise InvalidParameter("Attributes Reason: Topic already exists with different attributes")
            return existing
        return Topic.objects.create(name=name, arn=topic_arn(name), fifo=fifo, attributes=json.dumps(given),
                                    tags=json.dumps(checked_tags), created=clock())


def _check_topic_name(name: object, fifo: bool) -> None:
    if not isinstance(name, str) or not name:
        raise InvalidParameter("Topic Name")
    base = name.removesuffix(".fifo") if fifo else name
    if fifo and (not name.endswith(".fifo") or not _NAME.fullmatch(base)):
        raise InvalidParameter(
            "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase "
            "ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")
    if not fifo and not _NAME.fullmatch(name):
        raise InvalidParameter("Topic Name")


def _check_topic_attributes(attributes: dict, creating: bool) -> dict[str, str]:
    checked = {}
    for name, value in attributes.items():
        allowed = name in _TOPIC_ATTRIBUTES or (creating and name == "FifoTopic")
        if not allowed or not isinstance(value, str):
            raise InvalidParameter("AttributeName")
        if name in ("FifoTopic", "ContentBasedDeduplication") and value.lower() not in ("true", "false"):
            raise InvalidParameter(f"Attributes Reason: {name}: Invalid value [{value}]")
        checked[name] = value.lower() if name in ("FifoTopic", "ContentBasedDeduplication") else value
    return checked


def delete_topic(topic: Topic) -> None:
    Topic.objects.filter(pk=topic.pk).delete()


def list_topics() -> QuerySet[Topic]:
    return Topic.objects.order_by("name")


def topics_with_counts() -> QuerySet[Topic]:
    return Topic.objects.annotate(subscription_count=Count("subscriptions")).order_by("name")


def topic_attributes(topic: Topic) -> dict[str, str]:
    """GetTopicAttributes' answer."""
    confirmed = Subscription.objects.filter(topic=topic).count()
    values = {
        "Policy": json.dumps(_default_policy(topic), separators=(",", ":")),
        "Owner": settings.STEPYARD_ACCOUNT,
        "SubscriptionsPending": "0",
        "TopicArn": topic.arn,
        "EffectiveDeliveryPolicy": _EFFECTIVE_DELIVERY_POLICY,
        "SubscriptionsConfirmed": str(confirmed),
        "DisplayName": "",
        "SubscriptionsDeleted": "0",
    }
    if topic.fifo:
        values.update({"FifoTopic": "true", "ContentBasedDeduplication": "false"})
    values.update(json.loads(topic.attributes or "{}"))
    return values


def _default_policy(topic: Topic) -> dict[str, Any]:
    account = settings.STEPYARD_ACCOUNT
    return {"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [{
        "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                   "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic",
                   "SNS:Publish"],
        "Resource": topic.arn, "Condition": {"StringEquals": {"AWS:SourceOwner": account}}}]}


def set_topic_attribute(topic: Topic, name: object, value: object) -> Topic:
    if not isinstance(name, str):
        raise InvalidParameter("AttributeName")
    checked = _check_topic_attributes({name: "" if value is None else value}, creating=False)
    if name == "ContentBasedDeduplication" and not topic.fifo:
        raise InvalidParameter(
            "Attributes Reason: ContentBasedDeduplication can only be set for FIFO topics")
    with transaction.atomic():
        topic = Topic.objects.select_for_update().get(pk=topic.pk)
        current = json.loads(topic.attributes or "{}")
        current.update(checked)
        topic.attributes = json.dumps(current)
        topic.save(update_fields=["attributes"])
    return topic


def content_based_deduplication(topic: Topic) -> bool:
    return json.loads(topic.attributes or "{}").get("ContentBasedDeduplication") == "true"


# --------------------------------------------------------------------------- subscriptions


def subscribe(topic: Topic, protocol: object, endpoint: object, attributes: dict | None = None) -> Subscription:
    """Subscribe (confirmed at once: Stepyard has no confirmation hand-shake); the same
    protocol and endpoint again return the existing subscription."""
    protocol, endpoint = _check_endpoint(protocol, endpoint)
    given = _check_subscription_attributes(attributes or {}, protocol, {})
    with transaction.atomic():
        existing = Subscription.objects.filter(topic=topic, protocol=protocol, endpoint=endpoint).first()
        if existing is not None:
            if given and any(subscription_attributes(existing).get(k) != v for k, v in given.items()):
                raise InvalidParameter("Attributes Reason: Subscription already exists with different attributes")
            return existing
        return Subscription.objects.create(
            topic=topic, arn=f"{topic.arn}:{uuid.uuid4()}", protocol=protocol, endpoint=endpoint,
            attributes=json.dumps(given), created=clock())


def _check_endpoint(protocol: object, endpoint: object) -> tuple[str, str]:
    if not isinstance(protocol, str) or protocol.lower() not in PROTOCOLS:
        raise InvalidParameter(f"Invalid protocol type: {protocol}")
    protocol = protocol.lower()
    if not isinstance(endpoint, str) or not endpoint:
        raise InvalidParameter("Endpoint")
    if protocol == "sqs" and not endpoint.startswith("arn:aws:sqs:"):
        raise InvalidParameter("SQS endpoint ARN")
    if protocol == "lambda" and not endpoint.startswith("arn:aws:lambda:"):
        raise InvalidParameter("Lambda endpoint ARN")
    if protocol in ("http", "https") and not endpoint.startswith(f"{protocol}://"):
        raise InvalidParameter("Endpoint must match the specified protocol")
    return protocol, endpoint


def _check_subscription_attributes(attributes: dict, protocol: str, current: dict[str, str]) -> dict[str, str]:
    checked: dict[str, str] = {}
    for name, value in attributes.items():
        if name not in _SUBSCRIPTION_ATTRIBUTES or not isinstance(value, str):
            raise InvalidParameter("AttributeName")
        checked[name] = value
    merged = {**current, **checked}
    if "RawMessageDelivery" in checked:
        if checked["RawMessageDelivery"].lower() not in ("true", "false"):
            raise InvalidParameter("Attributes Reason: RawMessageDelivery: Invalid value [{}]. Must be true or false."
                                   .format(checked["RawMessageDelivery"]))
        checked["RawMessageDelivery"] = checked["RawMessageDelivery"].lower()
        if checked["RawMessageDelivery"] == "true" and protocol not in RAW_PROTOCOLS:
            raise InvalidParameter(f"Attributes Reason: Delivery protocol [{protocol}] does not support raw "
                                   "message delivery attribute")
    scope = merged.get("FilterPolicyScope") or filters.ATTRIBUTES
    if scope not in filters.SCOPES:
        raise InvalidParameter(f"Attributes Reason: FilterPolicyScope: Invalid value [{scope}]. Please use either "
                               "MessageBody or MessageAttributes")
    if merged.get("FilterPolicy"):
        filters.check_policy(merged["FilterPolicy"], scope)
    return checked


def get_subscription(arn: object) -> Subscription:
    if not isinstance(arn, str) or not arn.startswith("arn:aws:sns:") or arn.count(":") != 6:
        raise InvalidParameter("SubscriptionArn")
    subscription = Subscription.objects.select_related("topic").filter(arn=arn).first()
    if subscription is None:
        raise NotFound("Subscription does not exist")
    return subscription


def unsubscribe(subscription: Subscription) -> None:
    Subscription.objects.filter(pk=subscription.pk).delete()


def list_subscriptions(topic: Topic | None = None) -> QuerySet[Subscription]:
    rows = Subscription.objects.select_related("topic").order_by("pk")
    return rows.filter(topic=topic) if topic is not None else rows


def subscription_attributes(subscription: Subscription) -> dict[str, str]:
    """GetSubscriptionAttributes' answer."""
    stored = json.loads(subscription.attributes or "{}")
    values = {
        "ConfirmationWasAuthenticated": "true",
        "PendingConfirmation": "false",
        "Owner": settings.STEPYARD_ACCOUNT,
        "RawMessageDelivery": "false",
        "SubscriptionArn": subscription.arn,
        "TopicArn": subscription.topic.arn,
        "Endpoint": subscription.endpoint,
        "Protocol": subscription.protocol,
        "SubscriptionPrincipal": f"arn:aws:iam::{settings.STEPYARD_ACCOUNT}:user/stepyard",
    }
    values.update({k: v for k, v in stored.items() if v != ""})
    if stored.get("FilterPolicy"):
        values.setdefault("FilterPolicyScope", filters.ATTRIBUTES)
    else:
        values.pop("FilterPolicyScope", None)
    return values


def set_subscription_attribute(subscription: Subscription, name: object, value: object) -> Subscription:
    if not isinstance(name, str):
        raise InvalidParameter("AttributeName")
    with transaction.atomic():
        subscription = Subscription.objects.select_related("topic").select_for_update().get(pk=subscription.pk)
        current = json.loads(subscription.attributes or "{}")
        text = "" if value is None else value
        checked = _check_subscription_attributes({name: text}, subscription.protocol, current)
        current.update(checked)
        subscription.attributes = json.dumps(current)
        subscription.save(update_fields=["attributes"])
    return subscription


# --------------------------------------------------------------------------- publishing


@dataclass(frozen=True)
class Published:
    message_id: str
    sequence_number: str | None
    deliveries: int


def publish(topic: Topic, message: object, **options: Any) -> Published:
    """Publish one message; its deliveries are performed after the commit."""
    checked = check_message(topic, message, content_based=content_based_deduplication(topic), **options)
    with transaction.atomic():
        published = _publish_checked(topic, checked)
        notify_after_commit()
    return published


def publish_batch(topic: Topic, entries: list[dict[str, Any]]) -> list[Published | Exception]:
    """Publish several messages in one transaction; each entry succeeds or fails alone."""
    content_based = content_based_deduplication(topic)
    results: list[Published | Exception] = []
    with transaction.atomic():
        for entry in entries:
            try:
                checked = check_message(topic, entry.get("Message"), content_based=content_based,
                                        **_options(entry))
            except InvalidParameter as error:
                results.append(error)
                continue
            results.append(_publish_checked(topic, checked))
        notify_after_commit()
    return results


def _options(entry: dict[str, Any]) -> dict[str, Any]:
    names = {"Subject": "subject", "MessageAttributes": "attributes", "MessageStructure": "structure",
             "MessageGroupId": "group_id", "MessageDeduplicationId": "deduplication_id"}
    return {option: entry.get(name) for name, option in names.items()}


def _publish_checked(topic: Topic, checked: Message) -> Published:
    now = clock()
    sequence = None
    message_id = str(uuid.uuid4())
    if topic.fifo:
        key = _deduplication_key(topic, checked)
        earlier = _seen_before(topic, key, now)
        if earlier is not None:
            return earlier
        sequence = _next_sequence(topic)
        TopicDeduplication.objects.create(topic=topic, key=key, message_id=message_id,
                                          sequence_number=sequence, expires_at=now + DEDUPLICATION_WINDOW_S)
    subscriptions = list(Subscription.objects.filter(topic=topic))
    rows = build_deliveries(topic, subscriptions, checked, message_id, sequence, now)
    Delivery.objects.bulk_create(rows)
    _forget_old_deliveries(topic)
    return Published(message_id, sequence, len(rows))


def _seen_before(topic: Topic, key: str, now: float) -> Published | None:
    """A FIFO publish whose deduplication id was seen in the last five minutes is accepted
    and answered as the first one was, but delivered to nobody (as SNS does)."""
    TopicDeduplication.objects.filter(topic=topic, expires_at__lte=now).delete()
    earlier = TopicDeduplication.objects.filter(topic=topic, key=key).first()
    if earlier is None:
        return None
    return Published(earlier.message_id, earlier.sequence_number, 0)


def _deduplication_key(topic: Topic, checked: Message) -> str:
    # With FifoThroughputScope=MessageGroup, SNS deduplicates within each message group.
    if json.loads(topic.attributes or "{}").get("FifoThroughputScope") == "MessageGroup":
        return f"{checked.group_id}\n{checked.deduplication_id}"
    return checked.deduplication_id


def _next_sequence(topic: Topic) -> str:
    rows = Topic.objects.filter(pk=topic.pk)
    rows.update(last_sequence_number=F("last_sequence_number") + 1)
    number = rows.values_list("last_sequence_number", flat=True).get()
    return str(10**19 + number)


def _forget_old_deliveries(topic: Topic) -> None:
    done = Delivery.objects.filter(topic=topic).exclude(status=Delivery.PENDING)
    old = list(done.order_by("-pk").values_list("pk", flat=True)[RECENT_DELIVERIES:RECENT_DELIVERIES + 500])
    if old:
        Delivery.objects.filter(pk__in=old).delete()


def recent_deliveries(topic: Topic, limit: int = 50) -> list[Delivery]:
    return list(Delivery.objects.filter(topic=topic).order_by("-pk")[:limit])


# --------------------------------------------------------------------------- tags


def check_tags(tags: object, current: dict[str, str]) -> dict[str, str]:
    if not isinstance(tags, dict):
        raise InvalidParameter("Tags")
    for key, value in tags.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 128 or not isinstance(value, str) or len(value) > 256:
            raise InvalidParameter("Tags Reason: Tag keys are 1 to 128 characters, values at most 256")
    merged = {**current, **tags}
    if len(merged) > MAX_TAGS:
        raise TagLimitExceeded("Could not complete request: tag quota of per resource exceeded")
    return merged


def _tagged_topic(arn: object) -> Topic:
    topic = Topic.objects.filter(arn=arn).first() if isinstance(arn, str) else None
    if topic is None:
        raise ResourceNotFound("Resource does not exist")
    return topic


def topic_tags(arn: object) -> dict[str, str]:
    return json.loads(_tagged_topic(arn).tags or "{}")


def tag_topic(arn: object, tags: dict[str, str]) -> None:
    with transaction.atomic():
        topic = _tagged_topic(arn)
        topic.tags = json.dumps(check_tags(tags, json.loads(topic.tags or "{}")))
        topic.save(update_fields=["tags"])


def untag_topic(arn: object, keys: list[str]) -> None:
    with transaction.atomic():
        topic = _tagged_topic(arn)
        remaining = {k: v for k, v in json.loads(topic.tags or "{}").items() if k not in set(keys)}
        topic.tags = json.dumps(remaining)
        topic.save(update_fields=["tags"])
