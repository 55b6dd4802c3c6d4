"""TestState (``AWSStepFunctions.TestState``): run one state over the engine's test_state.

The request is checked as AWS checks it before the state runs: the definition (a whole
state machine, or one state on its own) must be valid (InvalidDefinition), the input
must be JSON (InvalidExecutionInput), the role must be an IAM role ARN (InvalidArn), and
variables, context and mocks must be well formed (ValidationException).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.conf import settings

from console.runtime import ports
from console.runtime.ports import CallContext
from console.services import InvalidArn, InvalidDefinition, InvalidExecutionInput, ValidationError
from engine import json_types, validate
from engine.errors import DefinitionError, StatesError
from engine.teststate import run_test_state
from engine.validation import validate_state

# AWS: "TestState doesn't support Activity tasks, .sync or .waitForTaskToken service
# integration patterns" unless the task's answer is mocked.
_NEEDS_MOCK = (".sync", ".sync:2", ".waitForTaskToken")


def test_state(params: dict) -> dict[str, Any]:
    definition = _definition(params["definition"], params.get("stateName"))
    _check_role(params.get("roleArn"))
    _check_json(params.get("input"), "input", InvalidExecutionInput)
    for field in ("variables", "context"):
        _check_object(params.get(field), field)
    _check_mock(params.get("mock"))
    _check_reveal(params)
    state = _state_under_test(definition, params.get("stateName"))
    _check_supported(state, params.get("mock"))
    request = {k: v for k, v in params.items() if k != "definition"}
    try:
        return run_test_state(definition, request, account_id=settings.STEPYARD_ACCOUNT,
                              region=settings.STEPYARD_REGION, integrations=_Integrations())
    except StatesError as error:
        raise ValidationError(error.cause or error.name) from None


def _definition(text: str, state_name: str | None) -> dict[str, Any]:
    try:
        document = json_types.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        diagnostics = validate(text)
        raise InvalidDefinition(DefinitionError(diagnostics).aws_message())
    if "States" in document or "StartAt" in document:
        diagnostics = validate(document)
    else:
        diagnostics = validate_state(document, name=state_name or "StateName")
    errors = [d for d in diagnostics if d.severity == "ERROR"]
    if errors:
        raise InvalidDefinition(DefinitionError(errors).aws_message())
    return document


def _state_under_test(definition: dict[str, Any], state_name: str | None) -> dict[str, Any]:
    if "States" not in definition:
        return definition
    name = state_name or definition.get("StartAt")
    found = _find_state(definition, name)
    if found is None:
        raise ValidationError(f"State '{name}' does not exist in the state machine definition.")
    return found


def _find_state(machine: dict[str, Any], name: str | None) -> dict[str, Any] | None:
    states = machine.get("States") or {}
    if name in states:
        return states[name]
    for state in states.values():
        for inner in _sub_machines(state):
            found = _find_state(inner, name)
            if found is not None:
                return found
    return None


def _sub_machines(state: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from state.get("Branches") or []
    for key in ("ItemProcessor", "Iterator"):
        if isinstance(state.get(key), dict):
            yield state[key]


def _check_role(role: str | None) -> None:
    if role is not None and not role.startswith("arn:aws:iam::"):
        raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {role}'")


def _check_json(text: str | None, field: str, error: type) -> Any:
    if text is None:
        return None
    try:
        return json_types.loads(text)
    except ValueError as problem:
        if error is InvalidExecutionInput:
            raise InvalidExecutionInput(
                f"Invalid State Machine Execution Input: '{problem}'") from None
        raise ValidationError(f"The {field} is not valid JSON: {problem}") from None


def _check_object(text: str | None, field: str) -> None:
    value = _check_json(text, field, ValidationError)
    if text is not None and not isinstance(value, dict):
        raise ValidationError(f"The {field} must be a JSON object.")


def _check_mock(mock: dict[str, Any] | None) -> None:
    if mock is None:
        return
    if ("result" in mock) == ("errorOutput" in mock):
        raise ValidationError("A mock must have exactly one of 'result' and 'errorOutput'.")
    if "result" in mock:
        _check_json(mock["result"], "mock result", ValidationError)


def _check_reveal(params: dict) -> None:
    if params.get("revealSecrets") and params.get("inspectionLevel", "INFO") != "TRACE":
        raise ValidationError("revealSecrets can only be set when the inspectionLevel is TRACE.")


def _check_supported(state: dict[str, Any], mock: dict[str, Any] | None) -> None:
    resource = state.get("Resource")
    if state.get("Type") != "Task" or not isinstance(resource, str) or mock is not None:
        return
    if ":activity:" in resource:
        raise ValidationError("TestState does not support Activity tasks.")
    if resource.endswith(_NEEDS_MOCK):
        raise ValidationError(
            "TestState does not support the .sync or .waitForTaskToken integration patterns "
            "without a mock.")


class _Integrations(Mapping[str, Callable[[Any], Any]]):
    """Every resource, served by Stepyard's integrations (TestState calls the real service)."""

    def __getitem__(self, resource: str) -> Callable[[Any], Any]:
        context = CallContext("", "", None, None)
        return lambda parameters: ports.integrations().invoke(resource, parameters, context)

    def __contains__(self, resource: object) -> bool:
        return isinstance(resource, str)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0
