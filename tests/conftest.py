"""Fixtures shared by the console, API and end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def finished(sfn, execution_arn: str, timeout: float = 30.0) -> dict:
    """DescribeExecution once the execution has left RUNNING (AssertionError after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError(f"{execution_arn} still running after {timeout} s")


@dataclass
class Server:
    """A real Stepyard process (Daphne) with its own data directory."""

    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to tidy up."""
        self.process.kill()
        self.process.wait()


def server_env(data: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "STEPYARD_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "console.settings"}
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def start_server(env: dict[str, str], port: int | None = None) -> Server:
    """Migrate, start Daphne on a free port and wait until it answers."""
    manage(env, "migrate", "--noinput")
    port = port or free_port()
    # As `make run` does: the port is known before any request says it (console.addresses).
    env = {"PORT": str(port), **env}
    log = Path(env["STEPYARD_DATA_DIR"]) / f"server-{port}-{time.monotonic_ns()}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "console.asgi:application"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    _wait_until_serving(server)
    return server


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    """Start a ``manage.py runengine`` worker process."""
    log = Path(env["STEPYARD_DATA_DIR"]) / f"worker-{time.monotonic_ns()}.log"
    with log.open("w") as out:
        return subprocess.Popen([sys.executable, "manage.py", "runengine"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)


def _wait_until_serving(server: Server) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"Stepyard exited early:\n{server.log.read_text()}")
        try:
            with urllib.request.urlopen(server.url + "/state-machines/", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"Stepyard did not answer within 30 s:\n{server.log.read_text()}")


def require_service(reason: str) -> None:
    """Skip when a local service is missing, but fail in CI, where it must be there."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def stepyard_server(tmp_path_factory) -> str:
    """A real Stepyard (Daphne, own data directory) shared by a test session; its base URL."""
    server = start_server(server_env(tmp_path_factory.mktemp("stepyard-data")))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def sfn_client():
    """Return a factory of boto3 Step Functions clients for a base URL."""
    import boto3
    from botocore.config import Config

    def make(url: str):
        return boto3.client(
            "stepfunctions", endpoint_url=url, region_name="us-east-1",
            aws_access_key_id="test", aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1}),
        )

    return make
