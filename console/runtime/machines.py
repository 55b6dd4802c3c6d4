"""Compiled state machines, loaded once per distinct definition and kept in memory
(engine.driver's cache: one cache for the engine's runner and the console's runtime)."""

from __future__ import annotations

from typing import Any

from engine.driver import compiled as _compiled


def compiled(definition: str, machine_type: str) -> Any:
    """Return the engine's model of ``definition`` (validated and compiled once)."""
    return _compiled(definition, machine_type)
