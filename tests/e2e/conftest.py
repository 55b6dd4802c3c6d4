"""End-to-end tests drive Debian's Chromium through Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import require_service

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if executable is None:
        require_service("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    # What the page logged as an error (tests that check a clean console assert it is empty).
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(
        f"{page.url}: {message.text}"))
    page.on("pageerror", lambda error: page.console_errors.append(f"{page.url}: {error}"))
    yield page
    context.close()


DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def artefacts() -> Path:
    """Where screenshots go: $STEPYARD_E2E_ARTEFACTS, else test-artifacts/screenshots (git-ignored)."""
    configured = os.environ.get("STEPYARD_E2E_ARTEFACTS")
    folder = Path(configured) if configured else Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def shoot(page, artefacts):
    """Screenshot the current page at 1440x900 and 390x844 (kept as test artefacts)."""

    def take(name: str) -> list[Path]:
        before = page.viewport_size
        paths = []
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            path = artefacts / f"{name}-{size['width']}x{size['height']}.png"
            page.screenshot(path=str(path))
            paths.append(path)
        page.set_viewport_size(before)
        return paths

    return take
