"""The sample projects page: run a sample (one click), then see what it created and its
executions. Running goes through console.samples, which uses the services."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from console import samples
from console.models import Execution, StateMachine
from console.services import ServiceError

RECENT = 10


def _get_sample_or_404(slug: str) -> samples.Sample:
    sample = samples.get_sample(slug)
    if sample is None:
        raise Http404(f"No sample {slug!r}")
    return sample


@require_GET
def sample_list(request: HttpRequest) -> HttpResponse:
    installed = set(StateMachine.objects.values_list("name", flat=True))
    rows = [(sample, sample.machine_name in installed) for sample in samples.all_samples()]
    return render(request, "console/sample_list.html", {"nav": "samples", "rows": rows})


@require_POST
def sample_run(request: HttpRequest, slug: str) -> HttpResponse:
    sample = _get_sample_or_404(slug)
    try:
        run = sample.run()
    except ServiceError as error:
        messages.error(request, f"{sample.title} could not start: {error.message}")
        return redirect("sample-list")
    messages.success(request, run.note or f"{sample.title} is running.")
    target = reverse("sample-detail", args=[slug])
    return redirect(f"{target}?execution={run.execution.pk}" if run.execution else target)


def _links(sample: samples.Sample) -> list[tuple[samples.Link, str]]:
    """What the sample creates, with the page of each (once it has been run)."""
    if not StateMachine.objects.filter(name=sample.machine_name).exists():
        return []
    return [(link, reverse(link.url_name, args=link.args)) for link in sample.links]


@require_GET
def sample_detail(request: HttpRequest, slug: str) -> HttpResponse:
    sample = _get_sample_or_404(slug)
    started = Execution.objects.filter(pk=request.GET.get("execution") or 0).first()
    return render(request, "console/sample_detail.html", {
        "nav": "samples", "sample": sample, "links": _links(sample), "started": started,
        "executions": _recent(sample)})


@require_GET
def sample_executions(request: HttpRequest, slug: str) -> HttpResponse:
    sample = _get_sample_or_404(slug)
    return render(request, "console/sample_executions.html", {"executions": _recent(sample)})


def _recent(sample: samples.Sample) -> list[Execution]:
    rows = Execution.objects.filter(machine_name=sample.machine_name, parent=None)
    return list(rows.order_by("-start_date", "-pk")[:RECENT])
