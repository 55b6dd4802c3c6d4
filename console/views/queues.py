"""The queue pages: list with live counts, create, edit, delete, send, peek, receive, purge.

Reads use the models; every write goes through console.services.queues.
"""

from __future__ import annotations

from collections.abc import Iterator

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console.models import Queue, QueueMessage, TaskToken
from console.services import ServiceError
from console.services import queue_attributes as attrs
from console.services import queues as service
from console.services.queue_errors import QueueDoesNotExist
from engine import json_types

PEEK_LIMIT = 100
ATTRIBUTE_ROWS = 3
# Task tokens are long random strings; shorter strings in a body are not worth a lookup.
MIN_TOKEN_LENGTH = 20
MAX_TOKEN_CANDIDATES = 50


def _get_queue_or_404(name: str) -> Queue:
    try:
        return service.get_queue(name)
    except QueueDoesNotExist:
        raise Http404(f"No queue named {name!r}") from None


# --------------------------------------------------------------------------- forms


class QueueSettingsForm(forms.Form):
    """The attributes a user may change after creating a queue."""

    visibility_timeout = forms.IntegerField(label="Visibility timeout (s)", min_value=0, max_value=43_200)
    delay_seconds = forms.IntegerField(label="Delivery delay (s)", min_value=0, max_value=900)
    retention_seconds = forms.IntegerField(
        label="Retention period (s)", min_value=60, max_value=1_209_600
    )
    receive_wait_seconds = forms.IntegerField(label="Receive wait time (s)", min_value=0, max_value=20)
    maximum_message_size = forms.IntegerField(
        label="Maximum message size (bytes)", min_value=1024, max_value=1_048_576
    )
    content_based_deduplication = forms.BooleanField(
        label="Content-based deduplication (FIFO)", required=False
    )
    dead_letter_queue = forms.ChoiceField(label="Dead-letter queue", required=False)
    max_receive_count = forms.IntegerField(
        label="Maximum receives", min_value=1, max_value=1000, required=False
    )

    def __init__(self, *args, fifo: bool | None = None, exclude: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        candidates = Queue.objects.exclude(name=exclude)
        if fifo is not None:
            candidates = candidates.filter(fifo=fifo)
        self.fields["dead_letter_queue"].choices = [("", "None")] + [
            (q.name, q.name) for q in candidates
        ]

    def attributes(self, fifo: bool) -> dict[str, str]:
        data = self.cleaned_data
        values = {name: str(data[spec.column]) for name, spec in attrs.INTEGER_ATTRIBUTES.items()}
        if fifo:
            values["ContentBasedDeduplication"] = str(data["content_based_deduplication"]).lower()
        values["RedrivePolicy"] = self._redrive_policy()
        return values

    def _redrive_policy(self) -> str:
        target = self.cleaned_data["dead_letter_queue"]
        if not target:
            return ""
        count = self.cleaned_data["max_receive_count"] or 10
        return attrs.format_redrive_policy(attrs.queue_arn(Queue(name=target)), count)


class CreateQueueForm(QueueSettingsForm):
    name = forms.CharField(max_length=80)
    fifo = forms.ChoiceField(label="Type", choices=[("", "Standard"), ("1", "FIFO")], required=False)
    field_order = ["name", "fifo"]


class SendMessageForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), strip=False)
    json_body = forms.BooleanField(label="Body is JSON", required=False, initial=True)
    delay_seconds = forms.IntegerField(label="Delay (s)", min_value=0, max_value=900, required=False)
    group_id = forms.CharField(label="Message group id", max_length=128, required=False)
    deduplication_id = forms.CharField(label="Deduplication id", max_length=128, required=False)

    def clean(self):
        data = super().clean()
        if data.get("json_body") and "body" in data:
            try:
                json_types.loads(data["body"])
            except ValueError as error:
                self.add_error("body", f"The body is not valid JSON: {error}")
        return data


def _defaults(queue: Queue) -> dict:
    target = attrs.redrive_target(queue)
    initial = {
        spec.column: getattr(queue, spec.column) for spec in attrs.INTEGER_ATTRIBUTES.values()
    }
    initial["content_based_deduplication"] = queue.content_based_deduplication
    if target is not None:
        initial["dead_letter_queue"] = target[0].rsplit(":", 1)[1]
        initial["max_receive_count"] = target[1]
    return initial


# --------------------------------------------------------------------------- list and counts


@require_GET
def queue_list(request: HttpRequest) -> HttpResponse:
    queues = list(Queue.objects.all())
    numbers = service.counts_by_queue()
    rows = [(queue, _counts(numbers.get(queue.pk))) for queue in queues]
    return render(request, "console/queue_list.html", {"rows": rows, "nav": "queues"})


def _counts(row: dict | None) -> dict[str, int]:
    row = row or {}
    return {
        "available": row.get("ApproximateNumberOfMessages", 0),
        "in_flight": row.get("ApproximateNumberOfMessagesNotVisible", 0),
        "delayed": row.get("ApproximateNumberOfMessagesDelayed", 0),
    }


@require_GET
def queue_counts(request: HttpRequest) -> JsonResponse:
    numbers = service.counts_by_queue()
    names = Queue.objects.values_list("pk", "name")
    return JsonResponse({"queues": {name: _counts(numbers.get(pk)) for pk, name in names}})


# --------------------------------------------------------------------------- create, edit, delete


@require_http_methods(["GET", "POST"])
def queue_create(request: HttpRequest) -> HttpResponse:
    form = CreateQueueForm(request.POST or None, initial=_defaults(Queue()))
    if request.method == "POST" and form.is_valid():
        fifo = form.cleaned_data["fifo"] == "1"
        given = {**form.attributes(fifo), "FifoQueue": str(fifo).lower()}
        if not given["RedrivePolicy"]:
            del given["RedrivePolicy"]
        try:
            queue = service.create_queue(form.cleaned_data["name"], given)
        except ServiceError as error:
            form.add_error("name" if "name" in error.message.lower() else None, error.message)
        else:
            messages.success(request, f"Created queue {queue.name}.")
            return redirect("queue-detail", name=queue.name)
    return render(request, "console/queue_form.html", {"form": form, "creating": True, "nav": "queues"})


@require_http_methods(["GET", "POST"])
def queue_edit(request: HttpRequest, name: str) -> HttpResponse:
    queue = _get_queue_or_404(name)
    form = QueueSettingsForm(request.POST or None, initial=_defaults(queue), fifo=queue.fifo, exclude=name)
    if request.method == "POST" and form.is_valid():
        try:
            service.set_queue_attributes(queue, form.attributes(queue.fifo))
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Saved the settings of {queue.name}.")
            return redirect("queue-detail", name=queue.name)
    return render(request, "console/queue_form.html", {"form": form, "queue": queue, "nav": "queues"})


@require_http_methods(["GET", "POST"])
def queue_delete(request: HttpRequest, name: str) -> HttpResponse:
    queue = _get_queue_or_404(name)
    if request.method == "POST":
        service.delete_queue(queue)
        messages.success(request, f"Deleted queue {name}.")
        return redirect("queue-list")
    count = sum(_counts(service.counts(queue)).values())
    return render(request, "console/queue_delete.html", {"queue": queue, "count": count, "nav": "queues"})


@require_http_methods(["GET", "POST"])
def queue_purge(request: HttpRequest, name: str) -> HttpResponse:
    queue = _get_queue_or_404(name)
    if request.method == "POST":
        purged = service.purge_queue(queue)
        messages.success(request, f"Purged {purged} message{'s' if purged != 1 else ''} from {name}.")
        return redirect("queue-detail", name=name)
    count = sum(_counts(service.counts(queue)).values())
    return render(
        request, "console/queue_delete.html", {"queue": queue, "count": count, "purging": True, "nav": "queues"}
    )


# --------------------------------------------------------------------------- one queue


@require_GET
def queue_detail(request: HttpRequest, name: str) -> HttpResponse:
    queue = _get_queue_or_404(name)
    return _detail(request, queue, SendMessageForm(), received=[])


def _detail(request: HttpRequest, queue: Queue, form: SendMessageForm, received: list) -> HttpResponse:
    values = service.get_queue_attributes(queue, ["All"])
    context = {
        "queue": queue,
        "url": service.queue_url(queue),
        "attributes": sorted(values.items()),
        "form": form,
        "attribute_rows": _attribute_rows(request),
        "received": _with_tokens(received),
        "peeked": _with_tokens(service.peek(queue, PEEK_LIMIT)),
        "nav": "queues",
    }
    return render(request, "console/queue_detail.html", context)


def _attribute_rows(request: HttpRequest) -> list[dict[str, str]]:
    post = request.POST
    return [
        {
            "name": post.get(f"attr_name_{i}", ""),
            "type": post.get(f"attr_type_{i}", "String"),
            "value": post.get(f"attr_value_{i}", ""),
        }
        for i in range(ATTRIBUTE_ROWS)
    ]


@require_GET
def queue_messages(request: HttpRequest, name: str) -> HttpResponse:
    """The peek table alone, for the page's live refresh."""
    queue = _get_queue_or_404(name)
    peeked = _with_tokens(service.peek(queue, PEEK_LIMIT))
    return render(request, "console/_queue_messages.html", {"queue": queue, "peeked": peeked})


@require_POST
def queue_send(request: HttpRequest, name: str) -> HttpResponse:
    queue = _get_queue_or_404(name)
    form = SendMessageForm(request.POST)
    if form.is_valid():
        try:
            sent = _send(queue, form.cleaned_data, _message_attributes(request))
        except ServiceError as error:
            form.add_error(None, f"{error.code}: {error.message}")
        else:
            messages.success(request, f"Sent message {sent.message_id}.")
            return redirect("queue-detail", name=name)
    return _detail(request, queue, form, received=[])


def _send(queue: Queue, data: dict, attributes: dict) -> service.Sent:
    return service.send_message(
        queue,
        data["body"],
        delay_seconds=data["delay_seconds"],
        attributes=attributes or None,
        group_id=data["group_id"] or None,
        deduplication_id=data["deduplication_id"] or None,
    )


def _message_attributes(request: HttpRequest) -> dict[str, dict]:
    result = {}
    for row in _attribute_rows(request):
        if row["name"]:
            kind = "BinaryValue" if row["type"].startswith("Binary") else "StringValue"
            result[row["name"]] = {"DataType": row["type"], kind: row["value"]}
    return result


@require_POST
def queue_receive(request: HttpRequest, name: str) -> HttpResponse:
    """Receive up to ten messages, as a consumer would; they stay in flight until deleted."""
    queue = _get_queue_or_404(name)
    received = service.receive_messages(queue, max_number=service.MAX_RECEIVE, wait_seconds=0)
    if not received:
        messages.info(request, "No message is available to receive right now.")
    return _detail(request, queue, SendMessageForm(), received=received)


@require_POST
def queue_delete_message(request: HttpRequest, name: str) -> HttpResponse:
    queue = _get_queue_or_404(name)
    try:
        service.delete_message(queue, request.POST.get("receipt_handle", ""))
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Deleted the message.")
    return redirect("queue-detail", name=name)


# --------------------------------------------------------------------------- task tokens in bodies


def _with_tokens(items: list) -> list[tuple]:
    """Pair each message (or Peeked) with the task token its body carries, if any."""
    candidates = [list(_token_candidates(_message_of(item).body)) for item in items]
    wanted = {token for tokens in candidates for token in tokens}
    found = {}
    if wanted:
        rows = TaskToken.objects.filter(token__in=wanted).select_related("execution")
        found = {t.token: t for t in rows}
    return [
        (item, next((found[t] for t in tokens if t in found), None))
        for item, tokens in zip(items, candidates, strict=True)
    ]


def _message_of(item) -> QueueMessage:
    return item if isinstance(item, QueueMessage) else item.message


def _token_candidates(body: str) -> Iterator[str]:
    """Strings of a JSON body that could be task tokens, its "TaskToken" field first."""
    try:
        value = json_types.loads(body)
    except ValueError:
        return
    if isinstance(value, dict) and isinstance(value.get("TaskToken"), str):
        yield value["TaskToken"]
    yield from _long_strings(value, [MAX_TOKEN_CANDIDATES])


def _long_strings(value: object, budget: list[int]) -> Iterator[str]:
    if budget[0] <= 0:
        return
    if isinstance(value, str) and len(value) >= MIN_TOKEN_LENGTH:
        budget[0] -= 1
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _long_strings(item, budget)
    elif isinstance(value, list):
        for item in value:
            yield from _long_strings(item, budget)
