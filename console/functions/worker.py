"""A function worker: one separate process that runs one function's handler, warm.

Started by console.functions.pool as ``python <this file>``; it imports only the
standard library (never Django), so a handler sees a plain Python process, like Lambda.

Protocol (one JSON document per line):

- stdin, first line: the function's setup ``{"root", "module", "function", "name",
  "memory_mb", "timeout_s", "arn", "log_group", "log_stream", "version"}``;
- stdin, then one line per invocation: ``{"request_id", "event", "logs", "deadline"}``
  where ``event`` is the payload's JSON text, ``logs`` a file the handler's stdout and
  stderr go to, and ``deadline`` the epoch time the invocation must end by;
- stdout (a copy of the original stdout: file descriptors 1 and 2 are pointed at the
  invocation's log file while it runs): one line per invocation, ``{"ok": true,
  "payload": <JSON text>}`` or ``{"ok": false, "error": {...Lambda's error shape...},
  "fatal": bool}``. After a fatal answer the worker exits (the pool starts a new one).

The memory limit is RLIMIT_AS: the address space the interpreter uses once started,
plus the function's memory size. Past it, allocations raise MemoryError and the
invocation fails with Runtime.OutOfMemory.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import resource
import sys
import time
import traceback
from typing import Any

_MB = 1024 * 1024


class LambdaContext:
    """The ``context`` argument: what Lambda's Python runtime offers a handler."""

    def __init__(self, setup: dict[str, Any], request_id: str, deadline: float):
        self.function_name = setup["name"]
        self.function_version = setup["version"]
        self.invoked_function_arn = setup["arn"]
        self.memory_limit_in_mb = str(setup["memory_mb"])
        self.aws_request_id = request_id
        self.log_group_name = setup["log_group"]
        self.log_stream_name = setup["log_stream"]
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def main() -> None:
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    # Outside an invocation, a stray print (a handler's thread) must not reach the answers.
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    sys.stdout.reconfigure(line_buffering=True)
    requests = sys.stdin
    setup = json.loads(requests.readline())
    sys.path[0] = setup["root"]  # the handler's folder, not console/functions
    _limit_memory(setup["memory_mb"])
    handler = None
    for line in requests:
        request = json.loads(line)
        with _captured(request["logs"]):
            if handler is None:
                handler, error = _load(setup)
                if error is not None:
                    _answer(answers, {"ok": False, "error": error, "fatal": True})
                    return
            answer = _invoke(handler, setup, request)
        _answer(answers, answer)
        if answer.get("fatal"):
            return


def _limit_memory(memory_mb: int) -> None:
    baseline = _address_space()
    limit = baseline + memory_mb * _MB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _address_space() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


class _captured:
    """Point file descriptors 1 and 2 at the invocation's log file while it runs."""

    def __init__(self, path: str):
        self.path = path

    def __enter__(self) -> None:
        self.saved = (os.dup(1), os.dup(2))
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, saved in zip((1, 2), self.saved, strict=True):
            os.dup2(saved, fd)
            os.close(saved)


def _load(setup: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:
    """Import the handler; on failure, Lambda's Runtime.ImportModuleError / HandlerNotFound."""
    module_name = setup["module"]
    try:
        path = os.path.join(setup["root"], *module_name.split(".")) + ".py"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None or not os.path.exists(path):
            raise ModuleNotFoundError(f"No module named '{module_name}'")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    except Exception as error:  # Lambda reports any import-time failure the same way
        traceback.print_exc()
        message = f"Unable to import module '{module_name}': {error}"
        return None, {"errorMessage": message, "errorType": "Runtime.ImportModuleError", "stackTrace": []}
    handler = getattr(module, setup["function"], None)
    if not callable(handler):
        message = f"Handler '{setup['function']}' missing on module '{module_name}'"
        return None, {"errorMessage": message, "errorType": "Runtime.HandlerNotFound", "stackTrace": []}
    return handler, None


def _invoke(handler: Any, setup: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    request_id = request["request_id"]
    context = LambdaContext(setup, request_id, request["deadline"])
    print(f"START RequestId: {request_id} Version: {setup['version']}")
    try:
        result = handler(json.loads(request["event"]), context)
    except MemoryError:
        message = (f"RequestId: {request_id} Error: Runtime exited with error: out of memory "
                   f"(the limit is {setup['memory_mb']} MB)")
        return {"ok": False, "fatal": True, "error": {"errorMessage": message, "errorType": "Runtime.OutOfMemory"}}
    except SystemExit as ended:
        # Lambda's runtime ends with the handler's process: Runtime.ExitError with its status.
        status = ended.code if isinstance(ended.code, int) else (0 if ended.code is None else 1)
        message = f"RequestId: {request_id} Error: Runtime exited with error: exit status {status}"
        return {"ok": False, "fatal": True, "error": {"errorMessage": message, "errorType": "Runtime.ExitError"}}
    except Exception as error:
        shape = _error_shape(error, request_id)
        # Lambda's Python runtime logs a handler's exception this way.
        print(f"[ERROR] {shape['errorType']}: {shape['errorMessage']}\nTraceback (most recent call last):\n"
              + "".join(shape["stackTrace"]), file=sys.stderr, end="")
        return {"ok": False, "fatal": False, "error": shape}
    finally:
        print(f"END RequestId: {request_id}")
    try:
        return {"ok": True, "payload": _serialise(result)}
    except (TypeError, ValueError) as error:
        message = f"Unable to marshal response: {error}"
        shape = {"errorMessage": message, "errorType": "Runtime.MarshalError", "requestId": request_id,
                 "stackTrace": []}
        return {"ok": False, "fatal": False, "error": shape}


def _serialise(result: Any) -> str:
    # Lambda's Python runtime sends bytes as they are, anything else as JSON.
    if isinstance(result, (bytes, bytearray)):
        return bytes(result).decode("utf-8", errors="replace")
    return json.dumps(result)


def _error_shape(error: BaseException, request_id: str) -> dict[str, Any]:
    """Lambda's error payload; the stack leaves out this worker's own frame."""
    frames = traceback.extract_tb(error.__traceback__)[1:]
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


def _answer(answers: Any, answer: dict[str, Any]) -> None:
    answers.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
