"""Execution pages: lists (live), start form, the execution page with its coloured graph."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console import graph
from console.execution_feed import snapshot
from console.forms import StartExecutionForm, StopExecutionForm
from console.models import Execution, HistoryEvent, StateMachine
from console.runtime import express
from console.runtime.machines import compiled
from console.services import ServiceError, executions, map_runs
from console.views.execution_search import STATUSES, Search
from console.views.machines import _get_machine_or_404
from console.wire import history_events

PAGE_SIZE = 50


def _get_execution_or_404(pk: int) -> Execution:
    try:
        return Execution.objects.get(pk=pk)
    except Execution.DoesNotExist:
        raise Http404(f"No execution {pk}") from None


@require_GET
def execution_list(request: HttpRequest, name: str | None = None) -> HttpResponse:
    machine = _get_machine_or_404(name) if name else None
    search = Search.from_query(request.GET)
    # A Map Run's children are listed on its page, not among the executions (as on AWS).
    rows = Execution.objects.defer("engine_state", "definition", "input", "output").filter(parent=None)
    if machine is not None:
        rows = rows.filter(machine_arn=machine.arn)
    page = Paginator(search.apply(rows), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "machine": machine, "filters": search.values, "search": search,
               "statuses": STATUSES, "nav": "executions"}
    if request.GET.get("partial"):
        return render(request, "console/_execution_rows.html", context)
    return render(request, "console/execution_list.html", context)


@require_http_methods(["GET", "POST"])
def execution_start(request: HttpRequest, name: str) -> HttpResponse:
    machine = _get_machine_or_404(name)
    if request.method == "POST":
        form = StartExecutionForm(request.POST)
        if form.is_valid():
            started = _start(form, machine)
            if started is not None:
                return redirect("execution-detail", pk=started.pk)
    else:
        form = StartExecutionForm(initial={"input": _input_from(request.GET.get("from"))})
    return render(request, "console/execution_start.html",
                  {"form": form, "machine": machine, "max_bytes": executions.MAX_PAYLOAD_BYTES})


def _start(form: StartExecutionForm, machine: StateMachine) -> Execution | None:
    try:
        return executions.start_execution(
            machine, name=form.cleaned_data["name"] or None, input=form.cleaned_data["input"]
        )
    except ServiceError as error:
        field = "input" if error.code == "InvalidExecutionInput" else "name"
        form.add_error(field, f"{error.code}: {error.message}")
        return None


def _input_from(pk: str | None) -> str:
    """The input of an earlier execution ("New execution with this input")."""
    if pk and pk.isdigit():
        earlier = Execution.objects.filter(pk=int(pk)).values_list("input", flat=True).first()
        if earlier is not None:
            return earlier
    return '{\n  "Comment": "Insert your JSON here"\n}'


@require_GET
def execution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    execution = _get_execution_or_404(pk)
    machine = compiled(execution.definition, execution.type)
    data = snapshot(execution, after=0)
    data["nodes"] = graph.state_node_ids(machine)
    data["definitions"] = graph.state_sources(machine)
    expanded = graph.openable(machine, request.GET.get("expand", ""))
    return render(
        request,
        "console/execution_detail.html",
        {"execution": execution, "graph": graph.render(execution.definition, execution.type, expanded=expanded),
         "data": data, "stop_form": StopExecutionForm(), "nav": "executions",
         "map_runs": map_runs.map_runs_of(execution),
         # A Map Run's child is redriven with its parent, not on its own (as on AWS).
         "redrivable": executions.REDRIVABLE if execution.type == "STANDARD" and not execution.parent_id else ()},
    )


@require_GET
def execution_graph(request: HttpRequest, pk: int) -> HttpResponse:
    """The graph alone, drawn with the containers in ?expand= open."""
    execution = _get_execution_or_404(pk)
    expanded = graph.openable(compiled(execution.definition, execution.type), request.GET.get("expand", ""))
    drawing = graph.render(execution.definition, execution.type, expanded=expanded)
    return render(request, "console/_graph_drawing.html", {"graph": drawing})


@require_POST
def execution_redrive(request: HttpRequest, pk: int) -> HttpResponse:
    execution = _get_execution_or_404(pk)
    try:
        executions.redrive_execution(execution)
    except ServiceError as error:
        messages.error(request, f"{error.code}: {error.message}")
    else:
        messages.success(request, f"Redrove execution {execution.name}.")
    return redirect("execution-detail", pk=pk)


@require_GET
def execution_history_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The whole history as GetExecutionHistory returns it, for download."""
    execution = _get_execution_or_404(pk)
    events = [history_events.history_event(row) for row in HistoryEvent.objects.filter(execution=execution)]
    response = JsonResponse({"executionArn": execution.arn, "events": events}, json_dumps_params={"indent": 2})
    # Named after the execution (the download attribute names it too, but only for same-origin links).
    response["Content-Disposition"] = content_disposition_header(True, f"{execution.name}-history.json")
    return response


@require_GET
def execution_event_details(request: HttpRequest, pk: int, event_id: int) -> JsonResponse:
    """One event's details in full (the page carries only the start of long texts)."""
    execution = _get_execution_or_404(pk)
    live = express.runtime.events(execution.pk)
    stored = live if live is not None else HistoryEvent.objects.filter(execution=execution, event_id=event_id)
    event = next((e for e in stored if e.event_id == event_id), None)
    if event is None:
        raise Http404(f"Execution {pk} has no event {event_id}")
    return JsonResponse(json.loads(event.details) if event.details else {})


@require_GET
def execution_text(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    """The execution's whole input or output, as text (the page shows only its start)."""
    execution = _get_execution_or_404(pk)
    if part not in ("input", "output"):
        raise Http404(part)
    return HttpResponse(getattr(execution, part) or "", content_type="application/json; charset=utf-8")


@require_GET
def execution_facts(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "console/_execution_facts.html", {"execution": _get_execution_or_404(pk)})


@require_GET
def execution_events(request: HttpRequest, pk: int) -> JsonResponse:
    after = request.GET.get("after", "0")
    return JsonResponse(snapshot(_get_execution_or_404(pk), int(after) if after.isdigit() else 0))


@require_POST
def execution_stop(request: HttpRequest, pk: int) -> HttpResponse:
    execution = _get_execution_or_404(pk)
    form = StopExecutionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Error and cause are too long.")
        return redirect("execution-detail", pk=pk)
    if execution.is_running:
        executions.stop_execution(execution, error=form.cleaned_data["error"] or None,
                                  cause=form.cleaned_data["cause"] or None)
        messages.success(request, f"Stopped execution {execution.name}.")
    else:
        messages.info(request, f"Execution {execution.name} had already ended.")
    return redirect("execution-detail", pk=pk)
