"""Event sources: a queue feeding a function (batches of Records) or a state machine
(one execution per message), like Lambda's SQS event source mappings and EventBridge Pipes."""

from __future__ import annotations

from django.db import models

from console.models.queues import Queue


class EventSource(models.Model):
    FUNCTION, STATE_MACHINE = "function", "state-machine"
    TARGETS = [(FUNCTION, "Function"), (STATE_MACHINE, "State machine")]

    uuid = models.CharField(max_length=36, unique=True)
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="event_sources")
    target_type = models.CharField(max_length=16, choices=TARGETS)
    # The function's or the state machine's name (looked up at each batch, so a
    # re-created target is found again).
    target = models.CharField(max_length=256)
    batch_size = models.PositiveIntegerField(default=10)
    # Lambda's MaximumBatchingWindowInSeconds: how long to gather a batch once a message came.
    maximum_batching_window = models.PositiveIntegerField(default=0)
    report_batch_item_failures = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)
    created = models.FloatField()
    modified = models.FloatField()
    # What happened last, for the console.
    last_run = models.FloatField(null=True, blank=True)
    last_result = models.TextField(blank=True, default="")
    messages_processed = models.PositiveBigIntegerField(default=0)
    batches_failed = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
