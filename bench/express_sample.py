"""The "Process high-volume messages" sample: messages per second from queue to finished
Express execution (issue 7's benchmark).

Starts a real Stepyard (Daphne, embedded engine, SQLite, fresh data directory), installs
the sample from the Samples page, sends N messages with boto3's sqs client
(SendMessageBatch), and measures until N more executions of the text-processing machine
have finished. Each message goes queue -> event source -> starter function (boto3
StartExecution) -> Express execution of four lambda:invoke steps (four more function
invocations), so one message costs five handler runs in worker processes.

    .venv/bin/python bench/express_sample.py [--n 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import base64
import http.cookiejar
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import server_env, start_server  # noqa: E402

MACHINE = "arn:aws:states:us-east-1:000000000000:stateMachine:HighVolume-TextProcessing"
TEXT = "The quick brown fox jumps over the lazy dog, again and again: messages, messages!"


def client(url: str, name: str):
    return boto3.client(name, endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench",
                        aws_secret_access_key="bench", config=Config(retries={"max_attempts": 3}))


def install_sample(url: str) -> None:
    """Press "Create and run" on the Samples page (it also sends one message)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{url}/samples/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode()
    opener.open(urllib.request.Request(f"{url}/samples/high-volume/run", data=body,
                                       headers={"Referer": f"{url}/samples/"})).read()


def finished(sfn) -> int:
    count, token = 0, None
    while True:
        page = sfn.list_executions(stateMachineArn=MACHINE, statusFilter="SUCCEEDED", maxResults=1000,
                                   **({"nextToken": token} if token else {}))
        count += len(page["executions"])
        token = page.get("nextToken")
        if not token:
            return count


def wait_for(sfn, target: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    done = finished(sfn)
    while done < target and time.monotonic() < deadline:
        time.sleep(0.1)
        done = finished(sfn)
    return done


def one_round(url: str, n: int) -> float:
    sqs, sfn = client(url, "sqs"), client(url, "stepfunctions")
    queue = sqs.get_queue_url(QueueName="HighVolume-Messages")["QueueUrl"]
    before = finished(sfn)
    body = base64.b64encode(TEXT.encode()).decode()
    started = time.perf_counter()
    for first in range(0, n, 10):
        entries = [{"Id": str(i), "MessageBody": body} for i in range(first, min(first + 10, n))]
        sqs.send_message_batch(QueueUrl=queue, Entries=entries)
    done = wait_for(sfn, before + n, timeout=max(120.0, n))
    elapsed = time.perf_counter() - started
    if done < before + n:
        raise SystemExit(f"only {done - before} of {n} executions finished")
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="messages per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stepyard-bench-") as data:
        server = start_server(server_env(Path(data), STEPYARD_FUNCTIONS_DIR=str(Path(data) / "functions")))
        try:
            install_sample(server.url)
            wait_for(client(server.url, "stepfunctions"), 1, timeout=60)
            rates = []
            for number in range(1, args.rounds + 1):
                rate = one_round(server.url, args.n)
                rates.append(rate)
                print(f"round {number}: {args.n} messages, {rate:.1f} messages/s queue -> finished execution")
            print(f"median: {statistics.median(rates):.1f} messages/s")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
