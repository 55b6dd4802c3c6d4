"""How late Waits fire: start executions with Waits of various lengths on a real server
(embedded engine, SQLite) and compare WaitStateExited with the Wait's due time.

    .venv/bin/python bench/timer_precision.py [--executions 200]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import server_env, start_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--executions", type=int, default=200)
    args = parser.parse_args()
    server = start_server(server_env(Path(tempfile.mkdtemp(prefix="stepyard-bench-"))))
    try:
        sfn = boto3.client("stepfunctions", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="t", aws_secret_access_key="t")
        definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}}}
        machine = sfn.create_state_machine(name="Timers", definition=json.dumps(definition),
                                           roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
        arns = [sfn.start_execution(stateMachineArn=machine, input=json.dumps({"s": random.choice([1, 2, 3])}))
                ["executionArn"] for _ in range(args.executions)]
        time.sleep(3.5)
        late = []
        for arn in arns:
            while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
                time.sleep(0.1)
            events = sfn.get_execution_history(executionArn=arn)["events"]
            entered = next(e for e in events if e["type"] == "WaitStateEntered")
            exited = next(e for e in events if e["type"] == "WaitStateExited")
            seconds = json.loads(entered["stateEnteredEventDetails"]["input"])["s"]
            late.append((exited["timestamp"] - entered["timestamp"]).total_seconds() - seconds)
        late_ms = sorted(x * 1000 for x in late)
        print(f"{len(late_ms)} Waits of 1-3 s: fired late by p50 {statistics.median(late_ms):.1f} ms, "
              f"p99 {late_ms[int(len(late_ms) * 0.99) - 1]:.1f} ms, max {late_ms[-1]:.1f} ms, "
              f"min {late_ms[0]:.1f} ms (never early: {late_ms[0] >= 0})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
