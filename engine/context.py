"""The injected clock / id source, and the context object
(States Language: "Context Object": ``$$.Execution``, ``$$.State``, ``$$.StateMachine``,
``$$.Task``, ``$$.Map``).

The engine never reads the real clock nor draws randomness itself: the host passes a
``Clock`` with ``now()`` (epoch seconds), ``token()`` (an unguessable task token) and
``random()`` (for the FULL jitter strategy of Retry).
"""

from __future__ import annotations

import random as _random
from datetime import UTC, datetime
from typing import Any, Protocol


class Clock(Protocol):
    def now(self) -> float: ...

    def token(self) -> str: ...

    def random(self) -> float: ...


class VirtualClock:
    """A clock that only moves when told to: waits and backoffs take no real time."""

    def __init__(self, start: float = 1_700_000_000.0, seed: int | None = None):
        self.current = start
        self._rng = _random.Random(seed) if seed is not None else _random.SystemRandom()

    def now(self) -> float:
        return self.current

    def advance_to(self, when: float) -> None:
        self.current = max(self.current, when)

    def token(self) -> str:
        return f"{self._rng.getrandbits(256):064x}"

    def random(self) -> float:
        return self._rng.random()


def iso(ts: float) -> str:
    """Epoch seconds as AWS renders timestamps in the context object (ms precision, Z)."""
    moment = datetime.fromtimestamp(ts, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def execution_context(
    execution_arn: str,
    name: str,
    state_machine_arn: str,
    state_machine_name: str,
    start_time: float,
    role_arn: str | None = None,
    redrive_count: int | None = 0,
) -> dict[str, Any]:
    """The ``Execution`` and ``StateMachine`` parts of the context object (no Input).

    ``redrive_count`` None leaves RedriveCount out, as AWS does for Express executions
    (they cannot be redriven).
    """
    execution: dict[str, Any] = {
        "Id": execution_arn,
        "Name": name,
        "RoleArn": role_arn,
        "StartTime": iso(start_time),
    }
    if redrive_count is not None:
        execution["RedriveCount"] = redrive_count
    return {
        "Execution": execution,
        "StateMachine": {"Id": state_machine_arn, "Name": state_machine_name},
    }


def default_context(start_time: float, name: str = "execution") -> dict[str, Any]:
    """A plausible context for executions run outside any host (tests, benchmarks)."""
    machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:machine"
    return execution_context(
        execution_arn=f"arn:aws:states:us-east-1:123456789012:execution:machine:{name}",
        name=name,
        state_machine_arn=machine_arn,
        state_machine_name="machine",
        start_time=start_time,
        role_arn="arn:aws:iam::123456789012:role/stepyard",
    )
