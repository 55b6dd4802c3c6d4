"""The interpreter's run as the state recipes (engine.steps, engine.fanout) see it.

engine.interpreter's ``Run`` implements this protocol; steps and fanout are typed against
it, so mypy checks every ``run.`` call without those modules importing the interpreter
(which imports them).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any, Protocol

from engine.context import Clock
from engine.definition import State, StateMachine
from engine.errors import StatesError
from engine.execution import ExecutionState, Frame
from engine.paths import Scope


class Run(Protocol):
    """One engine step over an execution: its state, clock, events and effects."""

    machines: Mapping[str, StateMachine]
    ex: ExecutionState
    clock: Clock
    now: float
    effects: list[Any]
    ready: deque[Frame]
    inspect: dict[str, Any] | None

    def emit(self, frame: Frame | None, type: str, details: Any = None) -> int: ...

    def scope(self, frame: Frame, state: State, data: Any, **extra: Any) -> Scope: ...

    def new_frame(self, parent: Frame | None, index: int, machine: StateMachine, data: Any,
                  variables: dict[str, Any], silent: bool = False) -> Frame: ...

    def start_child(self, frame: Frame, arn: str, data: Any, map_run_arn: str,
                    redrive: dict[str, Any] | None = None) -> None: ...

    def end_child(self, frame: Frame, type: str, details: Any = None, map_frame: Frame | None = None) -> None: ...

    def take_redrive_map_run(self, frame: Frame) -> dict[str, Any] | None: ...

    def exit_state(self, frame: Frame, state: State, output: Any, next_name: str | None,
                   assigned: Mapping[str, Any] | None = None) -> None: ...

    def frame_failed(self, frame: Frame, error: str | None, cause: str | None) -> None: ...

    def resume(self, frame: Frame) -> None: ...

    def state_failed(self, frame: Frame, state: State, err: StatesError,
                     located: bool = False, final_event: str | None = None) -> None: ...

    def assign(self, frame: Frame, assigned: Any) -> None: ...

    def arm_timer(self, frame: Frame | None, purpose: str, delay: float) -> str: ...

    def cancel_timer(self, timer_id: str) -> None: ...

    def cancel_waits(self, frame_ids: set[str]) -> None: ...

    def abort_frames(self, frame_ids: set[str]) -> None: ...

    def take_redrive_completed(self, frame: Frame) -> dict[int, Any]: ...
