"""The peer harness's own ceiling: what ``../shared/bench/bench.py`` can measure at all on
this machine, when the server behind the endpoint costs next to nothing.

It serves the harness's calls from memory: Stepyard's engine (``engine/``, no database,
no Django, no channel layer) behind a bare asyncio HTTP/1.1 server. Executions run to
their first wait inside StartExecution, a ``sqs:sendMessage.waitForTaskToken`` task puts
its message on an in-memory queue, SendTaskSuccess resumes the execution, history pages
are the engine's own events. Nothing is durable and nothing is checked beyond what the
harness needs: this is a measuring instrument, not a second Stepyard.

    .venv/bin/python bench/harness_ceiling.py --port 8409 &
    python ../shared/bench/bench.py --endpoint http://127.0.0.1:8409 --pid <its pid> \\
        --workload starts,callback,history

The figures it gets are the most any server can score on the same machine with the same
client (one Python process of boto3 threads): the client's CPU, not the server's, sets them.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.context import execution_context  # noqa: E402
from engine.driver import compiled  # noqa: E402
from engine.execution import RUNNING, CallIntegration, ExecutionState, Start, TaskSucceeded  # noqa: E402
from engine.interpreter import advance  # noqa: E402

ACCOUNT = "000000000000"
REGION = "us-east-1"
SEND_MESSAGE = "arn:aws:states:::sqs:sendMessage"


class Clock:
    def now(self) -> float:
        return time.time()

    def token(self) -> str:
        return base64.urlsafe_b64encode(next(_tokens).to_bytes(8, "big")).decode()

    def random(self) -> float:
        return 0.5


_tokens = itertools.count(1)
CLOCK = Clock()


@dataclass
class Run:
    arn: str
    machine_arn: str
    name: str
    input: str
    start: float
    machine: Any
    state: ExecutionState | None = None
    events: list[Any] = field(default_factory=list)
    stop: float | None = None


class Memory:
    def __init__(self) -> None:
        self.machines: dict[str, str] = {}
        self.runs: dict[str, Run] = {}
        self.running: dict[str, dict[str, Run]] = {}
        self.tokens: dict[str, tuple[Run, str]] = {}
        self.queues: dict[str, deque[dict[str, Any]]] = {}
        self.arrived = asyncio.Condition()
        self.ids = itertools.count(1)

    # --- Step Functions
    def create_state_machine(self, p: dict) -> dict:
        arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{p['name']}"
        self.machines[arn] = p["definition"]
        self.running[arn] = {}
        return {"stateMachineArn": arn, "creationDate": time.time()}

    def start_execution(self, p: dict) -> dict:
        machine_arn = p["stateMachineArn"]
        name = p.get("name") or f"x{next(self.ids)}"
        arn = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{machine_arn.rsplit(':', 1)[1]}:{name}"
        run = Run(arn, machine_arn, name, p.get("input") or "{}", time.time(),
                  compiled(self.machines[machine_arn]))
        self.runs[arn] = run
        self.running[machine_arn][arn] = run
        context = execution_context(arn, name, machine_arn, machine_arn.rsplit(":", 1)[1], run.start)
        self._advance(run, Start(json.loads(run.input), context))
        return {"executionArn": arn, "startDate": run.start}

    def start_sync_execution(self, p: dict) -> dict:
        run = self.runs[self.start_execution(p)["executionArn"]]
        return {**self._describe(run), "billingDetails": {}}

    def _advance(self, run: Run, trigger: Any) -> None:
        step = advance(run.machine, run.state, trigger, CLOCK)
        run.state = step.state
        run.events.extend(step.events)
        for effect in step.effects:
            if isinstance(effect, CallIntegration) and effect.resource.startswith(SEND_MESSAGE):
                self._enqueue(effect.parameters["QueueUrl"], effect.parameters["MessageBody"])
                self.tokens[effect.token] = (run, effect.task_id)
        if run.state.status != RUNNING:
            run.stop = time.time()
            self.running[run.machine_arn].pop(run.arn, None)

    def send_task_success(self, p: dict) -> dict:
        run, task_id = self.tokens.pop(p["taskToken"])
        self._advance(run, TaskSucceeded(task_id, json.loads(p["output"])))
        return {}

    def describe_execution(self, p: dict) -> dict:
        return self._describe(self.runs[p["executionArn"]])

    def _describe(self, run: Run) -> dict:
        assert run.state is not None
        result = {"executionArn": run.arn, "stateMachineArn": run.machine_arn, "name": run.name,
                  "status": run.state.status, "startDate": run.start, "input": run.input}
        if run.stop is not None:
            result["stopDate"] = run.stop
            result["output"] = json.dumps(run.state.output)
        return result

    def list_executions(self, p: dict) -> dict:
        running = list(self.running[p["stateMachineArn"]].values())[: p.get("maxResults") or 100]
        return {"executions": [{"executionArn": r.arn, "stateMachineArn": r.machine_arn, "name": r.name,
                                "status": RUNNING, "startDate": r.start} for r in running]}

    def get_execution_history(self, p: dict) -> dict:
        run = self.runs[p["executionArn"]]
        size = p.get("maxResults") or 100
        start = int(p.get("nextToken") or 0)
        page = [_event(e) for e in run.events[start:start + size]]
        result: dict[str, Any] = {"events": page}
        if start + size < len(run.events):
            result["nextToken"] = str(start + size)
        return result

    # --- SQS
    def create_queue(self, p: dict) -> dict:
        url = f"http://127.0.0.1/{ACCOUNT}/{p['QueueName']}"
        self.queues[url] = deque()
        return {"QueueUrl": url}

    def _enqueue(self, url: str, body: Any) -> None:
        text = body if isinstance(body, str) else json.dumps(body)
        self.queues[url].append({"MessageId": str(next(self.ids)), "ReceiptHandle": str(next(self.ids)),
                                 "MD5OfBody": "", "Body": text})
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self.arrived:
            self.arrived.notify_all()

    async def receive_message(self, p: dict) -> dict:
        queue = self.queues[p["QueueUrl"]]
        deadline = time.monotonic() + (p.get("WaitTimeSeconds") or 0)
        while not queue and time.monotonic() < deadline:
            async with self.arrived:
                try:
                    await asyncio.wait_for(self.arrived.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
        taken = [queue.popleft() for _ in range(min(len(queue), p.get("MaxNumberOfMessages") or 1))]
        return {"Messages": taken} if taken else {}

    def delete_message_batch(self, p: dict) -> dict:
        return {"Successful": [{"Id": e["Id"]} for e in p["Entries"]], "Failed": []}


def _event(event: Any) -> dict:
    aws = event.to_aws()
    aws["timestamp"] = event.timestamp
    return aws


ACTIONS = {
    "AWSStepFunctions.CreateStateMachine": "create_state_machine",
    "AWSStepFunctions.StartExecution": "start_execution",
    "AWSStepFunctions.StartSyncExecution": "start_sync_execution",
    "AWSStepFunctions.SendTaskSuccess": "send_task_success",
    "AWSStepFunctions.DescribeExecution": "describe_execution",
    "AWSStepFunctions.ListExecutions": "list_executions",
    "AWSStepFunctions.GetExecutionHistory": "get_execution_history",
    "AmazonSQS.CreateQueue": "create_queue",
    "AmazonSQS.ReceiveMessage": "receive_message",
    "AmazonSQS.DeleteMessageBatch": "delete_message_batch",
}


async def _serve(memory: Memory, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            headers = dict(line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:] if ": " in line)
            headers = {k.lower(): v for k, v in headers.items()}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            status, payload = await _answer(memory, headers.get("x-amz-target", ""), body)
            writer.write(f"HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.0\r\n"
                         f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload)
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


async def _answer(memory: Memory, target: str, body: bytes) -> tuple[int, bytes]:
    action = ACTIONS.get(target)
    if action is None:
        return 400, json.dumps({"__type": "UnknownOperationException", "message": target}).encode()
    result = getattr(memory, action)(json.loads(body or b"{}"))
    if asyncio.iscoroutine(result):
        result = await result
    return 200, json.dumps(result, separators=(",", ":")).encode()


async def main(port: int) -> None:
    memory = Memory()
    server = await asyncio.start_server(lambda r, w: _serve(memory, r, w), "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8409)
    asyncio.run(main(parser.parse_args().port))
