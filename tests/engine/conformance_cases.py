"""Load the AWS-recorded conformance cases and check the engine against them in-process,
with the harness's own normalisation and wildcard rules (../shared/conformance/run.py)."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from functools import lru_cache
from typing import Any

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFORMANCE = os.path.normpath(os.path.join(REPO, "..", "shared", "conformance"))
CASES_DIR = os.path.join(CONFORMANCE, "cases")
SUITES = ("sfn", "test_state")
KINDS = ("execution", "sync_execution", "test_state")

ACCOUNT = "111111111111"
REGION = "us-east-1"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/conformance"
MACHINE_NAME = "conformance-machine"
EXECUTION_NAME = "conformance-execution"


@lru_cache(maxsize=1)
def harness() -> Any:
    """The harness module (run.py), imported from the shared folder."""
    spec = importlib.util.spec_from_file_location("conformance_run", os.path.join(CONFORMANCE,
                                                                                  "run.py"))
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules.setdefault("conformance_run", module)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def load_cases() -> list[dict[str, Any]]:
    if not os.path.isdir(CASES_DIR):
        return []
    cases = []
    for suite in SUITES:
        root = os.path.join(CASES_DIR, suite)
        if os.path.isdir(root):
            cases.extend(c for c in harness().load_cases(root) if c["kind"] in KINDS)
    return cases


def env(role_arn: str = ROLE_ARN) -> Any:
    return harness().Env(ACCOUNT, REGION, "aws", role_arn)


# TestState echoes the role the request names; nothing to map back to snf_role_arn.
TEST_STATE_ENV_ROLE = f"arn:aws:iam::{ACCOUNT}:role/stepyard-unused"


def _bare(case: dict[str, Any]) -> Any:
    return harness().Bare(case.get("placeholders"), case.get("path_placeholders"))


def execution_context(start_time: float) -> dict[str, Any]:
    from engine.context import execution_context as build

    prefix = f"arn:aws:states:{REGION}:{ACCOUNT}"
    return build(
        execution_arn=f"{prefix}:execution:{MACHINE_NAME}:{EXECUTION_NAME}",
        name=EXECUTION_NAME,
        state_machine_arn=f"{prefix}:stateMachine:{MACHINE_NAME}",
        state_machine_name=MACHINE_NAME,
        start_time=start_time,
        role_arn=ROLE_ARN,
    )


def check_execution(case: dict[str, Any]) -> str | None:
    """None when the engine reproduces the recording, else the first difference."""
    from engine.context import VirtualClock
    from engine.driver import run_execution

    clock = VirtualClock()
    text = case.get("input")
    machine_type = "EXPRESS" if case["kind"] == "sync_execution" else "STANDARD"
    result = run_execution(case["definition"], json.loads(text) if text else {},
                           context=execution_context(clock.now()), clock=clock,
                           machine_type=machine_type)
    return compare_result(case, result)


def compare_result(case: dict[str, Any], result: Any) -> str | None:
    h = harness()
    exp = case["expected"]
    bare = _bare(case)
    extra = [(MACHINE_NAME, "<ArnPart_0idx>"), (EXECUTION_NAME, "<ExecArnPart_0idx>")]
    if result.status != exp["status"]:
        return (f"status: expected {exp['status']}, got {result.status} "
                f"(error={result.error!r}, cause={result.cause!r})")
    if exp["status"] == "SUCCEEDED" and "output" in exp:
        actual = h.normalise_value(result.output, env(), extra)
        diff = h.compare(exp["output"], actual, bare, "output")
        if diff:
            return diff
    if exp["status"] in ("FAILED", "TIMED_OUT"):
        for field in ("error", "cause"):
            if field in exp:
                diff = h.compare_field(exp.get(field), getattr(result, field), env(), bare,
                                       field, extra)
                if diff:
                    return diff
    return _compare_history(case, [event.type for event in result.events])


def _compare_history(case: dict[str, Any], got: list[str]) -> str | None:
    # An empty recorded list means the test did not snapshot the history.
    want = case["expected"].get("history_event_types") or []
    if not want or case["kind"] == "sync_execution" or got == want:
        return None
    tolerant = any(t in case.get("tags", []) for t in ("Parallel", "Map"))
    if tolerant and sorted(got) == sorted(want):
        return None
    diff = harness()._diff_types(want, got)
    return f"history event types differ: {diff}\n  want {want}\n  got  {got}"


def check_test_state(case: dict[str, Any]) -> str | None:
    from engine.teststate import run_test_state

    request = dict(case.get("request") or {})
    response = run_test_state(case["definition"], request, account_id=ACCOUNT, region=REGION)
    h = harness()
    bare = _bare(case)
    test_env = env(TEST_STATE_ENV_ROLE)
    for key, exp in case["expected"].items():
        act = response.get(key)
        if isinstance(exp, dict) and isinstance(act, dict):
            diff = h.compare_nested(exp, act, test_env, bare, key)
        else:
            diff = h.compare_field(exp, act, test_env, bare, key)
        if diff:
            return diff
    return None


def check(case: dict[str, Any]) -> str | None:
    if case["kind"] == "test_state":
        return check_test_state(case)
    return check_execution(case)
