"""Topics like SNS: topics, their subscriptions, and the deliveries of published messages.

A delivery is a row written in the publish's transaction (an outbox): it is performed
after the commit and stays until it is done, so a restart loses no delivery (at least
once). Done deliveries are kept, a recent few per topic, for the console.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import models


class Topic(models.Model):
    name = models.CharField(max_length=256, unique=True)
    arn = models.CharField(max_length=512, unique=True)
    fifo = models.BooleanField(default=False)
    # Settable SNS attributes (DisplayName, Policy, DeliveryPolicy, ContentBasedDeduplication ...).
    attributes = models.TextField(default="{}")
    tags = models.TextField(default="{}")
    last_sequence_number = models.PositiveBigIntegerField(default=0)
    created = models.FloatField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TopicDeduplication(models.Model):
    """A FIFO topic's deduplication id seen in the last five minutes."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="deduplications")
    key = models.CharField(max_length=260)
    message_id = models.CharField(max_length=36)
    sequence_number = models.CharField(max_length=32)
    expires_at = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "key"], name="unique_topic_deduplication_key")
        ]


class Subscription(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subscriptions")
    arn = models.CharField(max_length=600, unique=True)
    protocol = models.CharField(max_length=32)
    endpoint = models.CharField(max_length=2048)
    # FilterPolicy, FilterPolicyScope, RawMessageDelivery, RedrivePolicy ... as SNS reports them.
    attributes = models.TextField(default="{}")
    created = models.FloatField()

    class Meta:
        ordering = ["pk"]


class Delivery(models.Model):
    """One message for one subscription: pending until performed, then a record."""

    PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.SET_NULL, null=True,
                                     related_name="deliveries")
    subscription_arn = models.CharField(max_length=600)
    protocol = models.CharField(max_length=32)
    endpoint = models.CharField(max_length=2048)
    message_id = models.CharField(max_length=36)
    # What the endpoint receives (the envelope, the raw message, or the Records event).
    body = models.TextField()
    # Message attributes for raw delivery to a queue, as SQS takes them.
    attributes = models.TextField(default="{}")
    group_id = models.CharField(max_length=128, blank=True, default="")
    deduplication_id = models.CharField(max_length=128, blank=True, default="")
    status = models.CharField(max_length=16, default=PENDING)
    attempts = models.PositiveIntegerField(default=0)
    due_at = models.FloatField()
    leased_until = models.FloatField(default=0)
    detail = models.TextField(blank=True, default="")
    created = models.FloatField()
    finished = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["topic", "-id"]),
        ]

    @property
    def created_at(self) -> datetime:
        return datetime.fromtimestamp(self.created, tz=UTC)
