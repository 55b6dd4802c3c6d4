"""Stepyard's interpreter of the Amazon States Language: pure Python, no Django.

Public entry points (each module documents its part of the spec):

- ``validate(definition, machine_type)``: AWS's diagnostics for a definition.
- ``load(definition)``: the validated, compiled, immutable model.
- ``run(definition, input)``: run an execution that needs no outside services.
"""

from __future__ import annotations

from typing import Any

from engine.definition import load as _load
from engine.driver import run as _run
from engine.errors import DefinitionError, Diagnostic, StatesError
from engine.fdl import compile_fdl, validate_fdl_for
from engine.fdl.document import is_fdl
from engine.validation import validate as _validate

__all__ = ["DefinitionError", "Diagnostic", "StatesError", "load", "run", "validate"]


def validate(definition: Any, machine_type: str = "STANDARD") -> list[Diagnostic]:
    """Return AWS's diagnostics for ``definition`` (JSON text or parsed object);
    FDL / CloudFlow text gets engine.fdl's located diagnostics instead."""
    if is_fdl(definition):
        return validate_fdl_for(definition, machine_type)
    return _validate(definition, machine_type)


def load(definition: Any, machine_type: str = "STANDARD") -> Any:
    """Validate and compile ``definition``; raise DefinitionError if AWS would reject it.
    FDL / CloudFlow text (engine.fdl.is_fdl) compiles onto the same model."""
    if is_fdl(definition):
        return compile_fdl(definition)
    return _load(definition, machine_type)


def run(definition: Any, input: Any = None, **options: Any) -> Any:
    """Run an execution to its end and return its output (see engine.driver.run)."""
    return _run(definition, input, **options)
