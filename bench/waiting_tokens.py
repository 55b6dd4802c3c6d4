"""Resident memory of a Stepyard server with 10,000 executions waiting on task tokens.

Starts a real server (Daphne, embedded engine, SQLite in a fresh data directory),
starts N executions whose task waits for a token (sqs:sendMessage.waitForTaskToken),
and reports the server's resident memory before and after, then after a restart
(which resumes every RUNNING execution from the database).

    .venv/bin/python bench/waiting_tokens.py [--executions 10000] [--threads 8]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import server_env, start_server  # noqa: E402


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def clients(url: str):
    kwargs = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="t",
                  aws_secret_access_key="t", config=Config(max_pool_connections=32))
    return boto3.client("stepfunctions", **kwargs), boto3.client("sqs", **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--executions", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    env = server_env(Path(tempfile.mkdtemp(prefix="stepyard-bench-")))
    server = start_server(env)
    sfn, sqs = clients(server.url)
    queue = sqs.create_queue(QueueName="tokens")["QueueUrl"]
    definition = {"StartAt": "Wait for answer", "States": {"Wait for answer": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token"}}, "End": True}}}
    machine = sfn.create_state_machine(name="Waiting", definition=json.dumps(definition),
                                       roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    before = rss_mib(server.process.pid)
    started = time.perf_counter()
    with ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(lambda i: sfn.start_execution(stateMachineArn=machine, name=f"w{i}"), range(args.executions)))
    elapsed = time.perf_counter() - started
    while int(sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])
              ["Attributes"]["ApproximateNumberOfMessages"]) < args.executions:
        time.sleep(0.5)
    after = rss_mib(server.process.pid)
    server.stop()
    server = start_server(env)
    time.sleep(2)
    restarted = rss_mib(server.process.pid)
    server.stop()
    print(f"started {args.executions} executions in {elapsed:.1f} s ({args.executions / elapsed:.0f}/s); "
          f"all waiting on task tokens")
    print(f"server resident memory: {before:.0f} MiB before, {after:.0f} MiB with {args.executions} waiting, "
          f"{restarted:.0f} MiB after a restart that resumed them")


if __name__ == "__main__":
    main()
