"""The Map Run page: a Distributed Map's run, its item and child execution counts by status (live)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console.services import ServiceError, map_runs

STATUSES = ("pending", "running", "succeeded", "failed", "aborted", "total")
CHILD_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "ABORTED")
CHILD_PAGE = 100


@require_GET
def map_run_detail(request: HttpRequest, arn: str) -> HttpResponse:
    try:
        run = map_runs.get_map_run(arn)
    except ServiceError:
        raise Http404("No such Map Run") from None
    record = run.record
    rows = [(status, map_runs.item_counts(record, "item_counts", "items")[status],
             map_runs.item_counts(record, "execution_counts", "executions")[status]) for status in STATUSES]
    status = request.GET.get("status", "").upper()
    status = status if status in CHILD_STATUSES else ""
    children = Paginator(map_runs.child_executions(run, status), CHILD_PAGE).get_page(request.GET.get("page"))
    query = urlencode({"status": status.lower()} if status else {})
    context = {"run": run, "record": record, "rows": rows, "children": children, "query": query,
               "started_by": map_runs.starting_execution(run),
               "child_status": status, "child_statuses": CHILD_STATUSES, "nav": "executions"}
    template = "console/_map_run_counts.html" if request.GET.get("partial") else "console/map_run_detail.html"
    return render(request, template, context)
