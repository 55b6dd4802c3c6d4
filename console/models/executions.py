"""Executions and what they wait on: history, timers, task tokens, pending calls."""

from __future__ import annotations

from django.db import models

from console.models.machines import StateMachine


class Execution(models.Model):
    """One execution; ``engine_state`` is the interpreter's snapshot, saved with every step."""

    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    ABORTED = "ABORTED"
    STATUSES = [(s, s.replace("_", " ").title()) for s in (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED)]

    arn = models.CharField(max_length=512, unique=True)
    name = models.CharField(max_length=80)
    machine = models.ForeignKey(
        StateMachine, null=True, on_delete=models.SET_NULL, related_name="executions"
    )
    machine_arn = models.CharField(max_length=256)
    machine_name = models.CharField(max_length=80)
    type = models.CharField(max_length=8, default=StateMachine.STANDARD)
    definition = models.TextField()
    revision_id = models.CharField(max_length=64, blank=True, default="")
    role_arn = models.CharField(max_length=256, blank=True, default="")
    status = models.CharField(max_length=16, choices=STATUSES, default=RUNNING)
    input = models.TextField(default="{}")
    output = models.TextField(null=True, blank=True)
    error = models.TextField(null=True, blank=True)
    cause = models.TextField(null=True, blank=True)
    start_date = models.DateTimeField()
    stop_date = models.DateTimeField(null=True, blank=True)
    redrive_count = models.PositiveIntegerField(default=0)
    redrive_date = models.DateTimeField(null=True, blank=True)
    event_count = models.PositiveIntegerField(default=0)
    engine_state = models.TextField(default="{}")
    # A run of a test case (StartExecution on "<machine ARN>#<case>"): the case's name, the
    # mocked states it answers (a snapshot taken at start) and each state's calls so far.
    test_case = models.CharField(max_length=80, blank=True, default="")
    mock = models.TextField(blank=True, default="")
    mock_attempts = models.TextField(blank=True, default="")
    # A Distributed Map's child execution: the Map Run that started it and the execution
    # whose engine runs it (the child's row holds its history and outcome, no snapshot).
    map_run_arn = models.CharField(max_length=512, blank=True, default="", db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="map_children")

    class Meta:
        ordering = ["-start_date", "-pk"]
        indexes = [
            models.Index(fields=["machine", "-start_date"]),
            models.Index(fields=["status", "-start_date"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_running(self) -> bool:
        return self.status == self.RUNNING

    @property
    def duration_ms(self) -> int | None:
        if self.stop_date is None:
            return None
        return round((self.stop_date - self.start_date).total_seconds() * 1000)


class MapRun(models.Model):
    """Which execution a Map Run belongs to (its record lives in that execution's snapshot)."""

    arn = models.CharField(max_length=512, unique=True)
    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="map_run_rows")

    def __str__(self) -> str:
        return self.arn


class HistoryEvent(models.Model):
    """One event of an execution's history, as GetExecutionHistory returns it."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="events")
    event_id = models.PositiveIntegerField()
    previous_event_id = models.PositiveIntegerField(default=0)
    type = models.CharField(max_length=64)
    timestamp = models.FloatField()
    details = models.TextField(null=True, blank=True)

    class Meta:
        ordering = ["event_id"]
        constraints = [
            models.UniqueConstraint(fields=["execution", "event_id"], name="unique_event_id")
        ]


class Timer(models.Model):
    """A pending timer of an execution (Wait, retry backoff, task timeout, heartbeat)."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="timers")
    timer_id = models.CharField(max_length=64)
    due_at = models.FloatField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["execution", "timer_id"], name="unique_timer_id")
        ]


class TaskToken(models.Model):
    """A task token handed out by a ``.waitForTaskToken`` task; closed once answered."""

    token = models.CharField(max_length=1024, unique=True)
    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="tokens")
    task_id = models.CharField(max_length=64)
    state_name = models.CharField(max_length=80)
    resource = models.CharField(max_length=512)
    payload = models.TextField(default="null")
    created = models.DateTimeField()
    timeout_s = models.FloatField(null=True, blank=True)
    heartbeat_s = models.FloatField(null=True, blank=True)
    last_heartbeat = models.DateTimeField(null=True, blank=True)
    closed = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["created", "pk"]


class PendingCall(models.Model):
    """An integration call to perform (an outbox row written with the step that asked for it)."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="calls")
    task_id = models.CharField(max_length=64)
    state_name = models.CharField(max_length=80, blank=True, default="")
    resource = models.CharField(max_length=512)
    parameters = models.TextField(default="null")
    wait_for_token = models.BooleanField(default=False)
    token = models.CharField(max_length=1024, blank=True, default="")
    timeout_s = models.FloatField(null=True, blank=True)
    leased_until = models.FloatField(default=0, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
