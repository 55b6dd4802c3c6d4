"""Lambda API round trips through boto3: warm Invoke (p50/p99), cold start, and a queue
drained through an event source mapping.

Starts a real server (Daphne, embedded engine, SQLite in a fresh data directory), deploys
an identity function with CreateFunction (a zip), then measures
- warm: N sequential ``invoke`` calls of the identity function (one warm worker);
- cold: ``invoke`` right after UpdateFunctionConfiguration (which retires the warm
  workers, so each call starts a new worker process and imports the handler);
- drain: M messages already in a queue, then a mapping enabled to the function
  (batch size 10): the time until the queue is empty, as messages per second.

    .venv/bin/python bench/lambda_invoke.py [--runtime python3.12|nodejs20.x] [--warm 1000]
        [--cold 20] [--messages 200]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import server_env, start_server  # noqa: E402

ROLE = "arn:aws:iam::000000000000:role/bench"
# The identity function in each language, as its package's one file.
IDENTITY = {
    "python": ("index.py", "def handler(event, context):\n    return event\n"),
    "nodejs": ("index.js", "exports.handler = async (event) => event;\n"),
}


def package(runtime: str) -> bytes:
    name, text = IDENTITY["nodejs" if runtime.startswith("nodejs") else "python"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def client(url: str, service: str):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="t",
                        aws_secret_access_key="t", config=Config(retries={"max_attempts": 1}))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed_invoke(lam, name: str) -> float:
    started = time.perf_counter()
    answer = lam.invoke(FunctionName=name, Payload=b'{"n": 1}')
    body = answer["Payload"].read()
    elapsed = (time.perf_counter() - started) * 1000
    # Compared as JSON: Node.js answers '{"n":1}', Python '{"n": 1}'.
    if answer.get("FunctionError") or json.loads(body) != {"n": 1}:
        raise RuntimeError(f"the identity function answered {body!r}")
    return elapsed


def warm(lam, name: str, count: int) -> list[float]:
    for _ in range(20):
        timed_invoke(lam, name)
    return [timed_invoke(lam, name) for _ in range(count)]


def cold(lam, name: str, count: int) -> list[float]:
    times = []
    for index in range(count):
        lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"ROUND": str(index)}})
        times.append(timed_invoke(lam, name))
    return times


def drain(url: str, lam, name: str, messages: int) -> float:
    """Messages per second through a mapping, from enabling it to an empty queue."""
    sqs = client(url, "sqs")
    queue = sqs.create_queue(QueueName="bench-drain")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for start in range(0, messages, 10):
        sqs.send_message_batch(QueueUrl=queue, Entries=[
            {"Id": str(i), "MessageBody": f'{{"n": {i}}}'} for i in range(start, min(messages, start + 10))])
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10, Enabled=False)
    started = time.perf_counter()
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    while True:
        attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        if set(attributes.values()) == {"0"}:
            break
        time.sleep(0.02)
    return messages / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runtime", default="python3.12")
    parser.add_argument("--warm", type=int, default=1000)
    parser.add_argument("--cold", type=int, default=20)
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    server = start_server(server_env(Path(tempfile.mkdtemp(prefix="stepyard-bench-"))))
    try:
        lam = client(server.url, "lambda")
        lam.create_function(FunctionName="identity", Runtime=args.runtime, Role=ROLE, Handler="index.handler",
                            Code={"ZipFile": package(args.runtime)})
        warm_ms = warm(lam, "identity", args.warm)
        cold_ms = cold(lam, "identity", args.cold)
        rate = drain(server.url, lam, "identity", args.messages)
    finally:
        server.stop()
    print(f"runtime {args.runtime}")
    print(f"warm invoke: p50 {statistics.median(warm_ms):.2f} ms, p99 {percentile(warm_ms, 0.99):.2f} ms "
          f"({args.warm} calls)")
    print(f"cold start invoke: p50 {statistics.median(cold_ms):.1f} ms, max {max(cold_ms):.1f} ms "
          f"({args.cold} starts)")
    print(f"queue drain: {args.messages} messages at {rate:.0f} messages/s (batch size 10)")


if __name__ == "__main__":
    main()
