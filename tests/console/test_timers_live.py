"""The scheduler sleeps until its next pass (up to STEPYARD_POLL_S) and a step that arms a
timer due earlier wakes it; a timer due later is left to that pass."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import finished, server_env, start_server

ROLE = "arn:aws:iam::123456789012:role/stepyard"


def waiting(seconds: int) -> str:
    return json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": seconds, "End": True}}})


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    # The scheduler's own polling alone would find a timer only after 30 s.
    server = start_server(server_env(tmp_path_factory.mktemp("timers"), STEPYARD_POLL_S="30"))
    yield server.url
    server.stop()


@pytest.fixture
def sfn(server_url, sfn_client):
    return sfn_client(server_url)


def test_a_timer_due_before_the_next_pass_wakes_the_scheduler(sfn):
    far = sfn.create_state_machine(name="Far", definition=waiting(600), roleArn=ROLE)["stateMachineArn"]
    near = sfn.create_state_machine(name="Near", definition=waiting(1), roleArn=ROLE)["stateMachineArn"]
    # The scheduler now sleeps for its full poll: its next timer is ten minutes away.
    far_arn = sfn.start_execution(stateMachineArn=far)["executionArn"]
    time.sleep(0.3)

    started = time.time()
    arn = sfn.start_execution(stateMachineArn=near)["executionArn"]
    done = finished(sfn, arn, timeout=5)

    assert done["status"] == "SUCCEEDED"
    assert 1.0 <= done["stopDate"].timestamp() - started < 1.5
    assert sfn.describe_execution(executionArn=far_arn)["status"] == "RUNNING"


def test_timers_armed_one_after_another_each_fire_on_time(sfn):
    arn = sfn.create_state_machine(name="Short", definition=waiting(1), roleArn=ROLE)["stateMachineArn"]
    runs = []
    for _ in range(3):
        runs.append((time.time(), sfn.start_execution(stateMachineArn=arn)["executionArn"]))
        time.sleep(0.3)
    for started, execution in runs:
        done = finished(sfn, execution, timeout=5)
        assert 1.0 <= done["stopDate"].timestamp() - started < 1.5
