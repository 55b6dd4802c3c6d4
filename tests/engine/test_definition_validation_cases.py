"""The AWS-recorded conformance corpus, replayed in-process against engine.validation.

- definition_validation: every CreateStateMachine rejection and ValidateStateMachineDefinition
  answer must match what AWS returned (after the harness's own normalisations).
- sfn, test_state, integration: every definition AWS accepted must validate with no error.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from engine.errors import DefinitionError
from engine.validation import validate, validate_result, validate_state

CONFORMANCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance"
CASES = CONFORMANCE / "cases"

# Cases that are not about the definition itself; known failures stay here, with a reason.
XFAIL = {
    "test_sfn_api_versioning::TestSnfApiVersioning::"
    "test_create_with_version_description_no_publish": "API-level check, covered by the API layer",
}


def _harness() -> Any:
    spec = importlib.util.spec_from_file_location("conformance_run", CONFORMANCE / "run.py")
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RUN = _harness() if (CONFORMANCE / "run.py").exists() else None
pytestmark = pytest.mark.skipif(
    RUN is None, reason="conformance corpus not found at ../shared/conformance"
)


def _cases(suites: tuple[str, ...]) -> list[dict]:
    if RUN is None:
        return []
    return [
        c
        for suite in suites
        if (CASES / suite).is_dir()
        for c in RUN.load_cases(str(CASES / suite))
    ]


def _param(case: dict) -> Any:
    marks = (
        [pytest.mark.xfail(reason=XFAIL[case["id"]], strict=True)] if case["id"] in XFAIL else []
    )
    return pytest.param(case, id=case["id"], marks=marks)


def _env() -> Any:
    return RUN.Env(RUN.RECORDED_ACCOUNT, "us-east-1", "aws", "snf_role_arn")


def _definition_text(case: dict) -> str:
    return (
        case["definition"] if case.get("definition_is_raw_text") else json.dumps(case["definition"])
    )


def _machine_type(case: dict) -> str:
    return case.get("state_machine_type") or "STANDARD"


@pytest.mark.parametrize("case", [_param(c) for c in _cases(("definition_validation",))])
def test_definition_validation_case_matches_aws(case: dict) -> None:
    if case["kind"] == "create_error":
        _check_create_error(case)
    else:
        _check_validate(case)


def _check_create_error(case: dict) -> None:
    diagnostics = [
        d for d in validate(_definition_text(case), _machine_type(case)) if d.severity == "ERROR"
    ]
    assert diagnostics, f"definition accepted, AWS answered {case['expected']['error_code']}"
    assert case["expected"]["error_code"] == "InvalidDefinition"
    message = RUN.normalise_text(DefinitionError(diagnostics).aws_message(), _env())
    difference = RUN.compare(case["expected"]["error_message"], message, RUN.Bare(), "message")
    assert difference is None, difference


def _check_validate(case: dict) -> None:
    max_results = (case.get("request") or {}).get("maxResults", 100)
    diagnostics, truncated = validate_result(
        _definition_text(case), _machine_type(case), max_results
    )
    response = {
        "result": "FAIL" if any(d.severity == "ERROR" for d in diagnostics) else "OK",
        "diagnostics": [_wire(d.as_dict()) for d in diagnostics],
        "truncated": truncated,
    }
    bare = RUN.Bare(case.get("placeholders"), case.get("path_placeholders"))
    for key, expected in case["expected"].items():
        difference = RUN.compare_field(expected, response.get(key), _env(), bare, key)
        assert difference is None, difference


def _wire(diagnostic: dict) -> dict:
    # ValidateStateMachineDefinition omits the location when there is none.
    return {k: v for k, v in diagnostic.items() if not (k == "location" and not v)}


def _accepted_definitions() -> list[Any]:
    params = []
    for case in _cases(("sfn", "test_state", "integration")):
        if case["kind"] == "create_error":
            continue
        params.append(pytest.param(case["definition"], _machine_type(case), id=case["id"]))
        for i, req in enumerate(case.get("requires") or ()):
            if req.get("kind") == "state_machine":
                params.append(
                    pytest.param(
                        req["definition"],
                        req.get("type") or "STANDARD",
                        id=f"{case['id']}#requires{i}",
                    )
                )
    return params


@pytest.mark.parametrize(("definition", "machine_type"), _accepted_definitions())
def test_definitions_aws_accepted_have_no_errors(definition: Any, machine_type: str) -> None:
    if isinstance(definition, dict) and "States" not in definition and "Type" in definition:
        diagnostics = validate_state(definition, machine_type)
    else:
        diagnostics = validate(definition, machine_type)
    errors = [d.as_dict() for d in diagnostics if d.severity == "ERROR"]
    assert errors == []
