"""Map Runs through boto3 against a live server: ListMapRuns, DescribeMapRun with item counts by
status, UpdateMapRun raising a running Map Run's concurrency, and AWS's errors."""

from __future__ import annotations

import json
import time

import boto3
import pytest
from botocore.config import Config

from tests.conftest import finished


def sfn(url: str):
    return boto3.client("stepfunctions", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


def slow_map(seconds: int, concurrency: int) -> str:
    return json.dumps({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "MaxConcurrency": concurrency, "ToleratedFailureCount": 1,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "W", "States": {
                              "W": {"Type": "Wait", "Seconds": seconds, "Next": "C"},
                              "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 3, "Next": "F"}],
                                    "Default": "S"},
                              "S": {"Type": "Succeed"}, "F": {"Type": "Fail", "Error": "Three"}}}}}})


def start(client, definition: str, items: list) -> str:
    arn = client.create_state_machine(name=f"mr-{time.monotonic_ns()}", definition=definition,
                                      roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    return client.start_execution(stateMachineArn=arn, input=json.dumps(items))["executionArn"]


def test_a_finished_map_run_is_listed_and_described_with_its_counts(stepyard_server):
    client = sfn(stepyard_server)
    execution = start(client, slow_map(0, 0), [1, 2, 3, 4])
    assert finished(client, execution)["status"] == "SUCCEEDED"
    [listed] = client.list_map_runs(executionArn=execution)["mapRuns"]
    assert listed["executionArn"] == execution and ":mapRun:" in listed["mapRunArn"]
    described = client.describe_map_run(mapRunArn=listed["mapRunArn"])
    assert described["status"] == "SUCCEEDED" and described["toleratedFailureCount"] == 1
    counts = described["itemCounts"]
    assert (counts["total"], counts["succeeded"], counts["failed"], counts["pending"]) == (4, 3, 1, 0)
    assert described["executionCounts"]["total"] == 4


def test_update_map_run_raises_the_concurrency_of_a_running_map(stepyard_server):
    client = sfn(stepyard_server)
    execution = start(client, slow_map(2, 1), [10, 11, 12, 13, 14, 15])
    deadline = time.monotonic() + 10
    while not (runs := client.list_map_runs(executionArn=execution)["mapRuns"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    arn = runs[0]["mapRunArn"]
    running = client.describe_map_run(mapRunArn=arn)
    assert running["status"] == "RUNNING" and running["itemCounts"]["running"] == 1
    assert running["itemCounts"]["pending"] == 5
    started = time.monotonic()
    client.update_map_run(mapRunArn=arn, maxConcurrency=6)
    assert client.describe_map_run(mapRunArn=arn)["maxConcurrency"] == 6
    assert finished(client, execution)["status"] == "SUCCEEDED"
    assert time.monotonic() - started < 6  # the other five ran together, not one after another
    assert client.describe_map_run(mapRunArn=arn)["itemCounts"]["succeeded"] == 6


def test_map_run_errors_have_aws_names(stepyard_server):
    client = sfn(stepyard_server)
    missing = "arn:aws:states:us-east-1:000000000000:mapRun:nope:nope/M:1"
    with pytest.raises(client.exceptions.ResourceNotFound):
        client.describe_map_run(mapRunArn=missing)
    with pytest.raises(client.exceptions.InvalidArn):
        client.describe_map_run(mapRunArn="not-an-arn")
    with pytest.raises(client.exceptions.ExecutionDoesNotExist):
        client.list_map_runs(executionArn="arn:aws:states:us-east-1:000000000000:execution:nope:nope")
