"""SLA figures of a month, computed from the stored clocks and ticket events (never counters).

Definitions (stated in every report, see ``DEFINITIONS``):

- A clock is *decided* in the period when it was met on time (``met_at`` in the period) or
  breached (``breached_at`` in the period). A clock breached once stays breached, even if it
  is met later.
- *Running*: the clock had started before the period's end and was neither met nor breached
  by then (paused clocks are running for this count). Clocks stopped without a verdict
  (a ticket closed before any reply) and tickets without a target are not counted.
- *Counted* = met + breached + running.
- *Attainment* = met ÷ (met + breached) over the clocks decided in the period (JSM's
  definition); none when nothing was decided.
- *Time to meet*: business time from start to met, median and 90th percentile, over the
  clocks met in the period (on time or late).
- *Time over target*: business time beyond the target of the clocks breached in the period
  (elapsed − target; a breached clock still running counts up to its last computation).
- *Paused time*: the time the clocks decided in the period spent paused.
- *Backlog*: tickets open at the period's end (their status then, from their history), by
  age at the end and by status.
- *Reopen rate*: tickets reopened in the period ÷ tickets solved in the period.
- *First-contact resolution*: tickets solved in the period after at most one public agent
  reply and never reopened ÷ tickets solved in the period.

Because every figure is a query over the clocks, a recompute (``pacto sla recompute``) after
a calendar or policy change changes the figures of past months, and each report names the
policy versions of the tickets it counted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Q
from django.utils import timezone

from pacto.contracts.models import PolicyVersion
from pacto.errors import ActionError
from pacto.reports import figures_sql
from pacto.reports.measure import (
    DEFINITIONS,
    DIMENSIONS,
    METRICS,
    POLICY_BOUND,
    Group,
    Period,
    breach_line,
    month_of,
    over_target,
)
from pacto.sla.policy import StatusCategory
from pacto.tickets.models import SlaClock, Ticket, TicketEvent

AGE_BUCKETS = (
    ("< 1 day", dt.timedelta(days=1)),
    ("1–3 days", dt.timedelta(days=3)),
    ("3–7 days", dt.timedelta(days=7)),
    ("7–30 days", dt.timedelta(days=30)),
    ("≥ 30 days", None),
)


def clock_rows(period: Period, tickets=None):
    """The clocks the period's figures are made of: decided in it, or running at its end."""
    end, start = period.end, period.start
    live = ("running", "paused", "met", "breached")
    decided = Q(state="met", met_at__gte=start, met_at__lt=end) | Q(
        state__in=live, breached_at__gte=start, breached_at__lt=end
    )
    met_late = Q(state="breached", met_at__gte=start, met_at__lt=end)
    running = (
        Q(started_at__lt=end, state__in=live)
        & (Q(met_at__isnull=True) | Q(met_at__gte=end))
        & (Q(breached_at__isnull=True) | Q(breached_at__gte=end))
    )
    clocks = SlaClock.objects.filter(decided | met_late | running, metric__in=METRICS)
    if tickets is not None:
        clocks = clocks.filter(ticket__in=tickets)
    fields = [
        "ticket_id", "metric", "state", "started_at", "due_at", "met_at", "breached_at",
        "elapsed_seconds", "remaining_seconds", "exempt_reason", "target", "paused_seconds",
        "ticket__policy_version_id",
        "ticket__organization_id",
        *(f for f in DIMENSIONS.values() if f),
    ]  # fmt: skip
    return clocks.values(*fields)


def _in(value: dt.datetime | None, period: Period) -> bool:
    return value is not None and period.start <= value < period.end


def sla_figures(
    period: Period,
    *,
    organization=None,
    group_by: list[str] | tuple[str, ...] = ("severity",),
    tickets=None,
    breach_limit: int = 500,
    now: dt.datetime | None = None,
    force_python: bool = False,
) -> dict:
    """Every SLA figure of the period, per metric, in groups, with the breaches listed."""
    group_by = check_group_by(group_by)
    now = now or timezone.now()
    if organization is not None:
        tickets = (tickets if tickets is not None else Ticket.objects.all()).filter(
            organization=organization
        )
    versions = {v.pk: v for v in PolicyVersion.objects.all()}
    dims = list(group_by)
    if any(d in POLICY_BOUND for d in dims) and "policy" not in dims:
        dims = ["policy", *dims]
    if (
        figures_sql.usable(dims)
        and (tickets is None or organization is not None)
        and not force_python
    ):
        org_id = organization.pk if organization is not None else None
        groups, totals, used_versions = figures_sql.sql_groups(period, org_id, dims, now)
        breaches = figures_sql.sql_breaches(period, org_id, now, breach_limit)
    else:
        groups, totals, breaches, used_versions = _python_groups(
            period, tickets, dims, group_by, versions, now, breach_limit
        )
    breaches.sort(key=lambda b: (b["breached_at"], b["ticket"], b["metric"]))
    breaches = breaches[:breach_limit]
    return {
        "period": period.as_json(),
        "organization": organization.name if organization is not None else None,
        "group_by": dims,
        "definitions": DEFINITIONS,
        "policy_versions": [
            {
                "policy": versions[pk].policy_id,
                "version": versions[pk].version,
                "sha256": versions[pk].sha256,
            }
            for pk in sorted(used_versions, key=lambda pk: (versions[pk].policy_id, pk))
        ],
        "metrics": {
            metric: {
                "total": totals[metric].as_json(),
                "groups": [
                    groups[metric][key].as_json()
                    for key in sorted(groups[metric], key=lambda k: tuple(map(str, k)))
                ],
            }
            for metric in METRICS
        },
        "breaches": breaches,
        "breaches_listed": len(breaches),
        "backlog": backlog(period, tickets),
        **ticket_rates(period, tickets),
    }


def _python_groups(period, tickets, dims, group_by, versions, now, breach_limit):
    """Every clock of the period read and counted here (any database)."""
    groups: dict[str, dict[tuple, Group]] = {m: {} for m in METRICS}
    totals = {m: Group({}) for m in METRICS}
    breaches = []
    used_versions: set[int] = set()
    for row in clock_rows(period, tickets).iterator(chunk_size=5000):
        metric = row["metric"]
        state = row["state"]
        used_versions.add(row["ticket__policy_version_id"])
        met_at = row["met_at"]
        # A running clock past its due time is breached even before a sweep records it
        # (as the manager's dashboard counts it).
        breached_at = row["breached_at"]
        if breached_at is None and state == "running" and row["due_at"] and row["due_at"] <= now:
            breached_at = row["due_at"]
        if state == "met" and _in(met_at, period):
            verdict, when = "met", met_at
        elif breached_at is not None and _in(breached_at, period):
            verdict, when = ("exempt" if row["exempt_reason"] else "breached"), breached_at
        elif (
            row["started_at"] is not None
            and row["started_at"] < period.end
            and (met_at is None or met_at >= period.end)
            and (breached_at is None or breached_at >= period.end)
        ):
            verdict, when = "running", None
        else:
            verdict, when = None, None  # met late in the period: its time to meet only
        version = versions[row["ticket__policy_version_id"]]
        values = {
            "policy": version.policy_id,
            "month": month_of(when, period.zone) if when else period.month,
        }
        for name in group_by:
            if name not in values:
                values[name] = row[DIMENSIONS[name]] or ""
        key = tuple(values[d] for d in dims)
        group = groups[metric].get(key)
        if group is None:
            group = groups[metric][key] = Group({d: values[d] for d in dims})
        for target in (group, totals[metric]):
            if verdict is not None:
                setattr(target, verdict, getattr(target, verdict) + 1)
            if _in(met_at, period) and state in ("met", "breached"):
                target.to_meet.append(row["elapsed_seconds"])
            if verdict in ("met", "breached", "exempt"):
                target.paused_seconds += row["paused_seconds"]
            if verdict == "breached":
                target.over_target.append(over_target(row["remaining_seconds"]))
        if verdict in ("breached", "exempt"):
            line = breach_line(
                row["ticket_id"], metric, row["ticket__organization__name"],
                row["ticket__severity"], row["ticket__plan"], row["target"], breached_at,
                row["remaining_seconds"], row["exempt_reason"],
            )  # fmt: skip
            breaches.append(line)
    return groups, totals, breaches, used_versions


def check_group_by(group_by) -> list[str]:
    if isinstance(group_by, str):
        group_by = [part.strip() for part in group_by.split(",") if part.strip()]
    unknown = [d for d in group_by if d not in DIMENSIONS]
    if unknown:
        raise ActionError(
            "group_by",
            "choice",
            f"group_by: unknown {', '.join(unknown)}; choose from {', '.join(DIMENSIONS)}",
        )
    return list(dict.fromkeys(group_by))


# ----------------------------------------------------------------------------- tickets


def status_at(ticket_events: list, policy, instant: dt.datetime) -> str:
    """The ticket's status category at ``instant``, from its status events."""
    category = StatusCategory.NEW.value
    for event in ticket_events:
        if event["at"] >= instant:
            break
        to = (event["data"] or {}).get("to")
        if to:
            try:
                category = policy.status(to).category.value
            except Exception:
                category = to
    return category


def backlog(period: Period, tickets=None) -> dict:
    end = period.end
    opened = (tickets if tickets is not None else Ticket.objects.all()).filter(opened_at__lt=end)
    candidates = opened.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
    # Never closed, or closed after the end: two ranges rather than an OR, so that on
    # PostgreSQL each is an index-only scan of reports_ticket_closed (120 ms → 13 ms).
    rows = [
        row
        for part in (opened.filter(closed_at__isnull=True), opened.filter(closed_at__gte=end))
        for row in part.order_by().values_list("pk", "opened_at", "policy_version_id")
    ]
    # The status each candidate was in at the end: its last status event before it.
    last_status: dict[int, str] = {}
    events = (
        TicketEvent.objects.filter(
            ticket__in=candidates.values("pk"), kind=TicketEvent.Kind.STATUS, at__lt=end
        )
        .order_by("ticket_id", "at", "id")
        .values_list("ticket_id", "data")
    )
    for ticket_id, data in events.iterator(chunk_size=5000):
        if (data or {}).get("to"):
            last_status[ticket_id] = data["to"]
    categories = {
        v.pk: {s.id: s.category.value for s in v.policy.statuses}
        for v in PolicyVersion.objects.filter(pk__in={r[2] for r in rows})
    }
    by_age = Counter()
    by_status = Counter()
    limits = [(label, limit) for label, limit in AGE_BUCKETS]
    for pk, opened_at, version_id in rows:
        status = last_status.get(pk)
        category = (
            categories[version_id].get(status, status) if status else StatusCategory.NEW.value
        )
        if category in (StatusCategory.SOLVED, StatusCategory.CLOSED):
            continue
        age = end - opened_at
        for label, limit in limits:
            if limit is None or age < limit:
                by_age[label] += 1
                break
        by_status[category] += 1
    return {
        "as_of": end.isoformat(),
        "open": sum(by_status.values()),
        "by_age": {label: by_age[label] for label, _ in AGE_BUCKETS},
        "by_status": dict(sorted(by_status.items())),
    }


def ticket_rates(period: Period, tickets=None) -> dict:
    tickets = tickets if tickets is not None else Ticket.objects.all()
    solved = tickets.filter(solved_at__gte=period.start, solved_at__lt=period.end)
    solved_count = solved.count()
    reopened = (
        tickets.filter(
            events__kind=TicketEvent.Kind.REOPENED,
            events__at__gte=period.start,
            events__at__lt=period.end,
        )
        .distinct()
        .count()
    )
    first_contact = (
        solved.annotate(
            replies=Count("events", filter=Q(events__kind=TicketEvent.Kind.AGENT_REPLY)),
            reopens=Count("events", filter=Q(events__kind=TicketEvent.Kind.REOPENED)),
        )
        .filter(replies__lte=1, reopens=0)
        .count()
    )
    return {
        "opened": tickets.filter(opened_at__gte=period.start, opened_at__lt=period.end).count(),
        "solved": solved_count,
        "reopen_rate": {
            "reopened": reopened,
            "solved": solved_count,
            "percent": round(100 * reopened / solved_count, 2) if solved_count else None,
        },
        "first_contact_resolution": {
            "tickets": first_contact,
            "solved": solved_count,
            "percent": round(100 * first_contact / solved_count, 2) if solved_count else None,
        },
    }


# ----------------------------------------------------------------------------- tables


def tables(figures: dict) -> dict[str, tuple[list[str], list[list]]]:
    """The report as named tables (header, rows): what CSV and XLSX exports hold."""
    dims = figures["group_by"]
    columns = [
        "counted", "met", "breached", "exempt_breaches", "running", "attainment_percent",
        "median_to_meet_seconds",
        "p90_to_meet_seconds", "over_target_seconds", "median_over_target_seconds",
        "paused_seconds",
    ]  # fmt: skip
    out: dict[str, tuple[list[str], list[list]]] = {}
    header = ["metric", *dims, *columns]
    rows = []
    for metric, data in figures["metrics"].items():
        for group in data["groups"]:
            rows.append([metric, *(group[d] for d in dims), *(group[c] for c in columns)])
        rows.append([metric, *("(all)" for _ in dims), *(data["total"][c] for c in columns)])
    out["sla"] = (header, rows)
    out["breaches"] = (
        ["ticket", "metric", "organization", "severity", "plan", "target", "breached_at",
         "over_target_seconds", "exempt_reason", "explanation_url"],
        [[b["ticket"], b["metric"], b["organization"], b["severity"], b["plan"], b["target"],
          b["breached_at"], b["over_target_seconds"], b["exempt_reason"], b["explanation_url"]]
         for b in figures["breaches"]],
    )  # fmt: skip
    backlog_data = figures["backlog"]
    out["backlog"] = (
        ["dimension", "bucket", "tickets"],
        [["age", k, v] for k, v in backlog_data["by_age"].items()]
        + [["status", k, v] for k, v in backlog_data["by_status"].items()],
    )
    out["tickets"] = (
        ["figure", "count", "of", "percent"],
        [
            ["opened", figures["opened"], "", ""],
            ["solved", figures["solved"], "", ""],
            ["reopened", figures["reopen_rate"]["reopened"], figures["solved"],
             figures["reopen_rate"]["percent"]],
            ["first_contact_resolution", figures["first_contact_resolution"]["tickets"],
             figures["solved"], figures["first_contact_resolution"]["percent"]],
        ],
    )  # fmt: skip
    out["policy_versions"] = (
        ["policy", "version", "sha256"],
        [[p["policy"], p["version"], p["sha256"]] for p in figures["policy_versions"]],
    )
    if "csat" in figures:
        out["csat"] = (
            ["scope", "sent", "answered", "response_rate_percent", "good", "bad", "good_percent"],
            [[row["scope"], row["sent"], row["answered"], row["response_rate_percent"],
              row["good"], row["bad"], row["good_percent"]] for row in figures["csat"]["rows"]],
        )  # fmt: skip
    return out
