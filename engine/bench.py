"""The engine as the peer benchmark harness expects it: ``run(definition, input) -> output``
(``../shared/bench/engine_micro.py --engine engine.bench:run``). History events are
recorded as in any execution; time is virtual."""

from __future__ import annotations

from typing import Any

from engine.driver import run as _run


def run(definition: Any, input: Any) -> Any:
    """Run one execution of ``definition`` to its end and return its output."""
    return _run(definition, input)
