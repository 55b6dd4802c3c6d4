"""How much a looping JSONata expression delays an unrelated execution's 1 s Wait.

A real server (embedded engine, SQLite, the default 5 s JSONata timeout) runs executions
whose JSONata Pass loops forever (until the timeout fails it); meanwhile other executions
each wait 1 s. The figure is how late each of those Waits exits (WaitStateExited minus
WaitStateEntered minus 1 s), next to the same measurement with no loop running.

    .venv/bin/python bench/hostile_wait.py [--waits 10] [--loops 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import finished, server_env, start_server  # noqa: E402

ROLE = "arn:aws:iam::000000000000:role/r"
# As the issue found it: a Pass after a Wait, so the loop runs when the Wait's timer fires.
LOOP = {"QueryLanguage": "JSONata", "StartAt": "Pause",
        "States": {"Pause": {"Type": "Wait", "Seconds": 0, "Next": "Spin"},
                   "Spin": {"Type": "Pass", "Output": "{% ( $f := function($n){ $f($n + 1) }; $f(0) ) %}",
                            "End": True}}}
WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}}


def lateness_ms(sfn, arn: str) -> float:
    finished(sfn, arn, timeout=60)
    events = sfn.get_execution_history(executionArn=arn)["events"]
    entered = next(e for e in events if e["type"] == "WaitStateEntered")["timestamp"]
    exited = next(e for e in events if e["type"] == "WaitStateExited")["timestamp"]
    return ((exited - entered).total_seconds() - 1) * 1000


def measure(sfn, waiting: str, looping: str | None, waits: int, loops: int) -> list[float]:
    loop_runs = [sfn.start_execution(stateMachineArn=looping)["executionArn"] for _ in range(loops)] if looping else []
    time.sleep(0.5)  # the loops are spinning now
    runs = []
    for _ in range(waits):
        runs.append(sfn.start_execution(stateMachineArn=waiting)["executionArn"])
        time.sleep(0.3)
    late = [lateness_ms(sfn, arn) for arn in runs]
    for arn in loop_runs:
        assert finished(sfn, arn, timeout=60)["error"] == "States.QueryEvaluationError"
    return sorted(late)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--waits", type=int, default=10)
    parser.add_argument("--loops", type=int, default=2)
    args = parser.parse_args()
    server = start_server(server_env(Path(tempfile.mkdtemp(prefix="stepyard-bench-"))))
    try:
        sfn = boto3.client("stepfunctions", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="t", aws_secret_access_key="t")
        waiting = sfn.create_state_machine(name="Wait1", definition=json.dumps(WAIT), roleArn=ROLE)["stateMachineArn"]
        looping = sfn.create_state_machine(name="Spin", definition=json.dumps(LOOP), roleArn=ROLE)["stateMachineArn"]
        for label, machine in (("no loop", None), (f"{args.loops} looping executions", looping)):
            late = measure(sfn, waiting, machine, args.waits, args.loops)
            print(f"{label}: {len(late)} Waits of 1 s exited late by median {statistics.median(late):.1f} ms, "
                  f"max {late[-1]:.1f} ms")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
