"""State machines, their revisions, and their drawn graphs."""

from __future__ import annotations

from django.db import models


class StateMachine(models.Model):
    """A state machine; its definition history is kept in StateMachineRevision."""

    STANDARD = "STANDARD"
    EXPRESS = "EXPRESS"
    TYPES = [(STANDARD, "Standard"), (EXPRESS, "Express")]

    name = models.CharField(max_length=80, unique=True)
    arn = models.CharField(max_length=256, unique=True)
    type = models.CharField(max_length=8, choices=TYPES, default=STANDARD)
    definition = models.TextField()
    role_arn = models.CharField(max_length=256)
    description = models.CharField(max_length=256, blank=True, default="")
    revision = models.PositiveIntegerField(default=1)
    created = models.DateTimeField()
    updated = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StateMachineRevision(models.Model):
    """One saved definition of a state machine; number 1 is the one it was created with."""

    machine = models.ForeignKey(StateMachine, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    revision_id = models.CharField(max_length=64)
    definition = models.TextField()
    role_arn = models.CharField(max_length=256)
    created = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["machine", "number"], name="unique_revision_number")
        ]


class RenderedGraph(models.Model):
    """An SVG drawn once per distinct definition (keyed by a digest of it and the renderer)."""

    digest = models.CharField(max_length=64, primary_key=True)
    svg = models.TextField(blank=True, default="")
    error = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
