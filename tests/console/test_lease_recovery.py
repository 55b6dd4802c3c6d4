"""A worker's death costs one lease, not minutes: a Task's call in flight when every
engine process is SIGKILLed is performed again, once, soon after one is back; a live
worker renews its leases, so a call longer than the lease is never performed twice."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.conftest import server_env, start_server, start_worker
from tests.console import test_scaled_mode

REDIS = test_scaled_mode.REDIS
pg_database = test_scaled_mode.pg_database  # the fixture: a fresh PostgreSQL database

DEFAULT_LEASE_S = 10.0  # STEPYARD_LEASE_S left unset
CALL_S = 30

# The first invocation sleeps through the crash; the one that redoes it answers at once, so
# the time the execution takes after the restart is the time the takeover took.
HANDLER = '''import time
from pathlib import Path

MARKS = Path({marks!r})


def handler(event, context):
    first = not MARKS.exists()
    with MARKS.open("a") as marks:
        marks.write("start\\n")
    if first or event.get("always_sleep"):
        time.sleep(event["sleep"])
    return {{"slept": event["sleep"], "first": first}}
'''


def _functions(tmp_path: Path) -> tuple[Path, Path]:
    functions, marks = tmp_path / "functions", tmp_path / "marks.txt"
    functions.mkdir()
    (functions / "Slow.py").write_text(HANDLER.format(marks=str(marks)))
    return functions, marks


def _set_timeout(url: str, name: str, timeout_s: int) -> None:
    """Give the function a timeout longer than its sleep, with the console's form."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{url}/functions/{name}/edit").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "handler": "handler", "timeout": str(timeout_s),
                                   "memory_size": "128", "environment": "", "description": ""}).encode()
    request = urllib.request.Request(f"{url}/functions/{name}/edit", data=body,
                                     headers={"Referer": f"{url}/functions/{name}/edit"})
    opener.open(request).read()
    assert f"{timeout_s}" in opener.open(f"{url}/functions/{name}/").read().decode()


def _start(sfn, payload: dict) -> str:
    definition = json.dumps({"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "Slow", "Payload": payload}, "OutputPath": "$.Payload", "End": True}}})
    machine = sfn.create_state_machine(name="Slow", definition=definition,
                                       roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    return sfn.start_execution(stateMachineArn=machine)["executionArn"]


def _starts(marks: Path) -> int:
    return marks.read_text().count("start") if marks.exists() else 0


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)


def _wait_until_ended(sfn, arn: str, timeout: float) -> dict:
    described: dict = {}

    def ended() -> bool:
        described.update(sfn.describe_execution(executionArn=arn))
        return described["status"] != "RUNNING"

    _wait_for(ended, timeout, "the execution's end")
    return described


def _task_events(sfn, arn: str) -> list[str]:
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return [e["type"] for e in events if e["type"].startswith("Task")]


def _assert_one_result(sfn, arn: str, described: dict) -> None:
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"slept": CALL_S, "first": False}
    types = _task_events(sfn, arn)
    assert types.count("TaskSucceeded") == 1 and types.count("TaskScheduled") == 1
    assert "TaskFailed" not in types


def _kill(process) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


def _stop(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        _kill(process)


def test_a_call_in_flight_when_every_worker_dies_is_redone_one_lease_later(tmp_path, pg_database, sfn_client):
    functions, marks = _functions(tmp_path)
    env = server_env(tmp_path, DATABASE_URL=pg_database, REDIS_URL=REDIS, STEPYARD_EMBEDDED_ENGINE="0",
                     STEPYARD_FUNCTIONS_DIR=str(functions))
    server = start_server(env)
    workers = [start_worker(env), start_worker(env)]
    try:
        _set_timeout(server.url, "Slow", 90)
        sfn = sfn_client(server.url)
        arn = _start(sfn, {"sleep": CALL_S})
        _wait_for(lambda: _starts(marks) == 1, 30, "the function's first invocation")
        for worker in workers:
            _kill(worker)
        workers = [start_worker(env)]
        restarted = time.monotonic()
        described = _wait_until_ended(sfn, arn, DEFAULT_LEASE_S + 5)
        assert time.monotonic() - restarted <= DEFAULT_LEASE_S + 5
        assert _starts(marks) == 2  # the call was performed again, once
        _assert_one_result(sfn, arn, described)
    finally:
        for worker in workers:
            _stop(worker)
        server.stop()


def test_a_live_worker_keeps_a_call_longer_than_its_lease(tmp_path, pg_database, sfn_client):
    functions, marks = _functions(tmp_path)
    env = server_env(tmp_path, DATABASE_URL=pg_database, REDIS_URL=REDIS, STEPYARD_EMBEDDED_ENGINE="0",
                     STEPYARD_FUNCTIONS_DIR=str(functions), STEPYARD_LEASE_S="2")
    server = start_server(env)
    workers = [start_worker(env), start_worker(env)]
    try:
        _set_timeout(server.url, "Slow", 90)
        sfn = sfn_client(server.url)
        # Ten seconds is five leases: without renewal the other worker would call again.
        arn = _start(sfn, {"sleep": 10, "always_sleep": True})
        described = _wait_until_ended(sfn, arn, 40)
        assert described["status"] == "SUCCEEDED", described
        assert json.loads(described["output"]) == {"slept": 10, "first": True}
        assert _starts(marks) == 1
        assert _task_events(sfn, arn).count("TaskSucceeded") == 1
    finally:
        for worker in workers:
            _stop(worker)
        server.stop()


def test_the_embedded_engine_redoes_a_call_in_flight_after_a_server_kill(tmp_path, sfn_client):
    functions, marks = _functions(tmp_path)
    env = server_env(tmp_path, STEPYARD_FUNCTIONS_DIR=str(functions))
    server = start_server(env)
    try:
        _set_timeout(server.url, "Slow", 90)
        arn = _start(sfn_client(server.url), {"sleep": CALL_S})
        _wait_for(lambda: _starts(marks) == 1, 30, "the function's first invocation")
        server.kill()
        server = start_server(env)
        restarted = time.monotonic()
        sfn = sfn_client(server.url)
        described = _wait_until_ended(sfn, arn, DEFAULT_LEASE_S + 5)
        assert time.monotonic() - restarted <= DEFAULT_LEASE_S + 5
        assert _starts(marks) == 2
        _assert_one_result(sfn, arn, described)
    finally:
        server.stop()
