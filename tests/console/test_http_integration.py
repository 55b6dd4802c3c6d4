"""The HTTP Task (arn:aws:states:::http:invoke) against a real local HTTP server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.conftest import free_port
from tests.console.test_functions_integrations import run, task

pytestmark = pytest.mark.django_db
HTTP = "arn:aws:states:::http:invoke"
CONNECTION = {"ConnectionArn": "arn:aws:events:us-east-1:000000000000:connection/local/1"}
SEEN: list[dict] = []


class _Api(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        parts = urlsplit(self.path)
        SEEN.append({"method": self.command, "path": parts.path, "query": parse_qsl(parts.query),
                     "body": body, "content_type": self.headers.get("Content-Type"),
                     "token": self.headers.get("X-Token")})
        status = 404 if parts.path == "/missing" else 200
        payload = json.dumps({"error": "no such thing"} if status == 404 else {"ok": True}).encode()
        if parts.path == "/text":
            payload = b"plain words"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if parts.path == "/text" else "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def api():
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(autouse=True)
def fresh():
    SEEN.clear()


def call(parameters: dict, **fields):
    return run(task(HTTP, {"Authentication": CONNECTION, **parameters}, **fields), "T")


def test_a_get_with_query_parameters_returns_the_parsed_json_body(api):
    execution = call({"ApiEndpoint": f"{api}/items", "Method": "GET",
                      "QueryParameters": {"page": 2, "tag": ["a", "b"]}, "Headers": {"X-Token": "t"}})
    output = json.loads(execution.output)
    assert (output["StatusCode"], output["StatusText"], output["ResponseBody"]) == (200, "OK", {"ok": True})
    assert output["Headers"]["content-type"] == ["application/json"]
    assert SEEN == [{"method": "GET", "path": "/items", "query": [("page", "2"), ("tag", "a"), ("tag", "b")],
                     "body": "", "content_type": None, "token": "t"}]


def test_a_json_request_body_is_sent_as_json(api):
    execution = call({"ApiEndpoint": f"{api}/orders", "Method": "POST", "RequestBody": {"id": 7, "qty": [1, 2]}})
    assert execution.status == "SUCCEEDED"
    assert json.loads(SEEN[0]["body"]) == {"id": 7, "qty": [1, 2]}
    assert SEEN[0]["content_type"] == "application/json"


@pytest.mark.parametrize(("array_format", "expected"), [
    ("BRACKETS", [("id", "7"), ("qty[]", "1"), ("qty[]", "2")]),
    ("INDICES", [("id", "7"), ("qty[0]", "1"), ("qty[1]", "2")]),
    ("REPEAT", [("id", "7"), ("qty", "1"), ("qty", "2")]),
    ("COMMAS", [("id", "7"), ("qty", "1,2")]),
])
def test_a_url_encoded_body_follows_the_array_format(api, array_format, expected):
    call({"ApiEndpoint": f"{api}/form", "Method": "PUT", "RequestBody": {"id": 7, "qty": [1, 2]},
          "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                        "RequestEncodingOptions": {"ArrayFormat": array_format}}})
    assert parse_qsl(SEEN[0]["body"]) == expected
    assert SEEN[0]["content_type"] == "application/x-www-form-urlencoded"


def test_a_text_answer_is_returned_as_text(api):
    output = json.loads(call({"ApiEndpoint": f"{api}/text", "Method": "GET"}).output)
    assert output["ResponseBody"] == "plain words"


def test_a_status_outside_2xx_fails_the_task_with_the_status_and_can_be_caught(api):
    execution = call({"ApiEndpoint": f"{api}/missing", "Method": "DELETE"})
    assert (execution.status, execution.error) == ("FAILED", "States.Http.StatusCode.404")
    assert json.loads(execution.cause)["ResponseBody"] == {"error": "no such thing"}

    states = task(HTTP, {"Authentication": CONNECTION, "ApiEndpoint": f"{api}/missing", "Method": "GET"},
                  Catch=[{"ErrorEquals": ["States.Http.StatusCode.404"], "Next": "Gone"}])
    states["T"].pop("End")
    states["T"]["Next"] = "Gone"
    states["Gone"] = {"Type": "Pass", "End": True}
    caught = run(states, "T")
    assert caught.status == "SUCCEEDED" and json.loads(caught.output)["Error"] == "States.Http.StatusCode.404"


def test_an_unreachable_endpoint_fails_with_a_socket_error():
    execution = call({"ApiEndpoint": f"http://127.0.0.1:{free_port()}/x", "Method": "GET"})
    assert (execution.status, execution.error) == ("FAILED", "States.Http.Socket")


def test_a_bad_method_endpoint_or_field_is_a_runtime_error(api):
    assert call({"ApiEndpoint": f"{api}/x", "Method": "FETCH"}).error == "States.Runtime"
    assert call({"ApiEndpoint": "ftp://example.com/x", "Method": "GET"}).error == "States.Runtime"
    bad_headers = call({"ApiEndpoint": f"{api}/x", "Method": "GET", "Headers": ["X-Token: t"]})
    assert bad_headers.error == "States.Runtime"
    assert bad_headers.cause == 'Headers must be a JSON object, got ["X-Token: t"]'
    assert SEEN == []
