"""End to end over real sockets: a customer's email comes in through the webhook, Pacto's
answers go out over SMTP to an aiosmtpd server on loopback, and the customer's reply to one
of them comes back through ``pacto mail ingest`` and lands on the same ticket."""

from __future__ import annotations

import datetime as dt
import email
import io
import socket
import sys
import threading
from email import policy

import pytest
from django.core.management import call_command

from pacto.mail.models import InboundMessage
from pacto.mail.tests.conftest import NOW, corpus
from pacto.notifications.delivery import deliver_due
from pacto.tickets.actions import do_assign, do_reply
from pacto.tickets.models import Ticket


class Recorder:
    """aiosmtpd handler keeping every accepted message."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    yield recorder
    controller.stop()


def reply_to(sent: email.message.EmailMessage, text: str) -> bytes:
    """What a mail client sends when alice answers ``sent`` (top-posted, quoted history)."""
    quoted = "\n".join("> " + line for line in sent.get_body(("plain",)).get_content().splitlines())
    return (
        "From: Alice Azul <alice@azul.example>\n"
        f"To: {sent['Reply-To']}\n"
        f"Subject: Re: {sent['Subject']}\n"
        "Date: Thu, 15 Jan 2026 11:30:00 -0300\n"
        "Message-ID: <alice-answer-1@azul.example>\n"
        f"In-Reply-To: {sent['Message-ID']}\n"
        f"References: {sent['References']} {sent['Message-ID']}\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        f"{text}\n\nOn Thu, Jan 15, 2026 at 11:00 AM Pacto wrote:\n{quoted}\n"
    ).encode()


def test_customer_email_agent_reply_and_customer_reply_form_one_thread(
    client, world, smtp, monkeypatch
):
    # 1. alice writes; the inbound-mail service posts the message to the webhook.
    response = client.post(
        "/mail/inbound/", data=corpus("new_gmail_en.eml"), content_type="message/rfc822",
        headers={"X-Pacto-Mail-Secret": "inbound-secret"},
    )  # fmt: skip
    ticket = Ticket.objects.get(pk=response.json()["ticket"])
    original_id = "<CAH7x9kQ1=new-gmail-en@mail.gmail.com>"

    # 2. the acknowledgement goes out over SMTP, answering alice's email.
    assert deliver_due(NOW + dt.timedelta(seconds=5)) == {"sent": 1}
    ack = smtp.messages[-1]
    assert ack["To"] == "alice@azul.example"
    assert ack["In-Reply-To"] == original_id and original_id in ack["References"]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["Subject"].strip().startswith(f"[#{ticket.pk}] ")

    # 3. fiona takes the ticket and answers; the answer goes out in the same thread.
    do_assign(world.fiona, ticket, world.fiona, now=NOW + dt.timedelta(minutes=20))
    do_reply(
        world.fiona, ticket, "Please restart the vault service.", now=NOW + dt.timedelta(minutes=30)
    )
    assert deliver_due(NOW + dt.timedelta(minutes=31)) == {"sent": 1}
    answer = smtp.messages[-1]
    assert "Please restart the vault service." in answer.get_body(("plain",)).get_content()
    assert answer["In-Reply-To"] == original_id
    assert answer["Reply-To"].startswith(f"support+t{ticket.pk}-")
    assert answer["Message-ID"] != ack["Message-ID"]

    # 4. alice answers that email from her client; the mail server pipes it to Pacto.
    raw = reply_to(answer, "Restarted, the search works again. Thanks!")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("mail", "ingest", stdout=out)
    assert out.getvalue().startswith(f"reply_added #{ticket.pk} <alice-answer-1@azul.example>")

    # 5. one ticket, three public messages, the customer's reply without the quoted history.
    assert Ticket.objects.count() == 1
    reply = ticket.messages.order_by("id").last()
    assert reply.body_text == "Restarted, the search works again. Thanks!"
    assert InboundMessage.objects.get(message_id="<alice-answer-1@azul.example>").threaded_by == (
        "in_reply_to"
    )

    # 6. fiona is told, in the thread, answering alice's reply; nothing is sent twice.
    assert deliver_due(NOW + dt.timedelta(hours=1)) == {"sent": 1}
    told = smtp.messages[-1]
    assert told["To"] == "fiona@vendor.example"
    assert told["In-Reply-To"] == "<alice-answer-1@azul.example>"
    assert deliver_due(NOW + dt.timedelta(hours=2)) == {}
    assert len(smtp.messages) == 3

    # 7. the same reply delivered again, and Pacto's own email bounced back, change nothing.
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    call_command("mail", "ingest", stdout=io.StringIO())
    looped = client.post(
        "/mail/inbound/", data=told.as_bytes(), content_type="message/rfc822",
        headers={"X-Pacto-Mail-Secret": "inbound-secret"},
    )  # fmt: skip
    assert looped.json()["outcome"] == "ignored_loop"
    assert ticket.messages.count() == 3
    assert deliver_due(NOW + dt.timedelta(hours=3)) == {}
