"""Transitions between states (States Language: "Transitions", "Parallel State" branches and
"Map State" processors as closed scopes; state names unique in the whole machine).

AWS's wording (recorded): "Missing 'Next' target: <name>" at the field naming it (StartAt,
Next, Default, Choices[i]/Next, Catch[i]/Next), 'State "<name>" is not reachable.' at the
state, and MISSING_END_STATE "Workflow has no terminal state" (top level only, with no
location; it replaces the reachability report for that scope).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.validation_report import Report

MISSING_TRANSITION_TARGET = "MISSING_TRANSITION_TARGET"
MISSING_END_STATE = "MISSING_END_STATE"
DUPLICATE_STATE_NAME = "DUPLICATE_STATE_NAME"


def check_graph(report: Report, machine: dict) -> None:
    """Report duplicate names, missing targets, a missing end state and unreachable states."""
    _duplicates(report, machine)
    for scope, loc, top in _scopes(machine, "", True):
        _check_scope(report, scope, loc, top)


def _scopes(scope: dict, loc: str, top: bool) -> Iterator[tuple[dict, str, bool]]:
    yield scope, loc, top
    for name, state in scope["States"].items():
        for child, child_loc in _children(state, f"{loc}/States/{name}"):
            yield from _scopes(child, child_loc, False)


def _children(state: dict, loc: str) -> Iterator[tuple[dict, str]]:
    for i, branch in enumerate(state.get("Branches") or ()):
        yield branch, f"{loc}/Branches[{i}]"
    for field in ("ItemProcessor", "Iterator"):
        if field in state:
            yield state[field], f"{loc}/{field}"


def _duplicates(report: Report, machine: dict) -> None:
    seen: set[str] = set()
    for scope, loc, _top in _scopes(machine, "", True):
        for name in scope["States"]:
            if name in seen:
                # Wording not recorded from AWS.
                report.add(
                    f"{loc}/States/{name}", f"Duplicate State name: {name}", DUPLICATE_STATE_NAME
                )
            seen.add(name)


def transitions(state: dict, loc: str) -> Iterator[tuple[str, str]]:
    """(target, location) of every transition out of a state, in the state's field order."""
    for field, value in state.items():
        if field in ("Next", "Default"):
            yield value, f"{loc}/{field}"
        elif field == "Choices":
            for i, rule in enumerate(value):
                if "Next" in rule:
                    yield rule["Next"], f"{loc}/Choices[{i}]/Next"
        elif field == "Catch":
            for i, catcher in enumerate(value):
                yield catcher["Next"], f"{loc}/Catch[{i}]/Next"


def _check_scope(report: Report, scope: dict, loc: str, top: bool) -> None:
    states: dict[str, Any] = scope["States"]
    if scope["StartAt"] not in states:
        report.add(
            f"{loc}/StartAt",
            f"Missing 'Next' target: {scope['StartAt']}",
            MISSING_TRANSITION_TARGET,
        )
    for name, state in states.items():
        for target, where in transitions(state, f"{loc}/States/{name}"):
            if target not in states:
                report.add(where, f"Missing 'Next' target: {target}", MISSING_TRANSITION_TARGET)
    if top and not any(_is_terminal(state) for state in states.values()):
        report.add("", "Workflow has no terminal state", MISSING_END_STATE)
        return
    reachable = _reachable(scope["StartAt"], states)
    for name in states:
        if name not in reachable:
            report.add(
                f"{loc}/States/{name}",
                f'State "{name}" is not reachable.',
                MISSING_TRANSITION_TARGET,
            )


def _is_terminal(state: dict) -> bool:
    return state.get("End") is True or state.get("Type") in ("Succeed", "Fail")


def _reachable(start: str, states: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    pending = [start]
    while pending:
        name = pending.pop()
        if name in seen or name not in states:
            continue
        seen.add(name)
        pending.extend(target for target, _ in transitions(states[name], ""))
    return seen
