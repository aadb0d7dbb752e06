"""Browser test fixtures: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Registered for the whole suite from the root conftest.py, but nothing here starts unless a test asks for
`browser` or `page`. Tests that use them also take `live_server` (which brings `transactional_db`) and
build their people with `kurator.core.testing.cast.build_cast()`.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 900}
TIMEOUT_MS = 10_000  # a live server on this machine answers in milliseconds; fail fast, not after 30 s


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test module (and per xdist worker).

    Module scope rather than session scope on purpose: while Playwright's sync API is alive it keeps an
    asyncio loop *running* in the main thread (its dispatcher greenlet sits inside `run_until_complete`),
    so every test that ran after it in the same worker would see a running loop — `asyncio.run()` and
    `async_to_sync` would refuse to work there, and Django would refuse the ORM. pytest tears a module's
    fixtures down as soon as the worker moves to another module, so the loop never outlives the browser
    tests; a launch costs well under a second.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); it is missing")
    from playwright.sync_api import sync_playwright

    # Django refuses ORM calls from a thread with a running asyncio loop (SynchronousOnlyOperation). The
    # loop here is Playwright's own and never runs our code, so the test's ORM calls (building the cast,
    # pytest-django's flush) are not really inside async code. The exemption is set only while the browser
    # lives and put back afterwards, so the rest of the suite keeps Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Lets the `page` fixture know whether its test failed, to keep a picture of the moment.
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


def _screenshot_path(request: pytest.FixtureRequest, step: str) -> Path:
    folder = request.config.rootpath / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^\w.-]+", "-", request.node.name)
    return folder / f"{test_name}-{step}.png"


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh context per test (no cookies or storage from the previous one), Russian locale, a laptop screen.
    When the test fails, the screen at that moment is kept as …-FAILED.png next to the step screenshots."""
    context = browser.new_context(locale="ru-RU", viewport=VIEWPORT, timezone_id="Europe/Moscow")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        yield tab
        if request.node.stash.get(_FAILED, False):
            from playwright.sync_api import Error as PlaywrightError

            with contextlib.suppress(PlaywrightError):  # a crashed page must not hide the test's own failure
                tab.screenshot(path=str(_screenshot_path(request, "FAILED")), full_page=True)
    finally:
        context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """`screenshot(page, "step")` saves a full-page picture as test-artifacts/screenshots/<test>-<step>.png."""

    def take(tab: Page, step: str) -> Path:
        path = _screenshot_path(request, step)
        tab.screenshot(path=str(path), full_page=True)
        return path

    return take
