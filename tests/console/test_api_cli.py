"""A few real ``aws stepfunctions ...`` commands (awscli from PyPI) against a live server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
pytestmark = pytest.mark.skipif(AWS is None, reason="the AWS CLI (awscli) is not installed")
ROLE = "arn:aws:iam::000000000000:role/cli"


@pytest.fixture
def aws(stepyard_server, tmp_path):
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "cli", "AWS_SECRET_ACCESS_KEY": "cli",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}

    def run(*args: str) -> dict:
        done = subprocess.run([AWS, "stepfunctions", *args, "--endpoint-url", stepyard_server,
                               "--output", "json"], env=env, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout or "{}")

    return run


def test_the_cli_creates_runs_and_reads_an_execution(aws):
    definition = json.dumps({"StartAt": "Hi", "States": {
        "Hi": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hi {}', $.who)"},
               "End": True}}})
    machine = aws("create-state-machine", "--name", "CliMachine", "--definition", definition,
                  "--role-arn", ROLE)["stateMachineArn"]
    assert "CliMachine" in [m["name"] for m in aws("list-state-machines")["stateMachines"]]
    execution = aws("start-execution", "--state-machine-arn", machine, "--input",
                    '{"who": "cli"}')["executionArn"]
    for _ in range(100):
        described = aws("describe-execution", "--execution-arn", execution)
        if described["status"] != "RUNNING":
            break
        time.sleep(0.1)
    assert json.loads(described["output"]) == {"greeting": "hi cli"}
    history = aws("get-execution-history", "--execution-arn", execution)["events"]
    assert history[0]["type"] == "ExecutionStarted" and history[-1]["type"] == "ExecutionSucceeded"
    aws("delete-state-machine", "--state-machine-arn", machine)


def test_the_cli_manages_activities_and_tags(aws):
    activity = aws("create-activity", "--name", "CliActivity")["activityArn"]
    aws("tag-resource", "--resource-arn", activity, "--tags", "key=team,value=cli")
    assert aws("list-tags-for-resource", "--resource-arn", activity)["tags"] == [
        {"key": "team", "value": "cli"}]
    assert aws("describe-activity", "--activity-arn", activity)["name"] == "CliActivity"
    aws("delete-activity", "--activity-arn", activity)


def test_the_cli_validates_a_definition(aws):
    answer = aws("validate-state-machine-definition", "--definition", '{"StartAt": "X"}')
    assert answer["result"] == "FAIL"
    assert answer["diagnostics"][0]["code"] == "SCHEMA_VALIDATION_FAILED"
