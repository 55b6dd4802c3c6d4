"""The function pages: list, create, the function (code, settings, test event, recent
invocations), edit and delete.

Reads use the models; every write and every invocation goes through
console.services.functions. Invoking runs in a worker thread (not Django's one thread
for synchronous views), so a slow handler never holds up the rest of the console.
"""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import sync_to_async
from django import forms
from django.contrib import messages
from django.db import close_old_connections
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from console.functions import code as code_files
from console.functions import functions_dir, packages
from console.models import Execution, Function, Invocation
from console.services import ServiceError
from console.services import functions as service
from engine import json_types

RECENT = 20


def _get_function_or_404(name: str) -> Function:
    try:
        return service.get_function(name)
    except service.ResourceNotFound:
        raise Http404(f"No function named {name!r}") from None


# --------------------------------------------------------------------------- forms


class SettingsForm(forms.Form):
    # Left out of a post, the runtime stays as it is (python3.12 for a new function).
    runtime = forms.ChoiceField(choices=[(r, r) for r in code_files.RUNTIMES], initial=service.DEFAULT_RUNTIME,
                                required=False)
    handler = forms.CharField(max_length=128, initial="handler",
                              help_text="file.function: module.function (Python), path/to/file.export (Node.js)")
    timeout = forms.IntegerField(label="Timeout (s)", min_value=1, max_value=service.MAX_TIMEOUT_S, initial=3)
    memory_size = forms.IntegerField(label="Memory (MB)", min_value=service.MEMORY_RANGE[0],
                                     max_value=service.MEMORY_RANGE[1], initial=128)
    environment = forms.CharField(label="Environment variables", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3, "placeholder": "NAME=value"}),
                                  help_text="One NAME=value per line")
    description = forms.CharField(max_length=256, required=False)

    def clean_environment(self) -> dict[str, str]:
        variables = {}
        for number, line in enumerate(self.cleaned_data["environment"].splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip().isidentifier():
                raise forms.ValidationError(f"Line {number} is not NAME=value.")
            variables[key.strip()] = value
        return variables

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.fields if name not in ("name", "code")}
        if not values["runtime"]:
            del values["runtime"]
        return values


class CodeSettingsForm(SettingsForm):
    code = forms.CharField(widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}), strip=False,
                           initial=service.DEFAULT_CODE)


class CreateFunctionForm(CodeSettingsForm):
    name = forms.CharField(max_length=64)
    field_order = ["name"]


class TestEventForm(forms.Form):
    event = forms.CharField(label="Test event", strip=False, initial='{\n  "key": "value"\n}',
                            widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}))

    def clean_event(self) -> str:
        try:
            json_types.loads(self.cleaned_data["event"])
        except ValueError as error:
            raise forms.ValidationError(f"The event is not valid JSON: {error}") from None
        return self.cleaned_data["event"]


def _initial(function: Function) -> dict[str, Any]:
    environment = json.loads(function.environment or "{}")
    return {
        "runtime": function.runtime, "handler": function.handler, "timeout": function.timeout,
        "memory_size": function.memory_size, "description": function.description,
        "code": code_files.read_code(function),
        "environment": "\n".join(f"{key}={value}" for key, value in environment.items()),
    }


# --------------------------------------------------------------------------- pages


@require_GET
def function_list(request: HttpRequest) -> HttpResponse:
    rows = [(function, function.invocations.first()) for function in service.list_functions()]
    context = {"rows": rows, "directory": functions_dir(), "nav": "functions"}
    return render(request, "console/function_list.html", context)


@require_http_methods(["GET", "POST"])
def function_create(request: HttpRequest) -> HttpResponse:
    form = CreateFunctionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            function = service.create_function(form.cleaned_data["name"], code=form.cleaned_data["code"],
                                               **form.values())
        except ServiceError as error:
            form.add_error("name" if "name" in error.message.lower() else None, error.message)
        else:
            messages.success(request, f"Created function {function.name}.")
            return redirect("function-detail", name=function.name)
    context = {"form": form, "creating": True, "nav": "functions", "default_code": _default_codes()}
    return render(request, "console/function_form.html", context)


def _default_codes() -> dict[str, str]:
    """The starting code of each language, for the create form's runtime switch."""
    return {"python": service.DEFAULT_CODE, "nodejs": service.DEFAULT_NODE_CODE}


@require_GET
def function_detail(request: HttpRequest, name: str) -> HttpResponse:
    function = _get_function_or_404(name)
    if request.GET.get("partial"):
        return _invocation_rows(request, function)
    request_id = request.GET.get("invocation")
    shown = function.invocations.filter(request_id=request_id).first() if request_id else None
    form = TestEventForm(initial={"event": shown.event} if shown else None)
    return _detail(request, function, form, request_id)


def _detail(request: HttpRequest, function: Function, form: TestEventForm, request_id: str | None,
            status: int = 200) -> HttpResponse:
    invocations = service.recent_invocations(function, RECENT)
    shown = next((i for i in invocations if i.request_id == request_id), None)
    callers = dict(Execution.objects.filter(arn__in={i.caller for i in invocations}).values_list("arn", "pk"))
    path = code_files.discover().get(function.name) if function.source == Function.DIRECTORY else None
    context = {
        "function": function,
        "arn": code_files.function_arn(function.name),
        "path": path,
        "handler": code_files.lambda_handler(function),
        "handler_file": code_files.handler_file(function),
        "handler_file_missing": function.source != Function.CONSOLE and code_files.main_file(function) is None,
        "code": code_files.read_code(function),
        "package_files": _package_files(function),
        "environment": sorted(json.loads(function.environment or "{}").items()),
        "form": form,
        "shown": _view(shown, callers) if shown else None,
        "invocations": [_view(i, callers) for i in invocations],
        "nav": "functions",
    }
    return render(request, "console/function_detail.html", context, status=status)


def _package_files(function: Function, limit: int = 200) -> list[str]:
    """A package function's files (paths inside the package), for the page."""
    if function.source != Function.PACKAGE:
        return []
    root = packages.folder(function.package)
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() or p.is_symlink())
    return files[:limit]


def _invocation_rows(request: HttpRequest, function: Function) -> HttpResponse:
    """The recent invocations list alone: the live part of the function's page."""
    invocations = service.recent_invocations(function, RECENT)
    callers = dict(Execution.objects.filter(arn__in={i.caller for i in invocations}).values_list("arn", "pk"))
    views = [_view(i, callers) for i in invocations]
    # The invocation the page shows stays open in the refreshed list.
    shown = next((v for v in views if v["invocation"].request_id == request.GET.get("invocation")), None)
    context = {"function": function, "invocations": views, "shown": shown}
    return render(request, "console/_function_invocations.html", context)


def _view(invocation: Invocation, callers: dict[str, int]) -> dict[str, Any]:
    """An invocation with its event, result and error pretty-printed for the page."""
    return {
        "invocation": invocation,
        "execution_id": callers.get(invocation.caller),
        "caller_name": invocation.caller.rsplit(":", 1)[-1],
        "event": _pretty(invocation.event),
        "result": _pretty(invocation.result) if invocation.result is not None else None,
        "error": json.loads(invocation.error) if invocation.error else None,
    }


def _pretty(text: str) -> str:
    try:
        return json.dumps(json_types.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


async def function_invoke(request: HttpRequest, name: str) -> HttpResponse:
    """Run the function with the test event, then show the page with its invocation."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    return await sync_to_async(_invoke, thread_sensitive=False)(request, name)


def _invoke(request: HttpRequest, name: str) -> HttpResponse:
    try:
        function = _get_function_or_404(name)
        form = TestEventForm(request.POST)
        if not form.is_valid():
            return _detail(request, function, form, None, status=400)
        try:
            result = service.invoke(function.name, form.cleaned_data["event"], caller="console")
        except ServiceError as error:
            form.add_error("event", f"{error.code}: {error.message}")
            return _detail(request, function, form, None, status=400)
        url = reverse("function-detail", args=[function.name])
        return redirect(f"{url}?invocation={result.request_id}#invocation-result")
    finally:
        close_old_connections()


@require_http_methods(["GET", "POST"])
def function_edit(request: HttpRequest, name: str) -> HttpResponse:
    function = _get_function_or_404(name)
    form_class = SettingsForm if function.source == Function.DIRECTORY else CodeSettingsForm
    form = form_class(request.POST or None, initial=_initial(function))
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data.get("code")
        try:
            service.update_function(function, code=code, **form.values())
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Saved {function.name}.")
            return redirect("function-detail", name=function.name)
    context = {"form": form, "function": function, "nav": "functions",
               "handler_file": code_files.handler_file(function)}
    return render(request, "console/function_form.html", context)


@require_http_methods(["GET", "POST"])
def function_delete(request: HttpRequest, name: str) -> HttpResponse:
    function = _get_function_or_404(name)
    if request.method == "POST":
        try:
            service.delete_function(function)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect("function-detail", name=name)
        messages.success(request, f"Deleted function {name}.")
        return redirect("function-list")
    return render(request, "console/function_delete.html", {"function": function, "nav": "functions"})


@require_GET
def function_code_zip(request: HttpRequest, name: str) -> HttpResponse:
    """The function's deployment package (GetFunction's Code.Location points here)."""
    qualifier = request.GET.get("qualifier")
    try:
        function = service.get_function_at(f"{name}:{qualifier}" if qualifier else name)
    except service.ResourceNotFound:
        raise Http404(f"No function named {name!r}") from None
    try:
        data = code_files.code_zip(function)
    except OSError:
        raise Http404(f"The code of {name!r} is gone") from None
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{function.name}.zip"'
    return response
