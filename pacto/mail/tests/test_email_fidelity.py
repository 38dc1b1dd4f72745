"""An emailed ticket's severity comes from what the customer wrote and the mail's priority,
and a refused attachment is never dropped silently."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from pacto.mail.fields import severity_from_headers, severity_words_in_subject
from pacto.mail.tests.conftest import email, ingest
from pacto.notifications.models import Outbox
from pacto.notifications.render import build_email
from pacto.sla.policy import preset


@pytest.mark.parametrize(
    ("name", "subject", "severity"),
    [
        ("senhasegura", "URGENT: vault down for everyone", "urgent"),
        ("senhasegura", "C1 cofre fora do ar", "urgent"),
        ("senhasegura", "Cofre crítico: ninguém entra", "urgent"),
        ("senhasegura", "Problema de prioridade alta no login", "high"),
        ("secpod", "sev1 - agents offline", "critical"),
        ("secpod", "Agentes offline, crítico", "critical"),
        ("xecuritas", "Sev1: mail service disruption", "sev1"),
        ("xecuritas", "Severity-2 slow scans", "sev2"),
        ("allure", "Severity 3: report layout", "sev3"),
        ("andmoney", "Highest: sync stopped", "highest"),
    ],
)
def test_the_words_a_customer_writes_in_the_subject_name_the_severity(name, subject, severity):
    found = severity_words_in_subject(preset(name), subject)
    assert found is not None and found[0] == severity


@pytest.mark.parametrize(
    "subject",
    ["Vault search fails", "Upgrade to version 3 fails", "Urgent or low? login is slow"],
)
def test_a_subject_naming_no_severity_or_several_names_none(subject):
    assert severity_words_in_subject(preset("senhasegura"), subject) is None


@pytest.mark.parametrize(
    ("headers", "severity"),
    [
        ({"x-priority": "1 (Highest)"}, "high"),
        ({"importance": "High"}, "high"),
        ({"priority": "urgent"}, "high"),
        ({"x-priority": "5 (Lowest)"}, "low"),
        ({"importance": "low"}, "low"),
        ({"x-priority": "3 (Normal)"}, None),
    ],
)
def test_standard_priority_headers_propose_a_severity_but_never_the_paging_one(headers, severity):
    found = severity_from_headers(preset("senhasegura"), headers.get)
    assert (found[0] if found else None) == severity


def ack(record) -> Outbox:
    return Outbox.objects.get(ticket=record.ticket, kind="ticket_opened")


def test_an_emailed_urgent_subject_opens_an_urgent_ticket_and_the_ack_says_why(world):
    record = ingest(email(subject="URGENT - cofre fora do ar", message_id="<u1@azul.example>"))

    assert record.ticket.severity == "urgent"
    row = ack(record)
    assert (row.payload["severity_source"], row.payload["severity_evidence"]) == (
        "subject", "urgent",
    )  # fmt: skip
    assert "Severity taken from: the subject (urgent)" in build_email(row).body


def test_a_priority_header_is_taken_when_the_words_say_nothing(world):
    record = ingest(
        email(subject="Login slow", message_id="<h1@azul.example>", headers={"Importance": "High"})
    )
    assert record.ticket.severity == "high"
    assert ack(record).payload["severity_source"] == "header"


def test_the_policy_default_applies_only_when_nothing_says_otherwise(world):
    record = ingest(email(subject="Vault search fails", message_id="<d1@azul.example>"))
    assert record.ticket.severity == "medium"  # senhasegura's default for email
    body = build_email(ack(record)).body
    assert "the policy's default for email: nothing in the email named a severity" in body


def test_a_portuguese_customer_reads_why_in_portuguese(world):
    world.alice.language = "pt-br"
    world.alice.save(update_fields=["language"])
    record = ingest(email(subject="Cofre crítico", message_id="<pt1@azul.example>"))
    assert record.ticket.severity == "urgent"
    assert "Criticidade definida por: o assunto (crítico)" in build_email(ack(record)).body


# ----------------------------------------------------------------------------- attachments


def with_files(files: list[tuple[str, bytes]], message_id: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Alice Azul <alice@azul.example>"
    message["To"] = "support@pacto.localhost"
    message["Subject"] = "Vault search fails"
    message["Message-ID"] = message_id
    message["Date"] = "Thu, 15 Jan 2026 10:00:00 -0300"
    message.set_content("Logs attached.")
    for name, data in files:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def test_a_refused_attachment_is_told_to_the_sender_and_shown_to_the_agent(world, settings):
    settings.PACTO_ATTACHMENT_MAX_BYTES = 2_000_000
    files = [("vault.log", b"ok " * 100), ("tool.exe", b"MZ" * 100), ("dump.zip", b"0" * 2_100_000)]

    record = ingest(with_files(files, "<att1@azul.example>"))

    ticket = record.ticket
    assert list(ticket.attachments.values_list("name", flat=True)) == ["vault.log"]
    told = Outbox.objects.get(ticket=ticket, kind="attachments_refused")
    assert told.recipient == "alice@azul.example"
    assert [(r["name"], r["rule"]) for r in told.payload["refused"]] == [
        ("tool.exe", "allowed_type"), ("dump.zip", "max_size"),
    ]  # fmt: skip
    text = build_email(told).body
    assert "tool.exe: this file type is not accepted" in text
    assert "dump.zip: larger than the 2 MB limit" in text
    note = ticket.messages.get(public=False)
    assert "tool.exe" in note.body_text and "dump.zip" in note.body_text
