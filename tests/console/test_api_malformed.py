"""No request, however malformed, gets a 500: every action of the Step Functions API is
sent broken bodies and members of every wrong JSON type, and must answer with a 4xx AWS
error. The request shapes Stepyard checks are also compared with botocore's model."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import botocore.session
import pytest

from console.api import shapes

MODEL = botocore.session.get_session().get_service_model("stepfunctions")
# Map runs exist only for distributed Map states, which Stepyard runs inline.
NOT_SERVED = {"DescribeMapRun", "ListMapRuns", "UpdateMapRun"}
OPERATIONS = sorted(MODEL.operation_names)
BROKEN = [b"{", b"[]", b"null", b'"text"', b"42", b"\xff\xfe", b'{"a": ' * 50, b"{}" * 2]
# Empty requests are well formed, but lack the required members of most actions.
EMPTY = [b"", b"{}", b'{"unknown": 1}']
WRONG = [12345, -1, 1.5, True, [], {}, ["x"], {"k": "v"}, "x" * 300_000, ""]


def post(url: str, target: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _placeholder(shape) -> object:
    """A well-typed value that names nothing that exists (so no call waits or succeeds)."""
    if shape.type_name == "string":
        if "enum" in shape.metadata:
            return shape.metadata["enum"][0]
        return "arn:aws:states:us-east-1:000000000000:activity:does-not-exist"
    if shape.type_name in ("integer", "long"):
        return 1
    if shape.type_name == "boolean":
        return False
    if shape.type_name == "list":
        return []
    return {}


def _base(operation: str) -> dict:
    shape = MODEL.operation_model(operation).input_shape
    return {name: _placeholder(shape.members[name]) for name in shape.required_members}


def _cases() -> list:
    cases = []
    for operation in OPERATIONS:
        cases += [pytest.param(operation, body, id=f"{operation}-body{i}")
                  for i, body in enumerate(BROKEN)]
        if MODEL.operation_model(operation).input_shape.required_members:
            cases += [pytest.param(operation, body, id=f"{operation}-empty{i}")
                      for i, body in enumerate(EMPTY)]
        members = MODEL.operation_model(operation).input_shape.members
        for member in members:
            for i, value in enumerate(WRONG):
                if _same_type(members[member], value):
                    continue
                body = json.dumps({**_base(operation), member: value}).encode()
                cases.append(pytest.param(operation, body, id=f"{operation}-{member}-{i}"))
    return cases


def _same_type(shape, value: object) -> bool:
    """True when ``value`` is a valid value of ``shape`` (so not a malformed request)."""
    if shape.type_name in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if shape.type_name == "string":
        meta = shape.metadata
        if not isinstance(value, str) or "enum" in meta:
            return isinstance(value, str) and value in meta.get("enum", ())
        return meta.get("min", 0) <= len(value) <= meta.get("max", float("inf"))
    kinds = {"boolean": bool, "list": list, "structure": dict}
    return isinstance(value, kinds.get(shape.type_name, type(None)))


@pytest.mark.parametrize("operation, body", _cases())
def test_every_malformed_request_gets_a_4xx_aws_error(stepyard_server, operation, body):
    status, payload = post(stepyard_server, f"AWSStepFunctions.{operation}", body)
    assert 400 <= status < 500, payload
    assert payload.get("__type") and isinstance(payload.get("message"), str)


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op not in NOT_SERVED])
def test_checked_shapes_match_the_published_api_model(operation):
    ours = shapes.ACTIONS[operation]
    theirs = MODEL.operation_model(operation).input_shape
    assert set(ours.required) == set(theirs.required_members)
    for name, member in theirs.members.items():
        assert name in ours.members, f"{operation}.{name} is not checked"
        _compare(ours.members[name], member, f"{operation}.{name}")


def _compare(ours, theirs, where: str) -> None:
    meta = theirs.metadata
    if theirs.type_name == "string":
        assert isinstance(ours, shapes.Str), where
        assert tuple(meta.get("enum", ())) == ours.enum, where
        if not ours.enum:
            assert (ours.min, ours.max) == (meta.get("min", 0), meta.get("max")), where
    elif theirs.type_name == "list":
        assert isinstance(ours, shapes.List), where
        assert (ours.min, ours.max) == (meta.get("min", 0), meta.get("max")), where
        _compare(ours.member, theirs.member, where + "[]")
    elif theirs.type_name == "structure":
        assert isinstance(ours, shapes.Struct), where
        assert set(ours.required) == set(theirs.required_members), where
        for name, member in theirs.members.items():
            _compare(ours.members[name], member, f"{where}.{name}")
    elif theirs.type_name == "integer":
        assert (ours.min, ours.max) == (meta.get("min"), meta.get("max")), where
    else:
        assert isinstance(ours, shapes.Bool), where
