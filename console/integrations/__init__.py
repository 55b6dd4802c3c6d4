"""Service integrations, plug-ins keyed by resource ARN (design.md, boundary 4).

An integration turns a Task's parameters into a result, or raises StatesError.
``.waitForTaskToken`` is handled by the runtime for every integration: the call's
result is then only the submission, and the task waits for its token.

An integration that only writes to Stepyard's own database and returns at once (a
queue send, say) declares its ``Route`` with ``inline=True``: the runtime then performs it inside
the transaction of the step that asked for it, so the call and the step commit
together (exactly once) with no outbox row and no thread hop.

Each integration module lists what it serves in ``ROUTES``; console.wiring registers
them at start-up (importing a module registers nothing).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

from console.runtime.ports import CallContext
from engine.errors import STATES_RUNTIME, StatesError
from engine.execution import TaskFailed, TaskSubmitted, TaskSucceeded

log = logging.getLogger(__name__)
__all__ = ["CallContext", "Route", "invoke", "is_inline", "outcome", "register", "registered"]


@dataclass(frozen=True)
class _Entry:
    pattern: re.Pattern[str]
    integration: Integration
    inline: bool


Integration = Callable[[Any, CallContext], Any]
_REGISTRY: list[_Entry] = []
_SUFFIX = re.compile(r"\.(sync(:2)?|waitForTaskToken)$")


@dataclass(frozen=True)
class Route:
    """One resource pattern an integration module serves (its ``ROUTES``)."""

    pattern: str
    integration: Integration
    inline: bool = False


def register(pattern: str, integration: Integration, *, inline: bool = False) -> None:
    """Serve resources matching ``pattern`` (a regex over the ARN without its suffix)."""
    _REGISTRY.append(_Entry(re.compile(pattern), integration, inline))


@contextmanager
def registered(pattern: str, integration: Integration, *, inline: bool = False) -> Iterator[None]:
    """Serve ``pattern`` with ``integration`` ahead of the others, for a while (tests)."""
    entry = _Entry(re.compile(pattern), integration, inline)
    _REGISTRY.insert(0, entry)
    try:
        yield
    finally:
        _REGISTRY.remove(entry)


def _find(resource: str) -> _Entry | None:
    base = _SUFFIX.sub("", resource)
    return next((entry for entry in _REGISTRY if entry.pattern.fullmatch(base)), None)


def is_inline(resource: str) -> bool:
    """True when the integration serving ``resource`` runs inside the step's transaction."""
    entry = _find(resource)
    return entry is not None and entry.inline


def invoke(resource: str, parameters: Any, context: CallContext) -> Any:
    """Call the integration serving ``resource``; StatesError if there is none."""
    entry = _find(resource)
    if entry is None:
        raise _unavailable(_SUFFIX.sub("", resource))
    return entry.integration(parameters, context)


def outcome(parameters: Any, context: CallContext, *, wait_for_token: bool) -> Any:
    """Perform a Task's call and return the engine trigger that reports how it went."""
    try:
        result = invoke(context.resource, parameters, context)
    except StatesError as error:
        return TaskFailed(context.task_id, error.name, error.cause)
    except Exception as error:  # an integration bug must fail the task, not the runtime
        log.exception("integration %s raised", context.resource)
        return TaskFailed(context.task_id, STATES_RUNTIME, f"{type(error).__name__}: {error}")
    if wait_for_token:
        return TaskSubmitted(context.task_id, result)
    return TaskSucceeded(context.task_id, result)


def sdk_metadata(content_length: int, *, content_type: str = "application/x-amz-json-1.0",
                 request_id: str | None = None) -> dict[str, Any]:
    """The SdkHttpMetadata / SdkResponseMetadata that AWS's optimized integrations add."""
    request_id = request_id or str(uuid.uuid4())
    headers = {
        "Content-Length": str(content_length),
        "Content-Type": content_type,
        "Date": formatdate(usegmt=True),
        "connection": "keep-alive",
        "x-amzn-RequestId": request_id,
    }
    return sdk_metadata_from(headers, request_id)


def sdk_metadata_from(headers: dict[str, str], request_id: str, status: int = 200) -> dict[str, Any]:
    """The SDK metadata blocks for a response with these headers."""
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": {name: [value] for name, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": status,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }


def _unavailable(resource: str) -> StatesError:
    # What AWS answers when the target of an integration does not exist.
    if ":lambda:" in resource or resource.endswith(":::lambda:invoke"):
        return StatesError(
            "Lambda.ResourceNotFoundException",
            f"Function not found: {resource} (Stepyard has no such function)",
        )
    return StatesError(
        "States.Runtime",
        f"Stepyard cannot call the resource '{resource}': no local integration serves it.",
    )
