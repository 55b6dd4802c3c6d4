"""What a sample project is made of (Sample, Run, Link) and the idempotent steps that
create it: what exists already is reused (functions and state machines are brought up
to date), so running a sample again never fails because of an earlier run. Function code
ships in ``console/samples/functions/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from console.models import EventSource, Execution, Function, Queue, StateMachine, Topic
from console.services import functions, machines, queues, sources, topics

FUNCTIONS_DIR = Path(__file__).with_name("functions")
NODE_RUNTIME = "nodejs20.x"


@dataclass(frozen=True)
class Link:
    """Something a sample created, for its page: a kind, a name and the page that shows it."""

    kind: str
    name: str
    url_name: str
    args: tuple[str, ...] = ()


@dataclass
class Run:
    """What running a sample did: the execution it started (if it did) and a note for the user."""

    execution: Execution | None = None
    note: str = ""


@dataclass(frozen=True)
class Sample:
    slug: str
    title: str
    summary: str
    machine_name: str
    run: Callable[[], Run]
    # What the sample creates, for its page.
    links: tuple[Link, ...]


# --------------------------------------------------------------------------- building blocks


def ensure_queue(name: str, attributes: dict[str, str] | None = None) -> Queue:
    queue = Queue.objects.filter(name=name).first() or queues.create_queue(name, attributes or {})
    return queue


def ensure_topic(name: str) -> Topic:
    topic = topics.create_topic(name)
    return topic


def ensure_function(name: str, module: str, *, environment: dict[str, str] | None = None,
                    timeout: int = 30) -> Function:
    """Install ``functions/<module>`` as the function ``name`` (or bring it up to date).

    ``<module>.py`` is a Python handler, ``<module>.js`` a Node.js one (CommonJS, run as
    ``index.js``).
    """
    path = FUNCTIONS_DIR / (module if "." in module else f"{module}.py")
    code = path.read_text()
    existing = Function.objects.filter(name=name).first()
    settings: dict = {"timeout": timeout, "environment": environment or {}, **_runtime_of(path)}
    if existing is None:
        function = functions.create_function(name, code=code, **settings)
    elif existing.source == Function.CONSOLE:
        function = functions.update_function(existing, code=code, **settings)
    else:
        function = existing  # the user's own file of that name in the functions directory wins
    return function


def _runtime_of(path: Path) -> dict[str, str]:
    if path.suffix == ".js":
        return {"runtime": NODE_RUNTIME, "handler": "index.handler"}
    return {"runtime": functions.DEFAULT_RUNTIME, "handler": "handler"}


def ensure_machine(name: str, definition: str, machine_type: str = StateMachine.STANDARD) -> StateMachine:
    machine = StateMachine.objects.filter(name=name).first()
    if machine is None:
        machine = machines.create_machine(name=name, definition=definition, machine_type=machine_type)
    elif machine.definition != definition:
        machine = machines.update_machine(machine, definition=definition)
    return machine


def ensure_source(queue: Queue, target_type: str, target: str, batch_size: int = 10) -> EventSource:
    source = sources.ensure_source(queue, target_type, target, batch_size=batch_size)
    return source
