"""Compiled state machines, loaded once per distinct definition and kept in memory."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import engine


@lru_cache(maxsize=256)
def compiled(definition: str, machine_type: str) -> Any:
    """Return the engine's model of ``definition`` (validated and compiled once)."""
    return engine.load(definition, machine_type)
