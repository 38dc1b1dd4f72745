"""Persisting the engine's clocks: replay a ticket's events through ``pacto.sla`` and store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from pacto.sla.clock import ClockResult, ClockState, Event, EventKind, compute_clocks
from pacto.sla.phrases import Phrase, english, from_json, gettext_noop, render, to_json
from pacto.sla.policy import TicketFacts
from pacto.tickets.models import SlaClock, Ticket, TicketEvent, customer_reason

# Ticket history kinds the engine understands, and the event field holding the new value.
_ENGINE_KINDS = {
    TicketEvent.Kind.OPENED: (EventKind.OPENED, None),
    TicketEvent.Kind.STATUS: (EventKind.STATUS, "to"),
    TicketEvent.Kind.SEVERITY: (EventKind.SEVERITY, "to"),
    TicketEvent.Kind.AGENT_REPLY: (EventKind.AGENT_REPLY, None),
    TicketEvent.Kind.CHANNEL: (EventKind.CHANNEL, "to"),
    TicketEvent.Kind.ENVIRONMENT: (EventKind.ENVIRONMENT, "to"),
    TicketEvent.Kind.TYPE: (EventKind.TYPE, "to"),
    TicketEvent.Kind.RESOLUTION_PLAN: (EventKind.RESOLUTION_PLAN, None),
    TicketEvent.Kind.EXEMPTED: (EventKind.EXEMPT, "metric"),
}
# Kinds whose engine reason names who acted (the clock's explanation and timeline say
# "channel changed to phone (by Felipe: customer called)").
_SIGNED = {
    TicketEvent.Kind.CHANNEL, TicketEvent.Kind.ENVIRONMENT, TicketEvent.Kind.TYPE,
    TicketEvent.Kind.RESOLUTION_PLAN, TicketEvent.Kind.EXEMPTED,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One history entry as the engine reads it: the columns it needs, not a model instance
    (a ticket's clocks are replayed from its whole history on every change)."""

    kind: str
    at: dt.datetime
    data: dict
    reason: str
    actor_id: int | None
    actor: str  # who acted, as a ``User`` prints (full name, else email)
    by_contact: bool = False

    @property
    def customer_reason(self) -> str:
        return customer_reason(self.kind, self.reason, self.data, self.by_contact)


def read_history(ticket: Ticket) -> list[HistoryRow]:
    """The ticket's events the engine replays, oldest first, in one light query."""
    rows = ticket.events.filter(kind__in=_ENGINE_KINDS).values_list(
        "kind", "at", "data", "reason", "actor_id", "actor__full_name", "actor__email",
        "actor__role",
    )  # fmt: skip
    return [
        HistoryRow(kind, at, data, reason, actor_id, name or email or "", role == "contact")
        for kind, at, data, reason, actor_id, name, email, role in rows
    ]


def _engine_reason(event) -> Phrase | str:
    # A clock's explanation is stored once and read by both sides (the portal's clocks, the
    # customer's API): it carries only a reason the customer may read. An exemption's is
    # the policy's reason the manager chose (their note stays in the event, for staff).
    if event.kind == TicketEvent.Kind.EXEMPTED:
        reason = (event.data or {}).get("policy_reason") or event.reason
    else:
        reason = event.customer_reason
    if event.kind in _SIGNED and event.actor_id is not None:
        who = str(event.actor)
        if reason:
            return Phrase(gettext_noop("by %(who)s: %(reason)s"), {"who": who, "reason": reason})
        return Phrase(gettext_noop("by %(who)s"), {"who": who})
    return reason


def engine_events(ticket: Ticket, history=None) -> tuple[TicketFacts, list[Event]]:
    """The ticket's facts when opened and its history as engine events (``history``: the
    ticket's events, oldest first, when the caller has read them already)."""
    history = list(ticket.events.select_related("actor")) if history is None else history
    opened = next((e for e in history if e.kind == TicketEvent.Kind.OPENED), None)
    initial = (opened.data if opened else {}) or {}
    # The facts when opened (a later correction is an event replayed from its time on).
    facts = TicketFacts(
        severity=initial.get("severity", ticket.severity),
        plan=ticket.plan,
        channel=initial.get("channel", ticket.channel),
        environment=initial.get("environment", ticket.environment),
        type=initial.get("type", ticket.type),
    )
    events = []
    for event in history:
        mapped = _ENGINE_KINDS.get(event.kind)
        if mapped is None:
            continue
        kind, field = mapped
        value = event.data.get(field) if field else None
        events.append(Event(event.at, kind, value, _engine_reason(event)))
    return facts, events


def hypercare_span(ticket: Ticket) -> tuple[dt.datetime, dt.datetime] | None:
    """When the ticket's contract is in hypercare: from go-live's local midnight to the local
    midnight after its last day, in the zone of the policy's default calendar (the contract's
    days are that calendar's days). None when the contract has no hypercare or the policy no
    hypercare rules."""
    contract = ticket.contract
    until = contract.hypercare_until()
    if until is None or ticket.policy.hypercare is None:
        return None
    zone = ticket.policy.calendar().zone
    start = dt.datetime.combine(contract.go_live_on, dt.time(0), zone)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), zone)
    return start, end


def with_hypercare(
    ticket: Ticket, facts: TicketFacts, events: list[Event], now: dt.datetime
) -> tuple[TicketFacts, list[Event]]:
    """The hypercare overlay as engine input: the ticket opened in hypercare, or hypercare
    began or ended (up to ``now``) while it was open. The engine keeps the elapsed time and
    applies the overlay's targets, or the policy's own, from each change on (&money:
    "After the Hypercare period ends, the Service Provider will transition support to the
    standard support framework")."""
    span = hypercare_span(ticket)
    if span is None or not events:
        return facts, events
    start, end = span
    opened = events[0].at
    facts = facts.model_copy(update={"hypercare": start <= opened < end})
    extra = []
    if opened < start <= now:
        extra.append(
            Event(
                start, EventKind.HYPERCARE, "on", Phrase(gettext_noop("hypercare began (go-live)"))
            )
        )
    if opened < end <= now:
        extra.append(
            Event(end, EventKind.HYPERCARE, "off", Phrase(gettext_noop("hypercare concluded")))
        )
    return facts, events + extra


def compute_ticket_clocks(ticket: Ticket, now: dt.datetime, history=None) -> dict:
    if ticket.sla_mode == Ticket.SlaMode.WITHOUT_TARGETS:
        # Accepted without SLA targets (a version outside support, a vendor notice).
        return {}
    facts, events = engine_events(ticket, history)
    facts, events = with_hypercare(ticket, facts, events, now)
    return compute_clocks(ticket.policy, facts, events, now)


def stored_notes(clock: SlaClock) -> list:
    """A stored clock's explanation as phrases (a line stored as text stays text)."""
    return [from_json(line) for line in clock.explanation or []]


def english_explanation(clock: SlaClock) -> list[str]:
    """A stored clock's explanation in English, times in its policy's zone (the API)."""
    words = english(clock.ticket.policy.calendar().zone)
    return [render(note, words) for note in stored_notes(clock)]


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def store_clocks(
    ticket: Ticket, now: dt.datetime, *, new: bool = False, not_before_events: bool = False
) -> dict[str, SlaClock]:
    """Recompute every clock of ``ticket`` as of ``now`` and save them. Returns them by metric.

    With ``not_before_events``, as of the latest event if that is later than ``now`` (a
    request that waited for the ticket's lock may carry a time earlier than the change it
    waited for; the clocks are never computed before an event they replay).

    Call it with the ticket locked (``_changing``) or just created (``new``: it has no clocks
    yet, nothing to read). One read of the stored clocks, one UPDATE per clock that stays,
    one INSERT for the new ones, one DELETE for those the policy no longer has.
    """
    history = read_history(ticket)
    if not_before_events and history:
        now = max(now, max(event.at for event in history))
    results = compute_ticket_clocks(ticket, now, history)
    existing = {} if new else {c.metric: c for c in SlaClock.objects.filter(ticket=ticket)}
    stored: dict[str, SlaClock] = {}
    created = []
    for metric, result in results.items():
        fields = clock_fields(result, now)
        clock = existing.pop(metric.value, None)
        if clock is None:
            clock = SlaClock(ticket=ticket, metric=metric.value, **fields)
            created.append(clock)
        else:
            for name, value in fields.items():
                setattr(clock, name, value)
            clock.save(update_fields=list(fields))
        stored[metric.value] = clock
    if created:
        SlaClock.objects.bulk_create(created)
    if existing:
        SlaClock.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
    keep_summary(ticket, stored.values())
    # The clocks as stored, in hand for the answer to the request that changed the ticket.
    ticket.stored_clocks = list(stored.values())
    return stored


# ----------------------------------------------------------------------------- summary

SUMMARY_FIELDS = ("sla_due_at", "sla_risk_at", "sla_breached", "sla_exempt")


def sla_summary(clocks) -> dict:
    """The ticket's ``sla_*`` columns for its stored clocks (``SlaClock`` rows or objects
    with the same attributes). A running clock is at risk from the instant its next warning
    is expected (``next_check_at``), or already when every warning was reached (the next
    check is then the due instant itself); it is breached once its due instant passes."""
    due, risk = [], []
    breached = exempt = False
    for clock in clocks:
        if clock.exempt_reason:
            exempt = True
            continue
        if clock.state == "breached" and clock.met_at is None:
            breached = True
        if clock.state != "running" or clock.due_at is None:
            continue
        due.append(clock.due_at)
        if clock.warnings and clock.next_check_at is not None:
            reached = clock.next_check_at == clock.due_at
            risk.append(clock.computed_at if reached else clock.next_check_at)
    return {
        "sla_due_at": min(due, default=None),
        "sla_risk_at": min(risk, default=None),
        "sla_breached": breached,
        "sla_exempt": exempt,
    }


def summary_changes(ticket: Ticket, clocks) -> dict:
    """The ``sla_*`` columns of ``ticket`` that ``clocks`` change (empty: none)."""
    summary = sla_summary(clocks)
    return {k: v for k, v in summary.items() if getattr(ticket, k) != v}


def keep_summary(ticket: Ticket, clocks) -> None:
    if changes := summary_changes(ticket, clocks):
        Ticket.objects.filter(pk=ticket.pk).update(**changes)
        for name, value in changes.items():
            setattr(ticket, name, value)


def clock_fields(result: ClockResult, now: dt.datetime) -> dict:
    """The ``SlaClock`` columns for one engine result computed at ``now``."""
    next_check = result.next_checkpoint_at
    if result.state not in (ClockState.RUNNING,):
        next_check = None
    return {
        "state": result.state.value,
        "target": str(result.target) if result.target else "",
        "calendar": result.calendar or "",
        "started_at": result.started_at,
        "due_at": result.due_at,
        "met_at": result.met_at,
        "breached_at": result.breached_at,
        "elapsed_seconds": result.elapsed.total_seconds(),
        "remaining_seconds": (
            result.remaining.total_seconds() if result.remaining is not None else None
        ),
        "next_check_at": next_check,
        "warnings": [
            {
                "label": w.label,
                "threshold_seconds": w.threshold.total_seconds(),
                "reached_at": _iso(w.reached_at),
                "expected_at": _iso(w.expected_at),
            }
            for w in result.warnings
        ],
        "segments": [
            {
                "start": _iso(s.start),
                "end": _iso(s.end),
                "kind": s.kind,
                "reason": s.reason,
                "projected": s.projected,
                **({"status": s.status} if s.status else {}),
            }
            for s in result.segments
        ],
        "paused_seconds": sum(
            (
                (s.end - s.start).total_seconds()
                for s in result.segments
                if s.kind == "paused" and not s.projected and s.start and s.end
            ),
            0.0,
        ),
        # Phrases, rendered in the reader's language when shown (``pacto.sla.phrases``).
        "explanation": [to_json(note) for note in result.notes],
        "exempt_reason": (result.exempt or "")[:300],
        "computed_at": now,
    }


# ----------------------------------------------------------------------------- recompute


def recompute_open_tickets(now: dt.datetime, tickets=None, progress=None) -> dict:
    """Recompute the clocks of open tickets (after a calendar or policy change).

    Each ticket is locked while its clocks are replayed, so a change made at the same time is
    never overwritten by clocks computed from an older history; clocks are computed as of
    ``now`` or the ticket's latest event, whichever is later (the engine never computes a
    clock before its own history). ``progress``, if given, is called with each ticket.

    Returns a summary: how many tickets were recomputed, how many due times moved, how many
    clocks are newly breached, and ``moves``: one ``DueMove`` per clock whose due time moved.
    """
    tickets = tickets if tickets is not None else Ticket.objects.exclude(status_category="closed")
    summary = {"tickets": 0, "moved": 0, "newly_breached": 0, "moves": []}
    for pk in list(tickets.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update(of=("self",))
                .select_related("policy_version")
                .filter(pk=pk)
                .first()
            )
            if ticket is None:  # deleted meanwhile
                continue
            before = {c.metric: (c.due_at, c.state) for c in SlaClock.objects.filter(ticket=ticket)}
            latest = ticket.events.aggregate(latest=Max("at"))["latest"]
            after = store_clocks(ticket, max(now, latest) if latest else now)
        summary["tickets"] += 1
        for metric, clock in after.items():
            old_due, old_state = before.get(metric, (None, None))
            if old_due != clock.due_at:
                summary["moved"] += 1
                summary["moves"].append(DueMove(ticket.pk, metric, old_due, clock.due_at))
            if clock.state == "breached" and old_state != "breached":
                summary["newly_breached"] += 1
        if progress:
            progress(ticket)
    return summary


@dataclass(frozen=True)
class DueMove:
    """A clock whose due time a recomputation moved (either side may be None: no due time)."""

    ticket: int
    metric: str
    old_due: dt.datetime | None
    new_due: dt.datetime | None

    @property
    def shift(self) -> dt.timedelta | None:
        if self.old_due is None or self.new_due is None:
            return None
        return self.new_due - self.old_due
