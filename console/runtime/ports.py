"""The ports through which the runtime calls out, and what is plugged into them.

The runtime (stepper, express runtime, scheduler) and the API's TestState never import
the integrations: they call the ``IntegrationPort`` that console.wiring plugs in at start-up. Until then the
port is unplugged and every call fails its task with States.Runtime, as a call to a
resource no integration serves does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from engine.errors import STATES_RUNTIME, StatesError
from engine.execution import TaskFailed


@dataclass(frozen=True)
class CallContext:
    """What an integration may need besides the parameters."""

    execution_arn: str
    state_name: str
    task_token: str | None
    timeout_s: float | None
    resource: str = ""  # the Task's Resource, suffix (.sync, .waitForTaskToken) included
    task_id: str = ""


class IntegrationPort(Protocol):
    """The service integrations as the runtime sees them (console.integrations serves it)."""

    def is_inline(self, resource: str) -> bool:
        """True when the call runs inside the transaction of the step that asked for it."""
        ...

    def outcome(self, parameters: Any, context: CallContext, *, wait_for_token: bool) -> Any:
        """Perform a Task's call; return the engine trigger that reports how it went."""
        ...

    def invoke(self, resource: str, parameters: Any, context: CallContext) -> Any:
        """Perform a call and return its result (StatesError when it fails; TestState)."""
        ...


class _Unplugged:
    """The port before console.wiring.install() plugs the integrations in."""

    def is_inline(self, resource: str) -> bool:
        return False

    def outcome(self, parameters: Any, context: CallContext, *, wait_for_token: bool) -> Any:
        return TaskFailed(context.task_id, STATES_RUNTIME, _unplugged(context.resource))

    def invoke(self, resource: str, parameters: Any, context: CallContext) -> Any:
        raise StatesError(STATES_RUNTIME, _unplugged(resource))


def _unplugged(resource: str) -> str:
    return f"Stepyard cannot call the resource '{resource}': no integrations are installed."


_integrations: IntegrationPort = _Unplugged()


def plug_integrations(port: IntegrationPort) -> None:
    """Serve the runtime's integration calls with ``port`` (console.wiring does it once)."""
    global _integrations
    _integrations = port


def integrations() -> IntegrationPort:
    """The integration port currently plugged in."""
    return _integrations
