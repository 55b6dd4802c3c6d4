"""Node.js functions: cold start, warm Invoke round trip, and a queue drained through an
event source mapping (issue 11's benchmark for the Node.js runtime).

Starts a real Stepyard (Daphne, embedded engine, SQLite, fresh data directory) and uses
boto3's ``lambda`` and ``sqs`` clients as a user would:

- cold start: Invoke right after UpdateFunctionConfiguration (which retires the warm
  workers), so each round starts a new ``node`` worker and loads the handler;
- warm: sequential Invoke round trips of an identity function (p50, p99);
- drain: a Node.js function mapped to a queue (CreateEventSourceMapping, BatchSize 10, its
  poller already running); N messages sent (SendMessageBatch); messages/s from the first
  send until the queue is empty.

    .venv/bin/python bench/node_invoke.py [--warm 500] [--cold 10] [--messages 200] [--runtime nodejs20.x]
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
NODE_IDENTITY = "exports.handler = async (event) => event;\n"
NODE_DRAIN = "exports.handler = async (event) => ({ batch: event.Records.length });\n"
PYTHON_IDENTITY = "def handler(event, context):\n    return event\n"
PYTHON_DRAIN = "def handler(event, context):\n    return {'batch': len(event['Records'])}\n"


def client(url: str, name: str):
    return boto3.client(name, endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench",
                        aws_secret_access_key="bench", config=Config(retries={"max_attempts": 3}))


def deploy(lam, name: str, runtime: str, code: str) -> None:
    file_name = "index.js" if runtime.startswith("nodejs") else "index.py"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(file_name, code)
    lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler="index.handler",
                        Code={"ZipFile": buffer.getvalue()}, Timeout=30)


def timed_invoke(lam, name: str, payload: bytes) -> float:
    started = time.perf_counter()
    answer = lam.invoke(FunctionName=name, Payload=payload)
    answer["Payload"].read()
    assert "FunctionError" not in answer, answer
    return (time.perf_counter() - started) * 1000


def cold_starts(lam, name: str, rounds: int) -> list[float]:
    figures = []
    for n in range(rounds):
        lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"ROUND": str(n)}})
        figures.append(timed_invoke(lam, name, b'{"cold": true}'))
    return figures


def warm_invokes(lam, name: str, count: int) -> list[float]:
    payload = json.dumps({"order": 1, "items": ["tea", "milk"]}).encode()
    for _ in range(20):
        timed_invoke(lam, name, payload)
    return [timed_invoke(lam, name, payload) for _ in range(count)]


def drain(url: str, lam, name: str, messages: int) -> float:
    """Messages/s from the first send of N until the queue is empty, the mapping already polling."""
    sqs = client(url, "sqs")
    queue = sqs.create_queue(QueueName=f"{name}-Queue")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10)
    sqs.send_message(QueueUrl=queue, MessageBody="warm-up")
    wait_until_empty(sqs, queue, 30)  # the poller has started and the function is warm
    started = time.perf_counter()
    for start in range(0, messages, 10):
        entries = [{"Id": str(i), "MessageBody": json.dumps({"n": i})} for i in range(start, min(messages, start + 10))]
        sqs.send_message_batch(QueueUrl=queue, Entries=entries)
    wait_until_empty(sqs, queue, 300)
    return messages / (time.perf_counter() - started)


def wait_until_empty(sqs, queue: str, timeout: float) -> None:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    deadline = time.perf_counter() + timeout
    while True:
        attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=names)["Attributes"]
        if all(attributes[n] == "0" for n in names):
            return
        if time.perf_counter() > deadline:
            raise SystemExit(f"the queue was not drained: {attributes}")
        time.sleep(0.01)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runtime", default="nodejs20.x")
    parser.add_argument("--warm", type=int, default=500)
    parser.add_argument("--cold", type=int, default=10)
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    node = args.runtime.startswith("nodejs")
    with tempfile.TemporaryDirectory() as data:
        server = start_server(server_env(Path(data)))
        try:
            url = server.url
            lam = client(url, "lambda")
            deploy(lam, "Identity", args.runtime, NODE_IDENTITY if node else PYTHON_IDENTITY)
            deploy(lam, "Drain", args.runtime, NODE_DRAIN if node else PYTHON_DRAIN)
            cold = cold_starts(lam, "Identity", args.cold)
            warm = warm_invokes(lam, "Identity", args.warm)
            rate = drain(url, lam, "Drain", args.messages)
        finally:
            server.stop()
    print(f"runtime {args.runtime}")
    print(f"cold start (Invoke round trip, new worker): median {statistics.median(cold):.1f} ms, "
          f"max {max(cold):.1f} ms over {len(cold)}")
    print(f"warm Invoke round trip: p50 {percentile(warm, 0.5):.2f} ms, p99 {percentile(warm, 0.99):.2f} ms "
          f"over {len(warm)}")
    print(f"queue drained through an event source mapping: {rate:.0f} messages/s ({args.messages} messages)")


if __name__ == "__main__":
    main()
