"""The ways email arrives: the webhook (shared secret) and IMAP polling."""

from __future__ import annotations

import io
from collections import Counter

import imapclient
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from pacto.mail.imap import parse_mailbox_url, poll_mailbox
from pacto.mail.models import InboundMessage
from pacto.mail.tests.conftest import corpus, email
from pacto.tickets.models import Ticket

URL = "/mail/inbound/"


def post(client, raw: bytes, secret: str | None = "inbound-secret"):
    headers = {"X-Pacto-Mail-Secret": secret} if secret is not None else {}
    return client.post(URL, data=raw, content_type="message/rfc822", headers=headers)


def test_the_webhook_opens_a_ticket_from_raw_mime(client, world):
    response = post(client, corpus("new_outlook_pt_form.eml"))

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert response.json() == {
        "id": InboundMessage.objects.get().pk, "outcome": "ticket_opened", "ticket": ticket.pk,
    }  # fmt: skip
    assert InboundMessage.objects.get().source == "webhook"


def test_the_webhook_answers_a_redelivery_with_duplicate(client, world):
    outcomes = [post(client, corpus("new_gmail_en.eml")).json()["outcome"] for _ in range(2)]

    assert outcomes == ["ticket_opened", "duplicate"]


@pytest.mark.parametrize("secret", [None, "", "wrong", "inbound-secret-but-longer"])
def test_the_webhook_refuses_a_wrong_or_missing_secret(client, world, secret):
    response = post(client, corpus("new_gmail_en.eml"), secret=secret)

    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_the_webhook_does_not_exist_until_a_secret_is_configured(client, settings):
    settings.PACTO_INBOUND_MAIL_SECRET = ""

    assert post(client, email(), secret="").status_code == 404


def test_the_webhook_takes_posts_of_a_message_within_the_limit(client, db, settings):
    settings.PACTO_MAIL_MAX_BYTES = 100

    assert client.get(URL, headers={"X-Pacto-Mail-Secret": "inbound-secret"}).status_code == 405
    assert post(client, b"   ").status_code == 400
    assert post(client, email(body="x" * 200)).status_code == 413


# ----------------------------------------------------------------------------- IMAP


class FakeIMAP:
    """The few IMAPClient calls Pacto makes, over an in-memory folder."""

    servers: dict[str, FakeIMAP] = {}

    def __init__(self, host, port=None, ssl=True, timeout=None):
        self.host, self.port, self.ssl = host, port, ssl
        self.messages: dict[int, bytes] = {}
        self.flags: dict[int, set] = {}
        self.moved: dict[int, str] = {}
        self.logged_in = self.logged_out = False
        self.folder = None
        FakeIMAP.servers[host] = self
        self.messages.update(FakeIMAP.preload)
        self.flags.update({uid: set() for uid in FakeIMAP.preload})

    preload: dict[int, bytes] = {}

    def login(self, user, password):
        assert (user, password) == ("support@vendor.example", "p@ss,word")
        self.logged_in = True

    def select_folder(self, folder, readonly=False):
        self.folder = folder

    def search(self, criteria):
        if criteria == ["UNSEEN"]:
            return [uid for uid in self.messages if b"\\Seen" not in self.flags[uid]]
        return [uid for uid in self.messages if uid not in self.moved]

    def fetch(self, uids, items):
        return {
            u: {b"BODY[]": self.messages[u], b"RFC822.SIZE": len(self.messages[u])} for u in uids
        }

    def add_flags(self, uids, flags):
        for uid in uids:
            self.flags[uid].update(flags)

    def move(self, uids, folder):
        for uid in uids:
            self.moved[uid] = folder

    def logout(self):
        self.logged_out = True


def test_it_reads_mailbox_urls():
    box = parse_mailbox_url(
        "imaps://support%40vendor.example:p%40ss%2Cword@imap.example.com/Support"
    )
    plain = parse_mailbox_url("imap://u:p@mail.internal/INBOX?starttls=1&move_to=Pacto/Done")

    assert (box.host, box.port, box.use_ssl, box.folder) == (
        "imap.example.com",
        993,
        True,
        "Support",
    )
    assert (box.username, box.password) == ("support@vendor.example", "p@ss,word")
    assert (plain.port, plain.use_ssl, plain.starttls, plain.move_to) == (
        143,
        False,
        True,
        "Pacto/Done",
    )
    assert "p@ss" not in box.label
    with pytest.raises(ImproperlyConfigured):
        parse_mailbox_url("pop3://u:p@host/")


def test_polling_ingests_unseen_mail_and_marks_it_seen(world, clock):
    FakeIMAP.preload = {1: corpus("new_gmail_en.eml"), 2: corpus("ignored_precedence_bulk.eml")}
    box = parse_mailbox_url("imaps://support%40vendor.example:p%40ss%2Cword@imap.example.com/INBOX")

    first = poll_mailbox(box, client_class=FakeIMAP)
    server = FakeIMAP.servers["imap.example.com"]

    assert first == Counter({"ticket_opened": 1, "ignored_auto": 1})
    assert all(b"\\Seen" in flags for flags in server.flags.values())
    assert server.logged_out
    assert (
        InboundMessage.objects.filter(source__startswith="imap:support@vendor.example@").count()
        == 2
    )


def test_polling_can_move_processed_mail_and_never_doubles_it(world, settings, monkeypatch, clock):
    FakeIMAP.preload = {7: corpus("new_gmail_en.eml"), 8: corpus("new_gmail_en.eml")}
    settings.PACTO_IMAP_MAILBOXES = [
        "imap://support%40vendor.example:p%40ss%2Cword@mail.internal/INBOX?move_to=Done"
    ]
    monkeypatch.setattr(imapclient, "IMAPClient", FakeIMAP)
    out = io.StringIO()

    call_command("mail", "poll", "--once", stdout=out)

    assert FakeIMAP.servers["mail.internal"].moved == {7: "Done", 8: "Done"}
    assert "duplicate 1, ticket_opened 1" in out.getvalue()
    assert Ticket.objects.count() == 1
