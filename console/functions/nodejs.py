"""Node.js workers: how console.functions.pool starts one, and what its death means.

A Node worker is ``node node/worker.js`` (plain Node, no dependencies); it speaks the
Python worker's line protocol but answers on a pipe of its own (STEPYARD_ANSWER_FD), so
nothing a handler or its child processes print can reach the answers. Handlers find the
SDKs Lambda's runtime provides (aws-sdk v2, @aws-sdk/client-* v3) in node/sdk/node_modules
through NODE_PATH, as Lambda's handlers find them in /var/runtime/node_modules.

Memory: V8's heap is capped by --max-old-space-size, and the whole address space (Buffers
too) by RLIMIT_AS at Node's own start-up size plus the function's memory size. A worker
that V8 aborts for lack of heap is reported as Runtime.OutOfMemory.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from console.functions.code import Spec

FOLDER = Path(__file__).with_name("node")
WORKER = str(FOLDER / "worker.js")
SDK_MODULES = str(FOLDER / "sdk" / "node_modules")
RUNTIMES = ("nodejs16.x", "nodejs18.x", "nodejs20.x", "nodejs22.x")
_MB = 1024 * 1024
# What V8 and the worker itself need beyond the function's memory (code, stacks, the SDKs' code).
ADDRESS_SPACE_SLACK_MB = 256
FATAL_MARKERS = ("JavaScript heap out of memory", "Fatal process out of memory", "Reached heap limit")
_baseline: dict[tuple[str, bool], int] = {}
_baseline_lock = threading.Lock()


class NodeMissing(Exception):
    """There is no ``node`` program on this machine."""


def is_node(runtime: str) -> bool:
    return runtime.startswith("nodejs")


def node_program() -> str:
    found = os.environ.get("STEPYARD_NODE") or shutil.which("node") or shutil.which("nodejs")
    if not found:
        raise NodeMissing("Node.js is not installed (`make run` installs Debian's nodejs)")
    return found


@dataclass
class Started:
    """A started Node worker: its process, the descriptor its answers arrive on, and the
    file its real stderr goes to (a file, not a pipe, so nothing written there can block it)."""

    process: subprocess.Popen[bytes]
    answers: int
    stderr: IO[bytes]


def start(spec: Spec) -> Started:
    """Start a worker for ``spec``."""
    program = node_program()
    stderr = tempfile.TemporaryFile()
    answers, answers_for_child = os.pipe()
    heap_mb = max(16, spec.memory_mb * 9 // 10)
    try:
        process = subprocess.Popen(
            [program, f"--max-old-space-size={heap_mb}", WORKER],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=stderr,
            env=environment(spec, answers_for_child), cwd=spec.root, start_new_session=True,
            pass_fds=(answers_for_child,),
        )
    except OSError:
        os.close(answers)
        stderr.close()
        raise
    finally:
        os.close(answers_for_child)
    _limit_address_space(process.pid, program, spec.memory_mb, is_es_module(spec))
    return Started(process, answers, stderr)


def environment(spec: Spec, answers_fd: int) -> dict[str, str]:
    """The function's environment plus what Lambda's Node.js runtime sets."""
    runtime = spec.runtime if spec.runtime in RUNTIMES else "nodejs20.x"
    # The SDK v3's notice about the Node.js version is for the machine's owner, not the handler's logs.
    env = {"AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED": "true", **spec.environment,
           "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}", "STEPYARD_ANSWER_FD": str(answers_fd)}
    paths = [SDK_MODULES, str(FOLDER / "sdk"), spec.root]
    if spec.environment.get("NODE_PATH"):
        paths.insert(0, spec.environment["NODE_PATH"])
    env["NODE_PATH"] = os.pathsep.join(paths)
    for name in ("PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    return env


def is_es_module(spec: Spec) -> bool:
    """Whether the worker loads the handler with import() (as worker.js decides, the same way)."""
    target = Path(spec.root) / f"{spec.module}.{spec.function}"
    base = target.name.split(".", 1)[0]
    target = target.with_name(base)
    if target.is_file():
        return False
    if target.with_name(f"{base}.js").is_file():
        return _package_type_is_module(target, Path(spec.root))
    return target.with_name(f"{base}.mjs").is_file()


def _package_type_is_module(file: Path, root: Path) -> bool:
    for folder in file.parents:
        manifest = folder / "package.json"
        if manifest.is_file():
            try:
                return json.loads(manifest.read_text()).get("type") == "module"
            except (ValueError, OSError, AttributeError):
                return False
        if folder == root:
            return False
    return False


def _limit_address_space(pid: int, program: str, memory_mb: int, es_module: bool) -> None:
    limit = (_startup_size(program, es_module) + memory_mb + ADDRESS_SPACE_SLACK_MB) * _MB
    try:
        resource.prlimit(pid, resource.RLIMIT_AS, (limit, limit))
    except (ProcessLookupError, PermissionError, OSError):
        pass  # it has already ended (the pool reports why), or the system will not limit it


def _startup_size(program: str, es_module: bool) -> int:
    """The address space (MB) a fresh Node process takes here, measured once per program.

    ES-module handlers get the resolution hooks, which run in a thread with a V8 of its own.
    """
    with _baseline_lock:
        if (program, es_module) not in _baseline:
            _baseline[(program, es_module)] = _measure(program, es_module)
        return _baseline[(program, es_module)]


def _measure(program: str, es_module: bool) -> int:
    hooks = f"require('module').register({json.dumps((FOLDER / 'esm_fallback.mjs').as_uri())});"
    script = (hooks if es_module else "") + (
        "process.stdout.write(require('fs').readFileSync('/proc/self/status', 'utf8'))")
    status = subprocess.run([program, "-e", script], capture_output=True, text=True, timeout=30).stdout
    sizes = [int(line.split()[1]) // 1024 for line in status.splitlines() if line.startswith("VmSize:")]
    return sizes[0] if sizes else 2048


def read_fatal_output(stderr: IO[bytes]) -> str:
    """V8's fatal-error lines among what the ended process wrote to its real stderr."""
    try:
        stderr.seek(0)
        text = stderr.read(16_384).decode(errors="replace")
    except (OSError, ValueError):
        return ""
    finally:
        stderr.close()
    fatal = [line for line in text.splitlines() if any(marker in line for marker in FATAL_MARKERS)]
    return "".join(f"{line}\n" for line in fatal)


def ran_out_of_memory(fatal_output: str) -> bool:
    return any(marker in fatal_output for marker in FATAL_MARKERS)


def out_of_memory(request_id: str, memory_mb: int) -> dict[str, Any]:
    message = (f"RequestId: {request_id} Error: Runtime exited with error: out of memory "
               f"(the limit is {memory_mb} MB)")
    return {"errorMessage": message, "errorType": "Runtime.OutOfMemory"}
