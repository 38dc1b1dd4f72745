"""Delivering the outbox: claim a due row, send it, record the outcome, in one transaction.

Exactly-once as far as Pacto can make it (the README's design notes):

- a row is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) inside a
  transaction, sent while that transaction holds it, and marked sent in the same
  transaction right after the server accepted it; a second worker skips it, and a worker
  killed before the commit leaves it pending, so nothing is lost;
- SMTP (like any network protocol) is still at-least-once: a worker killed after the
  server accepted a message and before the commit sends it again. The window is a few
  milliseconds (nothing but the UPDATE and the COMMIT happen inside it), and the resend
  carries the row's stable Message-ID (webhooks: ``X-Pacto-Delivery``; PagerDuty:
  ``dedup_key``), so receivers drop the duplicate;
- network connects happen before the transaction starts where possible (the SMTP
  connection is opened once per batch), so a hung mail server never holds a row lock or,
  on SQLite, the write lock.

Failures are retried with exponential backoff; after ``PACTO_OUTBOX_MAX_ATTEMPTS`` tries (or
at once for a permanent failure: a refused recipient, a 4xx from a webhook) the row is dead,
shown in the admin with its last error, and can be retried from there.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import smtplib
from collections import Counter

from django.conf import settings
from django.core.mail import mailers
from django.db import transaction

from pacto.notifications import pager, render, webhooks
from pacto.notifications.models import Outbox, WebhookEndpoint
from pacto.notifications.webhooks import DeliveryError

log = logging.getLogger(__name__)


def backoff(attempts: int, row_id: int) -> dt.timedelta:
    """Delay before the next try after ``attempts`` failed ones: doubling from
    ``PACTO_OUTBOX_BACKOFF_SECONDS`` up to an hour, with ±20 % jitter (fixed per row and
    attempt, so workers do not retry in lockstep and tests can predict it)."""
    base = settings.PACTO_OUTBOX_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    jitter = random.Random(row_id * 1009 + attempts).uniform(0.8, 1.2)
    return dt.timedelta(seconds=min(base, 3600) * jitter)


def _uses_smtp(row: Outbox) -> bool:
    return row.channel == Outbox.Channel.EMAIL or (
        row.channel == Outbox.Channel.PAGER and pager.transport() == "email"
    )


def _due(now: dt.datetime):
    return Outbox.objects.filter(state=Outbox.State.PENDING, next_attempt_at__lte=now)


def _claim(now: dt.datetime, skip_channels: set[str]) -> Outbox | None:
    rows = _due(now).select_for_update(skip_locked=True, of=("self",))
    if skip_channels:
        rows = rows.exclude(channel__in=skip_channels)
    return rows.select_related("recipient_user").order_by("next_attempt_at", "id").first()


def deliver_due(now: dt.datetime, *, limit: int = 500) -> dict[str, int]:
    """Send up to ``limit`` due rows; returns counts of sent, retried and dead rows."""
    counts: Counter[str] = Counter()
    connection = None
    skip: set[str] = set()
    if _due(now).filter(channel__in=[Outbox.Channel.EMAIL, Outbox.Channel.PAGER]).exists():
        connection = mailers.default
        try:
            connection.open()
        except (OSError, smtplib.SMTPException) as exc:
            connection = None
            counts.update(_fail_email_rows(now, f"cannot connect to the mail server: {exc}", limit))
            skip.add(Outbox.Channel.EMAIL)
    try:
        for _ in range(limit):
            with transaction.atomic():
                row = _claim(now, skip)
                if row is None:
                    break
                if _uses_smtp(row) and connection is None:
                    # The mail server failed earlier in this batch: leave the row for later.
                    skip.add(row.channel)
                    continue
                outcome = _deliver(row, now, connection)
            counts[outcome] += 1
            if outcome != "sent" and _uses_smtp(row) and connection is not None:
                connection.close()  # reconnect (outside any transaction) in the next batch
                connection = None
    finally:
        if connection is not None:
            connection.close()
    return dict(counts)


def _deliver(row: Outbox, now: dt.datetime, connection) -> str:
    # Write "sent" first: once the server has accepted, only the COMMIT is left to do, so a
    # crash can repeat the message only in that instant. A failed send undoes it below,
    # before anything is committed.
    attempts = row.attempts
    row.state = Outbox.State.SENT
    row.sent_at = now
    row.attempts = attempts + 1
    row.last_error = ""
    row.save(update_fields=["state", "sent_at", "attempts", "last_error"])
    row.attempts = attempts
    row.state = Outbox.State.PENDING
    try:
        send(row, now, connection)
    except DeliveryError as exc:
        return _failed(row, now, str(exc), permanent=exc.permanent)
    except smtplib.SMTPRecipientsRefused as exc:
        return _failed(row, now, f"recipient refused: {exc.recipients}", permanent=True)
    except smtplib.SMTPResponseException as exc:
        return _failed(
            row,
            now,
            f"mail server: {exc.smtp_code} {exc.smtp_error!r}",
            permanent=exc.smtp_code >= 500,
        )
    except (OSError, smtplib.SMTPException) as exc:
        return _failed(row, now, f"mail server: {exc!r}")
    except Exception as exc:  # a bug in rendering must not stop the other rows
        log.exception("outbox row %s could not be built", row.pk)
        return _failed(row, now, f"{type(exc).__name__}: {exc}")
    row.state, row.sent_at, row.attempts, row.last_error = Outbox.State.SENT, now, attempts + 1, ""
    return "sent"


def send(row: Outbox, now: dt.datetime, connection=None) -> None:
    """Hand one row to its transport; raises on failure."""
    if _uses_smtp(row):
        sent = (connection or mailers.default).send_messages([render.build_email(row)])
        if not sent:
            raise DeliveryError("the mail backend sent nothing")
    elif row.channel == Outbox.Channel.PAGER:
        pager.send(row, now)
    elif row.channel == Outbox.Channel.WEBHOOK:
        endpoint = WebhookEndpoint.objects.filter(pk=(row.payload or {}).get("endpoint")).first()
        if endpoint is None or not endpoint.active:
            raise DeliveryError("the webhook endpoint was removed or disabled", permanent=True)
        webhooks.post(
            endpoint.url, render.webhook_body(row, now), secret=endpoint.secret,
            timestamp=int(now.timestamp()), event=row.kind, delivery=row.pk,
        )  # fmt: skip
    else:
        raise DeliveryError(f"unknown channel {row.channel!r}", permanent=True)


def _failed(row: Outbox, now: dt.datetime, error: str, *, permanent: bool = False) -> str:
    row.attempts += 1
    row.last_error = error[:2000]
    if permanent or row.attempts >= settings.PACTO_OUTBOX_MAX_ATTEMPTS:
        row.state = Outbox.State.DEAD
        outcome = "dead"
        log.warning("outbox row %s is dead after %s tries: %s", row.pk, row.attempts, error)
    else:
        row.next_attempt_at = now + backoff(row.attempts, row.pk)
        outcome = "retried"
    row.sent_at = None
    row.save(update_fields=["state", "sent_at", "attempts", "last_error", "next_attempt_at"])
    return outcome


def _fail_email_rows(now: dt.datetime, error: str, limit: int) -> Counter[str]:
    """The mail server is unreachable: count a failed try on each due email row (so they back
    off and, if it stays down, end dead) without any network inside a transaction."""
    counts: Counter[str] = Counter()
    channels = [Outbox.Channel.EMAIL]
    if pager.transport() == "email":
        channels.append(Outbox.Channel.PAGER)
    for _ in range(limit):
        with transaction.atomic():
            row = (
                _due(now)
                .filter(channel__in=channels)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("next_attempt_at", "id")
                .first()
            )
            if row is None:
                break
            counts[_failed(row, now, error)] += 1
    return counts


def do_retry(rows, now: dt.datetime) -> int:
    """Send dead (or failing) rows again from now on, with a fresh count of tries."""
    with transaction.atomic():
        return rows.exclude(state=Outbox.State.SENT).update(
            state=Outbox.State.PENDING, attempts=0, next_attempt_at=now
        )
