"""Where a function's code lives, and the Spec a worker process is started from.

Directory functions are ``<functions dir>/<name>.py`` (the handler's module is the file)
or ``<functions dir>/<name>/handler.py`` (a folder; other modules in it are importable).
Console functions are stored text, written to a content-addressed folder before a run
(as the file the handler names: ``app.main`` -> ``app.py``, or ``app.js`` for Node.js).
Package functions (CreateFunction with a zip) run from their unpacked package
(console.functions.packages). Handlers are Lambda's: Python ``module.function`` (also
``pkg/mod.function``), Node.js ``path/to/file.export``.
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

from console.credentials import configured_keys
from console.functions import functions_dir, packages, public_url, runtime_dir
from console.models import Function

NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
FOLDER_MODULE = "handler"
PYTHON_RUNTIMES = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13")
NODE_RUNTIMES = ("nodejs16.x", "nodejs18.x", "nodejs20.x", "nodejs22.x")
RUNTIMES = PYTHON_RUNTIMES + NODE_RUNTIMES
# The Node.js runtime loads a handler file with any of these extensions, in this order.
NODE_EXTENSIONS = (".js", ".mjs", ".cjs")


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


def is_node(runtime: str) -> bool:
    return runtime.startswith("nodejs")


def handler_file(function: Function) -> str:
    """The handler file's path inside the function's folder (``app.py``, ``src/index.js``).

    For Node.js the file that exists wins among .js, .mjs and .cjs (.js when none does).
    """
    module, _ = split_handler(function.handler, _default_module(function))
    if not is_node(function.runtime):
        return module.replace(".", "/") + ".py"
    if function.source == Function.PACKAGE:
        root = packages.folder(function.package)
        for extension in NODE_EXTENSIONS:
            if (root / f"{module}{extension}").is_file():
                return f"{module}{extension}"
    return f"{module}.js"


def _default_module(function: Function) -> str:
    if function.source == Function.DIRECTORY:
        path = discover().get(function.name)
        return path.stem if path else FOLDER_MODULE
    return FOLDER_MODULE


def main_file(function: Function) -> Path | None:
    """The file holding the function's handler (None if it has gone)."""
    if function.source == Function.CONSOLE:
        return _materialise(function) / handler_file(function)
    if function.source == Function.PACKAGE:
        path = packages.folder(function.package) / handler_file(function)
        return path if function.package and path.is_file() else None
    return discover().get(function.name)


def read_code(function: Function) -> str:
    """The handler file's text ("" when the file is missing)."""
    if function.source == Function.CONSOLE:
        return function.code
    path = main_file(function)
    try:
        return path.read_text(errors="replace") if path else ""
    except OSError:
        return ""


def lambda_handler(function: Function) -> str:
    """The Handler as Lambda shows it: always ``module.function``."""
    if "." in function.handler:
        return function.handler
    return f"{_default_module(function)}.{function.handler}"


def code_zip(function: Function) -> bytes:
    """The function's code as a Lambda deployment package (GetFunction's Code.Location)."""
    if function.source == Function.PACKAGE:
        return packages.zip_path(function.package).read_bytes()
    if function.source == Function.CONSOLE:
        return packages.single_file_zip(handler_file(function), function.code)
    path = discover().get(function.name)
    if path is None:
        return packages.single_file_zip(handler_file(function), "")
    if path.parent == functions_dir():
        return packages.folder_zip(path.parent, [path])
    files = sorted(f for f in path.parent.rglob("*") if f.is_file() and "__pycache__" not in f.parts)
    return packages.folder_zip(path.parent, files)


def spec_for(function: Function) -> Spec | None:
    """How to run ``function`` now; None when its code has disappeared.

    A package whose handler file is missing still runs: the worker reports
    Runtime.ImportModuleError at invoke time, as Lambda does.
    """
    root = _root(function)
    if root is None:
        return None
    module, name = split_handler(function.handler, _default_module(function))
    spec = Spec(
        name=function.name,
        root=str(root),
        module=module if is_node(function.runtime) else module.replace("/", "."),
        function=name,
        timeout_s=float(function.timeout),
        memory_mb=function.memory_size,
        arn=function_arn(function.name),
        environment=worker_environment(function, str(root)),
        runtime=function.runtime,
    )
    return Spec(**{**spec.__dict__, "key": _version_key(spec, function)})


def _root(function: Function) -> Path | None:
    """The handler's import root: its folder (the functions directory for a single file)."""
    if function.source == Function.PACKAGE:
        root = packages.folder(function.package)
        return root if function.package and root.is_dir() else None
    path = main_file(function)
    if path is None:
        return None
    if function.source == Function.CONSOLE:
        return _materialise(function)
    return path.parent


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
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_VERSION": getattr(function, "version", "$LATEST"),
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": f"stepyard/[{getattr(function, 'version', '$LATEST')}]{function.name}",
        "LAMBDA_TASK_ROOT": root,
        "_HANDLER": function.handler,
    }
    env.update(json.loads(function.environment or "{}"))
    return env


def _credentials() -> tuple[str, str]:
    """Dummy keys; when Stepyard checks signatures, the first configured key instead."""
    keys = configured_keys()
    return next(iter(keys.items())) if keys else ("stepyard", "stepyard")


def _version_key(spec: Spec, function: Function) -> str:
    """Changes whenever the code or a setting changes, so stale warm workers are not reused."""
    stamps: list = [function.package]
    if function.source != Function.PACKAGE:
        path = main_file(function)
        folder = function.source == Function.DIRECTORY and path is not None and path.parent != functions_dir()
        files = sorted(path.parent.rglob("*.py")) if folder and path else [path] if path else []
        stamps = [(str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.is_file()]
    settings_part = json.dumps([spec.runtime, spec.root, spec.module, spec.function, spec.timeout_s, spec.memory_mb,
                                sorted(spec.environment.items()), stamps])
    return hashlib.sha256(settings_part.encode()).hexdigest()[:16]


def _materialise(function: Function) -> Path:
    """Write console-written code to a folder named by its content and file name (once)."""
    name = handler_file(function)
    digest = hashlib.sha256(f"{name}\0{function.code}".encode()).hexdigest()[:16]
    folder = runtime_dir() / "code" / function.name / digest
    target = folder / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # A temporary file of its own per writer: concurrent first invocations both write,
        # and the atomic rename lets either win (the content is the same).
        temporary = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
        temporary.write_text(function.code)
        temporary.replace(target)
    return folder
