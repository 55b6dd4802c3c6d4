"""boto3 clients for the integrations, reaching the same place as HTTP callers.

Embedded services are called in this process: the client's ``before-send`` hook hands
the signed request to moto and returns its answer, so nothing goes over the network to
ourselves. A service with an upstream gets a plain client for that URL, signed with the
default credential chain (the environment's AWS_* variables, a profile, an instance
role; dummy keys when there are none), with short connect and read timeouts and no
retries, so a down or slow upstream fails the task instead of holding it.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config
from django.conf import settings

from console.credentials import configured_keys
from console.upstream import config, embedded
from console.upstream.catalog import Call

EMBEDDED_URL = "http://embedded.stepyard.internal"
_LOCK = threading.Lock()
_CLIENTS: dict[tuple[str, str | None, float], Any] = {}
_SERVER: list[str] = []  # set in engine worker processes: the web process serving the embedded moto


def use_server(url: str) -> None:
    """Reach the embedded services through the Stepyard web process at ``url`` (an engine
    worker in scaled mode: its own moto would hold other data than the server's)."""
    _SERVER[:] = [url.rstrip("/")]


def client(service: str) -> Any:
    """A boto3 client for ``service`` (dynamodb, s3, ...) wherever it is served."""
    upstream = config.upstream_for(service) or (_SERVER[0] if _SERVER else None)
    key = (service, upstream, config.timeout_s())
    with _LOCK:
        if key not in _CLIENTS:
            _CLIENTS[key] = _upstream_client(service, upstream) if upstream else _embedded_client(service)
        return _CLIENTS[key]


def _config(**extra: Any) -> Config:
    return Config(
        region_name=settings.STEPYARD_REGION, retries={"max_attempts": 1, "mode": "standard"},
        s3={"addressing_style": "path"}, parameter_validation=False,
        # As Step Functions' SDK: checksums sent with uploads, none asked for with downloads.
        response_checksum_validation="when_required", **extra,
    )


def _embedded_client(service: str) -> Any:
    made = boto3.session.Session().client(
        service, endpoint_url=EMBEDDED_URL, aws_access_key_id="stepyard", aws_secret_access_key="stepyard",
        config=_config(),
    )
    made.meta.events.register("before-send", _InProcess(service))
    return made


def _upstream_client(service: str, url: str) -> Any:
    session = boto3.session.Session()
    credentials = {}
    keys = configured_keys()
    if _SERVER and url == _SERVER[0] and keys:  # our own web process checks signatures: use one of its keys
        key_id, secret = next(iter(keys.items()))
        credentials = {"aws_access_key_id": key_id, "aws_secret_access_key": secret}
    elif session.get_credentials() is None:
        credentials = {"aws_access_key_id": "stepyard", "aws_secret_access_key": "stepyard"}
    timeout = config.timeout_s()
    return session.client(service, endpoint_url=url, config=_config(connect_timeout=min(timeout, 5.0),
                                                                      read_timeout=timeout), **credentials)


class _InProcess:
    """The ``before-send`` hook that answers a client's request with the embedded moto."""

    def __init__(self, service: str):
        self.service = service

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        parts = urlsplit(request.url)
        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode()
        call = Call(self.service, settings.STEPYARD_REGION, request.method, parts.path or "/", parts.query,
                    {name.lower(): _text(value) for name, value in request.headers.items()}, body or b"")
        reply = embedded.dispatch(call)
        return AWSResponse(request.url, reply.status, reply.headers, _Raw(reply.body))


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


class _Raw:
    """The raw body botocore reads a response from."""

    def __init__(self, body: bytes):
        self.body = body

    def stream(self, **_: Any):
        yield self.body

    def read(self, *_: Any) -> bytes:
        body, self.body = self.body, b""
        return body
