"""Banco Azul's January 2026 (senhasegura Standard 8x5: 9 am to 7 pm in São Paulo on working
days; a medium ticket's first response is due in 8 business hours, a low one's in 18), and
one of Verde Energia's tickets, to prove that one organization's report never holds another's.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client

from pacto.accounts.actions import do_create_token
from pacto.testing import KOLKATA, PROBLEM_DETAILS, SAO_PAULO
from pacto.tickets.actions import do_change_status, do_open_ticket, do_reply

# "Now" for the reports: 10 February 2026, after January is over.
FEBRUARY = dt.datetime(2026, 2, 10, 12, 0, tzinfo=SAO_PAULO)


def sp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SAO_PAULO)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: FEBRUARY.astimezone(dt.UTC))
    cache.clear()
    return FEBRUARY


def open_at_azul(world, at: str, severity: str = "medium", subject: str = "Vault"):
    return do_open_ticket(
        world.alice, subject=subject, body="It fails.", severity=severity, version="3.31",
        details=PROBLEM_DETAILS, now=sp(at),
    )  # fmt: skip


@pytest.fixture
def january(world):
    """Four Banco Azul tickets: first response met, breached (replied Friday 16:00, due at
    15:00), running (low, never answered: due Monday 19 January 16:00), and one solved on the
    first reply; and a Verde Energia ticket answered late."""
    met = open_at_azul(world, "2026-01-15 10:30", subject="Met")
    do_reply(world.fiona, met, "Looking at it.", now=sp("2026-01-15 11:00"))
    late = open_at_azul(world, "2026-01-15 17:00", subject="Late")
    do_reply(world.fiona, late, "Sorry for the wait.", now=sp("2026-01-16 16:00"))
    silent = open_at_azul(world, "2026-01-15 18:00", severity="low", subject="Silent")
    quick = open_at_azul(world, "2026-01-20 10:00", subject="Quick")
    do_reply(world.fiona, quick, "Fixed: restart the vault.", now=sp("2026-01-20 10:30"))
    solved = world.azul_contract.policy.status_for("solved").id
    do_change_status(world.fiona, quick, solved, now=sp("2026-01-20 10:31"))
    verde = do_open_ticket(
        world.carol, subject="Agent silent", body="No reports.", severity="medium",
        now=dt.datetime(2026, 1, 15, 20, tzinfo=KOLKATA),
    )  # fmt: skip
    do_reply(world.sam, verde, "Checking.", now=dt.datetime(2026, 1, 26, 20, tzinfo=KOLKATA))
    return {"met": met, "late": late, "silent": silent, "quick": quick, "verde": verde}


class ApiClient:
    def __init__(self, user=None):
        self.client = Client(HTTP_HOST="localhost")
        self.headers = {}
        if user is not None:
            _, secret = do_create_token(user, name="tests", scope="read")
            self.headers = {"authorization": f"Bearer {secret}"}

    def get(self, path: str, **params):
        return self.client.get(path, params, headers=self.headers)


def client_for(user=None) -> Client:
    """A browser session of ``user`` (anonymous when None)."""
    client = Client(HTTP_HOST="localhost")
    if user is not None:
        client.force_login(user)
    return client
