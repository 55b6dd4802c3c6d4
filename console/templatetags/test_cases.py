"""The machine page's test-case section, as one inclusion tag (keeps that page's view as it is)."""

from __future__ import annotations

from typing import Any

from django import template

from console.models import StateMachine
from console.services import test_cases, test_runs

register = template.Library()


@register.inclusion_tag("console/_machine_test_cases.html", takes_context=True)
def machine_test_cases(context: Any, machine: StateMachine) -> dict[str, Any]:
    """The machine's test cases with their latest verdicts, each with a Run button."""
    _, file_error = test_cases.list_cases(machine)
    return {"machine": machine, "results": test_runs.results(machine), "file_error": file_error,
            "csrf_token": context.get("csrf_token")}
