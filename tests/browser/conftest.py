"""Fixtures for the browser suite: Debian's chromium driven by Playwright on a phone-sized page.

Browsers cannot be downloaded here (nor in CI), so Playwright drives the
system chromium at /usr/bin/chromium. Without the background-networking
flags chromium tries to reach Google's services on start-up, and a closed
network refuses those connections. Every test runs against pytest-django's
``live_server`` (a thread of this process), so the SMS outbox of
``accounts.sms.LocmemSender`` filled by the server is visible to the test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from accounts import sms

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",  # CI runs as root, where chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The browser's own words (the file picker's "选择文件") in Chinese, as on the owners'
# phones: chromium on Linux takes its interface language from LANGUAGE, not --lang;
# the translations are Debian's chromium-l10n, which .ci/run installs beside chromium.
CHROMIUM_ENV = {**os.environ, "LANGUAGE": "zh_CN:zh"}
# An iPhone-sized screen: owners vote on their phones (DESIGN.md "Pages").
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is missing"
    )
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an asyncio loop on the test thread for the
        # whole session, and Django's async-safety guard would then refuse every
        # ORM call the tests (and the test database setup) make on that thread.
        # The tests are sequential code: nothing else runs on that loop, which is
        # the only case the guard protects against.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env=CHROMIUM_ENV
            )
            yield chromium
            chromium.close()


@pytest.fixture
def sms_outbox(settings):
    """SMS from the live server go to accounts.sms.LocmemSender's outbox."""
    settings.GONGZHI_SMS_BACKEND = "accounts.sms.LocmemSender"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def phone(browser, live_server, sms_outbox):
    """A fresh 375 × 812 phone page whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
