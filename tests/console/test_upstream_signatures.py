"""Signatures on the gateway: with STEPYARD_ACCESS_KEYS the caller's signature is checked and, when
forwarding, the request is signed again for the upstream's host with the caller's own key (an upstream
that checks signatures, as AWS does, accepts it); engine workers in scaled mode reach the web process's
embedded services, signed with a configured key."""

from __future__ import annotations

import http.server
import json
import threading
import uuid
from datetime import UTC, datetime

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from console.wire import sigv4
from tests.conftest import finished, free_port, server_env, start_server, start_worker
from tests.console.test_scaled_mode import REDIS, pg_database  # noqa: F401 (a fixture)
from tests.console.test_upstream_gateway import ORDER_MACHINE, create_table

KEYS = {"AKIDCALLER": "caller-secret"}


def client(service: str, url: str, key: str = "AKIDCALLER", secret: str = "caller-secret"):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))


class _Verifying(http.server.BaseHTTPRequestHandler):
    """An upstream that, like AWS, accepts only requests signed for its own host."""

    seen: list[str] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = sigv4.SignedRequest("POST", self.path.split("?")[0], "", headers, body)
        try:
            sigv4.verify(request, KEYS, datetime.now(UTC))
        except Exception as error:  # noqa: BLE001 - any refusal is answered as AWS does
            self._answer(400, {"__type": "InvalidSignatureException", "message": str(error)})
            return
        self.seen.append(self.headers["X-Amz-Target"])
        self._answer(200, {"TableNames": ["signed-ok"]})

    def _answer(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def verifying_upstream():
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Verifying)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{upstream.server_address[1]}"
    upstream.shutdown()


def test_a_forwarded_call_is_signed_again_for_the_upstream_with_the_callers_key(tmp_path, verifying_upstream):
    env = server_env(tmp_path, STEPYARD_ACCESS_KEYS="AKIDCALLER:caller-secret",
                     STEPYARD_UPSTREAM_DYNAMODB=verifying_upstream)
    server = start_server(env)
    try:
        assert client("dynamodb", server.url).list_tables()["TableNames"] == ["signed-ok"]
        assert _Verifying.seen == ["DynamoDB_20120810.ListTables"]
        with pytest.raises(ClientError) as unknown:
            client("dynamodb", server.url, key="AKIDOTHER", secret="x").list_tables()
        assert unknown.value.response["Error"]["Code"] == "UnrecognizedClientException"
        with pytest.raises(ClientError) as wrong:
            client("s3", server.url, secret="wrong").list_buckets()
        assert wrong.value.response["Error"]["Code"] == "InvalidSignatureException"
        assert len(_Verifying.seen) == 1  # refused calls never reach the upstream
    finally:
        server.stop()


def test_engine_workers_use_the_web_processs_embedded_services(tmp_path, pg_database):  # noqa: F811
    port = free_port()
    env = server_env(tmp_path, DATABASE_URL=pg_database, REDIS_URL=REDIS, STEPYARD_EMBEDDED_ENGINE="0",
                     STEPYARD_ACCESS_KEYS="AKIDCALLER:caller-secret", STEPYARD_PUBLIC_URL=f"http://127.0.0.1:{port}")
    server = start_server(env, port)
    worker = start_worker(env)
    try:
        table = f"scaled-{uuid.uuid4().hex[:6]}"
        create_table(client("dynamodb", server.url), table)
        sfn = client("stepfunctions", server.url)
        arn = sfn.create_state_machine(name="ScaledOrders", definition=json.dumps(ORDER_MACHINE),
                                       roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
        started = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"table": table, "id": "o-1"}))
        execution = finished(sfn, started["executionArn"])
        assert execution["status"] == "SUCCEEDED", execution.get("cause")
        stored = client("dynamodb", server.url).get_item(TableName=table, Key={"id": {"S": "o-1"}})
        assert stored["Item"]["total"] == {"N": "42"}
    finally:
        worker.terminate()
        worker.wait(timeout=10)
        server.stop()
