"""The console's HTML pages. Reads use the models; every write goes through services."""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console import addresses, graph, starters
from console.forms import EditMachineForm, MachineForm
from console.models import Function, StateMachine, StateMachineRevision
from console.runtime.machines import compiled
from console.samples import kit
from console.services import ServiceError, StateMachineDoesNotExist
from console.services import machines as machine_service
from console.views import fdl
from engine import json_types
from engine.errors import DefinitionError

MAX_PREVIEW_BYTES = 1_048_576


def _get_machine_or_404(name: str) -> StateMachine:
    try:
        return machine_service.get_machine(name)
    except StateMachineDoesNotExist:
        raise Http404(f"No state machine named {name!r}") from None


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("machine-list")


@require_GET
def machine_list(request: HttpRequest) -> HttpResponse:
    machines = StateMachine.objects.all()
    template = "console/_machine_rows.html" if request.GET.get("partial") else "console/machine_list.html"
    return render(request, template, {"machines": machines, "nav": "machines"})


@require_http_methods(["GET", "POST"])
def machine_create(request: HttpRequest) -> HttpResponse:
    key = request.POST.get("starter") or request.GET.get("starter", "")
    starter = starters.STARTERS.get(key)
    if request.method == "POST":
        form = MachineForm(request.POST)
        if form.is_valid() and _create(request, form):
            _prepare(request, starter)
            return redirect("machine-detail", name=form.cleaned_data["name"])
    else:
        form = MachineForm(initial=_starter_initial(starter, _queue_base(request)))
    return render(
        request,
        "console/machine_form.html",
        {"form": form, "starters": starters.STARTERS, "creating": True, "starter": starter,
         **fdl.editor_context(form["definition"].value())},
    )


def _queue_base(request: HttpRequest) -> str:
    """Queue URLs at the address this browser reaches the server on (console.addresses)."""
    return f"{addresses.base_url()}/{settings.STEPYARD_ACCOUNT}"


def _prepare(request: HttpRequest, starter: starters.Starter | None) -> None:
    """Create the queues and functions a starter's workflow calls, if they are missing."""
    if starter is None or not (starter.queues or starter.functions):
        return
    for queue in starter.queues:
        kit.ensure_queue(queue)
    for function, module in starter.functions:
        if not Function.objects.filter(name=function).exists():  # never overwrite the user's code
            kit.ensure_function(function, module)
    made = [*(f"queue {q}" for q in starter.queues), *(f"function {f}" for f, _ in starter.functions)]
    messages.info(request, "It calls " + ", ".join(made) + ": ready.")


def _create(request: HttpRequest, form: MachineForm) -> bool:
    data = form.cleaned_data
    try:
        machine_service.create_machine(
            name=data["name"],
            definition=data["definition"],
            machine_type=data["type"],
            role_arn=data["role_arn"],
        )
    except ServiceError as error:
        _form_error(form, error)
        return False
    messages.success(request, f"Created state machine {data['name']}.")
    return True


def _form_error(form: MachineForm | EditMachineForm, error: ServiceError) -> None:
    field = "definition" if error.code == "InvalidDefinition" else None
    if error.code in ("InvalidName", "StateMachineAlreadyExists"):
        field = "name"
    form.add_error(field, f"{error.code}: {_without_source(error.message)}")


def _starter_initial(starter: starters.Starter | None, queue_base: str) -> dict:
    if starter is None:
        return {"definition": starters.BLANK_DEFINITION}
    return {"definition": starter.definition_text(queue_base), "type": starter.machine_type,
            "name": starter.name}


@require_GET
def machine_detail(request: HttpRequest, name: str) -> HttpResponse:
    machine = _get_machine_or_404(name)
    drawing = graph.render(machine.definition, machine.type, expanded=_openable(machine, request))
    revisions = machine.revisions.all()
    return render(
        request,
        "console/machine_detail.html",
        {"machine": machine, "graph": drawing, "revisions": revisions,
         "definition": _pretty(machine.definition), "asl_equivalent": fdl.asl_equivalent(machine.definition)},
    )


def _openable(machine: StateMachine, request: HttpRequest) -> frozenset[str]:
    asked = request.GET.get("expand", "")
    if not asked:
        return frozenset()
    try:
        return graph.openable(compiled(machine.definition, machine.type), asked)
    except DefinitionError:  # an FDL flow or a definition stored before a rule changed
        return frozenset()


@require_GET
def machine_revision(request: HttpRequest, name: str, number: int) -> HttpResponse:
    machine = _get_machine_or_404(name)
    try:
        revision = machine.revisions.get(number=number)
    except StateMachineRevision.DoesNotExist:
        raise Http404(f"{name} has no revision {number}") from None
    drawing = graph.render(revision.definition, machine.type)
    return render(
        request,
        "console/machine_revision.html",
        {"machine": machine, "revision": revision, "graph": drawing,
         "definition": _pretty(revision.definition), "asl_equivalent": fdl.asl_equivalent(revision.definition)},
    )


@require_http_methods(["GET", "POST"])
def machine_edit(request: HttpRequest, name: str) -> HttpResponse:
    machine = _get_machine_or_404(name)
    if request.method == "POST":
        form = EditMachineForm(request.POST)
        if form.is_valid() and _update(request, machine, form):
            return redirect("machine-detail", name=machine.name)
    else:
        form = EditMachineForm(initial={"definition": machine.definition, "role_arn": machine.role_arn})
    return render(request, "console/machine_form.html",
                  {"form": form, "machine": machine, **fdl.editor_context(form["definition"].value())})


def _update(request: HttpRequest, machine: StateMachine, form: EditMachineForm) -> bool:
    try:
        updated = machine_service.update_machine(
            machine,
            definition=form.cleaned_data["definition"],
            role_arn=form.cleaned_data["role_arn"] or None,
        )
    except ServiceError as error:
        _form_error(form, error)
        return False
    if updated.revision == machine.revision:
        messages.info(request, "Nothing changed; no new revision was saved.")
    else:
        messages.success(request, f"Saved revision {updated.revision} of {machine.name}.")
    return True


@require_http_methods(["GET", "POST"])
def machine_delete(request: HttpRequest, name: str) -> HttpResponse:
    machine = _get_machine_or_404(name)
    if request.method == "POST":
        machine_service.delete_machine(machine)
        messages.success(request, f"Deleted state machine {name}.")
        return redirect("machine-list")
    return render(request, "console/machine_delete.html", {"machine": machine})


@require_POST
def machine_validate(request: HttpRequest) -> JsonResponse:
    """Validate a definition while the user types; also return its graph preview."""
    if len(request.body) > MAX_PREVIEW_BYTES * 2:
        return JsonResponse({"error": "The definition is larger than 1 MiB."}, status=413)
    try:
        body = json_types.loads(request.body)
        definition, machine_type = body["definition"], body.get("type", "STANDARD")
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": 'Send {"definition": "...", "type": "STANDARD"}.'}, status=400)
    if not isinstance(definition, str) or machine_type not in machine_service.TYPES:
        return JsonResponse({"error": "definition must be text and type STANDARD or EXPRESS."}, status=400)
    result = machine_service.validate_definition(definition, machine_type)
    diagnostics = [_for_editor(d) for d in result.diagnostics]
    payload: dict = {"ok": result.ok, "diagnostics": diagnostics, "language": fdl.language_of(definition)}
    if result.ok and body.get("draw", True):  # the editor asks for the slow part apart
        payload.update(_preview(definition, machine_type, body.get("drawn")))
    return JsonResponse(payload)


def _preview(definition: str, machine_type: str, drawn: object) -> dict:
    """The graph, unless it is the drawing ``drawn`` (its digest) the editor shows already."""
    digest, drawing = graph.preview(definition, machine_type, drawn if isinstance(drawn, str) else "")
    if drawing is None:
        return {"graph_digest": digest, "unchanged": True}
    return {"graph_digest": digest, "svg": drawing.svg, "graph_error": drawing.error}


# AWS quotes up to 500 characters of the definition in a JSON syntax error, Jackson's way:
# [Source: (String)"..."; line: L, column: C]. The editor shows the text already.
_JACKSON_SOURCE = re.compile(
    r'\[Source: \(String\)".*?"(?:\[truncated \d+ chars\])?; line: (\d+), column: (\d+)\]', re.S)


def _without_source(message: str) -> str:
    return _JACKSON_SOURCE.sub(r"line \1, column \2", message)


def _for_editor(diagnostic: dict) -> dict:
    """A JSON syntax error as the editor shows it: the problem, and the line to jump to."""
    found = list(_JACKSON_SOURCE.finditer(diagnostic.get("location") or ""))
    if not found:
        return diagnostic
    line, column = int(found[-1].group(1)), int(found[-1].group(2))
    message = _without_source(diagnostic["message"]).rsplit("\n at ", 1)[0]
    return {**diagnostic, "message": message, "location": f"line {line}, column {column}",
            "line": line, "column": column}


def _pretty(definition: str) -> str:
    parsed = machine_service.parsed_definition(definition)
    return definition if parsed is None else json.dumps(parsed, indent=2, ensure_ascii=False)
