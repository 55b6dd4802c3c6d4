"""Scaled mode on real engines: PostgreSQL + Redis, a web process without an engine,
and two ``runengine`` workers sharing the due work (SKIP LOCKED)."""

from __future__ import annotations

import json
import os
import time
import uuid

import pytest

from tests.conftest import require_service, server_env, start_server, start_worker

PG_HOST = os.environ.get("STEPYARD_TEST_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("STEPYARD_TEST_REDIS", "redis://127.0.0.1:6379/9")


@pytest.fixture
def pg_database():
    import psycopg

    name = f"stepyard_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(f"{PG_HOST}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        require_service(f"PostgreSQL is not reachable at {PG_HOST}: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{PG_HOST}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_workers_share_timers_without_duplicates(tmp_path, pg_database, sfn_client):
    env = server_env(tmp_path, DATABASE_URL=pg_database, REDIS_URL=REDIS,
                     STEPYARD_EMBEDDED_ENGINE="0", STEPYARD_TIME_SCALE="0.02")
    server = start_server(env)
    workers = [start_worker(env), start_worker(env)]
    try:
        sfn = sfn_client(server.url)
        definition = json.dumps({"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 10, "Next": "P"},
            "P": {"Type": "Pass", "Result": "done", "End": True}}})
        machine = sfn.create_state_machine(name="Scaled", definition=definition,
                                           roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
        arns = [sfn.start_execution(stateMachineArn=machine)["executionArn"] for _ in range(30)]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            running = sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING")["executions"]
            if not running:
                break
            time.sleep(0.2)
        for arn in arns:
            described = sfn.describe_execution(executionArn=arn)
            assert (described["status"], described["output"]) == ("SUCCEEDED", '"done"')
            types = [e["type"] for e in sfn.get_execution_history(executionArn=arn)["events"]]
            assert types.count("WaitStateExited") == 1 and types[-1] == "ExecutionSucceeded"
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=10)
        server.stop()


def test_map_run_children_are_stored_as_executions_on_postgresql(tmp_path, pg_database, sfn_client):
    env = server_env(tmp_path, DATABASE_URL=pg_database, REDIS_URL=REDIS,
                     STEPYARD_EMBEDDED_ENGINE="0", STEPYARD_TIME_SCALE="0.02")
    server = start_server(env)
    worker = start_worker(env)
    try:
        sfn = sfn_client(server.url)
        definition = json.dumps({"StartAt": "M", "States": {"M": {
            "Type": "Map", "End": True, "MaxConcurrency": 5, "Label": "Rows",
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                              "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}}}}})
        machine = sfn.create_state_machine(name="ScaledMap", definition=definition,
                                           roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
        arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(list(range(12))))["executionArn"]
        deadline = time.monotonic() + 60
        while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
        [run] = sfn.list_map_runs(executionArn=arn)["mapRuns"]
        children = sfn.list_executions(mapRunArn=run["mapRunArn"])["executions"]
        assert len(children) == 12 and {c["status"] for c in children} == {"SUCCEEDED"}
        for child in children[:3]:
            events = sfn.get_execution_history(executionArn=child["executionArn"])["events"]
            assert [e["type"] for e in events] == ["ExecutionStarted", "WaitStateEntered", "WaitStateExited",
                                                   "ExecutionSucceeded"]
            assert child["stopDate"] > child["startDate"]
    finally:
        worker.terminate()
        worker.wait(timeout=10)
        server.stop()
