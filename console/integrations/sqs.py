"""The ``arn:aws:states:::sqs:sendMessage`` integration (and its .waitForTaskToken form).

Step Functions' optimised integration calls SendMessage with the Task's parameters and
returns SQS's answer together with the HTTP metadata of the AWS Java SDK it uses
(SdkHttpMetadata, SdkResponseMetadata). Its errors are that SDK's: ``SQS.<Name>Exception``
for the errors SQS models, ``SQS.AmazonSQSException`` for the others, with the SDK's
"(Service: AmazonSQS; Status Code: ...)" suffix in the cause; a URL that names no queue
fails as the SDK fails to reach a host, ``SQS.SdkClientException``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlsplit

from console.integrations import CallContext, Route, sdk_metadata
from console.models import Queue
from console.services import queues
from console.services.queue_errors import MissingParameter, SqsError
from console.wire.sqs_results import send_to
from engine.errors import StatesError

PATTERN = r"arn:aws:states:::sqs:sendMessage"
PARAMETERS = (
    "QueueUrl",
    "MessageBody",
    "DelaySeconds",
    "MessageAttributes",
    "MessageSystemAttributes",
    "MessageGroupId",
    "MessageDeduplicationId",
)
# The SQS errors the AWS SDK has exception classes for; the rest are AmazonSQSException.
_MODELLED = {"QueueDoesNotExist", "InvalidMessageContents", "UnsupportedOperation", "RequestThrottled"}


def send_message(parameters: Any, context: CallContext) -> dict[str, Any]:
    if not isinstance(parameters, dict):
        parameters = {}
    request = {name: parameters[name] for name in PARAMETERS if name in parameters}
    request["MessageBody"] = _body(parameters.get("MessageBody"))
    try:
        result = send_to(_queue(request.get("QueueUrl")), request)
    except SqsError as error:
        raise _states_error(error) from None
    return {**result, **_sdk_metadata(result)}


def _body(body: Any) -> str | None:
    """A JSON MessageBody is sent as its serialisation; a string as it is."""
    if body is None or isinstance(body, str):
        return body
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _queue(url: Any) -> Queue:
    if not isinstance(url, str) or not url:
        raise MissingParameter("The request must contain the parameter QueueUrl.")
    if queues.queue_name_from_url(url) is None:
        host = urlsplit(url).hostname or url
        raise StatesError(
            "SQS.SdkClientException", f"Unable to execute HTTP request: {host}: Name or service not known"
        )
    return queues.get_queue_by_url(url)


def _states_error(error: SqsError) -> StatesError:
    name = f"{error.code}Exception" if error.code in _MODELLED else "AmazonSQSException"
    cause = (
        f"{error.message} (Service: AmazonSQS; Status Code: {error.status}; Error Code: "
        f"{error.query_code}; Request ID: {uuid.uuid4()}; Proxy: null)"
    )
    return StatesError(f"SQS.{name}", cause)


def _sdk_metadata(result: dict[str, Any]) -> dict[str, Any]:
    return sdk_metadata(len(json.dumps(result, separators=(",", ":"))))


# A send only writes to Stepyard's own queue tables: it runs inside the step's transaction.
ROUTES = (
    Route(PATTERN, send_message, inline=True),
)
