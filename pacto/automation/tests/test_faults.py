"""Fault injection: real worker processes killed with SIGKILL at random points, and two
workers at once. Nothing may be lost; escalations may not repeat; emails are counted by
Message-ID at a real SMTP server (aiosmtpd, in its own process).

SMTP is at-least-once: a worker killed after the server accepted a message and before it
recorded the row as sent leaves the row claimed; when the claim's lease runs out another
worker sends it again (with the same Message-ID). The test measures how
often that happens and reports it; it asserts that nothing is lost, that a duplicate can
only come from a kill (at most one per kill), and that every duplicate carries its row's
Message-ID, so a receiver can drop it.

The workers are forked from the test process (a fork costs milliseconds; a fresh Django
process seconds), so the test database must be shared: PostgreSQL as it is, SQLite through
a file copy of the in-memory test database.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connections, transaction
from django.utils import timezone

from pacto.automation import sweeps
from pacto.automation.models import ClockAlert
from pacto.notifications.delivery import deliver_due
from pacto.notifications.models import Outbox
from pacto.notifications.outbox import enqueue
from pacto.notifications.tests.servers import free_port
from pacto.tickets.models import SlaClock, TicketEvent

KILLS = 55
LEASE = 0.5  # seconds a worker holds a row it sends (PACTO_OUTBOX_LEASE_SECONDS)
NEW_YORK = ZoneInfo("America/New_York")


@contextmanager
def shared_database(tmp_path: Path):
    """Let forked processes see the test database: on SQLite, move it to a file for the
    duration (the in-memory one cannot be shared); on PostgreSQL, nothing to do."""
    connection = connections["default"]
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    path = tmp_path / "shared.sqlite3"
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    memory, name = connection.connection, connection.settings_dict["NAME"]
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


def fork(target, *args) -> int:
    """Run ``target(*args)`` in a child process with its own database connection."""
    connections.close_all()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            target(*args)
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    return pid


def wait(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return status


@pytest.fixture
def smtp_recorder(tmp_path, settings):
    """An aiosmtpd server in another process (a thread here would be unsafe to fork) that
    writes each accepted message's Message-ID to a file before answering 250."""
    port = free_port()
    record = tmp_path / "received.txt"
    record.touch()
    process = subprocess.Popen(
        [sys.executable, "-m", "pacto.notifications.tests.servers", "smtp", str(port), str(record)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "ready"
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    yield record
    process.kill()
    process.wait()


def received(record: Path) -> list[str]:
    return [line for line in record.read_text().splitlines() if line]


def add_rows(ticket, count: int, batch: int) -> None:
    with transaction.atomic():
        enqueue(
            kind="status_changed",
            dedupe_key=f"fault:{batch}",
            recipients=[f"reader{i}@customer.example" for i in range(count)],
            ticket=ticket,
            payload={"ticket": ticket.pk, "subject": ticket.subject, "status": "Open"},
        )


def deliver_forever() -> None:
    while True:
        if not deliver_due(timezone.now(), limit=20):
            time.sleep(0.01)


def sweep_and_deliver(now: dt.datetime) -> None:
    while True:
        sweeps.sweep_clocks(now)
        if not deliver_due(timezone.now(), limit=20):
            time.sleep(0.01)


def drain(now: dt.datetime | None = None) -> None:
    if now is not None:
        sweeps.sweep_clocks(now)
    while deliver_due(timezone.now(), limit=200):
        pass


def report(name: str, **figures) -> None:
    line = ", ".join(f"{k}={v}" for k, v in figures.items())
    print(f"\n[fault] {name}: {line}")


def email_figures(record: Path) -> dict:
    ids = received(record)
    emails = Outbox.objects.filter(channel="email").values_list("pk", flat=True)
    rows = {f"<outbox-{pk}@pacto.localhost>" for pk in emails}
    unique = set(ids)
    return {
        "rows": len(rows),
        "lost": len(rows - unique),
        "duplicated": len(ids) - len(unique),
        "strangers": len(unique - rows),
        "pending": Outbox.objects.exclude(state=Outbox.State.SENT).count(),
    }


def test_killing_the_delivering_worker_loses_nothing(
    world, desk, transactional_db, tmp_path, smtp_recorder, settings
):
    settings.PACTO_OUTBOX_LEASE_SECONDS = LEASE  # a killed worker's rows come back soon
    ticket = desk.open(world.alice, "low", dt.datetime(2026, 1, 15, 10, 0, tzinfo=NEW_YORK))
    Outbox.objects.all().delete()
    rng = random.Random(20260115)
    kills = early_exits = batch = 0
    started = time.monotonic()
    with shared_database(tmp_path):
        add_rows(ticket, 150, batch)
        while kills < KILLS:
            if not Outbox.objects.filter(state=Outbox.State.PENDING).exists():
                batch += 1
                add_rows(ticket, 150, batch)
            pid = fork(deliver_forever)
            time.sleep(rng.uniform(0.02, 0.3))
            os.kill(pid, signal.SIGKILL)
            status = wait(pid)
            if os.WIFSIGNALED(status):
                kills += 1
            else:
                early_exits += 1
        sent_under_kills = len(set(received(smtp_recorder)))
        time.sleep(LEASE)  # the last killed worker's row is due again
        wait(fork(drain))
        figures = email_figures(smtp_recorder)
    figures.update(
        kills=kills,
        early_exits=early_exits,
        sent_under_kills=sent_under_kills,
        seconds=round(time.monotonic() - started, 1),
    )
    report("delivery", **figures)
    assert figures["rows"] >= 150
    assert figures["lost"] == 0
    assert figures["pending"] == 0
    assert figures["strangers"] == 0
    assert figures["duplicated"] <= kills  # a kill can repeat at most the one row in flight


def escalating_tickets(desk, world, count: int):
    """``count`` Allure severity-1 tickets whose one-hour first response is missed: each
    breach escalates (the level; the line stays first: Allure moves to Second Line when
    first line cannot diagnose, not on a missed time) and notifies the support manager."""
    contact = desk.customer("allure")
    opened = dt.datetime(2026, 1, 15, 9, 0, tzinfo=NEW_YORK)
    tickets = [desk.open(contact, "sev1", opened, subject=f"outage {i}") for i in range(count)]
    Outbox.objects.all().delete()
    return tickets, opened + dt.timedelta(hours=2)


def assert_escalated_once(tickets) -> None:
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.escalation_level == 1, ticket
        assert ticket.support_line == "first"
    events = TicketEvent.objects.filter(ticket__in=tickets)
    assert events.filter(kind=TicketEvent.Kind.ESCALATED).count() == len(tickets)
    assert events.filter(kind=TicketEvent.Kind.CLOCK_BREACHED).count() == len(tickets)
    assert ClockAlert.objects.filter(ticket__in=tickets).count() == len(tickets)
    assert not SlaClock.objects.filter(ticket__in=tickets, next_check_at__isnull=False).exists()
    escalations = Outbox.objects.filter(kind="ticket_escalated")
    # Unassigned: the support manager (maria) hears of each.
    assert escalations.count() == len(tickets)


def test_killing_the_sweeping_worker_escalates_each_breach_exactly_once(
    world, desk, transactional_db, tmp_path, smtp_recorder, monkeypatch, settings
):
    settings.PACTO_OUTBOX_LEASE_SECONDS = LEASE
    monkeypatch.setattr(sweeps, "CHUNK", 10)  # commit often, so kills land at every stage
    tickets, now = escalating_tickets(desk, world, 120)
    rng = random.Random(20260116)
    kills = 0
    started = time.monotonic()
    with shared_database(tmp_path):
        while kills < KILLS // 2:
            pid = fork(sweep_and_deliver, now)
            time.sleep(rng.uniform(0.05, 0.8))
            os.kill(pid, signal.SIGKILL)
            kills += os.WIFSIGNALED(wait(pid))
        before_drain = {
            "escalated_under_kills": TicketEvent.objects.filter(
                kind=TicketEvent.Kind.ESCALATED
            ).count(),
            "emails_under_kills": len(received(smtp_recorder)),
        }
        time.sleep(LEASE)
        wait(fork(drain, now))
        assert_escalated_once(tickets)
        figures = email_figures(smtp_recorder)
    figures.update(kills=kills, seconds=round(time.monotonic() - started, 1), **before_drain)
    report("sweeps", tickets=len(tickets), **figures)
    assert figures["lost"] == 0 and figures["pending"] == 0
    assert figures["duplicated"] <= kills


def test_two_workers_at_once_escalate_each_breach_once_and_send_each_email_once(
    world, desk, transactional_db, tmp_path, smtp_recorder
):
    tickets, now = escalating_tickets(desk, world, 120)
    with shared_database(tmp_path):
        first, second = fork(drain, now), fork(drain, now)
        assert os.WEXITSTATUS(wait(first)) == 0
        assert os.WEXITSTATUS(wait(second)) == 0
        assert_escalated_once(tickets)
        figures = email_figures(smtp_recorder)
    report("two workers", tickets=len(tickets), **figures)
    assert figures == {**figures, "lost": 0, "duplicated": 0, "pending": 0, "strangers": 0}
