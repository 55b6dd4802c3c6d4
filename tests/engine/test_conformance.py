"""Every AWS-recorded case of the ``sfn`` and ``test_state`` suites, run in-process.

Status, output (or error and cause) and the history event types must match the
recording, with the harness's own normalisation (../shared/conformance/run.py).
Known failures live in XFAIL with a reason; the dict only shrinks.
"""

from __future__ import annotations

import pytest

from tests.engine.conformance_cases import CASES_DIR, check, load_cases

_NEEDS_LAMBDA = (
    "TestState without a mock invokes a deployed Lambda function that returns "
    "'HelloWorld!'; the engine calls whatever integration its host passes, and there "
    "is no Lambda runtime in-process"
)

XFAIL: dict[str, str] = {
    "test_state/test_test_state_scenarios::TestStateCaseScenarios::"
    "test_base_lambda_task_state[DEBUG]": _NEEDS_LAMBDA,
    "test_state/test_test_state_scenarios::TestStateCaseScenarios::"
    "test_base_lambda_task_state[INFO]": _NEEDS_LAMBDA,
    "test_state/test_test_state_scenarios::TestStateCaseScenarios::"
    "test_base_lambda_task_state[TRACE]": _NEEDS_LAMBDA,
}

_CASES = load_cases()


def _params() -> list:
    if not _CASES:
        return [pytest.param(None, marks=pytest.mark.skip(
            reason=f"conformance cases not found at {CASES_DIR}"), id="no-cases")]
    params = []
    for case in _CASES:
        marks = []
        if case["id"] in XFAIL:
            marks.append(pytest.mark.xfail(reason=XFAIL[case["id"]], strict=True))
        params.append(pytest.param(case, marks=marks, id=case["id"]))
    return params


@pytest.mark.parametrize("case", _params())
def test_engine_reproduces_aws_recording(case: dict) -> None:
    difference = check(case)
    assert difference is None, difference


def test_xfail_names_only_existing_cases() -> None:
    if not _CASES:
        pytest.skip(f"conformance cases not found at {CASES_DIR}")
    known = {case["id"] for case in _CASES}
    assert set(XFAIL) <= known
