"""People copied on a ticket, by email, over real SMTP (aiosmtpd on loopback): a copied
address gets the public replies with the ticket's reply address, never an internal note; its
answer lands on the ticket as written by that address; removed, it gets nothing more."""

from __future__ import annotations

import datetime as dt
import email
from email import policy

import pytest

from pacto.accounts.actions import do_create_contact
from pacto.mail.tests.conftest import NOW, ingest
from pacto.notifications.delivery import deliver_due
from pacto.notifications.models import NotificationPreference
from pacto.testing import PASSWORD, open_ticket
from pacto.tickets.actions import do_add_cc, do_remove_cc, do_reply
from pacto.tickets.models import Message

PARTNER = "noc@integrator.example"


def sent_to(smtp, address: str) -> list[email.message.EmailMessage]:
    """What the SMTP server accepted for ``address``, parsed as a mail client would."""
    return [
        email.message_from_bytes(envelope.content, policy=policy.default)
        for envelope in smtp.handler.envelopes
        if address in envelope.rcpt_tos
    ]


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def answer(sent, sender: str, text: str, message_id: str) -> bytes:
    """``sender``'s mail client answering ``sent`` (to its Reply-To)."""
    return (
        f"From: {sender}\r\nTo: {sent['Reply-To']}\r\nSubject: Re: {sent['Subject']}\r\n"
        f"Date: Thu, 15 Jan 2026 11:30:00 -0300\r\nMessage-ID: {message_id}\r\n"
        f"In-Reply-To: {sent['Message-ID']}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{text}\r\n"
    ).encode()


def later(minutes: int) -> dt.datetime:
    return NOW + dt.timedelta(minutes=minutes)


@pytest.fixture
def ticket(world):
    ticket = open_ticket(world.alice, now=NOW)
    do_add_cc(world.alice, ticket, "NOC@Integrator.example", now=later(1))
    deliver_due(later(2))  # the acknowledgement, to alice only
    return ticket


def test_a_copied_outside_address_gets_public_replies_and_never_an_internal_note(
    world, smtp, ticket
):
    assert sent_to(smtp, PARTNER) == []
    do_reply(world.fiona, ticket, "Internal: the customer's HA pair is misconfigured.",
             public=False, now=later(10))  # fmt: skip
    do_reply(world.fiona, ticket, "Please restart the vault service.", now=later(20))
    deliver_due(later(21))

    [copy] = sent_to(smtp, PARTNER)
    [original] = [m for m in sent_to(smtp, "alice@azul.example") if "restart" in body(m)]
    assert "Please restart the vault service." in body(copy)
    assert "misconfigured" not in body(copy)
    assert copy["Reply-To"] == original["Reply-To"]
    assert copy["Reply-To"].startswith(f"support+t{ticket.pk}-")
    assert copy["Subject"] == original["Subject"]


def test_the_copied_address_answers_by_email_and_the_reply_is_its_own(world, smtp, ticket):
    do_reply(world.fiona, ticket, "Please restart the vault service.", now=later(20))
    deliver_due(later(21))
    [copy] = sent_to(smtp, PARTNER)

    record = ingest(answer(copy, f"NOC Team <{PARTNER}>", "Restarted; it works.", "<noc-1@x>"),
                    now=later(30))  # fmt: skip

    assert record.outcome == "reply_added", record.detail
    reply = ticket.messages.get(pk=record.ticket_message_id)
    assert (reply.public, reply.author, reply.from_email) == (True, None, PARTNER)
    assert reply.body_text == "Restarted; it works."
    assert ticket.events.filter(kind="customer_reply", data__from_email=PARTNER).exists()


def test_a_removed_address_gets_nothing_more(world, smtp, ticket):
    do_remove_cc(world.alice, ticket, PARTNER, now=later(5))
    do_reply(world.fiona, ticket, "Please restart the vault service.", now=later(20))
    deliver_due(later(21))

    assert sent_to(smtp, PARTNER) == []
    assert any("restart" in body(m) for m in sent_to(smtp, "alice@azul.example"))


def test_a_removed_address_that_answers_is_refused_as_a_stranger(world, smtp, ticket):
    do_reply(world.fiona, ticket, "Please restart the vault service.", now=later(20))
    deliver_due(later(21))
    [copy] = sent_to(smtp, PARTNER)
    do_remove_cc(world.alice, ticket, PARTNER, now=later(25))

    record = ingest(answer(copy, PARTNER, "Restarted.", "<noc-2@x>"), now=later(30))

    assert record.outcome == "refused_unauthorized"
    assert not Message.objects.filter(from_email=PARTNER).exists()


def test_a_copied_colleague_keeps_her_email_preferences_and_answers_as_herself(world, smtp):
    ticket = open_ticket(world.alice, now=NOW)
    quiet = do_create_contact(
        organization=world.azul, email="quiet@azul.example", full_name="Quiet Colleague",
        password=PASSWORD,
    )  # fmt: skip
    NotificationPreference.objects.create(user=quiet, kind="agent_reply", email=False)
    do_add_cc(world.alice, ticket, "bob@azul.example", now=later(1))
    do_add_cc(world.alice, ticket, "quiet@azul.example", now=later(1))
    do_reply(world.fiona, ticket, "Please restart the vault service.", now=later(20))
    deliver_due(later(21))

    assert sent_to(smtp, "quiet@azul.example") == []
    [copy] = sent_to(smtp, "bob@azul.example")
    # bob is not authorized and does not see alice's ticket in the portal; copied, he answers.
    record = ingest(answer(copy, "Bob <bob@azul.example>", "Done on my side.", "<bob-1@x>"),
                    now=later(30))  # fmt: skip
    assert record.outcome == "reply_added", record.detail
    reply = ticket.messages.get(pk=record.ticket_message_id)
    assert (reply.author, reply.from_email) == (world.bob, "")


def test_a_stranger_answering_the_reply_address_is_still_refused(world, smtp, ticket):
    do_reply(world.fiona, ticket, "Please restart the vault service.", now=later(20))
    deliver_due(later(21))
    [copy] = sent_to(smtp, PARTNER)

    record = ingest(answer(copy, "someone@else.example", "Me too!", "<else-1@x>"), now=later(30))

    assert record.outcome == "refused_unauthorized"
    assert ticket.messages.filter(public=True).count() == 2


def test_the_copied_address_can_send_a_log_with_its_answer(world, smtp, ticket):
    from email.message import EmailMessage

    do_reply(world.fiona, ticket, "Please send the vault log.", now=later(20))
    deliver_due(later(21))
    [copy] = sent_to(smtp, PARTNER)
    reply = EmailMessage()
    reply["From"], reply["To"] = PARTNER, copy["Reply-To"]
    reply["Subject"], reply["Message-ID"] = f"Re: {copy['Subject']}", "<noc-log@x>"
    reply["In-Reply-To"], reply["Date"] = copy["Message-ID"], "Thu, 15 Jan 2026 11:30:00 -0300"
    reply.set_content("Here it is.")
    reply.add_attachment(b"ERROR vault 500\n" * 50, maintype="text", subtype="plain",
                         filename="vault.log")  # fmt: skip

    record = ingest(reply.as_bytes(), now=later(30))

    assert record.outcome == "reply_added", record.detail
    [attachment] = ticket.attachments.all()
    assert (attachment.name, attachment.message_id) == ("vault.log", record.ticket_message_id)
    assert attachment.uploaded_by is None
