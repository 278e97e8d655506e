"""The page in a real headless Chromium (Debian's, driven by Playwright), against the local
service started in this process with its playground on free ports."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from offline.service import OfflineConfig, OfflineService

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Screenshots for a person to look at after the run (the directory ignores itself in git).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "playground"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def needs_chromium() -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
    )


@pytest.fixture(scope="module")
def service() -> Iterator[OfflineService]:
    config = OfflineConfig(
        port=_free_port(),
        s3_port=_free_port(),
        bedrock_port=_free_port(),
        function_env={"RETRY_BACKOFF_SECONDS": "0", "POWERTOOLS_LOG_LEVEL": "WARNING"},
        playground_port=0,
    )
    with OfflineService(config) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, service: OfflineService) -> Iterator[Page]:
    """The playground, opened; any script error on it fails the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(f"{service.playground_url}/")
    opened.wait_for_selector("#operations button")
    yield opened
    context.close()
    assert errors == []


def until(page: Page, script: str, timeout: float = 60) -> None:
    """Polls a script in the page until it is true. (The page's Content-Security-Policy forbids
    the string evaluation Playwright's wait_for_function uses.)"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(script):
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {script}")


def images_loaded(page: Page, count: int) -> None:
    until(
        page,
        f"() => [...document.querySelectorAll('#gallery img')].length >= {count}"
        " && [...document.querySelectorAll('#gallery img')].every((img) => img.complete && img.naturalWidth > 0)",
    )


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS.parent / ".gitignore").write_text("*\n")
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
