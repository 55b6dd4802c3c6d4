"""One call to a service served through the gateway (DynamoDB, S3, ...), for the integrations.

The call goes through a boto3 client for that service (``console.upstream.clients``): the
embedded moto in this process, or the upstream. Parameters arrive as the Task gave them;
members set to null are left out (the service then names them in its validation error). The
result comes back without boto3's ResponseMetadata, with the request id and status kept
apart. A service error becomes ``CallFailed`` with the error code, message and status;
an upstream that cannot be reached or does not answer in time becomes ``Unreachable``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError, ReadTimeoutError

from console.upstream import clients
from engine.errors import StatesError


@dataclass(frozen=True)
class Answer:
    """A service's successful answer."""

    result: dict[str, Any]
    request_id: str
    status: int


class CallFailed(Exception):
    """The service refused the call."""

    def __init__(self, code: str, message: str, status: int, request_id: str):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status, self.request_id = code, message, status, request_id


class Unreachable(Exception):
    """The service's endpoint could not be reached, or did not answer in time."""


class UnknownAction(Exception):
    """The service has no such operation."""


def operation_name(service: str, action: str) -> str:
    """The API's operation for an action named as in a Task resource (``putItem`` -> PutItem)."""
    model = clients.client(service).meta.service_model
    wanted = action[:1].upper() + action[1:]
    if wanted not in model.operation_names:
        raise UnknownAction(action)
    return wanted


def perform(service: str, operation: str, params: dict[str, Any]) -> Answer:
    """Call ``operation`` of ``service`` with ``params`` (member names as in the API)."""
    params = {name: value for name, value in params.items() if value is not None}
    client = clients.client(service)
    try:
        result = getattr(client, xform_name(operation))(**params)
    except ClientError as error:
        raise _failed(error) from None
    except (ConnectionError, HTTPClientError, ReadTimeoutError) as error:
        raise Unreachable(f"Unable to execute HTTP request: {error}") from None
    except BotoCoreError as error:  # a parameter boto3 refuses (a bucket name, a wrong type)
        raise CallFailed("ValidationException", str(error), 400, str(uuid.uuid4())) from None
    except (AttributeError, TypeError, KeyError, ValueError) as error:  # a value the request cannot hold
        raise _unserialisable(client, operation, error) from None
    metadata = result.pop("ResponseMetadata", {})
    return Answer(result, metadata.get("RequestId") or str(uuid.uuid4()), metadata.get("HTTPStatusCode", 200))


def _unserialisable(client: Any, operation: str, error: Exception) -> CallFailed:
    """What the service answers to a member of the wrong JSON type (an object given as text...)."""
    protocol = client.meta.service_model.protocol
    code = {"json": "SerializationException", "rest-xml": "InvalidArgument"}.get(protocol, "ValidationError")
    message = f"A parameter of {operation} is missing or of the wrong type ({type(error).__name__}: {error})."
    return CallFailed(code, message, 400, str(uuid.uuid4()))


def _failed(error: ClientError) -> CallFailed:
    details = error.response.get("Error", {})
    metadata = error.response.get("ResponseMetadata", {})
    status = metadata.get("HTTPStatusCode", 400)
    code = details.get("Code") or str(status)
    return CallFailed(code, details.get("Message") or "", status, metadata.get("RequestId") or str(uuid.uuid4()))


def java_sdk_error(error: CallFailed, *, service: str, prefix: str, label: str, fallback: str) -> StatesError:
    """The error an optimized integration records for a service error (SDK for Java 1 naming):
    ``<prefix>.<modelled exception>``, else ``<prefix>.<fallback>``, with the SDK's cause."""
    name = modelled_exception(service, error.code) or fallback
    cause = (f"{error.message} (Service: Amazon{label}; Status Code: {error.status}; Error Code: "
             f"{error.code}; Request ID: {error.request_id}; Proxy: null)")
    return StatesError(f"{prefix}.{name}", cause)


def modelled_exception(service: str, code: str) -> str | None:
    """The SDK's exception class for an error code the service model declares, or None."""
    model = clients.client(service).meta.service_model
    for shape in model.error_shapes:
        declared = shape.metadata.get("error", {}).get("code", shape.name)
        if code in (shape.name, declared):
            return shape.name if shape.name.endswith("Exception") else f"{shape.name}Exception"
    return None
