"""Delivering the outbox: claim a due row, send it with no transaction open, record the
outcome. At least once, with the duplicate window as small as the network allows:

- **claim** (one short transaction): a conditional ``UPDATE`` moves a due row from
  ``pending`` to ``sending`` and sets its lease (``next_attempt_at`` = now +
  ``PACTO_OUTBOX_LEASE_SECONDS``); on PostgreSQL the candidate is picked with
  ``SELECT … FOR UPDATE SKIP LOCKED``, so workers never wait for each other. The try is
  counted here, so a row that crashes its worker every time still ends dead.
- **send** with no transaction open: on SQLite a transaction holds the database's write
  lock from its first statement, so an SMTP server or a webhook receiver taking its 10 s
  timeout inside one would stop every web request's writes for that long.
- **record** (a second short transaction): ``sent``, or back to ``pending`` with a backoff,
  or ``dead``.

A worker killed between claim and record leaves the row ``sending``; once its lease has run
out it is due again and another worker takes it. If the kill came after the server accepted
the message, it is sent twice — the window is the record's one UPDATE and COMMIT — and the
resend carries the row's stable Message-ID (webhooks: ``X-Pacto-Delivery``; PagerDuty:
``dedup_key``), so receivers drop the duplicate. The lease must outlast the slowest send
(the SMTP and webhook timeouts), or a live worker's row could be taken over and sent twice.

Failures are retried with exponential backoff; after ``PACTO_OUTBOX_MAX_ATTEMPTS`` tries (or
at once for a permanent failure: a refused recipient, a 4xx from a webhook) the row is dead,
shown in the admin with its last error, and can be retried from there.
"""

from __future__ import annotations

import datetime as dt
import random
import smtplib
from collections import Counter

import structlog
from django.conf import settings
from django.core.mail import mailers
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from pacto.metrics import DELIVERIES
from pacto.notifications import pager, render, webhooks
from pacto.notifications.models import Outbox, WebhookEndpoint
from pacto.notifications.webhooks import DeliveryError

log = structlog.get_logger(__name__)


def backoff(attempts: int, row_id: int) -> dt.timedelta:
    """Delay before the next try after ``attempts`` failed ones: doubling from
    ``PACTO_OUTBOX_BACKOFF_SECONDS`` up to an hour, with ±20 % jitter (fixed per row and
    attempt, so workers do not retry in lockstep and tests can predict it)."""
    base = settings.PACTO_OUTBOX_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    jitter = random.Random(row_id * 1009 + attempts).uniform(0.8, 1.2)
    return dt.timedelta(seconds=min(base, 3600) * jitter)


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PACTO_OUTBOX_LEASE_SECONDS)


def _uses_smtp(row: Outbox) -> bool:
    return row.channel == Outbox.Channel.EMAIL or (
        row.channel == Outbox.Channel.PAGER and pager.transport() == "email"
    )


def _due(now: dt.datetime):
    """Rows to send: pending and due, or claimed by a worker whose lease ran out."""
    return Outbox.objects.filter(
        state__in=(Outbox.State.PENDING, Outbox.State.SENDING), next_attempt_at__lte=now
    )


def _claim(now: dt.datetime, skip_channels: set[str]) -> Outbox | None:
    """Take one due row for this worker, in one short transaction; ``None`` when none is
    left. Losing a race to another worker only means trying the next row."""
    for _ in range(20):
        with transaction.atomic():
            rows = _due(now).select_for_update(skip_locked=True, of=("self",))
            if skip_channels:
                rows = rows.exclude(channel__in=skip_channels)
            row = rows.select_related("recipient_user").order_by("next_attempt_at", "id").first()
            if row is None:
                return None
            # From the real time too: a long batch must not hand out leases already over.
            leased_until = max(now, timezone.now()) + lease()
            taken = Outbox.objects.filter(
                pk=row.pk, state=row.state, next_attempt_at=row.next_attempt_at
            ).update(
                state=Outbox.State.SENDING, next_attempt_at=leased_until, attempts=F("attempts") + 1
            )
        if taken:
            row.state, row.next_attempt_at = Outbox.State.SENDING, leased_until
            row.attempts += 1
            return row
    return None


def deliver_due(now: dt.datetime, *, limit: int = 500) -> dict[str, int]:
    """Send up to ``limit`` due rows; returns counts of sent, retried and dead rows."""
    counts: Counter[str] = Counter()
    connection = None
    skip: set[str] = set()
    try:
        for _ in range(limit):
            row = _claim(now, skip)
            if row is None:
                break
            if _uses_smtp(row) and connection is None:
                connection = mailers.default
                try:
                    connection.open()  # no transaction is open here
                except (OSError, smtplib.SMTPException) as exc:
                    connection = None
                    error = f"cannot connect to the mail server: {exc}"
                    outcome = _failed(row, now, error)
                    counts[outcome] += 1
                    DELIVERIES.labels(row.channel, outcome).inc()
                    failed = _fail_email_rows(now, error, limit)
                    counts.update(failed)
                    for outcome, n in failed.items():
                        DELIVERIES.labels(Outbox.Channel.EMAIL, outcome).inc(n)
                    skip.add(row.channel)
                    continue
            outcome = _deliver(row, now, connection)
            counts[outcome] += 1
            DELIVERIES.labels(row.channel, outcome).inc()
            if outcome != "sent" and _uses_smtp(row) and connection is not None:
                connection.close()  # reconnect for the next email row
                connection = None
    finally:
        if connection is not None:
            connection.close()
    return dict(counts)


def _deliver(row: Outbox, now: dt.datetime, connection) -> str:
    """Send a claimed row (no transaction is open) and record how it went."""
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
        log.exception("outbox_row_unbuildable", row=row.pk, ticket=row.ticket_id,
                      organization=row.organization_id)  # fmt: skip
        return _failed(row, now, f"{type(exc).__name__}: {exc}")
    with transaction.atomic():
        # Whoever holds the row now (this worker, or one that took it over after the lease
        # ran out), it has been sent.
        Outbox.objects.filter(pk=row.pk).exclude(state=Outbox.State.SENT).update(
            state=Outbox.State.SENT, sent_at=now, last_error=""
        )
    row.state, row.sent_at, row.last_error = Outbox.State.SENT, now, ""
    log.info("outbox_row_sent", row=row.pk, kind=row.kind, channel=row.channel,
             ticket=row.ticket_id, organization=row.organization_id)  # fmt: skip
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
    """Record a failed try of a claimed row (its try was counted when it was claimed)."""
    row.last_error = error[:2000]
    if permanent or row.attempts >= settings.PACTO_OUTBOX_MAX_ATTEMPTS:
        row.state = Outbox.State.DEAD
        outcome = "dead"
        log.warning(
            "outbox_row_dead", row=row.pk, tries=row.attempts, error=error, kind=row.kind,
            channel=row.channel, ticket=row.ticket_id, organization=row.organization_id,
        )  # fmt: skip
    else:
        row.state = Outbox.State.PENDING
        row.next_attempt_at = now + backoff(row.attempts, row.pk)
        outcome = "retried"
    row.sent_at = None
    with transaction.atomic():
        Outbox.objects.filter(pk=row.pk, state=Outbox.State.SENDING).update(
            state=row.state, sent_at=None, last_error=row.last_error,
            next_attempt_at=row.next_attempt_at,
        )  # fmt: skip
    return outcome


def _fail_email_rows(now: dt.datetime, error: str, limit: int) -> Counter[str]:
    """The mail server is unreachable: count a failed try on each due email row (so they back
    off and, if it stays down, end dead) without any network inside a transaction."""
    counts: Counter[str] = Counter()
    channels = {Outbox.Channel.WEBHOOK}  # claim only what goes by email
    if pager.transport() != "email":
        channels.add(Outbox.Channel.PAGER)
    for _ in range(limit):
        row = _claim(now, channels)
        if row is None:
            break
        counts[_failed(row, now, error)] += 1
    return counts


def do_retry(rows, now: dt.datetime) -> int:
    """Send dead (or failing) rows again from now on, with a fresh count of tries. A row
    being sent right now (``sending`` within its lease) is left to its worker."""
    with transaction.atomic():
        rows = rows.exclude(state=Outbox.State.SENT).exclude(
            Q(state=Outbox.State.SENDING) & Q(next_attempt_at__gt=now)
        )
        return rows.update(state=Outbox.State.PENDING, attempts=0, next_attempt_at=now)
