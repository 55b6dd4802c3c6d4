"""The engine is pure Python: importing and running it never loads Django."""

from __future__ import annotations

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_SCRIPT = """
import sys
import engine
out = engine.run({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": True}}})
assert out == 1, out
assert "django" not in sys.modules, sorted(m for m in sys.modules if m.startswith("django"))
print("ok")
"""


def test_it_runs_a_machine_without_loading_django() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
