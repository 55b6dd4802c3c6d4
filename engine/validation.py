"""Definition validation as Step Functions does it at CreateStateMachine (InvalidDefinition)
and ValidateStateMachineDefinition: the same diagnostic codes, messages and locations
(States Language: "Structure of a State Machine", "Top-level fields"; AWS's diagnostics).

Order of the report, as AWS gives it: JSON syntax (alone), then the schema (top-level fields,
then each state in document order: state-wide findings before field findings), then, only for
a definition whose schema is valid, the transition graph (engine.validation_graph).
"""

from __future__ import annotations

from typing import Any

from engine.errors import Diagnostic
from engine.validation_graph import check_graph
from engine.validation_json import JsonDescriptionError, parse_json
from engine.validation_report import SCHEMA, Report, not_supported, required
from engine.validation_states import JSONPATH, StateChecker, language_of

__all__ = ["JsonDescriptionError", "parse_json", "validate", "validate_result", "validate_state"]

DEFAULT_MAX_RESULTS = 100
_TOP_FIELDS = frozenset(
    {"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"}
)
_MAX_TIMEOUT_SECONDS = 99999999
_NOT_AN_OBJECT = "Definition must be a valid JSON object"


def validate(definition: Any, machine_type: str = "STANDARD") -> list[Diagnostic]:
    """Every diagnostic AWS would report for ``definition`` (JSON text or parsed object)."""
    machine = _as_document(definition)
    if isinstance(machine, Diagnostic):
        return [machine]
    report = Report()
    checker = StateChecker(
        report, machine_type, language_of(machine.get("QueryLanguage"), JSONPATH)
    )
    _check_top(checker, machine)
    if not report.items:
        check_graph(report, machine)
    return report.items


def validate_result(
    definition: Any, machine_type: str = "STANDARD", max_results: int = DEFAULT_MAX_RESULTS
) -> tuple[list[Diagnostic], bool]:
    """ValidateStateMachineDefinition's (diagnostics, truncated); maxResults 0 means 100."""
    limit = max_results or DEFAULT_MAX_RESULTS
    diagnostics = validate(definition, machine_type)
    return diagnostics[:limit], len(diagnostics) > limit


def validate_state(
    state: Any, machine_type: str = "STANDARD", name: str = "State"
) -> list[Diagnostic]:
    """Schema diagnostics of one state on its own (TestState's single-state definitions)."""
    document = _as_document(state)
    if isinstance(document, Diagnostic):
        return [document]
    report = Report()
    checker = StateChecker(report, machine_type, JSONPATH)
    checker.state(name, document, f"/States/{name}")
    return [d for d in report.items if not _is_transition_shape(d)]


def _is_transition_shape(diagnostic: Diagnostic) -> bool:
    # A lone state under test may omit Next/End: TestState does not follow transitions.
    return "[Next, End]" in diagnostic.message


def _as_document(definition: Any) -> dict | Diagnostic:
    if isinstance(definition, (str, bytes)):
        text = (
            definition.decode("utf-8", errors="replace")
            if isinstance(definition, bytes)
            else definition
        )
        if not text.strip():
            return Diagnostic(SCHEMA, "", _NOT_AN_OBJECT)
        try:
            definition = parse_json(text)
        except JsonDescriptionError as exc:
            return exc.diagnostic
    if not isinstance(definition, dict):
        return Diagnostic(SCHEMA, "", _NOT_AN_OBJECT)
    return definition


def _check_top(checker: StateChecker, machine: dict) -> None:
    missing = [f for f in ("States", "StartAt") if f not in machine]
    if missing:
        checker.add("/", required(*missing))
    for field in machine:
        if field not in _TOP_FIELDS:
            checker.add("/", not_supported(field))
    checker.query_language(
        machine.get("QueryLanguage"), "/QueryLanguage", "QueryLanguage" in machine
    )
    checker.string_field(machine, "Comment", "")
    checker.string_field(machine, "Version", "")
    _check_timeout(checker, machine)
    checker.states(machine, "")


def _check_timeout(checker: StateChecker, machine: dict) -> None:
    checker.positive_int(machine, "TimeoutSeconds", "", 1, JSONPATH)
    timeout = machine.get("TimeoutSeconds")
    if isinstance(timeout, int) and timeout > _MAX_TIMEOUT_SECONDS:
        checker.add("/TimeoutSeconds", f"Maximum value is {_MAX_TIMEOUT_SECONDS}")
