"""The event sources page: queue -> function or state machine; create, enable/disable, delete.
Every write goes through console.services.sources."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from console.models import EventSource, Queue, StateMachine
from console.services import ServiceError, functions, sources


class SourceForm(forms.Form):
    queue = forms.ChoiceField()
    target = forms.ChoiceField(help_text="A function gets batches of messages; a state machine one execution each")
    batch_size = forms.IntegerField(label="Batch size", min_value=1, max_value=sources.MAX_BATCH_SIZE, initial=10)
    maximum_batching_window = forms.IntegerField(
        label="Batching window (s)", min_value=0, max_value=sources.MAX_BATCHING_WINDOW_S, initial=0,
        required=False, help_text="How long to gather a batch (needed for batches of more than 10)")
    report_batch_item_failures = forms.BooleanField(label="Report batch item failures (functions)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue"].choices = [(q.name, q.name) for q in Queue.objects.all()]
        self.fields["target"].choices = [
            ("Functions", [(f"{EventSource.FUNCTION}:{f.name}", f.name) for f in functions.list_functions()]),
            ("State machines", [(f"{EventSource.STATE_MACHINE}:{m.name}", f"{m.name} ({m.type.lower()})")
                                for m in StateMachine.objects.all()]),
        ]


@require_http_methods(["GET", "POST"])
def source_list(request: HttpRequest) -> HttpResponse:
    queue_name = request.GET.get("queue", "")
    form = SourceForm(request.POST or None, initial={"queue": queue_name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target_type, _, target = data["target"].partition(":")
        try:
            sources.create_source(Queue.objects.get(name=data["queue"]), target_type, target,
                                  batch_size=data["batch_size"],
                                  maximum_batching_window=data["maximum_batching_window"] or 0,
                                  report_batch_item_failures=data["report_batch_item_failures"])
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Messages of {data['queue']} now go to {target}.")
            return redirect("source-list")
    rows = sources.list_sources()
    if queue_name:
        rows = rows.filter(queue__name=queue_name)
    return render(request, "console/source_list.html",
                  {"nav": "sources", "rows": rows, "form": form, "queue_name": queue_name})


def _get_source_or_404(pk: int) -> EventSource:
    try:
        return sources.get_source(pk)
    except sources.SourceNotFound:
        raise Http404(f"No event source {pk}") from None


@require_POST
def source_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    source = _get_source_or_404(pk)
    sources.update_source(source, enabled=not source.enabled)
    messages.success(request, f"Event source {'enabled' if source.enabled else 'disabled'}.")
    return redirect("source-list")


@require_POST
def source_delete(request: HttpRequest, pk: int) -> HttpResponse:
    sources.delete_source(_get_source_or_404(pk))
    messages.success(request, "Event source deleted.")
    return redirect("source-list")
