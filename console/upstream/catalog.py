"""Which AWS service a request is for, and the services Stepyard serves through moto.

A request names its service in its SigV4 credential scope
(``Credential=AKID/20240101/us-east-1/dynamodb/aws4_request``, in the Authorization
header or, for presigned URLs, the ``X-Amz-Credential`` query parameter) and, for the
JSON protocols, in the ``X-Amz-Target`` prefix (``DynamoDB_20120810.PutItem``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qs
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Service:
    """One service served through the gateway."""

    name: str  # boto3's client name, the signing name and the STEPYARD_UPSTREAM_<NAME> suffix
    title: str
    sdk_name: str  # the AWS SDK for Java 2 client name: aws-sdk error prefix (DynamoDb.*)
    targets: tuple[str, ...] = ()  # X-Amz-Target prefixes of its JSON protocol


SERVICES: dict[str, Service] = {
    service.name: service
    for service in (
        Service("dynamodb", "Amazon DynamoDB", "DynamoDb", ("DynamoDB_20120810", "DynamoDBStreams_20120810")),
        Service("s3", "Amazon S3", "S3"),
        Service("events", "Amazon EventBridge", "EventBridge", ("AWSEvents",)),
        Service("secretsmanager", "AWS Secrets Manager", "SecretsManager", ("secretsmanager",)),
        Service("ssm", "AWS Systems Manager (Parameter Store)", "Ssm", ("AmazonSSM",)),
        Service("kms", "AWS KMS", "Kms", ("TrentService",)),
        Service("sts", "AWS STS", "Sts"),
    )
}
# Services Stepyard answers itself; requests signed for them never reach the gateway.
HOSTED = frozenset({"states", "sqs", "sns", "lambda"})
_TARGETS = {prefix: service.name for service in SERVICES.values() for prefix in service.targets}
_SCOPE = re.compile(r"Credential=[^/\s,]+/\d{8}/(?P<region>[^/\s,]+)/(?P<service>[^/\s,]+)/aws4_request")


@dataclass(frozen=True)
class Route:
    """The service (signing name) and region a request is for."""

    service: str
    region: str | None


def route(headers: dict[str, str], query: str) -> Route | None:
    """The route of a request for a service Stepyard does not host, or None.

    ``headers`` has lower-case names.
    """
    scope = _scope(headers, query)
    if scope is not None:
        service, region = scope
        return None if service in HOSTED else Route(service, region)
    prefix = headers.get("x-amz-target", "").partition(".")[0]
    if prefix in _TARGETS:
        return Route(_TARGETS[prefix], None)
    if _signed_v2(headers, query):
        return Route("s3", None)  # only S3 still takes Signature Version 2 (old presigned URLs)
    return None


def _signed_v2(headers: dict[str, str], query: str) -> bool:
    if headers.get("authorization", "").startswith("AWS "):
        return True
    return "AWSAccessKeyId=" in query and "Signature=" in query


def _scope(headers: dict[str, str], query: str) -> tuple[str, str] | None:
    match = _SCOPE.search(headers.get("authorization", ""))
    if match is None and "X-Amz-Credential" in query:
        credential = parse_qs(query).get("X-Amz-Credential", [""])[0]
        match = _SCOPE.search(f"Credential={credential}")
    return (match["service"], match["region"]) if match else None


@dataclass(frozen=True)
class Call:
    """One HTTP request for a non-hosted service, as received (path and query still encoded)."""

    service: str
    region: str
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes


@dataclass(frozen=True)
class Reply:
    """The HTTP answer to a Call."""

    status: int
    headers: dict[str, str]
    body: bytes


def error_reply(service: str, code: str, message: str, status: int) -> Reply:
    """An error in the service's own protocol, so its SDK raises ``code``."""
    if service in SERVICES and SERVICES[service].targets:
        body = json.dumps({"__type": code, "message": message}).encode()
        return Reply(status, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}, body)
    error = f"<Error><Type>Sender</Type><Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
    if service != "s3":
        error = f"<ErrorResponse>{error}</ErrorResponse>"
    return Reply(status, {"Content-Type": "application/xml"}, error.encode())
