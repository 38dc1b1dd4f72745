"""The monthly customer report's content: every figure of one organization's month.

The content is plain JSON (numbers, texts, ISO instants), computed from the stored clocks,
events, probe results and catalogue; it holds nothing of the moment it was computed, so the
same stored clocks give the same content and the same hash. The PDF and the portal page
are both rendered from it.

The month is the calendar month in the time zone of the organization's policy calendar
(its business hours); the language is its organization admins' (EN or PT-BR).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter

from django.apps import apps
from django.db.models import Q

from pacto.accounts.models import Organization, organization_language
from pacto.contracts.models import Contract, PolicyVersion
from pacto.errors import ActionError
from pacto.reports.figures import backlog, sla_figures, status_at
from pacto.reports.measure import Period, month_of, target_seconds
from pacto.reports.surveys import csat_figures
from pacto.sla.phrases import from_json
from pacto.tickets.models import SlaClock, Ticket, TicketEvent
from pacto.tickets.words import explanation_lines

REPORTED_METRICS = ("first_response", "resolution")


def customer_period(organization: Organization, month: str) -> Period:
    contract = Contract.objects.filter(organization=organization).order_by("-starts_on").first()
    zone = contract.policy.calendar().zone.key if contract else "UTC"
    return Period.parse(month, zone)


def content_hash(content: dict) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _severity_name(policy, severity: str) -> str:
    try:
        return policy.severity(severity).name
    except Exception:
        return severity


def customer_content(organization: Organization, month: str) -> dict:
    if organization.kind != Organization.Kind.CUSTOMER:
        raise ActionError("organization", "customer", "monthly reports are for customers")
    period = customer_period(organization, month)
    tickets = Ticket.objects.filter(organization=organization)
    figures = sla_figures(period, organization=organization, group_by=["severity"], now=period.end)
    # The policies of the organization's tickets (a handful of versions, not one per ticket).
    policies = {
        version.pk: version.policy
        for version in PolicyVersion.objects.filter(
            pk__in=tickets.values("policy_version_id").distinct()
        )
    }

    def name_of(ticket_policy_version, severity):
        policy = policies.get(ticket_policy_version)
        return _severity_name(policy, severity) if policy else severity

    opened = Counter()
    for row in tickets.filter(opened_at__gte=period.start, opened_at__lt=period.end).values(
        "severity", "policy_version_id"
    ):
        opened[name_of(row["policy_version_id"], row["severity"])] += 1
    solved = Counter()
    for row in tickets.filter(solved_at__gte=period.start, solved_at__lt=period.end).values(
        "severity", "policy_version_id"
    ):
        solved[name_of(row["policy_version_id"], row["severity"])] += 1

    return {
        "organization": organization.name,
        "period": period.as_json(),
        "policy_versions": figures["policy_versions"],
        "tickets": {
            "opened": dict(sorted(opened.items())),
            "solved": dict(sorted(solved.items())),
            "opened_total": sum(opened.values()),
            "solved_total": sum(solved.values()),
        },
        "sla": {
            metric: {
                "total": figures["metrics"][metric]["total"],
                "groups": [
                    {**g, "severity_name": name_of_policy(policies, g)}
                    for g in figures["metrics"][metric]["groups"]
                ],
            }
            for metric in REPORTED_METRICS
        },
        "clocks": clock_lines(period, tickets, name_of),
        "open_tickets": open_tickets(period, tickets, name_of),
        "backlog": backlog(period, tickets),
        "availability": availability(organization, period),
        "services": services(organization, period),
        "known_issues": known_issues(organization, period),
        "satisfaction": csat_figures(period, organization=organization)["total"],
        "definitions": {
            k: figures["definitions"][k] for k in ("attainment", "running", "time_to_meet")
        },
    }


def name_of_policy(policies: dict, group: dict) -> str:
    for policy in policies.values():
        if policy.id == group.get("policy"):
            return _severity_name(policy, group["severity"])
    return group.get("severity", "")


def clock_lines(period: Period, tickets, name_of) -> list[dict]:
    """Each first response and resolution decided in the month against its target; a breach
    carries the engine's explanation."""
    decided = Q(state="met", met_at__gte=period.start, met_at__lt=period.end) | Q(
        state="breached", breached_at__gte=period.start, breached_at__lt=period.end
    )
    lines = []
    clocks = (
        SlaClock.objects.filter(decided, ticket__in=tickets, metric__in=REPORTED_METRICS)
        .select_related("ticket")
        .order_by("ticket_id", "metric")
    )
    for clock in clocks:
        ticket = clock.ticket
        length = target_seconds(ticket.policy_version_id, clock.target, clock.calendar)
        line = {
            "ticket": ticket.pk,
            "subject": ticket.subject,
            "severity": name_of(ticket.policy_version_id, ticket.severity),
            "metric": clock.metric,
            "target": clock.target,
            "target_seconds": length,
            "elapsed_seconds": round(clock.elapsed_seconds, 1),
            "state": clock.state,
            "started_at": clock.started_at.isoformat() if clock.started_at else None,
            "met_at": clock.met_at.isoformat() if clock.met_at else None,
            "breached_at": clock.breached_at.isoformat() if clock.breached_at else None,
            # A breach a manager marked exempt under the policy is listed as exempt, not
            # breached, as every figure counts it.
            "exempt_reason": clock.exempt_reason if clock.state == "breached" else "",
            "explanation": list(clock.explanation) if clock.state == "breached" else [],
        }
        lines.append(line)
    return lines


def readable_breaches(content: dict) -> list[dict]:
    """The month's breaches with their explanation in the reader's language, times in the
    policy's zone (the content keeps the engine's phrases, so it has no language)."""
    lines = [dict(line) for line in content["clocks"] if line["state"] == "breached"]
    tickets = Ticket.objects.filter(pk__in=[line["ticket"] for line in lines])
    policies = {t.pk: t.policy for t in tickets.select_related("policy_version")}
    for line in lines:
        notes = [from_json(note) for note in line["explanation"]]
        policy = policies.get(line["ticket"])
        if policy is None:
            line["explanation"] = [str(note) for note in notes]
        else:
            line["explanation"] = explanation_lines(notes, policy, policy.calendar().zone)
    return lines


def open_tickets(period: Period, tickets, name_of) -> list[dict]:
    candidates = tickets.filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=period.end), opened_at__lt=period.end
    ).select_related("policy_version")
    out = []
    for ticket in candidates.order_by("opened_at", "pk"):
        history = list(
            TicketEvent.objects.filter(
                ticket=ticket, kind=TicketEvent.Kind.STATUS, at__lt=period.end
            ).values("at", "data")
        )
        category = status_at(history, ticket.policy, period.end)
        if category in ("solved", "closed"):
            continue
        out.append(
            {
                "ticket": ticket.pk,
                "subject": ticket.subject,
                "severity": name_of(ticket.policy_version_id, ticket.severity),
                "status": category,
                "opened_at": ticket.opened_at.isoformat(),
                "age_days": (period.end - ticket.opened_at).days,
            }
        )
    return out


def availability(organization: Organization, period: Period) -> list[dict]:
    """Each probe's month against the commitment, with its outages (availability app)."""
    from pacto.availability.figures import probe_figure
    from pacto.availability.models import Probe
    from pacto.sla.availability import Month

    month = Month.parse(period.month)
    out = []
    probes = Probe.objects.filter(contract__organization=organization, is_active=True)
    for probe in probes.select_related("contract__policy_version").order_by("name"):
        if probe.contract.policy.availability is None:
            continue
        figure = probe_figure(probe, month)
        out.append(
            {
                "probe": probe.name,
                "service": probe.service,
                "availability_percent": figure.availability_text,
                "target_percent": f"{figure.target:.3f}",
                "met": figure.met,
                "outages": [
                    {
                        "start": o.start.isoformat(),
                        "end": o.end.isoformat(),
                        "business_minutes": o.business_minutes,
                    }
                    for o in figure.outages
                ],
            }
        )
    return out


def services(organization: Organization, period: Period) -> dict:
    """Professional services delivered in the month (the work logged on service quotes) and,
    per contract, the included services remaining in the contract year the month ends in
    (senhasegura §5.2: counted per contract year, from the contract's anniversary)."""
    if not apps.is_installed("pacto.services"):
        return {"tracked": False, "delivered": [], "remaining": []}
    from pacto.services.actions import entitlements
    from pacto.services.models import WorkLog

    logs = (
        WorkLog.objects.filter(
            organization=organization,
            quote__isnull=False,
            starts_at__gte=period.start,
            starts_at__lt=period.end,
        )
        .select_related("quote__contract__policy_version")
        .order_by("starts_at", "pk")
    )
    delivered: dict[int, dict] = {}
    for log in logs:
        quote = log.quote
        line = delivered.setdefault(
            quote.pk,
            {
                "ticket": quote.ticket_id,
                "service": quote.service,
                **_service_names(quote.contract.policy, quote.service),
                "title": quote.title,
                "first_day": log.starts_at.astimezone(period.start.tzinfo).date().isoformat(),
                "minutes": 0.0,
                "included": False,
            },
        )
        line["minutes"] += float(log.business_minutes + log.off_hours_minutes)
        line["included"] = line["included"] or log.billing == WorkLog.Billing.INCLUDED
    last_day = (period.end - dt.timedelta(days=1)).date()
    remaining = []
    contracts = Contract.objects.filter(
        organization=organization, starts_on__lte=last_day
    ).select_related("policy_version")
    for contract in contracts.order_by("starts_on", "pk"):
        if contract.ends_on < period.start.date():
            continue
        for item in entitlements(contract, last_day):
            remaining.append(
                {
                    "contract": contract.service_contract_id,
                    "service": item.service,
                    **_service_names(contract.policy, item.service),
                    "count": item.count,
                    "used": item.used,
                    "remaining": item.remaining,
                    "year_starts_on": item.year_starts_on.isoformat(),
                    "year_ends_on": item.year_ends_on.isoformat(),
                }
            )
    return {
        "tracked": True,
        "delivered": [
            {**line, "hours": round(line.pop("minutes") / 60, 2)} for line in delivered.values()
        ],
        "remaining": remaining,
    }


def _service_names(policy, code: str) -> dict:
    """The service's name in English and Brazilian Portuguese (the policy's own)."""
    try:
        service = policy.services.service(code)
    except Exception:
        return {"name": code, "name_pt_br": code}
    return {"name": service.name, "name_pt_br": service.name_pt_br or service.name}


def known_issues(organization: Organization, period: Period) -> list[dict]:
    """Published known issues linked to the organization's tickets (and so notified to it)."""
    from pacto.catalog.models import KnownIssue

    issues = (
        KnownIssue.objects.published()
        .filter(tickets__organization=organization, published_at__lt=period.end)
        .distinct()
        .order_by("slug")
    )
    return [
        {
            "slug": issue.slug,
            "title": issue.title,
            "status": issue.status,
            "workaround": bool(issue.workaround),
            "fixed_in": str(issue.fixed_in) if issue.fixed_in_id else "",
        }
        for issue in issues
    ]


__all__ = [
    "content_hash",
    "customer_content",
    "month_of",
    "organization_language",
    "readable_breaches",
]
