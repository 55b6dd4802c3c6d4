"""Runs of test cases: start one or all, judge each latest run, turn an execution into a
test case, and write a machine's cases out as a mock configuration file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from console import history, runs
from console.models import Execution, HistoryEvent, StateMachine, TestCase
from console.runtime import express
from console.services import ValidationError, executions
from console.services.names import name_problem
from console.services.test_cases import CaseView, list_cases, save_case


def run_case(machine: StateMachine, case: CaseView) -> Execution:
    """Start an execution of ``machine`` running ``case`` (with the case's input)."""
    text = case.stored.input if case.stored is not None else "{}"
    return executions.start_execution(machine, input=text, test_case=executions.Mocked(case.name, case.mocks))


def run_all(machine: StateMachine) -> list[Execution]:
    """Start one execution per test case of the machine."""
    cases, _ = list_cases(machine)
    return [run_case(machine, case) for case in cases]


@dataclass
class Result:
    """A test case's latest run against what it expects: pass, fail, running or not run."""

    case: CaseView
    execution: Execution | None
    verdict: str
    reasons: list[str] = field(default_factory=list)
    previous: Execution | None = None  # the run before the latest, to compare with


def results(machine: StateMachine) -> list[Result]:
    """Every test case with its latest run (and the one before) and verdict."""
    cases, _ = list_cases(machine)
    runs_of: dict[str, list[Execution]] = {}
    for execution in Execution.objects.filter(machine=machine).exclude(test_case="").order_by("start_date", "pk"):
        runs_of.setdefault(execution.test_case, []).append(execution)
    found = []
    for case in cases:
        case_runs = runs_of.get(case.name, [])
        result = verdict(case, case_runs[-1] if case_runs else None)
        result.previous = case_runs[-2] if len(case_runs) > 1 else None
        found.append(result)
    return found


def verdict(case: CaseView, execution: Execution | None) -> Result:
    if execution is None:
        return Result(case, None, "not run")
    if execution.is_running:
        return Result(case, execution, "running")
    reasons = []
    expected = case.expected_status or "SUCCEEDED"
    if execution.status != expected:
        reasons.append(f"status {execution.status}, expected {expected}")
    if case.expected_output:
        actual = json.loads(execution.output) if execution.output else None
        if actual != json.loads(case.expected_output):
            reasons.append(f"output {execution.output or 'none'}, expected {case.expected_output}")
    return Result(case, execution, "fail" if reasons else "pass", reasons)


# --------------------------------------------------------------------------- from an execution
def history_of(execution: Execution) -> list[history.Row]:
    """The execution's events read for the console (from memory while an Express one runs)."""
    live = express.runtime.events(execution.pk)
    stored = live if live is not None else HistoryEvent.objects.filter(execution=execution).only(
        "event_id", "previous_event_id", "type", "timestamp", "details")
    return history.rows(stored)


def save_from_execution(execution: Execution, name: str) -> TestCase:
    """A new test case answering every task as ``execution``'s tasks were answered, expecting
    its status and output, with its input."""
    if execution.machine is None:
        raise ValidationError("The state machine of this execution was deleted.")
    if execution.parent_id is not None:
        raise ValidationError("This is a child execution of a Map Run: save its parent execution as a test case.")
    problem = name_problem(name)
    if problem:
        raise ValidationError(f"Invalid test case name '{name}': {problem}")
    if execution.is_running:
        raise ValidationError("The execution is still running: save it as a test case once it has ended.")
    mocks = runs.mocks_from(runs.task_results(history_of(execution)))
    case = save_case(execution.machine, name, mocks, execution.status, execution.output or "",
                     case=TestCase(machine=execution.machine, input=execution.input))
    return case


def as_mock_config(machine: StateMachine) -> dict[str, Any]:
    """The machine's test cases as a mock configuration file (Step Functions Local's format):
    each mocked state's response is named ``<case>.<state>``."""
    cases, _ = list_cases(machine)
    test_cases: dict[str, dict[str, str]] = {}
    responses: dict[str, Any] = {}
    for case in cases:
        for state, response in case.mocks.items():
            name = f"{case.name}.{state}"
            test_cases.setdefault(case.name, {})[state] = name
            responses[name] = response
    return {"StateMachines": {machine.name: {"TestCases": test_cases}}, "MockedResponses": responses}
