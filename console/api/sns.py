"""The SNS API over the AWS Query protocol: a form-encoded POST with ``Action=<Name>``,
answered in XML, so that boto3's sns client (and the AWS CLI) work unmodified.

Query parameters arrive flattened (``Attributes.entry.1.key``, ``Tags.member.2.Value``,
``MessageAttributes.entry.1.Value.StringValue``); ``unflatten`` rebuilds the lists and
maps. Errors are ``<ErrorResponse>`` documents whose ``<Code>`` botocore maps onto the
modelled exception (NotFound -> NotFoundException).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from console import credentials
from console.services import ServiceError
from console.services import topics as service
from console.services.topic_errors import (
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    EmptyBatchRequest,
    InvalidAction,
    InvalidBatchEntryId,
    InvalidParameter,
    InvalidParameterValue,
    MissingAction,
    TooManyEntriesInBatchRequest,
)
from console.wire import sigv4
from console.wire.sns_xml import NAMESPACE, render

log = logging.getLogger(__name__)
CONTENT_TYPE = "text/xml"
PAGE_SIZE = 100
MAX_BATCH = 10
MAX_BATCH_BYTES = 262_144
# The deepest SNS parameter name has 8 parts (PublishBatchRequestEntries.member.N.
# MessageAttributes.entry.N.Value.StringValue); anything much deeper is not SNS's.
MAX_NAME_PARTS = 12
MAX_NAME_LENGTH = 256
Handler = Callable[[dict[str, Any]], dict[str, Any] | None]


def is_query_call(content_type: str, body: bytes) -> bool:
    """A form-encoded body naming an Action (and no console CSRF token) is an SNS call."""
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return False
    params = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return "Action" in params and "csrfmiddlewaretoken" not in params


def handle_request(request: HttpRequest) -> HttpResponse:
    """Check the signature (when keys are configured), then run the action (in an API thread)."""
    keys = credentials.configured_keys()
    if keys:
        try:
            sigv4.verify(_signed(request), keys)
        except ServiceError as error:
            return error_response(error.code, error.message, error.status)
    return dispatch(request.body)


def _signed(request: HttpRequest) -> sigv4.SignedRequest:
    return sigv4.SignedRequest(
        method=request.method or "POST", path=request.path, query=request.META.get("QUERY_STRING", ""),
        headers={name.lower(): value for name, value in request.headers.items()}, body=request.body)


def dispatch(body: bytes) -> HttpResponse:
    action = None
    try:
        params = unflatten(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        action = params.get("Action")
        if not action:
            raise MissingAction("Missing Action")
        handler = ACTIONS.get(action)
        if handler is None:
            raise InvalidAction(f"The action {action} is not valid for this endpoint.")
        result = handler(params)
    except ServiceError as error:
        return error_response(error.code, error.message, error.status)
    except Exception:
        log.exception("SNS call %s failed", action)
        return error_response("InternalError", "Stepyard failed to handle this request.", 500)
    return xml_response(action, result)


# --------------------------------------------------------------------------- query parameters


def unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """``A.member.1.B=x`` -> ``{"A": [{"B": "x"}]}``; ``M.entry.1.key/value`` -> ``{"M": {k: v}}``."""
    tree: dict[str, Any] = {}
    for key, value in pairs:
        node = tree
        parts = key.split(".")
        if len(parts) > MAX_NAME_PARTS or len(key) > MAX_NAME_LENGTH:
            raise InvalidParameterValue(f"Invalid parameter name: {key[:100]}")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value
    return {key: _shape(value) for key, value in tree.items()}


def _shape(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if set(node) == {"member"} and isinstance(node["member"], dict):
        return [_shape(node["member"][i]) for i in sorted(node["member"], key=_index)]
    if set(node) == {"entry"} and isinstance(node["entry"], dict):
        return dict(_entry(node["entry"][i]) for i in sorted(node["entry"], key=_index))
    return {key: _shape(value) for key, value in node.items()}


def _index(text: str) -> int:
    return int(text) if text.isdigit() else 0


def _entry(entry: Any) -> tuple[str, Any]:
    entry = entry if isinstance(entry, dict) else {}
    key = entry.get("key", entry.get("Name", ""))
    return str(key), _shape(entry.get("value", entry.get("Value", "")))


def _dict(params: dict[str, Any], name: str) -> dict[str, Any]:
    value = params.get(name) or {}
    if not isinstance(value, dict):
        raise InvalidParameter(name)
    return value


def _list(params: dict[str, Any], name: str) -> list[Any]:
    value = params.get(name) or []
    if not isinstance(value, list):
        raise InvalidParameter(name)
    return value


def _page(rows: Any, token: object) -> tuple[list, str | None]:
    start = int(token) if isinstance(token, str) and token.isdigit() else 0
    chunk = list(rows[start:start + PAGE_SIZE + 1])
    more = len(chunk) > PAGE_SIZE
    return chunk[:PAGE_SIZE], (str(start + PAGE_SIZE) if more else None)


# --------------------------------------------------------------------------- actions


def create_topic(params: dict[str, Any]) -> dict[str, Any]:
    tags = {t.get("Key"): t.get("Value", "") for t in _list(params, "Tags") if isinstance(t, dict)}
    topic = service.create_topic(params.get("Name"), _dict(params, "Attributes"), tags)
    return {"TopicArn": topic.arn}


def delete_topic(params: dict[str, Any]) -> None:
    service.delete_topic(service.get_topic(params.get("TopicArn")))


def list_topics(params: dict[str, Any]) -> dict[str, Any]:
    rows, token = _page(service.list_topics(), params.get("NextToken"))
    return {"Topics": [{"TopicArn": t.arn} for t in rows], "NextToken": token}


def get_topic_attributes(params: dict[str, Any]) -> dict[str, Any]:
    return {"Attributes": service.topic_attributes(service.get_topic(params.get("TopicArn")))}


def set_topic_attributes(params: dict[str, Any]) -> None:
    topic = service.get_topic(params.get("TopicArn"))
    service.set_topic_attribute(topic, params.get("AttributeName"), params.get("AttributeValue"))


def subscribe(params: dict[str, Any]) -> dict[str, Any]:
    topic = service.get_topic(params.get("TopicArn"))
    subscription = service.subscribe(topic, params.get("Protocol"), params.get("Endpoint"),
                                     _dict(params, "Attributes"))
    return {"SubscriptionArn": subscription.arn}


def unsubscribe(params: dict[str, Any]) -> None:
    service.unsubscribe(service.get_subscription(params.get("SubscriptionArn")))


def _subscription_member(subscription: Any) -> dict[str, str]:
    return {"SubscriptionArn": subscription.arn, "Owner": settings.STEPYARD_ACCOUNT,
            "Protocol": subscription.protocol, "Endpoint": subscription.endpoint,
            "TopicArn": subscription.topic.arn}


def list_subscriptions(params: dict[str, Any]) -> dict[str, Any]:
    rows, token = _page(service.list_subscriptions(), params.get("NextToken"))
    return {"Subscriptions": [_subscription_member(s) for s in rows], "NextToken": token}


def list_subscriptions_by_topic(params: dict[str, Any]) -> dict[str, Any]:
    topic = service.get_topic(params.get("TopicArn"))
    rows, token = _page(service.list_subscriptions(topic), params.get("NextToken"))
    return {"Subscriptions": [_subscription_member(s) for s in rows], "NextToken": token}


def get_subscription_attributes(params: dict[str, Any]) -> dict[str, Any]:
    subscription = service.get_subscription(params.get("SubscriptionArn"))
    return {"Attributes": service.subscription_attributes(subscription)}


def set_subscription_attributes(params: dict[str, Any]) -> None:
    subscription = service.get_subscription(params.get("SubscriptionArn"))
    service.set_subscription_attribute(subscription, params.get("AttributeName"), params.get("AttributeValue"))


def _target(params: dict[str, Any]) -> Any:
    arn = params.get("TopicArn") or params.get("TargetArn")
    if not arn:
        if params.get("PhoneNumber"):
            raise InvalidParameter("PhoneNumber Reason: Stepyard does not send SMS")
        raise InvalidParameter("TopicArn or TargetArn Reason: no value for required parameter")
    return service.get_topic(arn)


def publish(params: dict[str, Any]) -> dict[str, Any]:
    topic = _target(params)
    published = service.publish(topic, params.get("Message"), subject=params.get("Subject"),
                                attributes=_dict(params, "MessageAttributes"), structure=params.get("MessageStructure"),
                                group_id=params.get("MessageGroupId"),
                                deduplication_id=params.get("MessageDeduplicationId"))
    return {"MessageId": published.message_id, "SequenceNumber": published.sequence_number}


def publish_batch(params: dict[str, Any]) -> dict[str, Any]:
    topic = service.get_topic(params.get("TopicArn"))
    entries = _batch_entries(params)
    successful, failed = [], []
    for entry, outcome in zip(entries, service.publish_batch(topic, entries), strict=True):
        if isinstance(outcome, ServiceError):
            failed.append({"Id": entry["Id"], "Code": outcome.code, "Message": outcome.message,
                           "SenderFault": "true"})
        else:
            successful.append({"Id": entry["Id"], "MessageId": outcome.message_id,
                               "SequenceNumber": outcome.sequence_number})
    return {"Successful": successful, "Failed": failed}


def _batch_entries(params: dict[str, Any]) -> list[dict[str, Any]]:
    entries = [e for e in _list(params, "PublishBatchRequestEntries") if isinstance(e, dict)]
    if not entries:
        raise EmptyBatchRequest("The batch request doesn't contain any entries")
    if len(entries) > MAX_BATCH:
        raise TooManyEntriesInBatchRequest("The batch request contains more entries than permissible")
    ids = [e.get("Id") for e in entries]
    if len(set(ids)) != len(ids):
        raise BatchEntryIdsNotDistinct("Two or more batch entries in the request have the same Id")
    for entry_id in ids:
        if not isinstance(entry_id, str) or not entry_id or len(entry_id) > 80 or not all(
                c.isalnum() or c in "-_" for c in entry_id):
            raise InvalidBatchEntryId("The Id of a batch entry in a batch request doesn't abide by the specification")
    if sum(len(str(e.get("Message", "")).encode()) for e in entries) > MAX_BATCH_BYTES:
        raise BatchRequestTooLong("The length of all the messages put together is more than the limit")
    return entries


def list_tags_for_resource(params: dict[str, Any]) -> dict[str, Any]:
    tags = service.topic_tags(params.get("ResourceArn"))
    return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}


def tag_resource(params: dict[str, Any]) -> dict[str, Any]:
    tags = {t.get("Key"): t.get("Value", "") for t in _list(params, "Tags") if isinstance(t, dict)}
    service.tag_topic(params.get("ResourceArn"), tags)
    return {}


def untag_resource(params: dict[str, Any]) -> dict[str, Any]:
    service.untag_topic(params.get("ResourceArn"), [str(k) for k in _list(params, "TagKeys")])
    return {}


ACTIONS: dict[str, Handler] = {
    "CreateTopic": create_topic,
    "DeleteTopic": delete_topic,
    "ListTopics": list_topics,
    "GetTopicAttributes": get_topic_attributes,
    "SetTopicAttributes": set_topic_attributes,
    "Subscribe": subscribe,
    "Unsubscribe": unsubscribe,
    "ListSubscriptions": list_subscriptions,
    "ListSubscriptionsByTopic": list_subscriptions_by_topic,
    "GetSubscriptionAttributes": get_subscription_attributes,
    "SetSubscriptionAttributes": set_subscription_attributes,
    "Publish": publish,
    "PublishBatch": publish_batch,
    "ListTagsForResource": list_tags_for_resource,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
}


# --------------------------------------------------------------------------- XML


def xml_response(action: str, result: dict[str, Any] | None) -> HttpResponse:
    request_id = str(uuid.uuid4())
    response = HttpResponse(render(action, result, request_id).encode(), content_type=CONTENT_TYPE)
    response["x-amzn-RequestId"] = request_id
    return response


def error_response(code: str, message: str, status: int = 400) -> HttpResponse:
    request_id = str(uuid.uuid4())
    kind = "Receiver" if status >= 500 else "Sender"
    body = (f'<ErrorResponse xmlns="{NAMESPACE}">\n  <Error>\n    <Type>{kind}</Type>\n'
            f"    <Code>{escape(code)}</Code>\n    <Message>{escape(message)}</Message>\n  </Error>\n"
            f"  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n")
    response = HttpResponse(body.encode(), status=status, content_type=CONTENT_TYPE)
    response["x-amzn-RequestId"] = request_id
    return response
