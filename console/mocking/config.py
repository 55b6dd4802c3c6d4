"""A whole mock configuration file: ``StateMachines`` (test cases) and ``MockedResponses``.

    {"StateMachines": {"<machine name>": {"TestCases": {"<case>": {"<state>": "<response>"}}}},
     "MockedResponses": {"<response>": {"0": {"Return": ...}, "1-2": {"Throw": {...}}}}}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from console.mocking.jsonlines import JsonSyntaxError, line_of, loads_with_lines
from console.mocking.responses import Problem, check_response


class MockConfigError(ValueError):
    """A malformed mock configuration file, with where: file, line and field."""

    def __init__(self, file: str, line: int, field: str, message: str):
        self.file, self.line, self.field = file, line, field
        where = file + (f", line {line}" if line else "") + (f", field {field}" if field else "")
        super().__init__(f"Mock configuration {where}: {message}")


@dataclass(frozen=True)
class MockConfig:
    file: str
    test_cases: dict[str, dict[str, dict[str, str]]]  # machine -> case -> state -> response name
    responses: dict[str, dict[str, Any]]

    def case(self, machine: str, case: str) -> dict[str, dict[str, Any]] | None:
        """The mocked states of a test case, each with its response; None if there is no such case."""
        states = self.test_cases.get(machine, {}).get(case)
        if states is None:
            return None
        return {state: self.responses[name] for state, name in states.items()}


def parse(file: str, text: str) -> MockConfig:
    """Check the file's text; MockConfigError at its first problem."""
    try:
        data, lines = loads_with_lines(text)
    except JsonSyntaxError as error:
        raise MockConfigError(file, error.line, "", str(error)) from None
    problems = _check(data)
    if problems:
        first = problems[0]
        raise MockConfigError(file, line_of(lines, first.path), field_name(first.path), first.message)
    return MockConfig(file, _test_cases(data), dict(data.get("MockedResponses", {})))


def field_name(path: tuple[str, ...]) -> str:
    """``StateMachines.Orders.TestCases["Happy path"]``: dotted where a key allows, else quoted."""
    text = ""
    for key in path:
        text += f".{key}" if key.isidentifier() else f"[\"{key}\"]"
    return text.lstrip(".")


def _check(data: Any) -> list[Problem]:
    if not isinstance(data, dict):
        return [Problem((), "the file must hold a JSON object with \"StateMachines\" and \"MockedResponses\"")]
    unknown = sorted(data.keys() - {"StateMachines", "MockedResponses"})
    if unknown:
        return [Problem((unknown[0],), f"unknown top-level field \"{unknown[0]}\" "
                                       "(only \"StateMachines\" and \"MockedResponses\")")]
    responses = data.get("MockedResponses", {})
    if not isinstance(responses, dict):
        return [Problem(("MockedResponses",), "must be an object of named mocked responses")]
    problems: list[Problem] = []
    for name, response in responses.items():
        problems += check_response(response, ("MockedResponses", name))
    return problems + _check_machines(data.get("StateMachines", {}), responses)


def _check_machines(machines: Any, responses: dict[str, Any]) -> list[Problem]:
    if not isinstance(machines, dict):
        return [Problem(("StateMachines",), "must be an object keyed by state machine name")]
    problems: list[Problem] = []
    for machine, entry in machines.items():
        path = ("StateMachines", machine)
        if not isinstance(entry, dict) or not isinstance(entry.get("TestCases"), dict):
            problems.append(Problem(path, "must be an object with a \"TestCases\" object"))
            continue
        for case, states in entry["TestCases"].items():
            problems += _check_case(states, (*path, "TestCases", case), responses)
    return problems


def _check_case(states: Any, path: tuple[str, ...], responses: dict[str, Any]) -> list[Problem]:
    if not isinstance(states, dict):
        return [Problem(path, "must be an object mapping state names to mocked response names")]
    problems = []
    for state, name in states.items():
        if not isinstance(name, str):
            problems.append(Problem((*path, state), "must be the name of a mocked response (a string)"))
        elif name not in responses:
            problems.append(Problem((*path, state), f"names the mocked response \"{name}\", "
                                                    "which MockedResponses does not define"))
    return problems


def _test_cases(data: dict[str, Any]) -> dict[str, dict[str, dict[str, str]]]:
    return {machine: dict(entry["TestCases"]) for machine, entry in data.get("StateMachines", {}).items()}
