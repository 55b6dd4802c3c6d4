"""What the AWS API adds around state machines: activities and their queued tasks,
published versions, aliases, tags, and which version or alias an execution ran."""

from __future__ import annotations

from django.db import models

from console.models.executions import Execution, TaskToken
from console.models.machines import StateMachine


class Activity(models.Model):
    """An activity: Task states naming its ARN wait until a worker takes and answers them."""

    name = models.CharField(max_length=80, unique=True)
    arn = models.CharField(max_length=256, unique=True)
    created = models.DateTimeField()

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return self.name


class ActivityTask(models.Model):
    """A task waiting for (or handed to) a worker; answered through its task token."""

    activity_arn = models.CharField(max_length=256)
    task_token = models.OneToOneField(TaskToken, on_delete=models.CASCADE, related_name="activity_task")
    input = models.TextField(default="{}")
    queued_at = models.FloatField()
    taken_at = models.FloatField(null=True, blank=True)
    worker_name = models.CharField(max_length=80, blank=True, default="")

    class Meta:
        ordering = ["queued_at", "pk"]
        indexes = [models.Index(fields=["activity_arn", "taken_at", "queued_at"])]


class StateMachineVersion(models.Model):
    """A published, immutable version of a state machine; numbers are never reused."""

    machine = models.ForeignKey(StateMachine, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    arn = models.CharField(max_length=300, unique=True)
    definition = models.TextField()
    role_arn = models.CharField(max_length=256)
    revision_id = models.CharField(max_length=64)
    description = models.CharField(max_length=256, blank=True, default="")
    created = models.DateTimeField()
    # Deleted versions stay as rows so that their numbers are never handed out again.
    deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["machine", "number"], name="unique_version_number")
        ]


class StateMachineAlias(models.Model):
    """A name routing executions to one or two versions by weight."""

    machine = models.ForeignKey(StateMachine, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=80)
    arn = models.CharField(max_length=300, unique=True)
    description = models.CharField(max_length=256, blank=True, default="")
    # [{"stateMachineVersionArn": ..., "weight": n}, ...] as the API takes it.
    routing = models.TextField(default="[]")
    created = models.DateTimeField()
    updated = models.DateTimeField()

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["machine", "name"], name="unique_alias_name")
        ]


class Tag(models.Model):
    """One tag of a state machine or an activity, keyed by the resource's ARN."""

    resource_arn = models.CharField(max_length=256)
    key = models.CharField(max_length=128)
    value = models.CharField(max_length=256, blank=True, default="")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["resource_arn", "key"], name="unique_tag_key")
        ]


class ExecutionSource(models.Model):
    """The version (and alias) an execution was started through, when not the machine itself."""

    execution = models.OneToOneField(Execution, on_delete=models.CASCADE, related_name="source")
    version_arn = models.CharField(max_length=300, blank=True, default="")
    alias_arn = models.CharField(max_length=300, blank=True, default="")
