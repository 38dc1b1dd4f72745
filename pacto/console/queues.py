"""The agents' queues: which open tickets need whom, ordered by the next SLA due instant.

Queues read the clocks the engine persisted (``SlaClock``). A running clock whose due instant
has passed counts as breached at once, even before the worker's sweep records the breach;
"at risk" means a running clock has reached one of the policy's warning thresholds
(``escalation.warn_at``, e.g. seed 000's 75 %).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import F, Min, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from pacto.accounts.access import visible_tickets
from pacto.accounts.models import User
from pacto.tickets.models import SlaClock, Ticket

QUEUES = {
    "mine": _("Mine"),
    "line": _("My line"),
    "unassigned": _("Unassigned"),
    "at_risk": _("At risk"),
    "breached": _("Breached"),
    "exempt": _("Exempt"),
    "senior": _("Senior"),
    "all": _("All open"),
}
CLOSED = ("solved", "closed")
STATUS_CATEGORIES = {
    "new": _("New"),
    "open": _("Open"),
    "pending": _("Pending on us"),
    "waiting_on_customer": _("Waiting on customer"),
    "waiting_on_third_party": _("Waiting on third party"),
    "solved": _("Solved"),
    "closed": _("Closed"),
}


def breached_clocks(now: dt.datetime) -> QuerySet:
    """Clocks past their target and not met: recorded breaches, and running clocks already
    past due that the worker has not swept yet."""
    return SlaClock.objects.filter(
        Q(state="breached", met_at__isnull=True) | Q(state="running", due_at__lte=now),
        exempt_reason="",  # exempt breaches are listed apart (``exempt_clocks``)
    )


def exempt_clocks() -> QuerySet:
    """Breaches a manager marked exempt, or clocks a third-party cause stopped."""
    return SlaClock.objects.exclude(exempt_reason="")


def at_risk_clocks(now: dt.datetime) -> QuerySet:
    """Running clocks, not yet due, that passed a warning threshold: its expected instant
    has come, or every warning was already reached when the clock was last computed (the
    next check is then the due instant itself)."""
    return (
        SlaClock.objects.filter(state="running", due_at__gt=now)
        .exclude(warnings=[])
        .filter(Q(next_check_at__lte=now) | Q(next_check_at=F("due_at")))
    )


def line_of(user: User) -> str:
    return user.support_line or "first"


def queue_tickets(
    user: User, queue: str, now: dt.datetime, filters: dict | None = None
) -> QuerySet:
    """The open tickets of ``queue`` that ``user`` may see, next due first."""
    tickets = visible_tickets(user).exclude(status_category__in=CLOSED)
    match queue:
        case "mine":
            tickets = tickets.filter(assignee=user)
        case "line":
            tickets = tickets.filter(support_line=line_of(user))
        case "unassigned":
            tickets = tickets.filter(assignee__isnull=True)
        case "at_risk":
            tickets = tickets.filter(pk__in=at_risk_clocks(now).values("ticket_id")).exclude(
                pk__in=breached_clocks(now).values("ticket_id")
            )
        case "breached":
            tickets = tickets.filter(pk__in=breached_clocks(now).values("ticket_id"))
        case "exempt":
            tickets = tickets.filter(pk__in=exempt_clocks().values("ticket_id"))
        case "senior":
            # senhasegura §5.1 Premier: "Direct access to Senior Engineer".
            tickets = tickets.filter(support_line="senior")
    tickets = _filtered(tickets, filters or {})
    return (
        tickets.annotate(next_due=Min("clocks__due_at", filter=Q(clocks__state="running")))
        .select_related("organization", "requester", "assignee", "policy_version")
        .prefetch_related("clocks")
        .order_by(F("next_due").asc(nulls_last=True), "opened_at", "id")
    )


def _filtered(tickets: QuerySet, filters: dict) -> QuerySet:
    if filters.get("organization"):
        tickets = tickets.filter(organization_id=filters["organization"])
    if filters.get("severity"):
        tickets = tickets.filter(severity=filters["severity"])
    if filters.get("status"):
        tickets = tickets.filter(status_category=filters["status"])
    if filters.get("type"):
        tickets = tickets.filter(type=filters["type"])
    if filters.get("category"):
        tickets = tickets.filter(category=filters["category"])
    if query := (filters.get("q") or "").strip():
        number = query.lstrip("#")
        match = Q(subject__icontains=query) | Q(requester__email__icontains=query)
        if number.isdigit():
            match |= Q(pk=int(number))
        tickets = tickets.filter(match)
    return tickets


def queue_counts(user: User, now: dt.datetime) -> dict[str, int]:
    return {name: queue_tickets(user, name, now).count() for name in QUEUES}


def severity_choices() -> list[tuple[str, str]]:
    """Severity ids in use by open tickets' policies, for the queue filter."""
    seen: dict[str, str] = {}
    versions = (
        Ticket.objects.exclude(status_category__in=CLOSED)
        .values_list("policy_version", flat=True)
        .distinct()
    )
    from pacto.contracts.models import PolicyVersion

    names: dict[str, set[str]] = defaultdict(set)
    for version in PolicyVersion.objects.filter(pk__in=list(versions)):
        for severity in version.policy.severities:
            names[severity.id].add(severity.name)
    for severity_id, labels in sorted(names.items()):
        seen[severity_id] = " / ".join(sorted(labels))
    return list(seen.items())
