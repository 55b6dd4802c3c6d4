"""The serialisable state of one execution, and what goes in and out of ``advance()``
(design.md, boundary 1: one trigger in; history events and effects out).

An execution is a tree of frames: the top-level machine, each Parallel branch and each
Map iteration is a frame with its own current state, input and variables. Everything
here is plain data so a host can persist it (``to_json``) and resume it (``from_json``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RUNNING = "RUNNING"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
TIMED_OUT = "TIMED_OUT"
ABORTED = "ABORTED"

# --------------------------------------------------------------------------- triggers


@dataclass(frozen=True)
class Start:
    input: Any
    context: dict[str, Any]


@dataclass(frozen=True)
class TaskSubmitted:
    """The integration accepted a ``.waitForTaskToken`` call (its immediate response)."""

    task_id: str
    output: Any = None


@dataclass(frozen=True)
class TaskStarted:
    """A worker took an activity task (GetActivityTask): AWS records ActivityStarted then."""

    task_id: str
    worker_name: str | None = None


@dataclass(frozen=True)
class TaskSucceeded:
    task_id: str
    output: Any


@dataclass(frozen=True)
class TaskFailed:
    task_id: str
    error: str | None
    cause: str | None = None


@dataclass(frozen=True)
class TimerFired:
    timer_id: str


@dataclass(frozen=True)
class Heartbeat:
    task_id: str


@dataclass(frozen=True)
class Stop:
    error: str | None = None
    cause: str | None = None


@dataclass(frozen=True)
class UpdateMapRun:
    """Change a running Map Run's concurrency or failure tolerance (UpdateMapRun)."""

    map_run_arn: str
    max_concurrency: int | None = None
    tolerated_count: int | None = None
    tolerated_percentage: float | None = None


@dataclass(frozen=True)
class Redrive:
    """Restart a FAILED / TIMED_OUT / ABORTED execution at the top-level state that ended
    it, with that state's input and the variables of the time (RedriveExecution)."""


# --------------------------------------------------------------------------- effects


@dataclass(frozen=True)
class CallIntegration:
    task_id: str
    resource: str
    parameters: Any
    wait_for_token: bool = False
    token: str | None = None
    timeout_s: float | None = None
    heartbeat_s: float | None = None
    credentials: Any = None


@dataclass(frozen=True)
class StopChild:
    """Stop one child execution of a running Map Run (StopExecution on the child's ARN):
    it ends ABORTED, and its item counts as failed towards the run's tolerance."""

    arn: str
    error: str | None = None
    cause: str | None = None


@dataclass(frozen=True)
class ChildStarted:
    """A Distributed Map started a STANDARD child execution: the host lists it, its
    history being the step's ``child_events`` for ``arn``."""

    arn: str
    map_run_arn: str
    machine_key: str
    # How many times the child has been redriven (a redriven Map Run redrives its failed
    # and aborted children under the same ARN); 0 for a new child.
    redrive_count: int = 0


@dataclass(frozen=True)
class ArmTimer:
    timer_id: str
    due_at: float


@dataclass(frozen=True)
class CancelTimer:
    timer_id: str


@dataclass(frozen=True)
class CancelTask:
    """A running task is no longer awaited (its branch failed, or the execution ended)."""

    task_id: str


# --------------------------------------------------------------------------- state


class Frame:
    """One running sequence of states: the execution itself, a branch or an iteration."""

    __slots__ = (
        "id", "parent", "index", "machine_key", "state_name", "data", "data_text",
        "variables", "entered_event_id", "last_event_id", "entered_time", "retry_counts",
        "wait", "scratch", "silent", "item", "child",
    )

    def __init__(self, id: str, parent: str | None, index: int, machine_key: str,
                 state_name: str, data: Any, variables: dict[str, Any], last_event_id: int,
                 silent: bool = False):
        self.id = id
        self.parent = parent
        self.index = index
        self.machine_key = machine_key
        self.state_name = state_name
        self.data = data
        self.data_text: str | None = None
        self.variables = variables
        self.entered_event_id = 0
        self.last_event_id = last_event_id
        self.entered_time = 0.0
        self.retry_counts: list[int] = []
        self.wait: str | None = None
        self.scratch: dict[str, Any] = {}
        self.silent = silent
        self.item: list[Any] | None = None
        # The ARN of the Distributed Map child execution this frame runs in (its events
        # go to that execution's history), or None.
        self.child: str | None = None

    def to_json(self) -> dict[str, Any]:
        # data_text only caches json(data) between two states; no need to store it twice.
        return {name: getattr(self, name) for name in self.__slots__ if name != "data_text"}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Frame:
        frame = cls.__new__(cls)
        for name in cls.__slots__:
            setattr(frame, name, data.get(name))
        return frame


@dataclass
class ExecutionState:
    """Everything needed to resume an execution."""

    status: str = RUNNING
    context: dict[str, Any] = field(default_factory=dict)
    input: Any = None
    event_count: int = 0
    frames: dict[str, Frame] = field(default_factory=dict)
    waits: dict[str, str] = field(default_factory=dict)
    seq: int = 0
    output: Any = None
    error: str | None = None
    cause: str | None = None
    redrive_from: dict[str, Any] | None = None
    # Each Distributed Map's Map Run by ARN: status, times, item counts, settings.
    map_runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The running child executions of Distributed Maps by ARN: their event count, input
    # and start (their context object's Execution).
    children: dict[str, dict[str, Any]] = field(default_factory=dict)

    def new_id(self, prefix: str) -> str:
        self.seq += 1
        return f"{prefix}{self.seq}"

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "context": self.context,
            "input": self.input,
            "event_count": self.event_count,
            "frames": {fid: frame.to_json() for fid, frame in self.frames.items()},
            "waits": self.waits,
            "seq": self.seq,
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
            "redrive_from": self.redrive_from,
            "map_runs": self.map_runs,
            "children": self.children,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExecutionState:
        state = cls(**{k: v for k, v in data.items() if k != "frames"})
        state.frames = {fid: Frame.from_json(f) for fid, f in data["frames"].items()}
        return state


@dataclass
class Step:
    """What one ``advance()`` produced."""

    state: ExecutionState
    events: list[Any]
    effects: list[Any]
    # Events of Distributed Map child executions: (child execution ARN, event).
    child_events: list[Any] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.state.status
