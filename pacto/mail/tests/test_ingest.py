"""Ingestion rules: once per Message-ID, no loops, storms stopped, replies thread only for
people who may see the ticket, refusals answered once, errors kept and retried."""

from __future__ import annotations

import datetime as dt
import io
import sys
import threading
import time

import pytest
from django.core.management import call_command

from pacto.accounts.actions import do_create_contact, do_create_organization
from pacto.contracts.actions import do_create_contract, preset_version
from pacto.mail import ingest as ingest_module
from pacto.mail.models import InboundMessage, TicketMailId
from pacto.mail.tests.conftest import BASE_ID, NOW, corpus, email, ingest
from pacto.notifications.models import Outbox
from pacto.tickets.actions import do_change_status
from pacto.tickets.models import Ticket


def test_it_opens_one_ticket_when_the_same_message_arrives_twice(world):
    raw = email(message_id="<twice@azul.example>")

    first = ingest(raw)
    second = ingest(raw, now=NOW + dt.timedelta(minutes=5), source="imap:other")

    assert (first.outcome, second.outcome) == ("ticket_opened", "duplicate")
    assert second.duplicate_of == first and second.ticket == first.ticket
    assert Ticket.objects.count() == 1
    assert Outbox.objects.filter(kind="ticket_opened").count() == 1


def test_it_adds_one_reply_when_a_reply_arrives_twice(alice_ticket):
    raw = email(subject="Re: x", body="It works again.", message_id="<r1@azul.example>",
                headers={"In-Reply-To": BASE_ID})  # fmt: skip

    outcomes = [ingest(raw).outcome for _ in range(3)]

    assert outcomes == ["reply_added", "duplicate", "duplicate"]
    assert alice_ticket.messages.count() == 2


def test_it_knows_a_message_without_message_id_by_its_bytes(world):
    raw = email()  # no Message-ID header

    outcomes = [ingest(raw).outcome, ingest(raw).outcome]

    assert outcomes == ["ticket_opened", "duplicate"]
    assert InboundMessage.objects.filter(synthetic_id=True).count() == 2


def test_it_asks_for_the_missing_details_in_the_acknowledgement(world):
    vague = ingest(email(message_id="<vague@azul.example>"))
    detailed = ingest(corpus("new_outlook_pt_form.eml"))

    vague_ack = Outbox.objects.get(ticket=vague.ticket, kind="ticket_opened")
    detailed_ack = Outbox.objects.get(ticket=detailed.ticket, kind="ticket_opened")
    assert {"steps", "version", "expected_result"} <= set(vague_ack.payload["missing_details"])
    assert detailed_ack.payload["missing_details"] == []


def test_it_never_answers_an_auto_reply_storm(alice_ticket):
    outbox_before = Outbox.objects.count()

    for n in range(30):
        ingest(
            email(subject="Out of office", message_id=f"<ooo-{n}@azul.example>",
                  headers={"Auto-Submitted": "auto-replied", "In-Reply-To": BASE_ID}),
            now=NOW + dt.timedelta(seconds=n),
        )  # fmt: skip

    assert InboundMessage.objects.filter(outcome="ignored_auto").count() == 30
    assert Outbox.objects.count() == outbox_before
    assert alice_ticket.messages.count() == 1 and Ticket.objects.count() == 1


def test_it_stops_a_storm_from_one_sender_and_answers_it_once(world):
    outcomes = [
        ingest(
            email(sender="robot@elsewhere.example", message_id=f"<storm-{n}@elsewhere.example>"),
            now=NOW + dt.timedelta(seconds=n),
        ).outcome
        for n in range(14)
    ]

    assert outcomes == ["refused_unauthorized"] * 10 + ["rate_limited"] * 4
    assert Outbox.objects.filter(kind="mail_refused").count() == 1
    later = ingest(
        email(sender="robot@elsewhere.example", message_id="<storm-later@elsewhere.example>"),
        now=NOW + dt.timedelta(hours=1, seconds=30),
    )
    assert later.outcome == "refused_unauthorized"


def test_the_rate_limit_also_holds_for_authorized_contacts(world, settings):
    settings.PACTO_MAIL_SENDER_RATE = "3/10min"

    outcomes = [
        ingest(
            email(message_id=f"<burst-{n}@azul.example>"), now=NOW + dt.timedelta(seconds=n)
        ).outcome
        for n in range(4)
    ]

    assert outcomes == ["ticket_opened"] * 3 + ["rate_limited"]
    assert Ticket.objects.count() == 3


def test_it_answers_a_stranger_once_a_day(world):
    for n, when in enumerate([NOW, NOW + dt.timedelta(hours=2), NOW + dt.timedelta(days=1)]):
        ingest(email(sender="someone@elsewhere.example", message_id=f"<s-{n}@x.example>"), now=when)

    refusals = Outbox.objects.filter(kind="mail_refused", recipient="someone@elsewhere.example")
    assert refusals.count() == 2
    assert refusals.first().payload["in_reply_to"] == "<s-0@x.example>"


def test_it_does_not_answer_no_reply_senders(world):
    record = ingest(email(sender="noreply@elsewhere.example", message_id="<nr@x.example>"))

    assert record.outcome == "refused_unauthorized"
    assert not Outbox.objects.filter(kind="mail_refused").exists()


def test_a_bounce_is_logged_on_its_ticket_and_never_answered(alice_ticket):
    ack = Outbox.objects.get(ticket=alice_ticket, kind="ticket_opened")
    outbox_before = Outbox.objects.count()

    record = ingest(corpus("ignored_bounce_dsn.eml", ticket=alice_ticket.pk, outbox=ack.pk))

    assert record.outcome == "ignored_auto" and "bounce" in record.detail
    assert record.ticket == alice_ticket
    assert Outbox.objects.count() == outbox_before


def test_a_customer_reply_resumes_a_ticket_waiting_on_the_customer(world, alice_ticket):
    do_change_status(world.fiona, alice_ticket, "waiting-on-customer", reason="need logs",
                     details_requested=True, now=NOW + dt.timedelta(minutes=10))  # fmt: skip

    record = ingest(
        email(subject="Re: logs", body="Logs attached below.", message_id="<logs@azul.example>",
              headers={"In-Reply-To": BASE_ID}),
        now=NOW + dt.timedelta(hours=1),
    )  # fmt: skip

    alice_ticket.refresh_from_db()
    assert record.outcome == "reply_added"
    assert alice_ticket.status_category == "open" and not alice_ticket.details_requested


def test_an_answer_to_a_closed_ticket_opens_a_new_one(world, alice_ticket):
    for status in ("solved", "closed"):
        do_change_status(world.fiona, alice_ticket, status, reason="done", now=NOW)

    record = ingest(
        email(subject=f"Re: [#{alice_ticket.pk}] Vault", body="It is back.",
              message_id="<back@azul.example>", headers={"In-Reply-To": BASE_ID}),
        now=NOW + dt.timedelta(days=2),
    )  # fmt: skip

    assert record.outcome == "ticket_opened" and record.ticket != alice_ticket
    assert f"answers ticket #{alice_ticket.pk}" in record.ticket.messages.get().body_text


def test_only_people_who_see_the_ticket_can_reply_to_it(world, alice_ticket):
    reply = {"subject": "Re: x", "headers": {"In-Reply-To": BASE_ID}}

    carol = ingest(email(sender="carol@verde.example", message_id="<c@v.example>", **reply))
    amelia = ingest(email(sender="amelia@azul.example", message_id="<a@azul.example>", **reply))

    assert carol.outcome == "refused_unauthorized" and carol.ticket is None
    assert "do not have access" in Outbox.objects.get(kind="mail_refused").payload["reason"]
    assert amelia.outcome == "reply_added" and amelia.ticket == alice_ticket
    assert alice_ticket.messages.count() == 2


def test_an_agent_can_answer_by_email(world, alice_ticket):
    record = ingest(
        email(sender="fiona@vendor.example", subject="Re: x", body="Please restart it.",
              message_id="<fiona@vendor.example>", headers={"In-Reply-To": BASE_ID}),
    )  # fmt: skip

    assert record.outcome == "reply_added"
    assert alice_ticket.events.filter(kind="agent_reply").exists()
    assert Outbox.objects.filter(ticket=alice_ticket, kind="agent_reply").exists()


def test_a_wrong_reply_token_does_not_thread(alice_ticket):
    raw = email(subject="Anything", message_id="<tok@azul.example>")
    raw = raw.replace(
        b"To: support@pacto.localhost",
        f"To: support+t{alice_ticket.pk}-aaaaaaaaaaaa@pacto.localhost".encode(),
    )

    record = ingest(raw)

    assert record.outcome == "ticket_opened" and record.ticket != alice_ticket


def test_a_policy_without_email_refuses_politely(world):
    org = do_create_organization(name="Andmoney Client", kind="customer")
    do_create_contract(
        organization=org,
        service_contract_id="AM-1",
        plan="standard",
        policy_version=preset_version("andmoney"),
        starts_on=dt.date(2026, 1, 1),
    )
    do_create_contact(organization=org, email="dora@andmoney.example", full_name="Dora",
                      authorized=True, language="pt-br")  # fmt: skip

    record = ingest(email(sender="dora@andmoney.example", message_id="<dora@am.example>"))

    assert record.outcome == "refused_policy"
    refusal = Outbox.objects.get(kind="mail_refused")
    assert refusal.payload["reason"].startswith("Sua política de suporte não aceita")


def test_it_records_an_error_and_processes_the_message_when_it_comes_again(world, monkeypatch):
    raw = email(message_id="<flaky@azul.example>")
    original = ingest_module._open_ticket

    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(ingest_module, "_open_ticket", broken)
    failed = ingest(raw)
    monkeypatch.setattr(ingest_module, "_open_ticket", original)
    retried = ingest(raw, now=NOW + dt.timedelta(minutes=1))

    assert failed.outcome == "error" and "database hiccup" in failed.detail and failed.raw
    assert retried.pk == failed.pk and retried.outcome == "ticket_opened"
    assert Ticket.objects.count() == 1


def test_with_a_trusted_mail_server_a_forged_sender_is_refused_unanswered(world, settings):
    settings.PACTO_MAIL_TRUSTED_AUTHSERV_ID = "mx.vendor.example"
    results = {
        "forged": "mx.vendor.example; dmarc=fail header.from=azul.example;"
        " spf=pass smtp.mailfrom=evil.example",
        "lying": "evil.example; dmarc=pass header.from=azul.example",
        "genuine": "mx.vendor.example; dkim=pass header.d=azul.example header.s=s1; spf=none",
    }

    outcomes = {
        name: ingest(email(message_id=f"<{name}@azul.example>",
                           headers={"Authentication-Results": value})).outcome
        for name, value in results.items()
    }  # fmt: skip

    assert outcomes == {
        "forged": "refused_unauthorized", "lying": "refused_unauthorized", "genuine": "ticket_opened",
    }  # fmt: skip
    assert not Outbox.objects.filter(kind="mail_refused").exists()


def test_it_remembers_message_ids_for_threading(alice_ticket):
    assert TicketMailId.objects.filter(message_id=BASE_ID, ticket=alice_ticket).exists()


def test_the_ingest_command_reads_stdin_and_prints_the_outcome(world, monkeypatch):
    raw = corpus("new_gmail_en.eml")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()

    call_command("mail", "ingest", stdout=out)

    ticket = Ticket.objects.get()
    assert out.getvalue().startswith(f"ticket_opened #{ticket.pk} <CAH7x9kQ1=new-gmail-en@")
    assert InboundMessage.objects.get().source == "cli"


@pytest.mark.parametrize("rate", ["10/hour", "5/15min", "100/day", "3/s"])
def test_sender_rates_read_as_count_and_period(settings, rate):
    settings.PACTO_MAIL_SENDER_RATE = rate
    count, period = ingest_module.sender_rate()
    assert count == int(rate.split("/")[0]) and period.total_seconds() > 0


@pytest.mark.postgres
def test_two_workers_delivering_one_message_at_once_open_one_ticket(
    transactional_db, world, monkeypatch
):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    raw = email(message_id="<race@azul.example>")
    start = threading.Barrier(2)
    process = ingest_module._process

    def slow_process(*args):  # both claims overlap: the second waits on the first's row
        time.sleep(0.3)
        return process(*args)

    monkeypatch.setattr(ingest_module, "_process", slow_process)

    def deliver(_):
        try:
            start.wait()
            return ingest(raw).outcome
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(deliver, range(2)))

    assert outcomes == ["duplicate", "ticket_opened"]
    assert Ticket.objects.count() == 1
    assert Outbox.objects.filter(kind="ticket_opened").count() == 1
