"""Test case pages: list and run a machine's test cases, edit the console's own, save an
execution as a test case. Every write goes through console.services (test_cases, test_runs)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console.models import Execution, StateMachine, TestCase
from console.services import ServiceError, test_runs
from console.services import test_cases as service
from console.views.machines import _get_machine_or_404

EXAMPLE_MOCKS = '{\n  "StateName": {\n    "0": {"Return": {"ok": true}}\n  }\n}'


def _get_case_or_404(machine: StateMachine, name: str) -> service.CaseView:
    case = service.find_case(machine, name)
    if case is None:
        raise Http404(f"{machine.name} has no test case named {name!r}")
    return case


def _stored_or_404(machine: StateMachine, name: str) -> TestCase:
    case = TestCase.objects.filter(machine=machine, name=name).first()
    if case is None:
        raise Http404(f"{machine.name} has no console test case named {name!r}")
    return case


@require_GET
def test_case_list(request: HttpRequest, name: str) -> HttpResponse:
    machine = _get_machine_or_404(name)
    _, file_error = service.list_cases(machine)
    results = test_runs.results(machine)
    context = {"machine": machine, "results": results, "file_error": file_error,
               "mock_file": service.mock_file(), "nav": "machines",
               "running": any(r.verdict == "running" for r in results)}
    template = "console/_test_case_rows.html" if request.GET.get("partial") else "console/test_case_list.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def test_case_create(request: HttpRequest, name: str) -> HttpResponse:
    machine = _get_machine_or_404(name)
    fields = {"name": "", "input": "{}", "mocks": EXAMPLE_MOCKS, "expected_status": "SUCCEEDED",
              "expected_output": ""}
    return _case_form(request, machine, None, fields)


@require_http_methods(["GET", "POST"])
def test_case_edit(request: HttpRequest, name: str, case: str) -> HttpResponse:
    machine = _get_machine_or_404(name)
    stored = _stored_or_404(machine, case)
    fields = {"name": stored.name, "input": stored.input, "mocks": stored.mocks,
              "expected_status": stored.expected_status, "expected_output": stored.expected_output}
    return _case_form(request, machine, stored, fields)


def _case_form(request: HttpRequest, machine: StateMachine, stored: TestCase | None, fields: dict) -> HttpResponse:
    checked = None
    if request.method == "POST":
        fields = {key: request.POST.get(key, "") for key in fields}
        checked = service.check_case(machine, fields["name"], fields["mocks"], fields["expected_status"],
                                     fields["expected_output"])
        _check_input(fields["input"], checked)
        if not checked.errors and _save(request, machine, stored, fields, checked):
            return redirect("test-case-list", name=machine.name)
    return render(request, "console/test_case_form.html",
                  {"machine": machine, "stored": stored, "fields": fields, "checked": checked,
                   "statuses": service.STATUSES, "tasks": _task_help(machine), "nav": "machines"})


def _check_input(text: str, checked: service.Checked) -> None:
    try:
        json.loads(text or "{}")
    except ValueError as error:
        checked.add("input", f"not valid JSON: {error}")


def _save(request: HttpRequest, machine: StateMachine, stored: TestCase | None, fields: dict,
          checked: service.Checked) -> bool:
    try:
        service.save_case(machine, fields["name"], checked.mocks, fields["expected_status"],
                          fields["expected_output"], case=stored, input=fields["input"] or "{}")
    except ServiceError as error:
        checked.add("name", error.message)
        return False
    for note in checked.notes:
        messages.warning(request, note)
    messages.success(request, f"Saved test case {fields['name']}.")
    return True


def _task_help(machine: StateMachine) -> list[dict]:
    """The Task states a test case may mock, with the errors each retries or catches."""
    try:
        tasks = service.task_states(machine.definition, machine.type)
    except Exception:  # the definition is checked when it is saved; a page must still render
        return []
    return [{"name": name, "resource": state.resource,
             "handled": sorted({e for h in (*state.retriers, *state.catchers) for e in h.error_equals})}
            for name, state in tasks.items()]


@require_POST
def test_case_delete(request: HttpRequest, name: str, case: str) -> HttpResponse:
    machine = _get_machine_or_404(name)
    service.delete_case(_stored_or_404(machine, case))
    messages.success(request, f"Deleted test case {case}.")
    return redirect("test-case-list", name=machine.name)


@require_POST
def test_case_run(request: HttpRequest, name: str, case: str) -> HttpResponse:
    machine = _get_machine_or_404(name)
    try:
        execution = test_runs.run_case(machine, _get_case_or_404(machine, case))
    except ServiceError as error:
        messages.error(request, f"{error.code}: {error.message}")
        return redirect("test-case-list", name=machine.name)
    return redirect("execution-detail", pk=execution.pk)


@require_POST
def test_case_run_all(request: HttpRequest, name: str) -> HttpResponse:
    machine = _get_machine_or_404(name)
    try:
        started = test_runs.run_all(machine)
    except ServiceError as error:
        messages.error(request, f"{error.code}: {error.message}")
    else:
        messages.success(request, f"Started {len(started)} test case run(s).")
    return redirect("test-case-list", name=machine.name)


@require_POST
def execution_save_as_test_case(request: HttpRequest, pk: int) -> HttpResponse:
    execution = Execution.objects.filter(pk=pk).first()
    if execution is None:
        raise Http404(f"No execution {pk}")
    try:
        case = test_runs.save_from_execution(execution, request.POST.get("name", "").strip())
    except ServiceError as error:
        messages.error(request, f"{error.code}: {error.message}")
        return redirect("execution-detail", pk=pk)
    messages.success(request, f"Saved test case {case.name} from execution {execution.name}.")
    return redirect("test-case-edit", name=execution.machine_name, case=case.name)


@require_GET
def test_cases_mock_config(request: HttpRequest, name: str) -> JsonResponse:
    """Download the machine's test cases as a mock configuration file, for CI."""
    machine = _get_machine_or_404(name)
    response = JsonResponse(test_runs.as_mock_config(machine), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{machine.name}-MockConfigFile.json"'
    return response
