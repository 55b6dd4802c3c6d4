"""The callback inbox: every open task token, with Approve, Reject and Heartbeat.

The answers go through console.services.callbacks, the same services as the
SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat API actions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from console.models import TaskToken
from console.services import ServiceError, callbacks
from engine import json_types

MAX_PAYLOAD_SHOWN = 4000


@dataclass(frozen=True)
class Pending:
    """An open task token as the inbox shows it."""

    task: TaskToken
    payload: str
    heartbeat_due: datetime | None
    timeout_due: datetime | None


def _pending(task: TaskToken) -> Pending:
    return Pending(task, _pretty(task.payload), _heartbeat_due(task), _timeout_due(task))


def _heartbeat_due(task: TaskToken) -> datetime | None:
    if task.heartbeat_s is None:
        return None
    return (task.last_heartbeat or task.created) + timedelta(seconds=task.heartbeat_s)


def _timeout_due(task: TaskToken) -> datetime | None:
    return None if task.timeout_s is None else task.created + timedelta(seconds=task.timeout_s)


def _pretty(text: str) -> str:
    try:
        pretty = json.dumps(json_types.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        pretty = text
    return pretty if len(pretty) <= MAX_PAYLOAD_SHOWN else pretty[:MAX_PAYLOAD_SHOWN] + "\n…"


def _open_tokens() -> list[Pending]:
    rows = TaskToken.objects.filter(closed__isnull=True).select_related("execution").order_by("created", "pk")
    return [_pending(task) for task in rows]


@require_GET
def callback_list(request: HttpRequest) -> HttpResponse:
    return render(request, "console/callback_list.html", {"pending": _open_tokens(), "nav": "callbacks"})


@require_GET
def callback_rows(request: HttpRequest) -> HttpResponse:
    """The inbox's rows alone, for the page's live refresh."""
    return render(request, "console/callback_rows.html", {"pending": _open_tokens()})


def _open_task_or_404(pk: int) -> TaskToken:
    task = TaskToken.objects.filter(pk=pk).first()
    if task is None:
        raise Http404(f"No task token {pk}")
    return task


def _answer(request: HttpRequest, task: TaskToken, done: str, action) -> HttpResponse:
    try:
        action()
    except ServiceError as error:
        messages.error(request, f"{error.code}: {error.message}")
    else:
        messages.success(request, f"{done} {task.state_name} of {task.execution.name}.")
    back = request.POST.get("next", "")
    # Answers given from an execution page return there; only local pages are allowed.
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return redirect(back)
    return redirect("callback-list")


@require_POST
def callback_approve(request: HttpRequest, pk: int) -> HttpResponse:
    task = _open_task_or_404(pk)
    output = request.POST.get("output", "")
    return _answer(request, task, "Approved", lambda: callbacks.send_task_success(task.token, output))


@require_POST
def callback_reject(request: HttpRequest, pk: int) -> HttpResponse:
    task = _open_task_or_404(pk)
    error = request.POST.get("error") or None
    cause = request.POST.get("cause") or None
    return _answer(
        request, task, "Rejected", lambda: callbacks.send_task_failure(task.token, error, cause)
    )


@require_POST
def callback_heartbeat(request: HttpRequest, pk: int) -> HttpResponse:
    task = _open_task_or_404(pk)
    return _answer(
        request, task, "Sent a heartbeat for", lambda: callbacks.send_task_heartbeat(task.token)
    )
