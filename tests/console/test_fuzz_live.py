"""Throw deep, huge and malformed inputs at every action of every API of a live server:
each gets an answer below 500 (a 4xx where the input cannot be valid), never a dropped
connection, and the server keeps serving normal calls afterwards.

Each API is one entry of ``APIS``, built from botocore's own model of the service (every
action, every member, its location in the request), so a new API is one more entry:
Lambda's REST API is ``RestJsonApi("lambda")``. The run is bounded in count (``PER_API``
requests per API, chosen with a fixed seed) and in time (``BUDGET_S``).
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import time
import urllib.parse
from dataclasses import dataclass, field

import boto3
import botocore.session
import pytest

from tests.conftest import finished, server_env, start_server

PER_API = 1500
BUDGET_S = 50.0
SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=fuzz/20260101/us-east-1/x/aws4_request"}

# Raw JSON spliced into bodies (json.dumps cannot even write these).
DEEP_ARRAY = "[" * 3000 + "]" * 3000
DEEP_OBJECT = '{"a":' * 1500 + "1" + "}" * 1500
# Strings (JSON-in-a-string fields such as input, definition, output, RedrivePolicy).
HOSTILE_STRINGS = [
    "[" * 5000 + "]" * 5000, "[" * 10000, '{"a":' * 990 + "1" + "}" * 990, "NaN", '{"n": Infinity}',
    "x" * 300_000, "\ud800", "%_" * 3000, "", "arn:aws:states:us-east-1:000000000000:stateMachine:" + "a" * 5000,
]
HOSTILE_NUMBERS = [-1, 2**70, 1e308, "1"]
RAW = "\u0000raw\u0000"  # replaced by raw JSON text after encoding
MALFORMED_BODIES = [b"[" * 10000, b"{", b'{"a": NaN}', b"\xff\xfe\x00", DEEP_ARRAY.encode(), DEEP_OBJECT.encode(),
                    b'{"a": "\\ud800"}', b"x" * 3_000_000]


@dataclass
class Probe:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""
    must_be_4xx: bool = False
    label: str = ""


def hostile_values(shape) -> list:
    kind = shape.type_name
    if kind == "string":
        return HOSTILE_STRINGS
    if kind in ("integer", "long", "float", "double"):
        return HOSTILE_NUMBERS
    if kind == "boolean":
        return ["true", RAW]
    if kind == "timestamp":
        return ["yesterday", -1e20]
    return [RAW, ["x"] * 50_000, "x"]


def baseline(shape):
    return {"string": "fuzz", "integer": 1, "long": 1, "boolean": False, "list": [], "map": {},
            "structure": {}, "blob": "Zg=="}.get(shape.type_name, "fuzz")


def cases(model, name: str):
    """(params, label) pairs: the required members plausible, one member hostile at a time."""
    op = model.operation_model(name)
    members = op.input_shape.members if op.input_shape else {}
    required = {m: baseline(members[m]) for m in (op.input_shape.required_members if op.input_shape else [])}
    for member, shape in members.items():
        for value in hostile_values(shape):
            yield op, {**required, member: value}, f"{name}.{member}"


def dumps(params: dict) -> bytes:
    return json.dumps(params).replace(json.dumps(RAW), DEEP_ARRAY).encode()


@dataclass
class JsonApi:
    """AWS JSON 1.0 (Step Functions, SQS): POST with X-Amz-Target."""

    service: str
    model: object = field(init=False)

    def __post_init__(self):
        self.model = botocore.session.get_session().get_service_model(self.service)

    def probes(self):
        prefix = self.model.metadata["targetPrefix"]
        for name in self.model.operation_names:
            headers = {"X-Amz-Target": f"{prefix}.{name}", "Content-Type": "application/x-amz-json-1.0", **SIGNED}
            for body in MALFORMED_BODIES:
                yield Probe("POST", "/", headers, body, must_be_4xx=True, label=f"{name} body")
            for _op, params, label in cases(self.model, name):
                yield Probe("POST", "/", headers, dumps(params), label=label)
        yield Probe("POST", "/", {**SIGNED, "X-Amz-Target": prefix + ".A" * 50_000}, b"{}", True, "long target")


@dataclass
class QueryApi:
    """The AWS Query protocol (SNS): a form-encoded POST naming an Action."""

    service: str
    model: object = field(init=False)

    def __post_init__(self):
        self.model = botocore.session.get_session().get_service_model(self.service)

    def probes(self):
        headers = {"Content-Type": "application/x-www-form-urlencoded", **SIGNED}
        for name in self.model.operation_names:
            action = f"Action={name}&".encode()
            yield Probe("POST", "/", headers, action + b"A." * 5000 + b"=1", True, f"{name} deep name")
            yield Probe("POST", "/", headers, action + b"Message=" + b"x" * 3_000_000, True, f"{name} huge")
            for _op, params, label in cases(self.model, name):
                form = {key: DEEP_ARRAY if value == RAW else value for key, value in params.items()}
                body = urllib.parse.urlencode({"Action": name, **_flat(form)}, errors="surrogatepass").encode()
                yield Probe("POST", "/", headers, body, label=label)


def _flat(params: dict) -> dict[str, str]:
    flat = {}
    for key, value in params.items():
        if isinstance(value, list):
            flat.update({f"{key}.member.{i + 1}": str(item) for i, item in enumerate(value[:200])})
        elif isinstance(value, dict):
            flat.update({f"{key}.entry.{i + 1}.key": str(k) for i, k in enumerate(value)})
        else:
            flat[key] = str(value)
    return flat


@dataclass
class RestJsonApi:
    """A REST-JSON API (Lambda): method and path from the model, members in uri, query, headers, body."""

    service: str
    model: object = field(init=False)

    def __post_init__(self):
        self.model = botocore.session.get_session().get_service_model(self.service)

    def probes(self):
        for name in self.model.operation_names:
            for op, params, label in cases(self.model, name):
                yield self._probe(op, params, label)

    def _probe(self, op, params: dict, label: str) -> Probe:
        path, query, headers, body = op.http["requestUri"], {}, dict(SIGNED), {}
        for member, value in params.items():
            where = op.input_shape.members[member].serialization
            text = DEEP_ARRAY if value == RAW else str(value)
            if where.get("location") == "uri":
                quoted = urllib.parse.quote(text[:4000], safe="", errors="surrogatepass")
                path = path.replace(f"{{{where['name']}}}", quoted).replace(f"{{{where['name']}+}}", quoted)
            elif where.get("location") == "querystring":
                query[where["name"]] = text[:4000].encode("utf-8", "surrogatepass").decode("latin-1")
            elif where.get("location") == "header":
                headers[where["name"]] = text[:4000].encode("ascii", "replace").decode()
            else:
                body[member] = value
        path += ("&" if "?" in path else "?") + urllib.parse.urlencode(query) if query else ""
        headers["Content-Type"] = "application/json"
        return Probe(op.http["method"], path, headers, dumps(body), label=label)


class FnfApi:
    """The Serverless Workflow callback API: /fnf/ with parameters in the query or a JSON body."""

    def probes(self):
        for action in ("ReportTaskSucceeded", "ReportTaskFailed", "Nope"):
            for value in HOSTILE_STRINGS:
                query = urllib.parse.urlencode({"Action": action, "TaskToken": "t", "Output": value[:20_000],
                                                "Error": value[:20_000]}, errors="surrogatepass")
                yield Probe("POST", f"/fnf/?{query}", {}, b"", True, f"fnf {action} query")
                body = json.dumps({"Action": action, "TaskToken": "t", "Output": value}).encode()
                yield Probe("POST", "/fnf/", {"Content-Type": "application/json"}, body, True, f"fnf {action} json")
        for body in MALFORMED_BODIES:
            yield Probe("POST", "/fnf/", {"Content-Type": "application/json"}, body, True, "fnf body")


# Lambda's REST API answers under /2015-03-31/ once it exists; until then its paths are
# the console's 404s, which this suite accepts as the 4xx they are.
APIS = [JsonApi("stepfunctions"), JsonApi("sqs"), QueryApi("sns"), FnfApi(), RestJsonApi("lambda")]


def send(url: str, probe: Probe) -> int:
    """Send the request whole (the server may answer before reading all of it); its status."""
    parts = urllib.parse.urlsplit(url)
    lines = [f"{probe.method} {probe.path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close",
             f"Content-Length: {len(probe.body)}", *(f"{k}: {v}" for k, v in probe.headers.items())]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "replace")
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        try:
            sock.sendall(head + probe.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered early (a 413/414/431) and closed: read that answer
        response = http.client.HTTPResponse(sock)
        response.begin()
        response.read()
        return response.status


def sample(api, rng: random.Random) -> list[Probe]:
    probes = list(api.probes())
    return rng.sample(probes, min(PER_API, len(probes)))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(server_env(tmp_path_factory.mktemp("fuzz")))
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.parametrize("api", APIS, ids=lambda api: getattr(api, "service", "fnf"))
def test_hostile_inputs_get_a_4xx_and_the_server_keeps_answering(server, api):
    rng = random.Random(17)
    failures, deadline = [], time.monotonic() + BUDGET_S / len(APIS)
    for probe in sample(api, rng):
        if time.monotonic() > deadline:
            break
        try:
            status = send(server.url, probe)
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{probe.label}: no answer ({error!r})")
            continue
        if status >= 500 or (probe.must_be_4xx and not 400 <= status < 500):
            failures.append(f"{probe.label}: HTTP {status}")
    assert not failures, "\n".join(failures[:30])
    assert server.process.poll() is None


def test_the_server_still_runs_executions_after_the_fuzz(server):
    kwargs = dict(endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    sfn = boto3.client("stepfunctions", **kwargs)
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    arn = sfn.create_state_machine(name="after-fuzz", definition=json.dumps(definition),
                                   roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=arn, input='{"ok": true}')
    assert finished(sfn, run["executionArn"])["status"] == "SUCCEEDED"
