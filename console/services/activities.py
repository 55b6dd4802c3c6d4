"""Activities: create, describe, list, delete, and hand their tasks to workers.

GetActivityTask is a long poll (up to 60 s, as on AWS). A waiting worker sleeps on a
condition that is notified after a task is queued in this process, and re-checks the
database every POLL_S so that tasks queued by other processes (``runengine`` workers)
are found too: it never spins on the database.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from console.models import Activity, ActivityTask, Execution, TaskToken
from console.runtime import stepper
from console.services import InvalidArn, ServiceError
from console.services import tags as tag_service
from console.services.names import check_name
from engine.errors import STATES_RUNTIME, StatesError
from engine.execution import TaskStarted

# AWS holds GetActivityTask open for up to 60 s; tests may shorten it.
LONG_POLL_S = float(os.environ.get("STEPYARD_ACTIVITY_LONG_POLL_S", "60"))
POLL_S = 0.5
_SUFFIX = re.compile(r"\.(sync(:2)?|waitForTaskToken)$")


class ActivityDoesNotExist(ServiceError):
    code = "ActivityDoesNotExist"


class ActivityAlreadyExists(ServiceError):
    code = "ActivityAlreadyExists"


@dataclass(frozen=True)
class HandedTask:
    """What GetActivityTask gives a worker."""

    token: str
    input: str


def activity_arn(name: str) -> str:
    return f"arn:aws:states:{settings.STEPYARD_REGION}:{settings.STEPYARD_ACCOUNT}:activity:{name}"


def create_activity(name: str, tags: list[dict[str, str]] | None = None) -> Activity:
    """Create an activity; creating an existing one again returns it (AWS is idempotent here)."""
    check_name(name)
    tag_service.check_tags(tags or [])
    with transaction.atomic():
        existing = Activity.objects.filter(name=name).first()
        if existing is not None:
            _same_tags_or_conflict(existing, tags)
            return existing
        activity = Activity.objects.create(name=name, arn=activity_arn(name), created=timezone.now())
        tag_service.set_initial_tags(activity.arn, tags)
    return activity


def _same_tags_or_conflict(activity: Activity, tags: list[dict[str, str]] | None) -> None:
    if not tags:
        return
    current = {t["key"]: t["value"] for t in tag_service.list_tags(activity.arn)}
    if current != tag_service.check_tags(tags):
        raise ActivityAlreadyExists(f"Activity already exists with different tags: '{activity.arn}'")


def get_activity(arn: str) -> Activity:
    check_activity_arn(arn)
    activity = Activity.objects.filter(arn=arn).first()
    if activity is None:
        raise ActivityDoesNotExist(f"Activity Does Not Exist: '{arn}'")
    return activity


def check_activity_arn(arn: str) -> None:
    parts = arn.split(":")
    if len(parts) != 7 or parts[:3] != ["arn", "aws", "states"] or parts[5] != "activity":
        raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")


def delete_activity(arn: str) -> None:
    """Delete an activity (unknown ones too, like AWS); queued tasks keep waiting."""
    check_activity_arn(arn)
    with transaction.atomic():
        Activity.objects.filter(arn=arn).delete()
        tag_service.forget(arn)


# --------------------------------------------------------------------------- tasks
_queued = threading.Condition()
_generation = 0


def _notify_queued() -> None:
    global _generation
    with _queued:
        _generation += 1
        _queued.notify_all()


def queue_task(token: str, payload: object) -> None:
    """Queue a task for its activity's workers (the activity integration calls this).

    Raises StatesError (States.Runtime, AWS's wording) when the activity does not exist.
    """
    task_token = TaskToken.objects.filter(token=token).first()
    if task_token is None:
        return  # the task ended (stopped, timed out) before it was queued
    arn = _SUFFIX.sub("", task_token.resource)
    if not Activity.objects.filter(arn=arn).exists():
        raise StatesError(STATES_RUNTIME, f"The activity {arn} does not exist.")
    try:
        ActivityTask.objects.create(activity_arn=arn, task_token=task_token,
                                    input=json.dumps(payload), queued_at=time.time())
    except IntegrityError:
        return  # already queued: the call was performed twice (at-least-once)
    transaction.on_commit(_notify_queued)


def get_activity_task(arn: str, worker_name: str | None = None,
                      wait_s: float = LONG_POLL_S) -> HandedTask | None:
    """Hand the oldest waiting task to this worker, waiting up to ``wait_s`` for one."""
    get_activity(arn)
    deadline = time.monotonic() + wait_s
    while True:
        with _queued:
            seen = _generation
        task = _take(arn, worker_name or "")
        remaining = deadline - time.monotonic()
        if task is not None or remaining <= 0:
            return task
        with _queued:
            if _generation == seen:
                _queued.wait(timeout=min(remaining, POLL_S))


def _take(arn: str, worker_name: str) -> HandedTask | None:
    waiting = ActivityTask.objects.filter(
        activity_arn=arn, taken_at__isnull=True, task_token__closed__isnull=True
    ).order_by("queued_at", "pk")
    for pk in waiting.values_list("pk", flat=True)[:20]:
        # The conditional update is the claim: of several pollers, one wins each task.
        taken = ActivityTask.objects.filter(pk=pk, taken_at__isnull=True).update(
            taken_at=time.time(), worker_name=worker_name
        )
        if taken:
            task = ActivityTask.objects.select_related("task_token").get(pk=pk)
            # AWS records ActivityStarted, with the worker's name, when a worker takes the task.
            token = task.task_token
            stepper.apply(Execution(pk=token.execution_id), TaskStarted(token.task_id, worker_name or None))
            return HandedTask(token.token, task.input)
    return None


def pending_count(arn: str) -> int:
    return ActivityTask.objects.filter(activity_arn=arn, taken_at__isnull=True,
                                       task_token__closed__isnull=True).count()
