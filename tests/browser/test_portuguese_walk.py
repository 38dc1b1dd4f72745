"""A Portuguese walk of the portal and the console in Chromium: no English word of Pacto's
own, and no placeholder left unfilled (``{``, ``%(``), on any page visited."""

from __future__ import annotations

import re

import pytest

from pacto.portal.actions import do_set_preferences
from pacto.testing import PROBLEM_DETAILS
from pacto.tickets.actions import do_change_status, do_open_ticket, do_reply

pytestmark = pytest.mark.browser

# Words a Portuguese reader should never meet: Pacto's own English (its catalog's msgids)
# and the presets' status and severity names. Whole words, matched case-sensitively.
KNOWN_ENGLISH = [
    "Sign out", "Tickets", "New ticket", "Waiting on customer", "In progress", "Solved",
    "Closed", "Severity", "First response", "Resolution", "Due", "Breached", "Running",
    "Paused", "outside business hours", "holiday", "counting", "segments", "Reply",
    "Contacts", "Preferences", "Queue", "Dashboard", "Urgent", "Medium", "Standard 8x5 —",
    "How this was computed", "Opened", "left",
]  # fmt: skip
PLACEHOLDER = re.compile(r"%\(\w+\)|\{\{|\{\w+\}")


def english_in(text: str) -> list[str]:
    return [w for w in KNOWN_ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


def walk(session, paths: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        session.goto(path)
        text = session.page.locator("main").inner_text()
        problems = english_in(text) + PLACEHOLDER.findall(text)
        if problems:
            found[path] = problems
    return found


def test_the_portal_and_the_console_in_portuguese_have_no_english_left(open_session, people):
    w = people
    for person in (w.alice, w.fiona):
        do_set_preferences(person, language="pt-br")
    ticket = do_open_ticket(
        w.alice, subject="O cofre não mostra senhas", body="Erro 500", severity="high",
        version="3.31", details=PROBLEM_DETAILS,
    )  # fmt: skip
    do_reply(w.fiona, ticket, "Pode enviar o log?")
    do_change_status(w.fiona, ticket, "waiting-on-customer", reason="Log pedido")

    alice = open_session(locale="pt-BR")
    alice.sign_in("alice@azul.example")
    portal = walk(alice, ["/", "/tickets/", f"/tickets/{ticket.pk}/", "/tickets/new/",
                          "/calculator/"])  # fmt: skip

    fiona = open_session(locale="pt-BR")
    fiona.sign_in("fiona@vendor.example")
    console = walk(fiona, ["/console/", f"/console/tickets/{ticket.pk}/"])

    assert not portal, portal
    assert not console, console
