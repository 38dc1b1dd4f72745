"""Periodic sweeps: find due work by an indexed timestamp, claim it, act once.

Each sweep reads only rows whose due timestamp has passed (``SlaClock.next_check_at``,
``LifecycleTimer.next_at``, ``Page.next_check_at``: all indexed), so an idle tick over a
million open tickets is one index probe. It claims each ticket (or page) with
``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers sweeping at once split
the work instead of doing it twice, and acts in one transaction per claimed chunk. What
makes a second run (or a run after a crash) harmless is that every act checks and records
its own completion in that transaction: a ``ClockAlert`` row per checkpoint (unique), the
lifecycle timer's ``reminders_sent`` and status, the page's attempt and state, and outbox
rows keyed by ``dedupe_key``.

On SQLite ``select_for_update`` is a no-op; each transaction takes the database's write lock
when it begins (``transaction_mode=IMMEDIATE``), which serializes workers just as well.

Each function takes ``now`` and returns counts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from types import SimpleNamespace

from django.db import transaction

from pacto.automation import actions
from pacto.automation.models import LifecycleTimer, Page
from pacto.contracts.models import PolicyVersion
from pacto.notifications.bulk import update_rows
from pacto.tickets.clocks import (
    clock_fields,
    compute_ticket_clocks,
    sla_summary,
    store_clocks,
    summary_changes,
)
from pacto.tickets.models import SlaClock, Ticket

CHUNK = 500


def _chunks(ids: list[int], size: int | None = None):
    size = size or CHUNK
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _nonzero(counts: Counter[str]) -> dict[str, int]:
    return {key: value for key, value in counts.items() if value}


def _unique(values) -> list[int]:
    return list(dict.fromkeys(values))


def _claim_tickets(ids: list[int], *, with_history: bool = False):
    """Lock these tickets for this transaction, skipping any another worker holds."""
    tickets = (
        Ticket.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("organization__account_manager", "assignee", "requester")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if with_history:
        tickets = tickets.prefetch_related("events")
    tickets = list(tickets)
    # Each policy version once (its text is large), not joined to every ticket.
    versions = PolicyVersion.objects.in_bulk({t.policy_version_id for t in tickets})
    for ticket in tickets:
        ticket.policy_version = versions[ticket.policy_version_id]
    return tickets


def sweep_clocks(now: dt.datetime, limit: int = 5000) -> dict[str, int]:
    """Act on every SLA clock whose next warning or breach is due at ``now``.

    Per chunk of tickets, in one transaction: claim them, replay each one's history through
    the engine once, act on the checkpoints reached (``actions.do_act_on_checkpoints``), and
    store the clocks again with their next checkpoint.
    """
    counts: Counter[str] = Counter()
    ids = _unique(
        SlaClock.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("ticket_id", flat=True)[:limit]
    )
    for chunk in _chunks(ids):
        with transaction.atomic():
            tickets = _claim_tickets(chunk, with_history=True)
            counts["skipped"] += len(chunk) - len(tickets)
            clocks: dict[int, list[SlaClock]] = {}
            for clock in SlaClock.objects.filter(ticket__in=tickets).only(
                "id", "ticket_id", "metric", "next_check_at"
            ):
                clocks.setdefault(clock.ticket_id, []).append(clock)
            batch, computed = [], []
            for ticket in tickets:
                # Never before the ticket's last event (a change committed after ``now`` was
                # read): the engine refuses events after ``now``.
                at = max([now, *(e.at for e in ticket.events.all())])
                mine = clocks.get(ticket.pk, [])
                due = {c.metric for c in mine if c.next_check_at and c.next_check_at <= at}
                if not due:
                    continue  # another worker handled it since we listed it
                counts["tickets"] += 1
                results = compute_ticket_clocks(ticket, at)
                batch.append((ticket, [r for m, r in results.items() if m.value in due], at))
                computed.append((ticket, mine, results, at))
            counts.update(actions.do_act_on_checkpoints(batch, now))
            _store(computed)
    return _nonzero(counts)


def _store(computed) -> None:
    """Save the recomputed clocks in one UPDATE. The events a breach adds (``clock_breached``,
    ``escalated``, ``line``) move no clock, so the clocks computed before acting are the ones
    ``store_clocks`` would compute after."""
    changed: list[tuple[SlaClock, dict]] = []
    summaries: list[tuple[Ticket, dict]] = []
    for ticket, mine, results, at in computed:
        by_metric = {c.metric: c for c in mine}
        if set(by_metric) != {m.value for m in results}:
            store_clocks(ticket, at)  # the policy's metrics changed: the slow, general path
            continue
        rows = [(by_metric[m.value], clock_fields(result, at)) for m, result in results.items()]
        changed.extend(rows)
        # The ticket's ``sla_*`` summary follows its clocks (every field: one UPDATE for all).
        stored = [SimpleNamespace(**fields) for _clock, fields in rows]
        if summary_changes(ticket, stored):
            summaries.append((ticket, sla_summary(stored)))
    if changed:
        update_rows(SlaClock, changed)
    if summaries:
        update_rows(Ticket, summaries)


def sweep_lifecycle(now: dt.datetime, limit: int = 5000) -> dict[str, int]:
    """Send due follow-up reminders and apply due lifecycle rules (auto-solve, auto-close)."""
    counts: Counter[str] = Counter()
    ids = _unique(
        LifecycleTimer.objects.filter(next_at__lte=now)
        .order_by("next_at")
        .values_list("ticket_id", flat=True)[:limit]
    )
    for chunk in _chunks(ids):
        with transaction.atomic():
            tickets = _claim_tickets(chunk)
            counts["skipped"] += len(chunk) - len(tickets)
            for ticket in tickets:
                outcome = actions.do_lifecycle_step(ticket, now)
                if outcome == "remind":
                    counts["reminders"] += 1
                elif outcome == "apply":
                    counts["applied"] += 1
    return _nonzero(counts)


def sweep_pages(now: dt.datetime, limit: int = 1000) -> dict[str, int]:
    """Send every waiting page whose response clock has started; re-page, page the next tier,
    or tell the support managers, for every page nobody acknowledged in time."""
    counts: Counter[str] = Counter()
    ids = list(
        Page.objects.filter(
            next_check_at__lte=now, state__in=(Page.State.WAITING, Page.State.PAGING)
        )
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:limit]
    )
    for page_id in ids:
        with transaction.atomic():
            page = (
                Page.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("ticket", "engineer")
                .filter(pk=page_id)
                .first()
            )
            if page is None:
                counts["skipped"] += 1
                continue
            counts[actions.do_page_timeout(page, now)] += 1
    counts.pop("none", None)
    return _nonzero(counts)


def reschedule_all(now: dt.datetime) -> dict[str, int]:
    """Plan lifecycle timers for tickets that have none (tickets opened before the worker was
    installed, or after restoring a backup)."""
    counts: Counter[str] = Counter()
    missing = Ticket.objects.filter(lifecycle_timer__isnull=True).exclude(status_category="closed")
    for ticket in missing.select_related("policy_version").iterator(chunk_size=500):
        with transaction.atomic():
            if actions.do_schedule_lifecycle(ticket) is not None:
                counts["timers"] += 1
    return _nonzero(counts)
