"""Playwright on Debian's Chromium against pytest-django's live server.

Chromium is Debian's (``apt-get install chromium``: /usr/bin/chromium), launched through
Playwright's ``executable_path``; Playwright never downloads a browser here. The server's
clock is pinned (``django.utils.timezone.now``, shared by the live server's thread) at the
instant each test names. Every page a test visits is watched for browser console errors —
a Content-Security-Policy violation shows up there — and the test fails on any.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connection

from pacto.testing import HOLIDAY_EVE, PASSWORD, Clock, build_world

# Playwright's sync API keeps an event loop on this thread; the test's own ORM calls are
# synchronous and safe (Django's async guard would refuse them otherwise).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("PACTO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def _pages(media_root):
    """Every browser test: uploads in a folder of its own, and an empty cache."""


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if os.environ.get("PACTO_REQUIRE_BROWSER"):  # CI: a missing browser is a failure
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Session:
    """One person's browser tab, with what the browser complained about."""

    def __init__(self, browser, base_url: str, **context):
        self.base_url = base_url
        self.context = browser.new_context(**{"locale": "en-US", **context})
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _console(self, message) -> None:
        if message.type == "error" and "404 (Not Found)" not in message.text:
            self.errors.append(message.text)

    def goto(self, path: str):
        return self.page.goto(self.base_url + path)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        self.goto("/accounts/login/")
        # By name, not label: the form is in the browser's language.
        self.page.locator("input[name=login]").fill(email)
        self.page.locator("input[name=password]").fill(password)
        self.page.locator("main form button[type=submit]").click()
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_session(browser, live_server):
    if connection.vendor == "sqlite" and "memory" in connection.settings_dict["NAME"]:
        # Over an in-memory database the live server's request threads share the test's one
        # connection, and a page's concurrent requests (htmx) interleave on it.
        pytest.fail("the Chromium tests need a file test database: set PACTO_TEST_SQLITE_FILE")
    sessions: list[Session] = []

    def open_(**context) -> Session:
        session = Session(browser, live_server.url, **context)
        sessions.append(session)
        return session

    yield open_
    errors = [e for s in sessions for e in s.errors]
    for session in sessions:
        session.close()
    assert not errors, "the browser reported errors:\n" + "\n".join(errors)


@pytest.fixture
def server_clock(monkeypatch) -> Clock:
    return Clock(monkeypatch, HOLIDAY_EVE)


@pytest.fixture
def people(transactional_db, server_clock):
    from pacto.portal.actions import do_set_preferences

    world = build_world()
    # Every zone chosen (Alice's and Fiona's São Paulo, the others' as created), so no page
    # sends the browser's zone behind a test's back; test_first_minute tests that it does.
    for person in (*world.contacts(), *world.staff()):
        zone = "America/Sao_Paulo" if person in (world.alice, world.fiona) else person.time_zone
        do_set_preferences(person, time_zone=zone)
    return world
