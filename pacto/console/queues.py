"""The agents' queues: which tickets need whom, the most urgent first.

Queues read the clocks the engine persisted, through each ticket's summary of them
(``Ticket.sla_due_at``, ``sla_risk_at``, ``sla_breached``, ``sla_exempt``, kept by
``pacto.tickets.clocks``), so a page of the queue and its counts read the tickets' rows
only. A running clock whose due instant
has passed counts as breached at once, even before the worker's sweep records the breach;
"at risk" means a running clock has reached one of the policy's warning thresholds
(``escalation.warn_at``, e.g. senhasegura's 75 %).

The default order puts breached tickets first, then those at risk, then the rest by their
next due instant: an urgent ticket three days overdue is never below a met low one. Any
column sorts instead (``sort=opened``, ``sort=-severity``…). Open tickets are listed unless
the ``state`` (solved, closed, all) or the status filter asks for the others.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pacto.accounts.access import visible_tickets
from pacto.accounts.models import User
from pacto.tickets.models import Ticket, TicketEvent

QUEUES = {
    "mine": _("Mine"),
    "line": _("My line"),
    "unassigned": _("Unassigned"),
    "at_risk": _("At risk"),
    "breached": _("Breached"),
    "exempt": _("Exempt"),
    "senior": _("Senior"),
    "requests": _("Customer requests"),
    "all": _("All"),
}
CLOSED = ("solved", "closed")
STATES = {
    "open": _("Open"),
    "solved": _("Solved"),
    "closed": _("Closed"),
    "all": _("Open and closed"),
}
STATUS_CATEGORIES = {
    "new": _("New"),
    "open": _("Open"),
    "pending": _("Pending on us"),
    "waiting_on_customer": _("Waiting on customer"),
    "waiting_on_third_party": _("Waiting on third party"),
    "solved": _("Solved"),
    "closed": _("Closed"),
}
# Columns an agent may show; the number and the subject are always there.
COLUMNS = {
    "organization": _("Organization"),
    "status": _("Status"),
    "severity": _("Severity"),
    "sla": _("SLA"),
    "due": _("Due"),
    "assignee": _("Assignee"),
    "line": _("Line"),
    "product": _("Product"),
    "opened": _("Opened"),
    "updated": _("Updated"),
}
DEFAULT_COLUMNS = ["organization", "status", "severity", "sla", "due", "assignee", "opened"]
# Sort keys: the column an agent clicks → the fields it orders by.
SORTS = {
    "number": ["id"],
    "subject": ["subject", "id"],
    "organization": ["organization__name", "id"],
    "status": ["status_category", "status", "id"],
    "severity": ["severity_rank", "id"],
    "due": ["sla_due_at", "id"],
    "assignee": ["assignee__full_name", "id"],
    "line": ["support_line", "id"],
    "product": ["product", "id"],
    "opened": ["opened_at", "id"],
    "updated": ["updated_at", "id"],
}
FILTERS = (
    "organization", "severity", "status", "type", "category", "q", "assignee", "line", "state",
)  # fmt: skip


def breached(now: dt.datetime) -> Q:
    """Tickets with a clock past its target and not met: a recorded breach, or a running
    clock already past due that the worker has not swept yet. Exempt breaches are listed
    apart (``exempt``)."""
    return Q(sla_breached=True) | Q(sla_due_at__lte=now)


def at_risk(now: dt.datetime) -> Q:
    """Tickets not breached with a running clock past a warning threshold."""
    return Q(sla_risk_at__lte=now) & ~breached(now)


def exempt() -> Q:
    """Tickets with a breach a manager marked exempt, or a clock a third-party cause stopped."""
    return Q(sla_exempt=True)


def pending_requests(tickets: QuerySet) -> QuerySet:
    """Tickets whose latest severity request is not answered yet (no severity change and no
    decline since). Only tickets with a request are looked at (their events, indexed by
    ticket), never every ticket's history."""
    asked_on = TicketEvent.objects.filter(kind=TicketEvent.Kind.SEVERITY_REQUEST)
    events = TicketEvent.objects.filter(ticket=OuterRef("pk"))
    asked = events.filter(kind=TicketEvent.Kind.SEVERITY_REQUEST).values("ticket")
    answered = events.filter(
        kind__in=(TicketEvent.Kind.SEVERITY, TicketEvent.Kind.SEVERITY_DECLINED)
    ).values("ticket")
    return (
        tickets.filter(pk__in=asked_on.values("ticket_id"))
        .annotate(
            asked_at=Subquery(asked.annotate(last=Max("at")).values("last")[:1]),
            answered_at=Subquery(answered.annotate(last=Max("at")).values("last")[:1]),
        )
        .filter(Q(answered_at__isnull=True) | Q(answered_at__lt=F("asked_at")))
    )


def line_of(user: User) -> str:
    return user.support_line or "first"


def queue_tickets(
    user: User,
    queue: str,
    now: dt.datetime,
    filters: dict | None = None,
    sort: str = "",
) -> QuerySet:
    """The tickets of ``queue`` that ``user`` may see, most urgent first (or by ``sort``)."""
    return ordered(queue_base(user, queue, now, filters), now, sort)


def queue_base(user: User, queue: str, now: dt.datetime, filters: dict | None = None) -> QuerySet:
    """The tickets of ``queue`` that ``user`` may see, unordered (what a count needs)."""
    filters = filters or {}
    tickets = visible_tickets(user)
    state = filters.get("state") or "open"
    if filters.get("status"):
        pass  # the status filter names its category, open or not
    elif state == "open":
        tickets = tickets.exclude(status_category__in=CLOSED)
    elif state in CLOSED:
        tickets = tickets.filter(status_category=state)
    match queue:
        case "mine":
            tickets = tickets.filter(assignee=user)
        case "line":
            tickets = tickets.filter(support_line=line_of(user))
        case "unassigned":
            tickets = tickets.filter(assignee__isnull=True)
        case "at_risk":
            tickets = tickets.filter(at_risk(now))
        case "breached":
            tickets = tickets.filter(breached(now))
        case "exempt":
            tickets = tickets.filter(exempt())
        case "senior":
            # senhasegura §5.1 Premier: "Direct access to Senior Engineer".
            tickets = tickets.filter(support_line="senior")
        case "requests":
            tickets = pending_requests(tickets)
    return _filtered(tickets, filters, user)


def ordered(tickets: QuerySet, now: dt.datetime, sort: str = "") -> PageByIds:
    """The default order (breached, at risk, the rest; each by next due) reads the ticket's
    own ``sla_*`` summary, so ordering a page needs no look at any ticket's clocks."""
    key = sort.lstrip("-")
    if key in SORTS:
        fields = SORTS[key]
        if key == "severity":
            tickets = tickets.annotate(severity_rank=severity_rank())
        descending = sort.startswith("-")
        order = [
            (F(f).desc(nulls_last=True) if descending else F(f).asc(nulls_last=True))
            for f in fields
        ]
        return PageByIds(tickets.order_by(*order))
    urgency = Case(
        When(breached(now), then=Value(0)),
        When(sla_risk_at__lte=now, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return PageByIds(
        tickets.annotate(urgency=urgency).order_by(
            "urgency", F("sla_due_at").asc(nulls_last=True), "opened_at", "id"
        )
    )


class PageByIds:
    """A sorted queue read a page at a time in two steps (a speed-up): the page's ticket ids
    first, sorted over the tickets' own narrow columns (the ``ticket_queue`` index covers the
    default order and the tab counts), then only those tickets with what a row shows: their
    organization, requester, assignee, policy version (each once) and clocks.

    Quacks as much like a queryset as ``Paginator`` and the dashboard need: ``count()``,
    slicing, iteration."""

    def __init__(self, sorted_tickets: QuerySet):
        self.sorted_tickets = sorted_tickets

    def count(self) -> int:
        return self.sorted_tickets.order_by().count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self._rows(list(self.sorted_tickets.values_list("pk", flat=True)[key]))
        return self._rows([self.sorted_tickets.values_list("pk", flat=True)[key]])[0]

    def __iter__(self):
        return iter(self[:])

    @staticmethod
    def _rows(ids: list[int]) -> list[Ticket]:
        found = (
            Ticket.objects.filter(pk__in=ids)
            .select_related("organization", "requester", "assignee")
            .prefetch_related("policy_version", "clocks")
            .in_bulk()
        )
        return [found[pk] for pk in ids if pk in found]


def severity_rank():
    """Each ticket's severity as its rank in its own policy (0 the most severe), so sorting
    by severity puts every preset's most severe level first."""
    from pacto.contracts.models import PolicyVersion

    whens = []
    for version in PolicyVersion.objects.all():
        for rank, severity in enumerate(version.policy.severities):
            whens.append(When(policy_version=version.pk, severity=severity.id, then=Value(rank)))
    return Case(*whens, default=Value(99), output_field=IntegerField())


def _filtered(tickets: QuerySet, filters: dict, user: User) -> QuerySet:
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
    if filters.get("line"):
        tickets = tickets.filter(support_line=filters["line"])
    match filters.get("assignee") or "":
        case "":
            pass
        case "me":
            tickets = tickets.filter(assignee=user)
        case "none":
            tickets = tickets.filter(assignee__isnull=True)
        case value if value.isdigit():
            tickets = tickets.filter(assignee_id=int(value))
    if query := (filters.get("q") or "").strip():
        number = query.lstrip("#")
        match = Q(subject__icontains=query) | Q(requester__email__icontains=query)
        if number.isdigit():
            match |= Q(pk=int(number))
        tickets = tickets.filter(match)
    return tickets


def cleaned_filters(data) -> dict:
    """The queue filters of a query string (a request's GET, or a saved view's query)."""
    filters = {key: (data.get(key) or "").strip() for key in FILTERS}
    if filters["state"] not in STATES:
        filters["state"] = "open"
    for key in ("organization",):
        if filters[key] and not filters[key].isdigit():
            filters[key] = ""
    return filters


def cleaned_sort(value: str | None) -> str:
    value = (value or "").strip()
    return value if value.lstrip("-") in SORTS else ""


def cleaned_columns(values: list[str]) -> list[str]:
    chosen = [c for c in values if c in COLUMNS]
    return chosen or list(DEFAULT_COLUMNS)


def queue_counts(user: User, now: dt.datetime) -> dict[str, int]:
    """Every tab's count of open tickets: one pass over the open tickets' rows (conditional
    counts), and the customer requests' own small query."""
    tickets = queue_base(user, "all", now)
    counted = {
        "mine": Q(assignee=user),
        "line": Q(support_line=line_of(user)),
        "unassigned": Q(assignee__isnull=True),
        "at_risk": at_risk(now),
        "breached": breached(now),
        "exempt": exempt(),
        "senior": Q(support_line="senior"),
    }
    counts = tickets.aggregate(
        all=Count("pk"), **{name: Count("pk", filter=q) for name, q in counted.items()}
    )
    counts["requests"] = pending_requests(tickets).count()
    return {name: counts[name] for name in QUEUES}


def count_of(user: User, now: dt.datetime, data) -> int:
    queue = data.get("queue") or "all"
    queue = queue if queue in QUEUES else "all"
    return queue_base(user, queue, now, cleaned_filters(data)).count()


def severity_choices() -> list[tuple[str, str]]:
    """Severity ids of the policies contracts run under, for the queue filter."""
    from pacto.contracts.models import Contract, PolicyVersion

    # The versions contracts run under (a small table), not a pass over the tickets.
    names: dict[str, set[str]] = defaultdict(set)
    used = Contract.objects.values("policy_version_id")
    for version in PolicyVersion.objects.filter(pk__in=used):
        for severity in version.policy.localized(get_language()).severities:
            names[severity.id].add(severity.name)
    return [
        (severity_id, " / ".join(sorted(labels))) for severity_id, labels in sorted(names.items())
    ]
