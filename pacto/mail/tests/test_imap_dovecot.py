"""``pacto.mail.imap`` against a real IMAP server: a private Dovecot on loopback (see
``dovecot.py``). New mail opens tickets and is marked seen (or moved), IDLE wakes the poller,
and a server that goes away — between polls or in the middle of one — loses no message and
opens no ticket twice."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from pacto.mail.imap import parse_mailbox_url, poll_all, poll_mailbox, wait_for_mail
from pacto.mail.models import InboundMessage
from pacto.mail.tests.dovecot import Dovecot, message
from pacto.tickets.models import Ticket

SEEN = b"\\Seen"


@pytest.fixture
def dovecot(settings):
    server = Dovecot().start()
    settings.PACTO_IMAP_MAILBOXES = [server.url]
    settings.PACTO_MAIL_SENDER_RATE = "1000/hour"
    yield server
    server.cleanup()


def mails(world, count: int, start: int = 0) -> list[bytes]:
    return [message(world.alice.email, f"Vault down {n}") for n in range(start, start + count)]


def opened_subjects() -> list[str]:
    return sorted(Ticket.objects.values_list("subject", flat=True))


def test_new_mail_opens_tickets_and_is_marked_seen(world, dovecot):
    dovecot.deliver(*mails(world, 3))
    box = parse_mailbox_url(dovecot.url)

    assert poll_mailbox(box) == Counter({"ticket_opened": 3})
    assert opened_subjects() == ["Vault down 0", "Vault down 1", "Vault down 2"]
    assert all(SEEN in flags for flags in dovecot.flags().values())
    assert poll_mailbox(box) == Counter()  # seen mail is not fetched again
    assert InboundMessage.objects.count() == 3


def test_move_to_takes_processed_mail_out_of_the_folder(world, dovecot):
    client = dovecot.client()
    client.create_folder("Pacto/Done")
    client.logout()
    dovecot.deliver(*mails(world, 2))
    box = parse_mailbox_url(dovecot.url + "?move_to=Pacto/Done")

    assert poll_mailbox(box) == Counter({"ticket_opened": 2})
    assert dovecot.flags("INBOX") == {}
    assert len(dovecot.flags("Pacto/Done")) == 2
    assert poll_mailbox(box) == Counter()


def test_idle_wakes_the_poller_when_mail_arrives(world, dovecot):
    box = parse_mailbox_url(dovecot.url)
    later = threading.Timer(1.0, dovecot.deliver, mails(world, 1))
    later.start()
    started = time.monotonic()
    wait_for_mail(box, 120)
    later.join()

    assert time.monotonic() - started < 60  # woken by the new message, not the timeout
    assert poll_mailbox(box) == Counter({"ticket_opened": 1})


def test_a_server_away_between_polls_loses_nothing(world, dovecot):
    dovecot.deliver(*mails(world, 3))
    assert poll_all()[parse_mailbox_url(dovecot.url).label] == Counter({"ticket_opened": 3})
    dovecot.stop()
    assert list(poll_all().values()) == [Counter({"unreachable": 1})]
    dovecot.start()
    dovecot.deliver(*mails(world, 2, start=3))

    assert list(poll_all().values()) == [Counter({"ticket_opened": 2})]
    assert opened_subjects() == [f"Vault down {n}" for n in range(5)]


def test_a_server_restarted_in_the_middle_of_a_poll_loses_nothing_and_opens_nothing_twice(
    world, dovecot
):
    dovecot.deliver(*mails(world, 5))
    box = parse_mailbox_url(dovecot.url)
    calls = []

    def clock():
        """Read before each message is recorded; before the third, the server goes away."""
        from django.utils import timezone

        calls.append(1)
        if len(calls) == 3:
            dovecot.stop()
        return timezone.now()

    with pytest.raises(Exception):  # noqa: B017 (the connection's error, whatever imaplib calls it)
        poll_mailbox(box, clock=clock)
    # The third message was recorded, but the server never heard it was seen.
    assert opened_subjects() == ["Vault down 0", "Vault down 1", "Vault down 2"]

    dovecot.start()
    counts = poll_mailbox(box)

    assert counts == Counter({"duplicate": 1, "ticket_opened": 2})  # the third, fetched again
    assert opened_subjects() == [f"Vault down {n}" for n in range(5)]  # each once
    assert all(SEEN in flags for flags in dovecot.flags().values())
    outcomes = Counter(InboundMessage.objects.values_list("outcome", flat=True))
    assert outcomes == Counter({"ticket_opened": 5, "duplicate": 1})
