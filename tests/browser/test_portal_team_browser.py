"""The portal a customer's team lives in, in a real browser: email notifications chosen by
the contact, follow-ups of closed tickets, files previewed on the page, colleagues in CC."""

from __future__ import annotations

import struct
import zlib

import pytest
from playwright.sync_api import expect

from pacto.notifications.models import Outbox
from pacto.testing import PROBLEM_DETAILS
from pacto.tickets.actions import do_open_ticket, do_reply
from pacto.tickets.models import Ticket

pytestmark = pytest.mark.browser


def vault_ticket(world, subject="The vault does not show passwords") -> Ticket:
    return do_open_ticket(
        world.alice, subject=subject, body="Error 500", severity="high", version="3.31",
        details=PROBLEM_DETAILS,
    )  # fmt: skip


def customer(open_session, email="alice@azul.example"):
    session = open_session()
    session.sign_in(email)
    return session


def test_alice_turns_off_reply_emails_and_a_reply_sends_her_none(open_session, people):
    ticket = vault_ticket(people)
    session = customer(open_session)
    page = session.page
    session.goto("/preferences/")

    page.get_by_label("Support replies on a ticket").uncheck()
    page.get_by_role("button", name="Save notifications").click()

    expect(page.get_by_role("status")).to_contain_text("Your email notifications are saved.")
    expect(page.get_by_label("Support replies on a ticket")).not_to_be_checked()
    expect(page.get_by_label("A ticket's status changes")).to_be_checked()
    do_reply(people.fiona, ticket, "We are looking at it.")
    assert not Outbox.objects.filter(kind="agent_reply", recipient="alice@azul.example").exists()


def png(width=4, height=3) -> bytes:
    """A real PNG image (red pixels), so the browser decodes and lays it out."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )  # fmt: skip


def test_a_screenshot_alice_attaches_shows_in_the_page(open_session, people):
    ticket = vault_ticket(people)
    session = customer(open_session)
    page = session.page
    session.goto(f"/tickets/{ticket.pk}/")

    page.locator("textarea[name=body]").fill("Here is what the vault shows.")
    page.locator("input[name=attachment]").set_input_files(
        {"name": "vault.png", "mimeType": "image/png", "buffer": png()}
    )
    page.get_by_role("button", name="Send reply").click()

    expect(page.get_by_role("status")).to_contain_text("Your reply is sent.")
    image = page.get_by_role("img", name="vault.png")
    expect(image).to_be_visible()
    assert image.evaluate("element => element.naturalWidth") == 4


def test_alice_opens_a_follow_up_from_her_closed_ticket(open_session, people):
    from pacto.tickets.actions import do_change_status, do_confirm_resolution

    previous = vault_ticket(people, subject="Vault error after upgrade")
    do_change_status(people.fiona, previous, "solved", reason="cache rebuilt")
    do_confirm_resolution(people.alice, previous)
    session = customer(open_session)
    page = session.page
    session.goto(f"/tickets/{previous.pk}/")

    page.get_by_role("link", name="Open a follow-up").click()
    expect(page.locator("input[name=subject]")).to_have_value(
        f"Follow-up to #{previous.pk}: Vault error after upgrade"
    )
    page.locator("textarea[name=body]").fill("The error is back after the 3.32 upgrade.")
    for name, value in PROBLEM_DETAILS.items():
        page.locator(f"[name={name}]").fill(value)
    page.get_by_role("button", name="Open the ticket").click()

    expect(page.get_by_role("status")).to_contain_text("is open")
    follow_up = Ticket.objects.get(continues=previous)
    expect(page.locator(".follow-up-link")).to_contain_text(f"#{previous.pk}")
    session.goto(f"/tickets/{previous.pk}/")
    expect(page.locator(".follow-up-link")).to_contain_text(f"#{follow_up.pk}")
