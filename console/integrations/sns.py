"""The ``arn:aws:states:::sns:publish`` integration (and its .waitForTaskToken form).

Step Functions calls Publish with the Task's parameters and returns SNS's answer
(MessageId, and SequenceNumber for FIFO topics) with the AWS Java SDK's HTTP metadata:
SNS answers in XML, so the headers say ``text/xml`` and the length is that of the XML
document. A JSON Message is sent as its serialisation. Errors are the SDK's:
``SNS.<Code>Exception`` for the codes it models (NotFound, InvalidParameter, ...),
``SNS.AmazonSNSException`` otherwise, the cause ending in the SDK's
"(Service: AmazonSNS; Status Code: ...)" suffix.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from console.integrations import CallContext, Route, sdk_metadata
from console.services import topics
from console.services.topic_errors import InvalidParameter, SnsError
from console.wire.sns_xml import render
from engine.errors import StatesError

PATTERN = r"arn:aws:states:::sns:publish"
# The SNS error codes the AWS SDK for Java has exception classes for.
_MODELLED = {
    "NotFound", "InvalidParameter", "ParameterValueInvalid", "AuthorizationError", "InternalError",
    "EndpointDisabled", "KMSDisabled", "KMSNotFound", "PlatformApplicationDisabled", "Throttled",
    "SubscriptionLimitExceeded", "TopicLimitExceeded", "FilterPolicyLimitExceeded",
}
_EXCEPTION_NAMES = {"ParameterValueInvalid": "InvalidParameterValue"}


def publish(parameters: Any, context: CallContext) -> dict[str, Any]:
    request = parameters if isinstance(parameters, dict) else {}
    try:
        topic = topics.get_topic(_target(request))
        published = topics.publish(
            topic, _text(request.get("Message")), subject=request.get("Subject"),
            attributes=request.get("MessageAttributes"), structure=request.get("MessageStructure"),
            group_id=request.get("MessageGroupId"), deduplication_id=request.get("MessageDeduplicationId"))
    except SnsError as error:
        raise _states_error(error) from None
    result = {"MessageId": published.message_id}
    if published.sequence_number is not None:
        result["SequenceNumber"] = published.sequence_number
    return {**result, **_sdk_metadata(result)}


def _target(request: dict[str, Any]) -> Any:
    arn = request.get("TopicArn") or request.get("TargetArn")
    if arn:
        return arn
    if request.get("PhoneNumber"):
        raise InvalidParameter("PhoneNumber Reason: Stepyard does not send SMS")
    raise InvalidParameter("TopicArn or TargetArn Reason: no value for required parameter")


def _text(message: Any) -> Any:
    """A JSON Message is published as its compact serialisation; a string as it is."""
    if message is None or isinstance(message, str):
        return message
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def _states_error(error: SnsError) -> StatesError:
    if error.code in _MODELLED:
        name = f"{_EXCEPTION_NAMES.get(error.code, error.code)}Exception"
    else:
        name = "AmazonSNSException"
    cause = (f"{error.message} (Service: AmazonSNS; Status Code: {error.status}; Error Code: {error.code}; "
             f"Request ID: {uuid.uuid4()}; Proxy: null)")
    return StatesError(f"SNS.{name}", cause)


def _sdk_metadata(result: dict[str, Any]) -> dict[str, Any]:
    request_id = str(uuid.uuid4())
    length = len(render("Publish", result, request_id).encode())
    return sdk_metadata(length, content_type="text/xml", request_id=request_id)

# What console.wiring registers: (resource pattern, integration[, inline]).
ROUTES = (
    Route(PATTERN, publish),
)
