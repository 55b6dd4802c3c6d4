"""The console tests run in a process wired as the server is, without its background engine."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def wired() -> None:
    """Plug the integrations and the after-commit hooks in (console.wiring); the tests drive
    timers and calls themselves, so no scheduler runs."""
    from console import wiring  # Django is set up only once pytest-django has configured it

    wiring.install(embedded_engine=False)


@pytest.fixture
def function_dir(tmp_path, monkeypatch):
    """An empty functions directory (STEPYARD_FUNCTIONS_DIR) for the test; the function
    workers started meanwhile are stopped after it."""
    from console.functions.pool import POOL

    directory = tmp_path / "functions"
    directory.mkdir()
    monkeypatch.setenv("STEPYARD_FUNCTIONS_DIR", str(directory))
    yield directory
    POOL.shutdown()
