"""Compare two executions of one state machine: paths taken, per-state data, timing."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console import graph, history, runs
from console.models import Execution
from console.runtime.machines import compiled
from console.services import test_runs


def _execution_or_404(value: str | None) -> Execution:
    execution = Execution.objects.filter(pk=value).first() if (value or "").isdigit() else None
    if execution is None:
        raise Http404(f"No execution {value!r}")
    return execution


def _side(execution: Execution) -> dict:
    rows = test_runs.history_of(execution)
    machine = compiled(execution.definition, execution.type)
    return {"execution": execution, "visits": runs.visits(rows),
            "graph": graph.render(execution.definition, execution.type),
            "data": {"nodes": graph.state_node_ids(machine),
                     "statuses": history.state_statuses(rows, execution.status)}}


@require_GET
def execution_compare(request: HttpRequest) -> HttpResponse:
    left = _execution_or_404(request.GET.get("a"))
    right_id = request.GET.get("b")
    others = Execution.objects.filter(machine_arn=left.machine_arn).exclude(pk=left.pk)[:50]
    if not right_id:
        return render(request, "console/execution_compare.html",
                      {"left": left, "others": others, "nav": "executions"})
    right = _execution_or_404(right_id)
    if right.machine_arn != left.machine_arn:
        raise Http404("Only executions of the same state machine can be compared.")
    a, b = _side(left), _side(right)
    pairs = runs.pair_visits(a["visits"], b["visits"])
    for pair in pairs:
        pair.left_status = a["data"]["statuses"].get(pair.state, "") if pair.left else ""
        pair.right_status = b["data"]["statuses"].get(pair.state, "") if pair.right else ""
    return render(request, "console/execution_compare.html",
                  {"left": left, "right": right, "a": a, "b": b, "pairs": pairs, "others": others,
                   "graphs": {"a": a["data"], "b": b["data"]}, "nav": "executions",
                   "differing": sum(1 for p in pairs if not p.same)})
