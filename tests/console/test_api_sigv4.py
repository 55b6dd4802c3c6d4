"""SigV4: any credentials by default; with STEPYARD_ACCESS_KEYS, signatures are verified."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from console import credentials
from console.wire import sigv4
from tests.conftest import server_env, start_server

KEYS = {"AKIDGOOD": "right-secret"}


def _signed(body: bytes = b"{}", key: str = "AKIDGOOD", secret: str = "right-secret",
            path: str = "/") -> sigv4.SignedRequest:
    request = AWSRequest(method="POST", url=f"http://127.0.0.1:8000{path}", data=body, headers={
        "X-Amz-Target": "AWSStepFunctions.ListStateMachines",
        "Content-Type": "application/x-amz-json-1.0"})
    SigV4Auth(Credentials(key, secret), "states", "us-east-1").add_auth(request)
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = "127.0.0.1:8000"
    return sigv4.SignedRequest("POST", path, "", headers, body)


def test_a_request_signed_by_botocore_verifies():
    sigv4.verify(_signed(), KEYS)
    sigv4.verify(_signed(path="/aws"), KEYS)


def test_a_tampered_body_or_wrong_secret_is_an_invalid_signature():
    request = _signed()
    tampered = sigv4.SignedRequest(request.method, request.path, request.query, request.headers,
                                   b'{"maxResults": 1}')
    with pytest.raises(sigv4.InvalidSignature):
        sigv4.verify(tampered, KEYS)
    with pytest.raises(sigv4.InvalidSignature):
        sigv4.verify(_signed(secret="wrong"), KEYS)


def test_an_unknown_key_is_an_unrecognized_client():
    with pytest.raises(sigv4.UnrecognizedClient):
        sigv4.verify(_signed(key="AKIDOTHER"), KEYS)


def test_an_old_signature_has_expired():
    later = datetime.now(UTC) + timedelta(minutes=20)
    with pytest.raises(sigv4.InvalidSignature) as caught:
        sigv4.verify(_signed(), KEYS, now=later)
    assert "Signature expired" in caught.value.message


def test_keys_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("STEPYARD_ACCESS_KEYS", " AKID1:s1 , AKID2:s:2 ")
    assert credentials.configured_keys() == {"AKID1": "s1", "AKID2": "s:2"}
    monkeypatch.delenv("STEPYARD_ACCESS_KEYS")
    assert credentials.configured_keys() == {}


@pytest.fixture(scope="module")
def locked_server(tmp_path_factory):
    env = server_env(tmp_path_factory.mktemp("sigv4"), STEPYARD_ACCESS_KEYS="AKIDGOOD:right-secret")
    server = start_server(env)
    try:
        yield server.url
    finally:
        server.stop()


def _client(url: str, key: str, secret: str):
    return boto3.client("stepfunctions", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 1}))


def test_a_server_with_keys_accepts_its_keys_and_refuses_others(locked_server):
    assert _client(locked_server, "AKIDGOOD", "right-secret").list_state_machines()[
        "stateMachines"] == []
    with pytest.raises(Exception) as unknown:
        _client(locked_server, "AKIDBAD", "x").list_state_machines()
    assert unknown.value.response["Error"]["Code"] == "UnrecognizedClientException"
    with pytest.raises(Exception) as wrong:
        _client(locked_server, "AKIDGOOD", "wrong").list_state_machines()
    assert wrong.value.response["Error"]["Code"] == "InvalidSignatureException"


def test_a_server_with_keys_refuses_unsigned_calls_but_serves_the_console(locked_server):
    request = urllib.request.Request(locked_server, data=b"{}", method="POST", headers={
        "X-Amz-Target": "AWSStepFunctions.ListStateMachines"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 400
    assert b"MissingAuthenticationTokenException" in caught.value.read()
    with urllib.request.urlopen(locked_server + "/state-machines/", timeout=10) as page:
        assert page.status == 200


def test_lambda_calls_are_verified_too(locked_server):
    def lam(secret: str):
        return boto3.client("lambda", endpoint_url=locked_server, region_name="us-east-1",
                            aws_access_key_id="AKIDGOOD", aws_secret_access_key=secret,
                            config=Config(retries={"max_attempts": 1}))

    # An ARN in the path is percent-encoded, and signed encoded twice, as botocore does.
    arn = "arn:aws:lambda:us-east-1:000000000000:function:Nobody"
    with pytest.raises(Exception) as missing:
        lam("right-secret").get_function(FunctionName=arn)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert lam("right-secret").list_functions()["Functions"] == []
    with pytest.raises(Exception) as wrong:
        lam("wrong").list_functions()
    assert wrong.value.response["Error"]["Code"] == "InvalidSignatureException"
