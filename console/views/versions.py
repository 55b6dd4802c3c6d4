"""A state machine's versions and aliases (publish, route weights) and its revisions'
diff and restore. Every change goes through the services; their errors become messages."""

from __future__ import annotations

import difflib
from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from console.models import StateMachine, StateMachineRevision
from console.services import ServiceError
from console.services import machines as machine_service
from console.services import versions as service
from console.views.machines import _get_machine_or_404, _pretty


def _get_revision_or_404(machine: StateMachine, number: int) -> StateMachineRevision:
    try:
        return machine.revisions.get(number=number)
    except StateMachineRevision.DoesNotExist:
        raise Http404(f"{machine.name} has no revision {number}") from None


def _attempt(request: HttpRequest, action: Callable[[], object], done: str) -> None:
    try:
        action()
    except ServiceError as error:
        messages.error(request, f"{error.code}: {error.message}")
    else:
        messages.success(request, done)


@require_GET
def machine_versions(request: HttpRequest, name: str) -> HttpResponse:
    machine = _get_machine_or_404(name)
    versions = service.list_versions(machine)
    aliases = [(alias, service.routing(alias)) for alias in machine.aliases.order_by("created", "pk")]
    used = {route["stateMachineVersionArn"] for _, routes in aliases for route in routes}
    return render(request, "console/machine_versions.html", {
        "machine": machine, "versions": versions, "aliases": aliases, "used": used, "nav": "machines",
        "numbers": {v.arn: v.number for v in versions}})


@require_POST
def version_publish(request: HttpRequest, name: str) -> HttpResponse:
    machine = _get_machine_or_404(name)
    description = request.POST.get("description", "")[:256] or None
    _attempt(request, lambda: service.publish_version(machine, description=description),
             f"Published revision {machine.revision} of {machine.name} as a version.")
    return redirect("machine-versions", name=name)


@require_POST
def version_delete(request: HttpRequest, name: str, number: int) -> HttpResponse:
    machine = _get_machine_or_404(name)
    _attempt(request, lambda: service.delete_version(f"{machine.arn}:{number}"), f"Deleted version {number}.")
    return redirect("machine-versions", name=name)


def _routes(request: HttpRequest, machine: StateMachine) -> list[dict]:
    """Up to two (version, weight) pairs from the form; the second weight is what is left."""
    first, second = request.POST.get("version", ""), request.POST.get("second_version", "")
    try:
        weight = int(request.POST.get("weight", "100"))
    except ValueError:
        weight = -1
    routes = [{"stateMachineVersionArn": f"{machine.arn}:{first}", "weight": weight}]
    if second:
        routes.append({"stateMachineVersionArn": f"{machine.arn}:{second}", "weight": 100 - weight})
    return routes


@require_POST
def alias_save(request: HttpRequest, name: str) -> HttpResponse:
    """Create an alias, or change the routing of the one of that name."""
    machine = _get_machine_or_404(name)
    alias_name = request.POST.get("alias", "")
    routes = _routes(request, machine)
    description = request.POST.get("description", "")[:256] or None
    existing = machine.aliases.filter(name=alias_name).first()
    if existing is None:
        _attempt(request, lambda: service.create_alias(alias_name, routes, description),
                 f"Created alias {alias_name}.")
    else:
        _attempt(request, lambda: service.update_alias(existing, routes=routes, description=description),
                 f"Updated alias {alias_name}.")
    return redirect("machine-versions", name=name)


@require_POST
def alias_delete(request: HttpRequest, name: str, alias: str) -> HttpResponse:
    machine = _get_machine_or_404(name)
    found = machine.aliases.filter(name=alias).first()
    if found is not None:
        service.delete_alias(found)
        messages.success(request, f"Deleted alias {alias}.")
    return redirect("machine-versions", name=name)


# --------------------------------------------------------------------------- revisions


def diff_lines(before: str, after: str) -> list[tuple[str, str]]:
    """A unified diff of two definitions (pretty-printed), as (kind, line) for the page."""
    lines = difflib.unified_diff(_pretty(before).splitlines(), _pretty(after).splitlines(), lineterm="", n=3)
    out = []
    for line in list(lines)[2:]:  # the ---/+++ header names nothing useful here
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        out.append((kind, line))
    return out


@require_GET
def revision_diff(request: HttpRequest, name: str, number: int) -> HttpResponse:
    """Revision ``number`` against another (``?with=N``; the current one by default)."""
    machine = _get_machine_or_404(name)
    revision = _get_revision_or_404(machine, number)
    other_number = request.GET.get("with", "")
    other = _get_revision_or_404(machine, int(other_number) if other_number.isdigit() else machine.revision)
    return render(request, "console/revision_diff.html", {
        "machine": machine, "revision": revision, "other": other, "revisions": machine.revisions.all(),
        "lines": diff_lines(revision.definition, other.definition), "nav": "machines"})


@require_POST
def revision_restore(request: HttpRequest, name: str, number: int) -> HttpResponse:
    """Save revision ``number``'s definition as a new revision (history is never rewritten)."""
    machine = _get_machine_or_404(name)
    revision = _get_revision_or_404(machine, number)
    try:
        updated = machine_service.update_machine(machine, definition=revision.definition,
                                                 role_arn=revision.role_arn or None)
    except ServiceError as error:
        messages.error(request, f"{error.code}: {error.message}")
        return redirect("machine-revision", name=name, number=number)
    if updated.revision == machine.revision:
        messages.info(request, f"Revision {number} is what {name} runs already.")
    else:
        messages.success(request, f"Restored revision {number} as revision {updated.revision}.")
    return redirect("machine-detail", name=name)
