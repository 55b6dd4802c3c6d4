"""Where a function's code lives, and the Spec a worker process is started from.

Directory functions are ``<functions dir>/<name>.py`` (the handler's module is the file)
or ``<functions dir>/<name>/handler.py`` (a folder; other modules in it are importable).
Console functions are stored text, written to a content-addressed folder before a run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from console.api.sigv4 import configured_keys
from console.functions import functions_dir, public_url, runtime_dir
from console.models import Function

NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
FOLDER_MODULE = "handler"


@dataclass(frozen=True)
class Spec:
    """Everything a worker needs to run one version of a function."""

    name: str
    root: str
    module: str
    function: str
    timeout_s: float
    memory_mb: int
    arn: str
    environment: dict[str, str] = field(compare=False)
    key: str = ""
    # Lambda's runtime identifier (python3.x or nodejs<N>.x): which worker runs the handler.
    runtime: str = "python3.12"


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{settings.STEPYARD_REGION}:{settings.STEPYARD_ACCOUNT}:function:{name}"


def discover() -> dict[str, Path]:
    """The functions in the functions directory: name -> the handler file."""
    found: dict[str, Path] = {}
    directory = functions_dir()
    if not directory.is_dir():
        return found
    for entry in sorted(directory.iterdir()):
        if entry.is_dir() and (entry / f"{FOLDER_MODULE}.py").is_file() and NAME.fullmatch(entry.name):
            found[entry.name] = entry / f"{FOLDER_MODULE}.py"
        elif entry.suffix == ".py" and entry.is_file() and NAME.fullmatch(entry.stem):
            found.setdefault(entry.stem, entry)
    return found


def main_file(function: Function) -> Path | None:
    """The file holding the function's default handler module (None if it has gone)."""
    if function.source == Function.CONSOLE:
        return _materialise(function) / f"{FOLDER_MODULE}.py"
    return discover().get(function.name)


def read_code(function: Function) -> str:
    if function.source == Function.CONSOLE:
        return function.code
    path = discover().get(function.name)
    return path.read_text(errors="replace") if path else ""


def spec_for(function: Function) -> Spec | None:
    """How to run ``function`` now; None when its file has disappeared."""
    path = main_file(function)
    if path is None:
        return None
    # The handler's folder is the import root; in the file form that is the functions directory.
    root = path.parent
    module, name = split_handler(function.handler, path.stem)
    spec = Spec(
        name=function.name,
        root=str(root),
        module=module,
        function=name,
        timeout_s=float(function.timeout),
        memory_mb=function.memory_size,
        arn=function_arn(function.name),
        environment=worker_environment(function, str(root)),
        runtime=function.runtime,
    )
    folder = function.source == Function.DIRECTORY and path.parent != functions_dir()
    return Spec(**{**spec.__dict__, "key": _version_key(spec, path, folder)})


def split_handler(handler: str, default_module: str) -> tuple[str, str]:
    """``handler`` -> (default module, handler); ``app.main`` -> (app, main), as Lambda reads it."""
    module, _, name = handler.rpartition(".")
    return (module or default_module), name


def worker_environment(function: Function, root: str) -> dict[str, str]:
    """A clean environment: Lambda's variables, AWS_ENDPOINT_URL back at Stepyard, dummy keys."""
    region = settings.STEPYARD_REGION
    key_id, secret = _credentials()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_ENDPOINT_URL": public_url(),
        "AWS_ACCESS_KEY_ID": key_id,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        # The user's own AWS configuration must not send a handler to the real cloud.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": f"stepyard/[$LATEST]{function.name}",
        "LAMBDA_TASK_ROOT": root,
        "_HANDLER": function.handler,
    }
    env.update(json.loads(function.environment or "{}"))
    return env


def _credentials() -> tuple[str, str]:
    """Dummy keys; when Stepyard checks signatures, the first configured key instead."""
    keys = configured_keys()
    return next(iter(keys.items())) if keys else ("stepyard", "stepyard")


def _version_key(spec: Spec, path: Path, folder: bool) -> str:
    """Changes whenever the code or a setting changes, so stale warm workers are not reused."""
    files = sorted(path.parent.rglob("*.py")) if folder else [path]
    stamps = [(str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.is_file()]
    settings_part = json.dumps([spec.runtime, spec.root, spec.module, spec.function, spec.timeout_s, spec.memory_mb,
                                sorted(spec.environment.items()), stamps])
    return hashlib.sha256(settings_part.encode()).hexdigest()[:16]


def _materialise(function: Function) -> Path:
    """Write console-written code to a folder named by its content (once)."""
    digest = hashlib.sha256(function.code.encode()).hexdigest()[:16]
    folder = runtime_dir() / "code" / function.name / digest
    target = folder / f"{FOLDER_MODULE}.py"
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        # A temporary file of its own per writer: concurrent first invocations both write,
        # and the atomic rename lets either win (the content is the same).
        temporary = folder / f".{FOLDER_MODULE}.{uuid.uuid4().hex}.tmp"
        temporary.write_text(function.code)
        temporary.replace(target)
    return folder
