"""Queues like SQS: the queues, their messages, and FIFO deduplication records.

Every moment that matters (when a message becomes visible, when it was sent) is a
stored epoch time, never a timer in memory, so a restart loses no visibility deadline.
"""

from __future__ import annotations

from django.db import models


class Queue(models.Model):
    """A queue; its SQS attributes are columns so counts and receives can filter on them."""

    name = models.CharField(max_length=80, unique=True)
    fifo = models.BooleanField(default=False)
    visibility_timeout = models.PositiveIntegerField(default=30)
    delay_seconds = models.PositiveIntegerField(default=0)
    retention_seconds = models.PositiveIntegerField(default=345_600)
    receive_wait_seconds = models.PositiveIntegerField(default=0)
    maximum_message_size = models.PositiveIntegerField(default=262_144)
    content_based_deduplication = models.BooleanField(default=False)
    # {"deadLetterTargetArn": ..., "maxReceiveCount": n} as SQS reports it, or "".
    redrive_policy = models.TextField(blank=True, default="")
    # Attributes Stepyard stores and reports but does not act on (Policy, KMS, ...).
    other_attributes = models.TextField(default="{}")
    tags = models.TextField(default="{}")
    last_sequence_number = models.PositiveBigIntegerField(default=0)
    created = models.FloatField()
    modified = models.FloatField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QueueMessage(models.Model):
    """A message in a queue; it is visible when ``visible_at`` has passed."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="messages")
    message_id = models.CharField(max_length=36, unique=True)
    body = models.TextField()
    md5_of_body = models.CharField(max_length=32)
    # {"name": {"DataType": ..., "StringValue"|"BinaryValue": ...}} as the sender gave them.
    attributes = models.TextField(default="{}")
    system_attributes = models.TextField(default="{}")
    sent_at = models.FloatField()
    visible_at = models.FloatField()
    receive_count = models.PositiveIntegerField(default=0)
    first_received_at = models.FloatField(null=True, blank=True)
    receipt_handle = models.CharField(max_length=200, blank=True, default="", db_index=True)
    group_id = models.CharField(max_length=128, blank=True, default="")
    deduplication_id = models.CharField(max_length=128, blank=True, default="")
    sequence_number = models.PositiveBigIntegerField(null=True, blank=True)
    dead_letter_source_arn = models.CharField(max_length=256, blank=True, default="")

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["queue", "visible_at"])]


class Deduplication(models.Model):
    """A FIFO deduplication id seen in the last five minutes, even if its message is gone."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="deduplications")
    key = models.CharField(max_length=260)
    message_id = models.CharField(max_length=36)
    sequence_number = models.PositiveBigIntegerField()
    expires_at = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["queue", "key"], name="unique_deduplication_key")
        ]
