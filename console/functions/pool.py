"""Warm worker processes per function, and one invocation's run with its timeout.

A worker serves one invocation at a time; concurrent invocations of a function get
their own workers, like Lambda's execution environments. A worker that timed out, died
or ran out of memory is killed (its whole process group) and never reused; the web
process only ever waits on a pipe, so a handler's busy loop cannot stall it.
The runtime picks the worker program: ``worker.py`` for python3.x, ``node/worker.js``
for nodejs<N>.x (started by console.functions.nodejs); both speak the same protocol.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from console.functions import nodejs, runtime_dir
from console.functions.code import Spec

WORKER = str(Path(__file__).with_name("worker.py"))
MAX_IDLE_PER_FUNCTION = 4
IDLE_LIFETIME_S = 600.0
MAX_LOG_CHARS = 64_000


@dataclass
class Outcome:
    """What an invocation produced: a payload (JSON text) or Lambda's error shape, and logs."""

    request_id: str
    payload: str | None
    error: dict[str, Any] | None
    logs: str
    duration_ms: float


class WorkerGone(Exception):
    """The worker process ended without answering."""


class Worker:
    def __init__(self, spec: Spec):
        self.key = spec.key
        self.node = nodejs.is_node(spec.runtime)
        if self.node:
            started = nodejs.start(spec)
            self.process, self._answers, self._stderr = started.process, started.answers, started.stderr
        else:
            self.process = subprocess.Popen(
                [sys.executable, WORKER],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                env=spec.environment, cwd=spec.root, start_new_session=True,
            )
            assert self.process.stdout is not None
            self._answers = self.process.stdout.fileno()
        self.fatal_output = ""
        self._killed = False
        self.idle_since = time.monotonic()
        self._buffer = b""
        self._send(_setup(spec))

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, request: dict[str, Any], timeout_s: float) -> dict[str, Any] | None:
        """Send one invocation; its answer, or None if it did not answer within ``timeout_s``."""
        self._send(request)
        return self._answer(time.monotonic() + timeout_s)

    def kill(self) -> None:
        if self._killed:
            return
        self._killed = True
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it has already ended: nothing left to kill
        self.process.wait()
        if self.node:
            self.fatal_output = nodejs.read_fatal_output(self._stderr)
            os.close(self._answers)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def exit_error(self, request_id: str, spec: Spec) -> dict[str, Any]:
        """Why the worker ended without answering: out of memory, or an exit."""
        if self.node and nodejs.ran_out_of_memory(self.fatal_output):
            return nodejs.out_of_memory(request_id, spec.memory_mb)
        return _exit_error(request_id, self.process.returncode)

    def _send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write((json.dumps(message) + "\n").encode())
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise WorkerGone() from None

    def _answer(self, deadline: float) -> dict[str, Any] | None:
        fd = self._answers
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    return None
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise WorkerGone()
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)


def _setup(spec: Spec) -> dict[str, Any]:
    return {
        "root": spec.root, "module": spec.module, "function": spec.function, "name": spec.name,
        "memory_mb": spec.memory_mb, "timeout_s": spec.timeout_s, "arn": spec.arn,
        "version": "$LATEST", "log_group": f"/aws/lambda/{spec.name}",
        "log_stream": f"stepyard/[$LATEST]{spec.name}",
    }


class Pool:
    """Idle workers by function name; a worker is reused only for the same Spec key."""

    def __init__(self) -> None:
        self._idle: dict[str, list[Worker]] = {}
        self._lock = threading.Lock()

    def invoke(self, spec: Spec, request_id: str, event: str) -> Outcome:
        started = time.monotonic()
        logs_path = _logs_file()
        request = {"request_id": request_id, "event": event, "logs": str(logs_path),
                   "deadline": time.time() + spec.timeout_s}
        try:
            worker = self._take(spec) or Worker(spec)
        except (nodejs.NodeMissing, OSError) as error:
            shape = {"errorMessage": f"RequestId: {request_id} Error: {error}", "errorType": "Runtime.ExitError"}
            return Outcome(request_id, None, shape, _with_report(_read_logs(logs_path), request_id, 0.0, spec), 0.0)
        answer = self._run(worker, request, spec)
        duration_ms = (time.monotonic() - started) * 1000
        logs = _read_logs(logs_path)
        if answer.get("ok"):
            self._give_back(spec, worker)
            return Outcome(request_id, answer["payload"], None, _with_report(logs, request_id, duration_ms, spec),
                           duration_ms)
        if answer.get("fatal") or answer.get("killed"):
            worker.kill()
        else:
            self._give_back(spec, worker)
        error = {**answer["error"]}
        logs += answer.get("log_line", "")
        return Outcome(request_id, None, error, _with_report(logs, request_id, duration_ms, spec), duration_ms)

    def _run(self, worker: Worker, request: dict[str, Any], spec: Spec) -> dict[str, Any]:
        request_id = request["request_id"]
        try:
            answer = worker.run(request, spec.timeout_s)
        except WorkerGone:
            worker.kill()
            return {"ok": False, "killed": True, "error": worker.exit_error(request_id, spec),
                    "log_line": worker.fatal_output}
        if answer is None:
            worker.kill()
            message = f"RequestId: {request_id} Error: Task timed out after {spec.timeout_s:.2f} seconds"
            stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            return {"ok": False, "killed": True, "log_line": f"{stamp} {message}\n",
                    "error": {"errorMessage": message, "errorType": "Sandbox.Timedout"}}
        return answer

    def _take(self, spec: Spec) -> Worker | None:
        with self._lock:
            workers = self._idle.get(spec.name, [])
            stale = [w for w in workers if w.key != spec.key or not w.alive()
                     or time.monotonic() - w.idle_since > IDLE_LIFETIME_S]
            fresh = [w for w in workers if w not in stale]
            self._idle[spec.name] = fresh
            taken = fresh.pop() if fresh else None
        for worker in stale:
            worker.kill()
        return taken

    def _give_back(self, spec: Spec, worker: Worker) -> None:
        worker.idle_since = time.monotonic()
        with self._lock:
            workers = self._idle.setdefault(spec.name, [])
            if len(workers) < MAX_IDLE_PER_FUNCTION and worker.key == spec.key:
                workers.append(worker)
                return
        worker.kill()

    def discard(self, name: str) -> None:
        """Stop the idle workers of a function (it was changed or deleted)."""
        with self._lock:
            workers = self._idle.pop(name, [])
        for worker in workers:
            worker.kill()

    def shutdown(self) -> None:
        with self._lock:
            names = list(self._idle)
        for name in names:
            self.discard(name)


def _exit_error(request_id: str, returncode: int | None) -> dict[str, Any]:
    if returncode is not None and returncode < 0:
        reason = f"signal: {signal.Signals(-returncode).name.removeprefix('SIG').lower()}"
    else:
        reason = f"exit status {returncode}"
    message = f"RequestId: {request_id} Error: Runtime exited with error: {reason}"
    return {"errorMessage": message, "errorType": "Runtime.ExitError"}


def _logs_file() -> Path:
    directory = runtime_dir() / "logs"
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="invocation-", suffix=".log", dir=directory)
    os.close(fd)
    return Path(name)


def _read_logs(path: Path) -> str:
    try:
        text = path.read_text(errors="replace")
    finally:
        path.unlink(missing_ok=True)
    # Keep the end: that is where a failure shows.
    return text if len(text) <= MAX_LOG_CHARS else "[...]\n" + text[-MAX_LOG_CHARS:]


def _with_report(logs: str, request_id: str, duration_ms: float, spec: Spec) -> str:
    billed = max(1, int(-(-duration_ms // 1)))
    return (f"{logs}REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {billed} ms\tMemory Size: {spec.memory_mb} MB\n")


POOL = Pool()
