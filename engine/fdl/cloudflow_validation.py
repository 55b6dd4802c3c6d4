"""Validation of a CloudFlow state machine (``Type: StateMachine``) with located findings
(CloudFlow docs: "Definitions in a workflow", each state's parameters, "Error handling").
Locations index the ``States`` lists: ``/States/2/Next``.
"""

from __future__ import annotations

from typing import Any

from engine.errors import Diagnostic
from engine.fdl.cloudflow import cloudflow_path, compile_constructor
from engine.fdl.conditions import ConditionError, compile_condition
from engine.fdl.document import SCHEMA, FdlDocument
from engine.fdl.validation import (
    BAD_CATCH,
    BAD_CONDITION,
    BAD_MAPPING,
    BAD_RETRY,
    DUPLICATE_NAME,
    MISSING_NAME,
    UNKNOWN_GOTO,
    UNKNOWN_STEP_TYPE,
    Checker,
)

TASK_MODES = ("RequestComplete", "WaitForSystemCallback", "WaitForCustomCallback")
_TYPES = ("Task", "Pass", "Wait", "Succeed", "Fail", "Choice", "Parallel", "Map")
_TERMINAL = ("Succeed", "Fail", "Choice")


def validate_cloudflow(document: FdlDocument) -> list[Diagnostic]:
    """Every finding for a CloudFlow state machine, in document order."""
    check = Checker(document)
    machine = document.data
    _machine(check, machine, "")
    return check.items


def _machine(check: Checker, body: Any, pointer: str) -> None:
    if not isinstance(body, dict):
        check.add(SCHEMA, pointer, "A state machine must be an object with StartAt and States")
        return
    states = body.get("States")
    if not isinstance(states, list) or not states:
        check.add(SCHEMA, f"{pointer}/States", "'States' must be a non-empty list of states")
        return
    names: dict[str, str] = {}
    for i, state in enumerate(states):
        _name(check, state, f"{pointer}/States/{i}", names)
    if body.get("StartAt") not in names:
        check.add(UNKNOWN_GOTO, f"{pointer}/StartAt",
                  f"StartAt '{body.get('StartAt')}' is not a state of this machine")
    for i, state in enumerate(states):
        if isinstance(state, dict):
            _state(check, state, f"{pointer}/States/{i}", names)


def _name(check: Checker, state: Any, pointer: str, names: dict[str, str]) -> None:
    name = state.get("Name") if isinstance(state, dict) else None
    if not isinstance(name, str) or not name:
        check.add(MISSING_NAME, f"{pointer}/Name", "Every state needs a non-empty 'Name'")
    elif name in names:
        check.add(DUPLICATE_NAME, f"{pointer}/Name",
                  f"The state name '{name}' is already used at {names[name]}")
    else:
        names[name] = pointer


def _state(check: Checker, state: dict[str, Any], pointer: str, names: dict[str, str]) -> None:
    kind = state.get("Type")
    if kind not in _TYPES:
        check.add(UNKNOWN_STEP_TYPE, f"{pointer}/Type",
                  f"The state type is {kind!r}; use one of {', '.join(_TYPES)}")
        return
    if kind not in _TERMINAL:
        _transition(check, state, pointer, names)
    for field in ("InputConstructor", "OutputConstructor", "Parameters"):
        if field in state:
            _template(check, state[field], f"{pointer}/{field}")
    _CHECKS.get(kind, _nothing)(check, state, pointer, names)
    if kind in ("Task", "Parallel", "Map"):
        _rules(check, state, pointer, names)


def _transition(check: Checker, state: dict[str, Any], pointer: str,
                names: dict[str, str]) -> None:
    if "Next" in state:
        _target(check, state["Next"], f"{pointer}/Next", names)
    elif state.get("End") is not True:
        check.add(SCHEMA, pointer, "A state needs 'Next' or 'End: true'")


def _target(check: Checker, target: Any, pointer: str, names: dict[str, str]) -> None:
    if target not in names:
        check.add(UNKNOWN_GOTO, pointer, f"'{target}' is not a state of this machine")


def _template(check: Checker, value: Any, pointer: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith(".$") and isinstance(item, str):
                try:
                    cloudflow_path(item)
                except ValueError as exc:
                    check.add(BAD_MAPPING, f"{pointer}/{key}", str(exc))
            else:
                _template(check, item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _template(check, item, f"{pointer}/{i}")


def _nothing(check: Checker, state: dict[str, Any], pointer: str,
             names: dict[str, str]) -> None:
    """Pass, Wait, Succeed and Fail have nothing more to check here."""


def _task(check: Checker, state: dict[str, Any], pointer: str, names: dict[str, str]) -> None:
    check.required(state, "Action", pointer, str)
    if state.get("TaskMode", TASK_MODES[0]) not in TASK_MODES:
        check.add(SCHEMA, f"{pointer}/TaskMode",
                  f"TaskMode must be one of {', '.join(TASK_MODES)}")


def _choice(check: Checker, state: dict[str, Any], pointer: str,
            names: dict[str, str]) -> None:
    branches = state.get("Branches")
    if not isinstance(branches, list) or not branches:
        check.add(SCHEMA, f"{pointer}/Branches", "A Choice needs a non-empty 'Branches' list")
        return
    for i, branch in enumerate(branches):
        where = f"{pointer}/Branches/{i}"
        if not isinstance(branch, dict):
            check.add(SCHEMA, where, "A branch must be an object with Condition and Next")
            continue
        try:
            compile_condition(str(branch.get("Condition", "")).replace("$Input", "$"))
        except ConditionError as exc:
            check.add(BAD_CONDITION, f"{where}/Condition", f"The condition cannot be read: {exc}")
        _target(check, branch.get("Next"), f"{where}/Next", names)
    if "Default" in state:
        _target(check, state["Default"], f"{pointer}/Default", names)


def _parallel(check: Checker, state: dict[str, Any], pointer: str,
              names: dict[str, str]) -> None:
    branches = state.get("Branches")
    if not isinstance(branches, list) or not branches:
        check.add(SCHEMA, f"{pointer}/Branches", "A Parallel needs a non-empty 'Branches' list")
        return
    for i, branch in enumerate(branches):
        _machine(check, branch, f"{pointer}/Branches/{i}")


def _map(check: Checker, state: dict[str, Any], pointer: str, names: dict[str, str]) -> None:
    if "ItemsPath" in state:
        try:
            cloudflow_path(str(state["ItemsPath"]))
        except ValueError as exc:
            check.add(BAD_MAPPING, f"{pointer}/ItemsPath", str(exc))
    _machine(check, state.get("Processor"), f"{pointer}/Processor")


def _rules(check: Checker, state: dict[str, Any], pointer: str, names: dict[str, str]) -> None:
    for field, code in (("Retry", BAD_RETRY), ("Catch", BAD_CATCH)):
        for i, rule in enumerate(state.get(field) or ()):
            where = f"{pointer}/{field}/{i}"
            errors = rule.get("Errors") if isinstance(rule, dict) else None
            if not isinstance(errors, list) or not errors:
                check.add(code, f"{where}/Errors", "'Errors' must be a non-empty list")
            if field == "Catch" and isinstance(rule, dict):
                _target(check, rule.get("Next"), f"{where}/Next", names)
                if "OutputConstructor" in rule:
                    compile_constructor(rule["OutputConstructor"])


_CHECKS = {"Task": _task, "Choice": _choice, "Parallel": _parallel, "Map": _map}
