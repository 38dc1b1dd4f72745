"""Outbound threading: every notification about a ticket answers the ticket's thread."""

from __future__ import annotations

import datetime as dt

from pacto.mail.models import TicketMailId
from pacto.mail.outbound import reply_address, thread_headers, ticket_id_from_reply_address
from pacto.mail.tests.conftest import BASE_ID, NOW, email, ingest
from pacto.notifications.models import Outbox
from pacto.notifications.render import build_email
from pacto.testing import PROBLEM_DETAILS
from pacto.tickets.actions import do_open_ticket, do_reply


def test_the_acknowledgement_answers_the_customers_email(alice_ticket):
    ack = Outbox.objects.get(ticket=alice_ticket, kind="ticket_opened")

    headers = thread_headers(ack, subject="We received your ticket")

    root = f"<ticket-{alice_ticket.pk}@pacto.localhost>"
    assert headers["In-Reply-To"] == BASE_ID
    assert headers["References"] == f"{root} {BASE_ID}"
    assert headers["Reply-To"] == reply_address(alice_ticket)
    assert headers["Reply-To"].startswith(f"support+t{alice_ticket.pk}-")
    assert headers["Auto-Submitted"] == "auto-replied"
    assert headers["Subject"] == f"[#{alice_ticket.pk}] We received your ticket"
    assert TicketMailId.objects.filter(message_id=f"<outbox-{ack.pk}@pacto.localhost>").exists()


def test_an_agent_reply_answers_the_latest_customer_message(world, alice_ticket, clock):
    clock.now = NOW + dt.timedelta(minutes=5)
    ingest(email(subject="Re: x", body="More detail.", message_id="<more@azul.example>",
                 headers={"In-Reply-To": BASE_ID}), now=clock.now)  # fmt: skip
    clock.now = NOW + dt.timedelta(minutes=10)
    do_reply(world.fiona, alice_ticket, "Thanks, looking.", now=clock.now)
    row = Outbox.objects.get(ticket=alice_ticket, kind="agent_reply")

    headers = thread_headers(row)

    assert headers["In-Reply-To"] == "<more@azul.example>"
    assert headers["References"].split()[-1] == "<more@azul.example>"
    assert BASE_ID in headers["References"]
    assert "Auto-Submitted" not in headers  # a person's answer: the renderer's default stays
    assert thread_headers(row) == headers, "stable when the row is sent again"


def test_portal_tickets_thread_under_a_root_that_is_never_sent(world):
    ticket = do_open_ticket(world.alice, subject="Portal", body="From the portal", severity="low",
                            version="3.31", details=PROBLEM_DETAILS, now=NOW)  # fmt: skip
    row = Outbox.objects.get(ticket=ticket, kind="ticket_opened")

    headers = thread_headers(row, subject=f"[#{ticket.pk}] Received")

    assert (
        headers["In-Reply-To"] == headers["References"] == f"<ticket-{ticket.pk}@pacto.localhost>"
    )
    assert "Subject" not in headers and "Auto-Submitted" not in headers


def test_the_rendered_email_carries_the_thread_headers(alice_ticket):
    ack = Outbox.objects.get(ticket=alice_ticket, kind="ticket_opened")

    message = build_email(ack).message()

    assert message["Message-ID"] == f"<outbox-{ack.pk}@pacto.localhost>"
    assert message["In-Reply-To"] == BASE_ID
    assert message["Reply-To"] == reply_address(alice_ticket)
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-Loop"] == "support@pacto.localhost"
    assert message["Subject"].startswith(f"[#{alice_ticket.pk}] ")
    assert {p.get_content_type() for p in message.walk()} >= {"text/plain", "text/html"}


def test_the_refusal_email_says_why_in_the_senders_language(world):
    ingest(email(sender="someone@elsewhere.example", subject="Help", message_id="<h@x.example>"))
    world.bob.language = "pt-br"
    world.bob.save()
    ingest(email(sender="bob@azul.example", subject="Ajuda", message_id="<b@azul.example>"))

    english = build_email(Outbox.objects.get(recipient="someone@elsewhere.example")).message()
    portuguese = build_email(Outbox.objects.get(recipient="bob@azul.example")).message()

    assert english["Subject"] == "We could not accept your message: Help"
    assert english["In-Reply-To"] == "<h@x.example>"
    assert english["Auto-Submitted"] == "auto-replied"
    assert "not authorized contacts are not accepted" in english.get_body(("plain",)).get_content()
    assert portuguese["Subject"] == "Não pudemos aceitar sua mensagem: Ajuda"
    assert "Somente contatos técnicos autorizados" in portuguese.get_body(("plain",)).get_content()


def test_a_reply_address_names_its_ticket_only_with_the_right_token(alice_ticket):
    address = reply_address(alice_ticket)

    assert ticket_id_from_reply_address(address) == alice_ticket.pk
    assert ticket_id_from_reply_address(address.upper()) == alice_ticket.pk
    assert (
        ticket_id_from_reply_address(f"support+t{alice_ticket.pk}-zzzzzzzzzzzz@pacto.localhost")
        is None
    )
    assert ticket_id_from_reply_address(address.replace("pacto.localhost", "evil.example")) is None
