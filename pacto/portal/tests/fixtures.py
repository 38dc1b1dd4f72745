"""Fixtures for the web UI's tests (portal, console, page access, browser).

``clock`` pins ``django.utils.timezone.now`` — what the views, the actions and the sessions
read — at an instant the test names, so due times are exact and the named world's 2026
contracts are active whatever the day the tests run.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.core.cache import cache
from django.test import Client

from pacto.testing import PROBLEM_DETAILS, SAO_PAULO
from pacto.tickets.actions import do_open_ticket
from pacto.tickets.models import Ticket

# Thursday 15 January 2026, 10:00 in São Paulo: a business day, inside business hours.
NOW = dt.datetime(2026, 1, 15, 10, 0, tzinfo=SAO_PAULO)
# Thursday 19 November 2026, 20:00 in São Paulo: after hours, on the eve of the Black
# Consciousness Day holiday (Friday 20 November), before a weekend.
HOLIDAY_EVE = dt.datetime(2026, 11, 19, 20, 0, tzinfo=SAO_PAULO)


class Clock:
    def __init__(self, monkeypatch, at: dt.datetime):
        self.monkeypatch = monkeypatch
        self.set(at)

    def set(self, at: dt.datetime) -> dt.datetime:
        self.now = at
        frozen = at.astimezone(dt.UTC)
        self.monkeypatch.setattr("django.utils.timezone.now", lambda: frozen)
        return at

    def advance(self, **delta) -> dt.datetime:
        return self.set(self.now + dt.timedelta(**delta))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch, NOW)


def client_for(user=None) -> Client:
    """A browser session of ``user`` (anonymous when None)."""
    client = Client(HTTP_HOST="localhost")
    if user is not None:
        client.force_login(user)
    return client


def problem_form(**overrides) -> dict:
    """The portal's new-ticket form, filled as senhasegura §7.6 asks."""
    return {
        "type": "problem",
        "subject": "The vault does not show passwords",
        "severity": "high",
        "environment": "production",
        "product": "senhasegura PAM",
        "version": "3.31",
        "body": "Since the upgrade the vault answers Error 500.",
        **PROBLEM_DETAILS,
        **overrides,
    }


def open_ticket(actor, **kwargs) -> Ticket:
    """A high-severity problem with the details senhasegura requires, opened through the action."""
    fields = {
        "subject": "Vault error",
        "body": "Error 500",
        "severity": "high",
        "version": "3.31",
        "details": PROBLEM_DETAILS,
    }
    fields.update(kwargs)
    return do_open_ticket(actor, **fields)


def text(response) -> str:
    """The page's visible words, tags stripped and spaces collapsed."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
