"""Delivering the outbox to real servers on loopback: SMTP (aiosmtpd), webhooks and pagers
(an HTTP receiver); retries, backoff, dead letters, retry from the admin, preferences."""

import datetime as dt

import pytest
from django.utils import timezone

from pacto.accounts.actions import do_create_contact
from pacto.notifications import webhooks
from pacto.notifications.delivery import backoff, deliver_due
from pacto.notifications.models import NotificationPreference, Outbox, WebhookEndpoint
from pacto.notifications.outbox import enqueue
from pacto.testing import PASSWORD, SAO_PAULO
from pacto.tickets.actions import do_open_ticket, do_reply

OPENED = dt.datetime(2026, 1, 15, 10, 0, tzinfo=SAO_PAULO)


def open_ticket(contact, **kwargs):
    return do_open_ticket(
        contact, subject="Vault unreachable", body="It stopped working.", severity="low",
        type="question", now=OPENED, **kwargs,
    )  # fmt: skip


def later(seconds: float = 0) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def test_it_sends_each_row_once_with_a_stable_message_id_in_text_and_html(world, smtp):
    ticket = open_ticket(world.alice)
    row = Outbox.objects.get(kind="ticket_opened")

    assert deliver_due(later()) == {"sent": 1}
    assert deliver_due(later()) == {}

    [message] = smtp.handler.messages
    assert message["Message-ID"] == f"<outbox-{row.pk}@pacto.localhost>"
    assert message["To"] == "alice@azul.example"
    assert message["Subject"] == f"[#{ticket.pk}] We received your ticket: Vault unreachable"
    assert message["Auto-Submitted"] == "auto-generated"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert "Hello Alice Azul," in parts["text/plain"].get_payload(decode=True).decode()
    assert f"/tickets/{ticket.pk}/" in parts["text/html"].get_payload(decode=True).decode()
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (Outbox.State.SENT, 1, "")


def test_a_brazilian_portuguese_speaker_gets_portuguese(world, smtp):
    lucia = do_create_contact(
        organization=world.azul, email="lucia@azul.example", full_name="Lúcia", authorized=True,
        password=PASSWORD, language="pt-br", time_zone="America/Sao_Paulo",
    )  # fmt: skip
    ticket = open_ticket(lucia)
    deliver_due(later())

    [message] = smtp.handler.messages
    assert message["Subject"] == f"[#{ticket.pk}] Recebemos seu chamado: Vault unreachable"
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert "Olá, Lúcia," in text.get_payload(decode=True).decode()
    html = next(p for p in message.walk() if p.get_content_type() == "text/html")
    assert '<html lang="pt-br">' in html.get_payload(decode=True).decode()


def test_while_the_mail_server_is_down_rows_back_off_and_go_out_after_recovery(world, smtp):
    smtp.stop()
    open_ticket(world.alice)
    row = Outbox.objects.get(kind="ticket_opened")
    now = later()

    assert deliver_due(now) == {"retried": 1}
    row.refresh_from_db()
    assert row.attempts == 1
    assert "cannot connect to the mail server" in row.last_error
    assert row.next_attempt_at == now + backoff(1, row.pk)
    assert dt.timedelta(seconds=24) <= backoff(1, row.pk) <= dt.timedelta(seconds=36)
    assert deliver_due(now + dt.timedelta(seconds=10)) == {}  # not due again yet

    assert deliver_due(row.next_attempt_at) == {"retried": 1}
    row.refresh_from_db()
    assert 48 <= (backoff(2, row.pk).total_seconds()) <= 72

    smtp.start()
    assert deliver_due(row.next_attempt_at) == {"sent": 1}
    assert smtp.handler.message_ids() == [f"<outbox-{row.pk}@pacto.localhost>"]
    row.refresh_from_db()
    assert (row.state, row.attempts) == (Outbox.State.SENT, 3)


def test_a_row_that_keeps_failing_goes_dead_and_an_admin_retries_it(world, smtp, settings, client):
    from pacto.accounts.models import User

    settings.PACTO_OUTBOX_MAX_ATTEMPTS = 3
    smtp.stop()
    open_ticket(world.alice)
    row = Outbox.objects.get(kind="ticket_opened")
    now = later()
    outcomes = []
    for _ in range(3):
        outcomes.append(deliver_due(now))
        row.refresh_from_db()
        now = max(now, row.next_attempt_at)
    assert outcomes == [{"retried": 1}, {"retried": 1}, {"dead": 1}]
    assert row.state == Outbox.State.DEAD

    admin = User.objects.create_superuser("admin@vendor.example", PASSWORD)
    client.force_login(admin)
    listing = client.get("/admin/notifications/outbox/?state__exact=dead")
    assert listing.status_code == 200 and "ticket_opened" in listing.content.decode()
    response = client.post(
        "/admin/notifications/outbox/", {"action": "retry", "_selected_action": [row.pk]}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.state, row.attempts) == (Outbox.State.PENDING, 0)

    smtp.start()
    assert deliver_due(later()) == {"sent": 1}


def test_a_refused_recipient_is_dead_at_once(world, smtp):
    smtp.handler.refuse.add("alice@azul.example")
    open_ticket(world.alice)
    assert deliver_due(later()) == {"dead": 1}
    row = Outbox.objects.get(kind="ticket_opened")
    assert "recipient refused" in row.last_error


def test_an_organization_webhook_gets_signed_customer_events_only(world, receiver, smtp):
    endpoint = WebhookEndpoint.objects.create(
        organization=world.azul, url=f"{receiver.url}/hooks/pacto", secret="s3cret"
    )
    vendor = WebhookEndpoint.objects.create(url=f"{receiver.url}/vendor", secret="v3ndor")
    ticket = open_ticket(world.alice)
    with_warning = Outbox.objects.filter(ticket=ticket)
    from django.db import transaction

    with transaction.atomic():
        enqueue(kind="clock_warning", dedupe_key="w", recipients=[world.fiona], ticket=ticket)

    assert {
        (r.channel, r.kind, r.payload.get("endpoint"))
        for r in with_warning
        if r.channel == "webhook"
    } == {
        ("webhook", "ticket_opened", endpoint.pk),
        ("webhook", "ticket_opened", vendor.pk),
        ("webhook", "clock_warning", vendor.pk),
    }
    sent_at = later()
    assert deliver_due(sent_at)["sent"] == 5  # 2 emails, 3 webhooks

    [request] = [r for r in receiver.requests if r.path == "/hooks/pacto"]
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert webhooks.verify(
        "s3cret", headers["x-pacto-signature"], request.body, int(sent_at.timestamp())
    )
    assert not webhooks.verify(
        "wrong", headers["x-pacto-signature"], request.body, int(sent_at.timestamp())
    )
    assert not webhooks.verify(
        "s3cret", headers["x-pacto-signature"], request.body, int(sent_at.timestamp()) + 3600
    )
    assert headers["x-pacto-event"] == "ticket_opened"
    assert headers["x-pacto-timestamp"] == str(int(sent_at.timestamp()))
    body = request.json()
    assert body["kind"] == "ticket_opened"
    assert body["data"]["ticket"] == ticket.pk
    assert body["id"] == int(headers["x-pacto-delivery"])


def test_a_failing_webhook_is_retried_and_a_gone_one_is_dead(world, receiver):
    WebhookEndpoint.objects.create(organization=world.azul, url=f"{receiver.url}/a", secret="x")
    receiver.statuses = [503]
    open_ticket(world.alice)
    now = later()
    counts = deliver_due(now)
    assert counts["retried"] == 1
    row = Outbox.objects.get(channel="webhook")
    assert "503" in row.last_error
    assert deliver_due(row.next_attempt_at) == {"sent": 1}
    assert len(receiver.requests) == 2

    receiver.statuses = [410, 410]
    do_reply(world.alice, open_ticket(world.alice), "more", now=OPENED + dt.timedelta(hours=1))
    counts = deliver_due(later())
    assert counts["dead"] == 2  # the new ticket_opened and customer_reply deliveries


@pytest.fixture
def rotation(world):
    from pacto.automation.models import OnCallRotation, RotationMember

    primary = OnCallRotation.objects.create(name="Primary", starts_on=dt.date(2026, 1, 12))
    RotationMember.objects.create(rotation=primary, user=world.fiona, position=0)
    return primary


def page_ticket(world):
    ticket = do_open_ticket(
        world.alice, subject="Vault down", body="Nobody can log in.", severity="urgent",
        type="question", now=OPENED,
    )  # fmt: skip
    return Outbox.objects.get(ticket=ticket, kind="page")


def test_a_page_goes_to_pagerduty_as_an_events_v2_trigger(world, rotation, receiver, settings):
    settings.PACTO_PAGERDUTY_ROUTING_KEY = "R0UT1NGKEY"
    settings.PACTO_PAGERDUTY_URL = f"{receiver.url}/v2/enqueue"
    row = page_ticket(world)
    deliver_due(later())

    [request] = [r for r in receiver.requests if r.path == "/v2/enqueue"]
    event = request.json()
    assert event["routing_key"] == "R0UT1NGKEY"
    assert event["event_action"] == "trigger"
    assert event["dedup_key"] == f"pacto-outbox-{row.pk}"
    assert event["payload"]["severity"] == "critical"
    assert event["payload"]["source"] == "pacto.localhost"
    assert event["payload"]["summary"].startswith(
        f"PAGE [#{row.ticket_id}] Urgent"
    )  # the severity as the policy names it
    assert event["payload"]["custom_details"]["engineer"] == "fiona@vendor.example"
    assert event["links"][0]["href"] == row.payload["ack_url"]
    row.refresh_from_db()
    assert row.state == Outbox.State.SENT


def test_a_page_goes_to_a_generic_signed_webhook(world, rotation, receiver, settings):
    settings.PACTO_PAGER_WEBHOOK_URL = f"{receiver.url}/pager"
    settings.PACTO_PAGER_WEBHOOK_SECRET = "pag3r"
    row = page_ticket(world)
    now = later()
    deliver_due(now)

    [request] = [r for r in receiver.requests if r.path == "/pager"]
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert webhooks.verify(
        "pag3r", headers["x-pacto-signature"], request.body, int(now.timestamp())
    )
    assert request.json()["ack_url"] == row.payload["ack_url"]
    assert request.json()["engineer"] == "fiona@vendor.example"


def test_without_a_pager_a_page_is_an_email(world, rotation, smtp):
    row = page_ticket(world)
    deliver_due(later())
    [message] = [m for m in smtp.handler.messages if m["To"] == "fiona@vendor.example"]
    assert message["Subject"].startswith("PAGE [#")
    assert message["Message-ID"] == f"<outbox-{row.pk}@pacto.localhost>"
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert row.payload["ack_url"] in text.get_payload(decode=True).decode()


def test_preferences_choose_channels_per_person_then_per_organization(world):
    from django.db import transaction

    NotificationPreference.objects.create(user=world.alice, kind="agent_reply", email=False)
    NotificationPreference.objects.create(organization=world.azul, kind="*", email=True, pager=True)
    NotificationPreference.objects.create(user=world.fiona, kind="clock_warning", pager=True)

    def channels(kind, user):
        with transaction.atomic():
            rows = enqueue(kind=kind, dedupe_key=f"k-{kind}-{user.pk}", recipients=[user])
        return sorted(r.channel for r in rows)

    assert channels("agent_reply", world.alice) == []
    assert channels("status_changed", world.alice) == ["email", "pager"]  # organization's
    assert channels("status_changed", world.amelia) == ["email", "pager"]
    assert channels("clock_warning", world.fiona) == ["email", "pager"]
    assert channels("ticket_assigned", world.fiona) == ["email"]  # the default
    assert channels("status_changed", world.carol) == ["email"]


def test_the_doorbell_delivers_as_soon_as_the_change_commits(
    world, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.PACTO_OUTBOX_DOORBELL = True
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        open_ticket(world.alice)
    assert len(callbacks) == 1  # one doorbell per transaction, however many rows
    assert [m.to for m in mailoutbox] == [["alice@azul.example"]]
    assert Outbox.objects.get().state == Outbox.State.SENT
