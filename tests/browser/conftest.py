"""Real-browser fixtures: Playwright (Python) driving Debian's chromium, headless.

Screenshots go to tests/browser/screens/ (git-ignored) for a person to look at. Without a
chromium the journeys are skipped, unless CRM_REQUIRE_BROWSER=1 (CI) makes that a failure.
"""

import io
import os
import shutil
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

SCREENS = Path(__file__).parent / "screens"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (seeding) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CRM_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="module")
def browser():
    # Per module, not per session: Playwright's sync API keeps an event loop running in this
    # thread while the browser is open, and code that sees a running loop (constance) switches
    # to its async API. Closing it after each browser module leaves later tests on the same
    # worker (pytest-xdist) a plain synchronous thread.
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CRM_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (CRM_REQUIRE_BROWSER=1) but was not found")
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    # The Content-Security-Policy is on in the test settings too: whatever the browser refuses
    # (an inline script, handler or style attribute) shows as a console error, and fails the test.
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.csp_violations = refused
    yield page
    context.close()
    assert not refused, f"the Content-Security-Policy refused: {refused}"


@pytest.fixture
def shot():
    SCREENS.mkdir(exist_ok=True)

    def _shot(page, name):
        page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)

    return _shot


@pytest.fixture
def demo(transactional_db, live_server):
    # Seed outside this thread: Playwright's event loop runs here, and code that sees a running
    # loop (constance) switches to its async API.
    def seed():
        try:
            call_command("seed_demo", "--as-of", "2026-11-22", "--light", stdout=io.StringIO())
        finally:
            connections.close_all()  # this thread's connection must not outlive the test

    seeding = threading.Thread(target=seed)
    seeding.start()
    seeding.join()
    return live_server.url
