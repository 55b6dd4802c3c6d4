"""Serverless Workflow flows (FDL, YAML) and CloudFlow state machines on Stepyard's engine.

Public API (the console and engine.load call these):

- ``is_fdl(definition) -> bool``: FDL/CloudFlow text (or dict) rather than ASL.
- ``parse_fdl(text) -> FdlDocument``: the YAML with the line/column of every node.
- ``validate_fdl(text) -> list[Diagnostic]``: located findings (``/steps/2/...``).
- ``compile_fdl(text) -> StateMachine``: the model ``engine.interpreter.advance`` runs.
- ``fdl_to_asl(text) -> dict``: the ASL document with the same states and transitions.

Design (why not ASL text + engine.definition.load): FDL's data flow (a parent's
``$local`` merging its children's outputs, mappings over ``$input``/``$local``/``$context``,
steps nested in choices) has no faithful ASL/JSONPath spelling, and Step Functions'
validator rightly refuses ``acs:`` resources. So FDL compiles straight onto
engine.definition's frozen states with FDL-specific data-flow callables in their
``StateIO``; the interpreter, history, timers, tokens, graph and API are unchanged, and no
core engine file was modified. ``fdl_to_asl`` renders the same states and transitions as
an ASL document (Choice conditions as JSONata) for the console to show.

Where the FDL documents are silent, Stepyard chooses (see each module for the details):

- ``pattern: waitForCallback`` (and CloudFlow ``TaskMode: WaitForCustomCallback``) compile
  to ``Resource: <resourceArn>.waitForTaskToken``: the engine hands out a token, exposed as
  ``$context.task.token``; the console's integrations strip the suffix as for ASL. ``sync``
  / ``WaitForSystemCallback`` become ``.sync``.
- A pass or wait step's local variable is its input; a succeed step's is empty; a choice's
  is the merged outputs of the steps nested in the chosen branch.
- A mapping source that selects nothing fails the step with States.Runtime.
- A step output that is not a JSON object fails the flow (FDL outputs are objects).
- Going over 32 KiB (a step's input + output + local) fails the flow with
  States.DataLimitExceeded, which ``FnF.ALL`` does not catch.
- A choice with no matching condition and no default fails with States.NoChoiceMatched.
- A succeed step ends its frame: the flow, or the parallel branch / foreach iteration it
  is in (steps nested in a choice do not form a frame of their own).
- Step names are unique per frame (the flow, each branch, each foreach body; steps nested in
  a choice belong to their choice's frame); ``goto`` targets a step of the same sequence.
- The flow's first step receives the raw execution input (the flow's inputMappings apply
  there); when a ``goto`` leads back to it, an execution input shaped exactly like the
  engine's scope (``{"input": {...}, "local": {...}}``) is taken as already mapped.
"""

from __future__ import annotations

from typing import Any

from engine.definition import StateMachine
from engine.errors import DefinitionError, Diagnostic
from engine.fdl.document import FdlDocument, is_fdl, parse_fdl

__all__ = ["FdlDocument", "compile_fdl", "fdl_to_asl", "is_fdl", "parse_fdl", "validate_fdl"]


def validate_fdl(definition: Any) -> list[Diagnostic]:
    """Every finding for ``definition`` (errors and warnings), each with its location."""
    try:
        document = parse_fdl(definition)
    except DefinitionError as exc:
        return exc.diagnostics
    return _validator(document)(document)


def validate_fdl_for(definition: Any, machine_type: str) -> list[Diagnostic]:
    """validate_fdl, plus the rule AWS applies to Express machines: no task may wait for a
    callback or a child execution (waitForCallback / sync), as ASL's .waitForTaskToken / .sync."""
    diagnostics = validate_fdl(definition)
    if machine_type != "EXPRESS" or any(d.severity == "ERROR" for d in diagnostics):
        return diagnostics
    document = parse_fdl(definition)
    machine = _compile(definition)[0]
    return diagnostics + [_express_problem(document, state) for state in _waiting_tasks(machine)]


_EXPRESS_SUFFIXES = {".waitForTaskToken": "'.waitForTaskToken'", ".sync": "'.sync'"}


def _waiting_tasks(machine: StateMachine) -> list[Any]:
    found = []
    for state in machine.states.values():
        if any(str(getattr(state, "resource", "")).endswith(s) for s in _EXPRESS_SUFFIXES):
            found.append(state)
        for inner in (*state.branches, *((state.processor,) if state.processor else ())):
            found += _waiting_tasks(inner)
    return found


def _express_problem(document: FdlDocument, state: Any) -> Diagnostic:
    suffix = next(s for s in _EXPRESS_SUFFIXES if state.resource.endswith(s))
    pointer = _pointer_of(document.data, state.name) or ""
    return Diagnostic(
        "SCHEMA_VALIDATION_FAILED",
        pointer,
        f"Express state machine does not support {_EXPRESS_SUFFIXES[suffix]} service integration "
        f"({document.where(pointer)})",
    )


def _pointer_of(node: Any, name: str, path: str = "") -> str | None:
    """The JSON pointer of the step called ``name`` (FDL: a ``name`` field; CloudFlow: a key)."""
    if isinstance(node, dict):
        if node.get("name") == name and "type" in node:
            return path
        for key, value in node.items():
            if key == name and isinstance(value, dict):
                return f"{path}/{key}"
            found = _pointer_of(value, name, f"{path}/{key}")
            if found is not None:
                return found
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found = _pointer_of(value, name, f"{path}/{index}")
            if found is not None:
                return found
    return None


def compile_fdl(definition: Any) -> StateMachine:
    """Validate and compile; DefinitionError (with every error) if the flow is invalid."""
    return _compile(definition)[0]


def fdl_to_asl(definition: Any) -> dict[str, Any]:
    """The ASL document with the same states and transitions as the FDL flow."""
    return _compile(definition)[1]


def _compile(definition: Any) -> tuple[StateMachine, dict[str, Any]]:
    document = parse_fdl(definition)
    diagnostics = _validator(document)(document)
    if any(d.severity == "ERROR" for d in diagnostics):
        raise DefinitionError(diagnostics)
    if document.kind == "cloudflow":
        from engine.fdl.cloudflow import compile_cloudflow

        return compile_cloudflow(document.data)
    from engine.fdl.build import compile_flow

    return compile_flow(document.data)


def _validator(document: FdlDocument) -> Any:
    if document.kind == "cloudflow":
        from engine.fdl.cloudflow_validation import validate_cloudflow

        return validate_cloudflow
    from engine.fdl.validation import validate_flow

    return validate_flow
