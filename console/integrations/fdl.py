"""Serverless Workflow (FDL) task resources on Stepyard's services (Serverless Workflow:
"Service integration": MNS queues and topics, Function Compute).

- ``acs:mns:::/topics/<topic>/messages`` publishes to the Stepyard topic ``<topic>``
  (serviceParams MessageBody, MessageTag, MessageAttributes), like MNS's PublishMessage.
- ``acs:mns:::/queues/<queue>/messages`` sends to the Stepyard queue ``<queue>``
  (MessageBody, Priority, DelaySeconds), like MNS's SendMessage.
- ``acs:fc:<region>:<account>:services/<svc>/functions/<fn>`` invokes the Stepyard function
  ``<fn>`` (or ``<svc>-<fn>`` when only that one exists, so that two services' functions of
  the same name can live side by side), with the task's input as the event.

The MNS calls only write Stepyard's tables, so they are inline integrations (performed in
the step's own transaction, exactly once). Their results are MNS's answers: ``MessageId``
and ``MessageBodyMD5`` (upper-case hex). A MessageBody that is not a string is sent as its
compact JSON. The runtime handles ``pattern: waitForCallback`` (compiled to
``.waitForTaskToken``) for all three: the result is then only the submission, and the task
waits for ReportTaskSucceeded/Failed.

Where the FDL documents are silent, Stepyard chooses:

- Errors are named after the service, as FnF names them: ``MNS.<Code>`` (TopicNotExist,
  QueueNotExist, InvalidArgument, MessageBodyMissing) and ``FC.<Code>`` for Function Compute
  service errors (FC.ResourceNotFound ...); a function that raises fails the task with the
  handler's ``errorType`` and the error payload as the cause, as FC reports it.
- MessageTag becomes the String message attribute ``MessageTag`` (a subscription whose filter
  policy names it filters like an MNS FilterTag); MessageAttributes values that are not already
  SNS-shaped ``{"DataType", "StringValue"}`` become String attributes (objects as JSON).
- Priority (1-16, MNS's default 8) is checked and kept as the Number attribute ``Priority``;
  Stepyard queues do not reorder by it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from console.integrations import CallContext, Route
from console.services import functions, queues, topics
from console.services.function_errors import LambdaError
from console.services.queue_errors import SqsError
from console.services.topic_errors import SnsError
from engine.errors import StatesError

TOPIC = r"acs:mns:::/topics/(?P<name>[^/]+)/messages"
QUEUE = r"acs:mns:::/queues/(?P<name>[^/]+)/messages"
FUNCTION = r"acs:fc:[^:]*:[^:]*:services/(?P<service>[^/]+)/functions/(?P<name>[^/]+)"
_SUFFIX = re.compile(r"\.(sync(:2)?|waitForTaskToken)$")
MIN_PRIORITY, MAX_PRIORITY, DEFAULT_PRIORITY = 1, 16, 8
MAX_DELAY_S = 604_800


# --------------------------------------------------------------------------- MNS topics


def publish_message(parameters: Any, context: CallContext) -> dict[str, Any]:
    """PublishMessage to the Stepyard topic the resource names."""
    request = _request(parameters)
    name = _resource_name(TOPIC, context)
    topic = topics.get_topic_by_name(name)
    if topic is None:
        raise _mns_error("TopicNotExist", f"The topic '{name}' does not exist in Stepyard.")
    body = _body(request)
    attributes = _attributes(request.get("MessageAttributes"))
    if request.get("MessageTag") is not None:
        attributes["MessageTag"] = {"DataType": "String", "StringValue": str(request["MessageTag"])}
    try:
        published = topics.publish(topic, body, attributes=attributes)
    except SnsError as error:
        raise _mns_error("InvalidArgument", error.message) from None
    return {"MessageId": published.message_id, "MessageBodyMD5": _md5(body)}


def _attributes(given: Any) -> dict[str, dict[str, str]]:
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise _mns_error("InvalidArgument", "serviceParams.MessageAttributes must be an object.")
    return {name: _attribute(value) for name, value in given.items()}


def _attribute(value: Any) -> dict[str, str]:
    if isinstance(value, dict) and "DataType" in value:
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"DataType": "Number", "StringValue": str(value)}
    text = value if isinstance(value, str) else _json(value)
    return {"DataType": "String", "StringValue": text}


# --------------------------------------------------------------------------- MNS queues


def send_message(parameters: Any, context: CallContext) -> dict[str, Any]:
    """SendMessage to the Stepyard queue the resource names."""
    request = _request(parameters)
    name = _resource_name(QUEUE, context)
    body = _body(request)
    priority = _bounded(request, "Priority", MIN_PRIORITY, MAX_PRIORITY, DEFAULT_PRIORITY)
    delay = _bounded(request, "DelaySeconds", 0, MAX_DELAY_S, 0)
    try:
        queue = queues.get_queue(name)
    except SqsError:
        raise _mns_error("QueueNotExist", f"The queue '{name}' does not exist in Stepyard.") from None
    attributes = {"Priority": {"DataType": "Number", "StringValue": str(priority)}}
    try:
        sent = queues.send_message(queue, body, delay_seconds=delay, attributes=attributes)
    except SqsError as error:
        raise _mns_error("InvalidArgument", error.message) from None
    return {"MessageId": sent.message_id, "MessageBodyMD5": _md5(body)}


def _bounded(request: dict[str, Any], field: str, low: int, high: int, default: int) -> int:
    value = request.get(field, default)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _mns_error("InvalidArgument", f"serviceParams.{field} must be an integer from {low} to {high}.")
    return value


# --------------------------------------------------------------------------- Function Compute


def invoke_function(parameters: Any, context: CallContext) -> Any:
    """InvokeFunction: the Stepyard function the resource names, with the task input as event."""
    match = re.fullmatch(FUNCTION, _resource(FUNCTION, context))
    assert match is not None
    name = _function_name(match["service"], match["name"])
    try:
        result = functions.invoke(name, _json(parameters), caller=context.execution_arn)
    except LambdaError as error:
        raise StatesError(f"FC.{error.code.removesuffix('Exception')}", error.message) from None
    if result.error is not None:
        raise StatesError(str(result.error.get("errorType") or "FC.Unknown"), _json(result.error))
    return _parsed(result.payload)


def _function_name(service: str, name: str) -> str:
    for candidate in (name, f"{service}-{name}"):
        try:
            return functions.get_function(candidate).name
        except LambdaError:
            continue
    return name  # invoking it reports FC.ResourceNotFound with the function's name


def _parsed(payload: str | None) -> Any:
    if not payload:
        return {}
    try:
        return json.loads(payload)
    except ValueError:
        return payload


# --------------------------------------------------------------------------- shared


def _request(parameters: Any) -> dict[str, Any]:
    return parameters if isinstance(parameters, dict) else {}


def _body(request: dict[str, Any]) -> str:
    body = request.get("MessageBody")
    if body is None:
        raise _mns_error("MessageBodyMissing", "serviceParams.MessageBody is required.")
    return body if isinstance(body, str) else _json(body)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _md5(body: str) -> str:
    return hashlib.md5(body.encode()).hexdigest().upper()


def _mns_error(code: str, message: str) -> StatesError:
    return StatesError(f"MNS.{code}", message)


def _resource_name(pattern: str, context: CallContext) -> str:
    match = re.fullmatch(pattern, _resource(pattern, context))
    assert match is not None
    return match["name"]


def _resource(pattern: str, context: CallContext) -> str:
    """The resource ARN this call serves, without its pattern suffix."""
    resource = _SUFFIX.sub("", context.resource)
    if not re.fullmatch(pattern, resource):
        raise StatesError("States.Runtime", f"Stepyard cannot call the resource '{resource}' here.")
    return resource


# Both MNS calls only write Stepyard's own tables: they run inside the step's transaction.
ROUTES = (
    Route(TOPIC, publish_message, inline=True),
    Route(QUEUE, send_message, inline=True),
    Route(FUNCTION, invoke_function),
)
