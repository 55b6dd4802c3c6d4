"""AWS SDK service integrations (``arn:aws:states:::aws-sdk:<service>:<action>``) for the
services Stepyard itself serves: Step Functions (``sfn``), SQS (``sqs``) and SNS (``sns``).

A call goes to the same action handler as the service's API, so it behaves exactly as a
boto3 call would: console.wiring plugs console/api/sdk_actions.py in (the integrations
never import the API). As on AWS, parameters and results use the SDK's PascalCase member
names (sdk_actions converts them), and a service error fails the task with
``<Service>.<Name>Exception`` (``Sfn.InvalidTokenException``) and the SDK's cause.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Protocol

from console.integrations import CallContext, Route
from console.services import ServiceError
from engine.errors import STATES_RUNTIME, StatesError

PATTERN = r"arn:aws:states:::aws-sdk:(sfn|sqs|sns):[a-z][A-Za-z0-9]*"
_ACTION = re.compile(r"arn:aws:states:::aws-sdk:(?P<service>sfn|sqs|sns):(?P<action>[a-z][A-Za-z0-9]*)")
# The SDK's service name (error prefix and cause).
_SDK_NAMES = {"sfn": "Sfn", "sqs": "Sqs", "sns": "Sns"}


def call(parameters: Any, context: CallContext) -> Any:
    match = _ACTION.match(context.resource)
    if match is None:
        raise StatesError(STATES_RUNTIME, f"Stepyard cannot call the resource '{context.resource}'.")
    sdk_name = _SDK_NAMES[match["service"]]
    action = match["action"][0].upper() + match["action"][1:]
    params = parameters if isinstance(parameters, dict) else {}
    if _actions is None:
        raise StatesError(STATES_RUNTIME, f"Stepyard cannot call the resource '{context.resource}' here.")
    try:
        return _actions(match["service"], action, params)
    except LookupError:
        raise StatesError(STATES_RUNTIME, f"The {sdk_name} SDK has no action '{match['action']}'.") from None
    except ServiceError as error:
        raise _sdk_error(sdk_name, error) from None


class SdkActions(Protocol):
    """The APIs' actions with the SDK's member names (console/api/sdk_actions.py serves it):
    LookupError for an action the service lacks, ServiceError as the API raises it."""

    def __call__(self, service: str, action: str, params: dict[str, Any]) -> Any: ...


_actions: SdkActions | None = None


def plug(actions: SdkActions) -> None:
    """Serve the calls with the APIs' own action handlers (console.wiring does it once)."""
    global _actions
    _actions = actions




def _sdk_error(sdk_name: str, error: ServiceError) -> StatesError:
    name = error.code if error.code.endswith("Exception") else f"{error.code}Exception"
    cause = (f"{error.message} (Service: {sdk_name}, Status Code: {error.status}, "
             f"Request ID: {uuid.uuid4()}) (SDK Attempt Count: 1)")
    return StatesError(f"{sdk_name}.{name}", cause)

# What console.wiring registers: (resource pattern, integration[, inline]).
ROUTES = (
    Route(PATTERN, call),
)
