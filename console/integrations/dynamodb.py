"""The optimized DynamoDB integrations: ``arn:aws:states:::dynamodb:getItem`` (putItem,
updateItem, deleteItem), served by the embedded moto or the DynamoDB upstream.

As on AWS, the Task's parameters are the API's request and the result is DynamoDB's
answer with the HTTP metadata of the AWS SDK for Java 1 that Step Functions uses
(``SdkHttpMetadata``: DynamoDB's headers, the compact JSON body's length and CRC32;
GetItem's request-id header is spelled in lower case, as DynamoDB sends it).
Errors are that SDK's: ``DynamoDB.<Name>`` for the exceptions the service model declares
(ResourceNotFoundException, ConditionalCheckFailedException, ...), otherwise
``DynamoDB.AmazonDynamoDBException`` (a ValidationException, say), the cause ending in
"(Service: AmazonDynamoDBv2; Status Code: ...; Error Code: ...; Request ID: ...; Proxy: null)".
"""

from __future__ import annotations

import json
import zlib
from email.utils import formatdate
from typing import Any

from console.integrations import CallContext, Route, sdk_metadata_from
from console.integrations.service_calls import CallFailed, Unreachable, java_sdk_error, perform
from engine.errors import StatesError

PATTERN = r"arn:aws:states:::dynamodb:(getItem|putItem|updateItem|deleteItem)"


def call(parameters: Any, context: CallContext) -> dict[str, Any]:
    action = context.resource.split(":")[-1].split(".")[0]
    operation = action[:1].upper() + action[1:]
    try:
        answer = perform("dynamodb", operation, parameters if isinstance(parameters, dict) else {})
    except CallFailed as error:
        raise states_error(error) from None
    except Unreachable as error:
        raise StatesError("DynamoDB.SdkClientException", str(error)) from None
    body = json.dumps(answer.result, separators=(",", ":"), ensure_ascii=False).encode()
    return {**answer.result, **sdk_metadata_from(_headers(operation, body, answer.request_id), answer.request_id)}


def _headers(operation: str, body: bytes, request_id: str) -> dict[str, str]:
    request_id_header = "x-amzn-requestid" if operation == "GetItem" else "x-amzn-RequestId"
    return {
        "Connection": "keep-alive",
        "Content-Length": str(len(body)),
        "Content-Type": "application/x-amz-json-1.0",
        "Date": formatdate(usegmt=True),
        "Server": "Server",
        "x-amz-crc32": str(zlib.crc32(body)),
        request_id_header: request_id,
    }


def states_error(error: CallFailed) -> StatesError:
    """The error Step Functions records for a DynamoDB error (SDK for Java 1 naming)."""
    return java_sdk_error(error, service="dynamodb", prefix="DynamoDB", label="DynamoDBv2",
                          fallback="AmazonDynamoDBException")

# What console.wiring registers: (resource pattern, integration[, inline]).
ROUTES = (
    Route(PATTERN, call),
)
