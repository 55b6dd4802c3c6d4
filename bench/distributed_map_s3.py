"""A Distributed Map over a 10,000-row CSV in S3, with ResultWriter, through boto3: items/s.

The same workload runs against Stepyard (its embedded S3) and against moto's own server
with its ASL interpreter switched on (``--vs moto`` spawns ``python -m moto.server``);
rounds alternate between the two. Each round uploads the CSV, runs a state machine
whose Map reads it (ItemReader, CSV with a header row), gives each child execution a
batch of rows (ItemBatcher, ``--batch``; 0: one row per child) that a Pass state
returns, and writes the results to S3 (ResultWriter); it then checks the manifest and
counts the rows in the SUCCEEDED files (a peer whose files hold fewer rows is reported
with a note, not failed: moto's ResultWriter writes the manifest only). Time is StartExecution to a finished
DescribeExecution.

    .venv/bin/python bench/distributed_map_s3.py --endpoint http://127.0.0.1:8000 --vs moto
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid

import boto3
from botocore.config import Config


def clients(url: str):
    def make(service: str):
        return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                            aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, read_timeout=300))
    return make("s3"), make("stepfunctions")


def definition(bucket: str, batch: int) -> dict:
    state = {
        "Type": "Map", "End": True,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                       "Parameters": {"Bucket": bucket, "Key": "rows.csv"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "Work", "States": {"Work": {"Type": "Pass", "End": True}}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": bucket, "Prefix": "results"}},
    }
    if batch:
        state["ItemBatcher"] = {"MaxItemsPerBatch": batch}
    return {"StartAt": "Rows", "States": {"Rows": state}}


def one_round(url: str, rows: int, batch: int, strict: bool) -> tuple[float, str]:
    s3, sfn = clients(url)
    bucket = f"bench-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="rows.csv", Body="id,qty\n" + "".join(f"{i},{i % 7}\n" for i in range(rows)))
    arn = sfn.create_state_machine(name=bucket, definition=json.dumps(definition(bucket, batch)),
                                   roleArn="arn:aws:iam::000000000000:role/bench")["stateMachineArn"]
    started = time.perf_counter()
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if described["status"] != "SUCCEEDED":
        raise RuntimeError(f"{described['status']}: {described.get('error')} {described.get('cause', '')[:300]}")
    counted = _counted(s3, json.loads(described["output"]), batch)
    if counted != rows and strict:
        raise RuntimeError(f"the results hold {counted} rows, not {rows}")
    return rows / elapsed, "" if counted == rows else f"result files hold {counted} of {rows} rows"


def _counted(s3, output: dict, batch: int) -> int:
    details = output["ResultWriterDetails"]
    manifest = json.loads(s3.get_object(Bucket=details["Bucket"], Key=details["Key"])["Body"].read())
    counted = 0
    for entry in manifest["ResultFiles"]["SUCCEEDED"]:
        for result in json.loads(s3.get_object(Bucket=details["Bucket"], Key=entry["Key"])["Body"].read()):
            value = json.loads(result["Output"])
            counted += len(value["Items"]) if batch else 1
    return counted


def spawn_moto() -> tuple[str, subprocess.Popen]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/config", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("moto server did not start") from None
            time.sleep(0.2)
    body = json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode()
    urllib.request.urlopen(urllib.request.Request(url + "/moto-api/config", data=body, method="POST",
                                                  headers={"Content-Type": "application/json"}))
    return url, process


def measure(url: str, rows: int, batch: int, strict: bool = True) -> tuple[float, str] | str:
    try:
        return one_round(url, rows, batch, strict)
    except Exception as error:  # a peer that cannot run the workload is reported, not fatal
        return f"failed: {type(error).__name__}: {str(error)[:200]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--vs", help="another endpoint, or 'moto' to spawn moto's server")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100, help="rows per child execution (0: one each)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    peer, process = (spawn_moto() if args.vs == "moto" else (args.vs, None))
    results: dict[str, list] = {"A": [], "B": []}
    try:
        for _ in range(args.rounds):
            results["A"].append(measure(args.endpoint, args.rows, args.batch))
            if peer:
                results["B"].append(measure(peer, args.rows, args.batch, strict=False))
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)
    for label, url in (("A", args.endpoint), ("B", peer)):
        if url:
            print(f"{label} {url}: {_summary(results[label])}")


def _summary(values: list) -> str:
    numbers = [value[0] for value in values if isinstance(value, tuple)]
    notes = sorted({value[1] for value in values if isinstance(value, tuple) and value[1]})
    failures = [value for value in values if isinstance(value, str)]
    text = f"median {statistics.median(numbers):,.0f} items/s ({len(numbers)} rounds)" if numbers else "no result"
    return text + "".join(f"; {note}" for note in notes + failures[:1])


if __name__ == "__main__":
    main()
