"""Test cases: the mock configuration file (re-read when it changes) and the console's own.

A run of a test case is an execution started on ``<machine ARN>#<case>``: its mocked states
are copied onto the execution when it starts, so a restart, a redrive or a later edit of the
file never changes what a running test case answers.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from console.mocking.config import MockConfig, MockConfigError, field_name, parse
from console.mocking.responses import check_response
from console.models import StateMachine, TestCase
from console.runtime.machines import compiled
from console.services import ServiceError, ValidationError
from console.services.names import name_problem
from engine.errors import STATES_ALL

STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


class TestCaseDoesNotExist(ServiceError):
    __test__ = False
    code = "ValidationException"


def split_case(arn: str) -> tuple[str, str | None]:
    """``"<arn>#<case>"`` -> (arn, case); an ARN without ``#`` runs no test case."""
    if "#" not in arn:
        return arn, None
    machine_arn, case = arn.split("#", 1)
    if not case:
        raise ValidationError(f"Invalid test case in '{arn}': the name after '#' is empty.")
    return machine_arn, case


# --------------------------------------------------------------------------- the file
_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, int], MockConfig]] = {}


def mock_file() -> str:
    """The mock configuration file's path (SFN_MOCK_CONFIG / STEPYARD_MOCK_CONFIG), or ''."""
    return getattr(settings, "STEPYARD_MOCK_CONFIG", "") or ""


def load_file() -> MockConfig | None:
    """The file's test cases, read again whenever it changed; None when no file is set.

    MockConfigError (naming file, line and field) when it is missing or malformed."""
    path = mock_file()
    if not path:
        return None
    try:
        stat = os.stat(path)
    except OSError as error:
        raise MockConfigError(path, 0, "", f"cannot be read: {error.strerror}") from None
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise MockConfigError(path, 0, "", f"cannot be read: {error}") from None
    config = parse(path, text)
    with _cache_lock:
        _cache[path] = (stamp, config)
    return config


# --------------------------------------------------------------------------- resolving a run
def resolve(machine: StateMachine, case: str) -> dict[str, Any]:
    """The mocked states of ``case`` for ``machine``: the console's case, else the file's."""
    stored = TestCase.objects.filter(machine=machine, name=case).first()
    if stored is not None:
        return json.loads(stored.mocks)
    try:
        config = load_file()
    except MockConfigError as error:
        raise ValidationError(str(error)) from None
    states = config.case(machine.name, case) if config is not None else None
    if states is None:
        raise TestCaseDoesNotExist(_unknown_case(machine, case, config))
    return states


def _unknown_case(machine: StateMachine, case: str, config: MockConfig | None) -> str:
    where = "in the console"
    if config is not None:
        known = sorted(config.test_cases.get(machine.name, {}))
        listed = ", ".join(known) if known else "none"
        where += (f" or in the mock configuration file {config.file} (its test cases for "
                  f"StateMachines.{machine.name}: {listed})")
    else:
        where += " (and no mock configuration file is set: SFN_MOCK_CONFIG or STEPYARD_MOCK_CONFIG)"
    return f"Test case '{case}' does not exist for state machine '{machine.name}' {where}."


# --------------------------------------------------------------------------- listing
@dataclass
class CaseView:
    """A test case as the console lists it."""

    name: str
    source: str  # "console" or "file"
    mocks: dict[str, Any]
    responses: dict[str, str] = field(default_factory=dict)  # state -> response name (file)
    stored: TestCase | None = None

    @property
    def expected_status(self) -> str:
        return self.stored.expected_status if self.stored else ""

    @property
    def expected_output(self) -> str:
        return self.stored.expected_output if self.stored else ""


def list_cases(machine: StateMachine) -> tuple[list[CaseView], str]:
    """The machine's test cases (the console's, then the file's) and the file's error, if any."""
    cases = [CaseView(c.name, "console", json.loads(c.mocks), stored=c)
             for c in TestCase.objects.filter(machine=machine)]
    names = {c.name for c in cases}
    try:
        config = load_file()
    except MockConfigError as error:
        return cases, str(error)
    if config is not None:
        for name, states in sorted(config.test_cases.get(machine.name, {}).items()):
            if name not in names:
                cases.append(CaseView(name, "file", config.case(machine.name, name) or {}, dict(states)))
    return cases, ""


# --------------------------------------------------------------------------- the console's cases
@dataclass
class Checked:
    """A test case's fields after checking: errors (by field) block saving, notes do not."""

    mocks: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.errors.setdefault(where, []).append(message)


def check_case(machine: StateMachine, name: str, mocks_text: str, expected_status: str,
               expected_output: str) -> Checked:
    """Check a console test case against the machine's definition."""
    checked = Checked({})
    _check_case_name(name, checked)
    try:
        checked.mocks = json.loads(mocks_text or "{}")
    except ValueError as error:
        checked.add("mocks", f"not valid JSON: {error}")
        return checked
    if not isinstance(checked.mocks, dict):
        checked.add("mocks", "must be a JSON object mapping state names to mocked responses")
        return checked
    _check_states(machine, checked)
    _check_expectations(expected_status, expected_output, checked)
    return checked


def _check_case_name(name: str, checked: Checked) -> None:
    problem = name_problem(name)
    if problem:
        checked.add("name", f"{problem} (test case names follow AWS's rules for names)")


def _check_states(machine: StateMachine, checked: Checked) -> None:
    tasks = task_states(machine.definition, machine.type)
    for state, response in checked.mocks.items():
        if state not in tasks:
            known = ", ".join(sorted(tasks)) or "none"
            checked.add("mocks", f"\"{state}\" is not a Task state of {machine.name} (its Task states: {known})")
            continue
        for problem in check_response(response, (state,)):
            checked.add("mocks", f"{field_name(problem.path)}: {problem.message}")
        for error in _thrown(response):
            _check_error(state, error, tasks[state], checked)


def task_states(definition: str, machine_type: str) -> dict[str, Any]:
    """Every Task state of a definition, nested ones (Map, Parallel) included, by name."""
    root = compiled(definition, machine_type)
    machines = [root, *root.machines.values()]
    return {name: state for machine in machines for name, state in machine.states.items()
            if state.type == "Task"}


def _thrown(response: Any) -> list[str]:
    if not isinstance(response, dict):
        return []
    return [answer["Throw"]["Error"] for answer in response.values()
            if isinstance(answer, dict) and isinstance(answer.get("Throw"), dict)
            and isinstance(answer["Throw"].get("Error"), str)]


def _check_error(state_name: str, error: str, state: Any, checked: Checked) -> None:
    if not error or error == STATES_ALL or len(error) > 256:
        checked.add("mocks", f"{state_name}: \"{error}\" cannot be thrown (an error name is 1 to 256 "
                             "characters, and States.ALL only matches errors)")
        return
    handlers = [*state.retriers, *state.catchers]
    if not any(_matches(error, h.error_equals) for h in handlers):
        checked.notes.append(f"{state_name} neither retries nor catches \"{error}\": "
                             "the execution fails there.")


def _matches(error: str, names: tuple[str, ...]) -> bool:
    if error in names or STATES_ALL in names:
        return True
    # States.TaskFailed matches every error but States.Timeout (AWS's wildcard rule).
    return "States.TaskFailed" in names and error != "States.Timeout"


def _check_expectations(status: str, output: str, checked: Checked) -> None:
    if status and status not in STATUSES:
        checked.add("expected_status", f"must be one of {', '.join(STATUSES)} (or empty)")
    if output:
        try:
            json.loads(output)
        except ValueError as error:
            checked.add("expected_output", f"not valid JSON: {error}")


def save_case(machine: StateMachine, name: str, mocks: dict[str, Any], expected_status: str = "",
              expected_output: str = "", *, case: TestCase | None = None, input: str | None = None) -> TestCase:
    """Create (or update ``case``) with checked fields; ValidationError if the name is taken."""
    case = case or TestCase(machine=machine)
    if input is not None:
        case.input = input
    case.name, case.mocks = name, json.dumps(mocks, indent=2)
    case.expected_status, case.expected_output = expected_status, expected_output
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise ValidationError(f"{machine.name} already has a test case named '{name}'.") from None
    return case


def delete_case(case: TestCase) -> None:
    case.delete()


def find_case(machine: StateMachine, name: str) -> CaseView | None:
    cases, _ = list_cases(machine)
    return next((case for case in cases if case.name == name), None)
