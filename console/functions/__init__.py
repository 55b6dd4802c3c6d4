"""The function runner: handlers run in separate worker processes with Lambda's limits.

``code`` finds a function's code (the functions directory, or console-written text),
``pool`` keeps warm worker processes and enforces timeouts, ``worker`` is the Python
process itself (standard library only), ``nodejs`` starts the Node.js one (``node/``).
console.services.functions is the public entry point.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from console import addresses


def functions_dir() -> Path:
    """Where ``<name>.py`` and ``<name>/handler.py`` functions are picked up from."""
    configured = os.environ.get("STEPYARD_FUNCTIONS_DIR") or getattr(settings, "STEPYARD_FUNCTIONS_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "functions"


def public_url() -> str:
    """The URL handlers reach this Stepyard at (their AWS_ENDPOINT_URL)."""
    return addresses.base_url()


def runtime_dir() -> Path:
    """Scratch space: console-written code as files, and invocation log files."""
    return Path(settings.DATA_DIR) / "function-runtime"
