"""The email channel's test setup: fixed addresses, attachments in a temporary folder, the
corpus of real-world-shaped messages, and alice's ticket opened by email."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pacto.mail.ingest import ingest_message
from pacto.mail.models import InboundMessage

CORPUS = Path(__file__).parent / "mail_corpus"
# Thursday 15 January 2026, 10:00 in São Paulo: business hours on every preset's calendar.
NOW = dt.datetime(2026, 1, 15, 13, 0, tzinfo=dt.UTC)
BASE_ID = "<base-0001@azul.example>"


@pytest.fixture(autouse=True)
def mail_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PACTO_EMAIL_DOMAIN = "pacto.localhost"
    settings.PACTO_SUPPORT_ADDRESS = "support@pacto.localhost"
    settings.DEFAULT_FROM_EMAIL = "Pacto <support@pacto.localhost>"
    settings.PACTO_BASE_URL = "https://desk.pacto.localhost"
    settings.PACTO_INBOUND_MAIL_SECRET = "inbound-secret"
    settings.PACTO_MAIL_SENDER_RATE = "10/hour"
    settings.PACTO_OUTBOX_DOORBELL = False
    return settings


@pytest.fixture(autouse=True)
def _frozen(clock):
    """Every email test runs at ``NOW`` (the webhook and the commands read the clock) unless
    it moves the root ``clock`` fixture: the named world's 2026 contracts stay in force."""
    assert clock() == NOW


def corpus(name: str, **values) -> bytes:
    """A corpus message with its ``%NAME%`` placeholders filled in."""
    raw = (CORPUS / name).read_bytes()
    for key, value in values.items():
        raw = raw.replace(f"%{key.upper()}%".encode(), str(value).encode())
    return raw


def email(
    *,
    sender: str = "Alice Azul <alice@azul.example>",
    subject: str = "Vault search fails",
    body: str = "The vault search returns error 500.",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """A small plain-text message; extra ``headers`` are added as given."""
    lines = [
        f"From: {sender}",
        "To: support@pacto.localhost",
        f"Subject: {subject}",
        "Date: Thu, 15 Jan 2026 10:00:00 -0300",
    ]
    if message_id:
        lines.append(f"Message-ID: {message_id}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", body, ""]
    return "\r\n".join(lines).encode()


def ingest(raw: bytes, now: dt.datetime = NOW, source: str = "test") -> InboundMessage:
    return ingest_message(raw, now=now, source=source)


@pytest.fixture
def alice_ticket(world):
    """Alice's ticket, opened by email with Message-ID ``BASE_ID``."""
    record = ingest(email(message_id=BASE_ID))
    assert record.outcome == "ticket_opened", record.detail
    return record.ticket
