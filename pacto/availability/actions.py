"""Every change of availability and hypercare state: probes, results, windows, hypercare.

``check_*`` validate, ``do_*`` apply one whole change in one transaction with its audit
event and outbox rows. Results are written insert-or-ignore on their (probe, slot) key:
whoever writes a slot first wins, and a second writer changes nothing.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from pacto.accounts.access import visible_organizations
from pacto.accounts.models import User, organization_language
from pacto.availability.figures import probe_figure
from pacto.availability.models import (
    AvailabilityNotice,
    HypercareReport,
    Probe,
    ProbeResult,
    ServiceWindow,
)
from pacto.contracts.models import (
    Contract,
    HypercareEvent,
    HypercareExtension,
    HypercareSignoff,
    HypercareTransition,
)
from pacto.errors import ActionError, NotAllowed, NotFound
from pacto.notifications.outbox import enqueue
from pacto.sla.availability import Month, SlotStatus, interval_us, slot_of
from pacto.sla.calendar import from_us, to_us

MAX_PUSH = 10_000  # results one request may push


def _now(now: dt.datetime | None) -> dt.datetime:
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ActionError("now", "aware", "a time zone is required")
    return now


def _require_manager(actor: User, what: str) -> None:
    if not actor.is_manager:
        raise NotAllowed(f"only a support manager may {what}")


def _require_staff(actor: User, what: str) -> None:
    if not actor.is_staff_member:
        raise NotAllowed(f"only the vendor's staff may {what}")


def customer_contacts(contract: Contract) -> list[User]:
    """Who hears about a contract's windows and hypercare: its organization's active
    authorized contacts and admins."""
    return list(
        User.objects.filter(organization=contract.organization, is_active=True).filter(
            Q(is_authorized=True) | Q(is_org_admin=True)
        )
    )


def managers() -> list[User]:
    return list(User.objects.filter(role__in=[User.Role.MANAGER, User.Role.ADMIN], is_active=True))


# ----------------------------------------------------------------------------- probes


def check_probe(
    contract: Contract, *, name: str, kind: str, url: str, host: str, port: int | None
) -> None:
    if contract.policy.availability is None:
        raise ActionError(
            "contract",
            "availability",
            f"policy {contract.policy.id} makes no availability commitment",
        )
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise ActionError("name", "slug", "a probe name is letters, digits, - and _")
    if Probe.objects.filter(name=name).exists():
        raise ActionError("name", "unique", f"a probe named {name} exists")
    if kind == Probe.Kind.HTTP:
        if not url.startswith(("http://", "https://")):
            raise ActionError("url", "http_url", "an HTTP probe needs an http:// or https:// URL")
    elif kind == Probe.Kind.TCP:
        if not host or not port or not 0 < port < 65536:
            raise ActionError("port", "tcp_target", "a TCP probe needs a host and a port 1-65535")
    else:
        raise ActionError("kind", "choice", "kind is http or tcp")


def do_create_probe(
    actor: User,
    contract: Contract,
    *,
    name: str,
    kind: str = Probe.Kind.HTTP,
    url: str = "",
    host: str = "",
    port: int | None = None,
    service: str = "",
    expected_status: int = 200,
    expected_text: str = "",
    timeout_seconds: float = 10.0,
    now: dt.datetime | None = None,
) -> Probe:
    now = _now(now)
    _require_manager(actor, "add probes")
    check_probe(contract, name=name, kind=kind, url=url, host=host, port=port)
    if not 0 < timeout_seconds <= 60:
        raise ActionError("timeout_seconds", "range", "a timeout is between 0 and 60 seconds")
    with transaction.atomic():
        probe = Probe.objects.create(
            name=name, contract=contract, service=service, kind=kind, url=url, host=host,
            port=port, expected_status=expected_status, expected_text=expected_text,
            timeout_seconds=timeout_seconds, next_due_at=now, created_at=now,
        )  # fmt: skip
    return probe


def probe_for(actor: User, name: str) -> Probe:
    """A probe the actor may see, by name (staff: any; contacts: their organization's)."""
    probe = Probe.objects.select_related("contract__organization").filter(name=name).first()
    if probe is None or not may_see_contract(actor, probe.contract):
        raise NotFound("probe")
    return probe


def may_see_contract(user: User, contract: Contract) -> bool:
    """Staff, the customer's contacts and the contacts of a partner serving it
    (``pacto.accounts.access``)."""
    return visible_organizations(user).filter(pk=contract.organization_id).exists()


# ----------------------------------------------------------------------------- results


def do_record_results(
    probe: Probe,
    results: Iterable[tuple[dt.datetime, int, int | None]],
    *,
    source: int,
    now: dt.datetime | None = None,
) -> int:
    """Store results (instant, SlotStatus, latency) on their slots; a slot already measured
    keeps its first result. Returns how many slots were new. Then the failure rule runs."""
    now = _now(now)
    step = interval_us(probe.interval())
    rows = {}
    for at, status, latency in results:
        if at > now + dt.timedelta(minutes=1):
            raise ActionError("slot_start", "not_future", f"{at.isoformat()} is in the future")
        slot = int(slot_of(np.array([to_us(at)]), step)[0])
        rows.setdefault(slot, (int(status), latency))
    objects = [
        ProbeResult(probe=probe, slot_start=from_us(slot), status=s, latency_ms=lat, source=source)
        for slot, (s, lat) in rows.items()
    ]
    with transaction.atomic():
        before = ProbeResult.objects.filter(probe=probe).count() if objects else 0
        ProbeResult.objects.bulk_create(objects, ignore_conflicts=True, batch_size=5000)
        written = ProbeResult.objects.filter(probe=probe).count() - before if objects else 0
        _after_results(probe, now)
    return written


def _after_results(probe: Probe, now: dt.datetime) -> None:
    """Count the latest failing slots in a row; at the policy's N, open a ticket once."""
    spec = probe.policy.availability
    latest = list(
        ProbeResult.objects.filter(probe=probe)
        .order_by("-slot_start")
        .values_list("slot_start", "status")[: max(spec.ticket_after_failures or 1, 1) + 1]
    )
    failures = 0
    for _, status in latest:
        if status != SlotStatus.DOWN:
            break
        failures += 1
    Probe.objects.filter(pk=probe.pk).update(consecutive_failures=failures)
    probe.consecutive_failures = failures
    n = spec.ticket_after_failures
    if n and failures >= n:
        first_failing = latest[failures - 1][0]
        _open_failure_ticket(probe, first_failing, failures, now)


def _open_failure_ticket(probe: Probe, since: dt.datetime, failures: int, now: dt.datetime):
    """The vendor's monitoring found the service down: a ticket opened by the vendor (Pacto's
    automation) on the customer's behalf, at the policy's highest severity, once per outage;
    the customer's authorized contacts are told, the managers alerted."""
    from pacto.automation.actions import system_user
    from pacto.tickets.actions import do_open_for_customer

    key = f"probe-failing:{probe.pk}:{since.isoformat()}"
    if AvailabilityNotice.objects.filter(key=key).exists():
        return
    contract = probe.contract
    policy = probe.policy
    service = probe.service or probe.name
    e = html.escape
    with translation.override(organization_language(contract.organization)):
        subject = translation.gettext("%(service)s is unavailable (probe %(probe)s)") % {
            "service": service,
            "probe": probe.name,
        }
    opened = do_open_for_customer(
        system_user(),
        organization=contract.organization,
        subject=subject,
        body=(
            f"<p>The vendor's availability monitoring opened this ticket on behalf of "
            f"{e(contract.organization.name)}: probe {e(probe.name)} ({e(probe.target)}) failed "
            f"{failures} checks in a row since {since.isoformat()}. We are working on it and "
            f"answer here.</p><p>O monitoramento de disponibilidade do fornecedor abriu este "
            f"chamado em nome de {e(contract.organization.name)}: a sonda {e(probe.name)} "
            f"falhou {failures} verificações seguidas desde {since.isoformat()}. Estamos "
            f"trabalhando nisso e responderemos aqui.</p>"
        ),
        severity=policy.severities[0].id,
        opened_by="monitoring",
        kind="probe_ticket_opened",
        payload={"probe": probe.name, "service": service, "failures": failures,
                 "since": since.isoformat()},
        now=now,
    )  # fmt: skip
    AvailabilityNotice.objects.create(key=key, at=now)
    ticket = opened[0] if opened else None  # None: no active contract or nobody to tell
    if ticket is not None:
        Probe.objects.filter(pk=probe.pk).update(failure_ticket=ticket)
    enqueue(
        kind="probe_failing",
        dedupe_key=key,
        recipients=managers(),
        organization=contract.organization,
        payload={
            "probe": probe.name,
            "failures": failures,
            "ticket": ticket.pk if ticket else None,
        },
    )


def check_push_actor(actor: User) -> None:
    if not actor.is_staff_member:
        raise NotAllowed("probe results are pushed by the vendor's monitors only")


def do_push_results(actor: User, probe_name: str, items: list[dict], *, now=None) -> dict:
    """``POST /api/availability/results``: results from an external monitor."""
    now = _now(now)
    check_push_actor(actor)
    probe = probe_for(actor, probe_name)
    if len(items) > MAX_PUSH:
        raise ActionError("results", "max_items", f"at most {MAX_PUSH} results a request")
    rows = []
    for i, item in enumerate(items):
        at = item.get("slot") or item.get("timestamp")
        if at is None:
            raise ActionError(f"results[{i}].slot", "required", "a slot or a timestamp")
        if timezone.is_naive(at):
            raise ActionError(f"results[{i}].slot", "aware", "an instant with a UTC offset")
        rows.append((at, SlotStatus.parse(item["status"]), item.get("latency_ms")))
    written = do_record_results(probe, rows, source=ProbeResult.Source.PUSHED, now=now)
    return {"probe": probe.name, "received": len(rows), "written": written}


# ----------------------------------------------------------------------------- windows


def check_window(contract: Contract, starts_at: dt.datetime, ends_at: dt.datetime, kind: str):
    if kind not in ServiceWindow.Kind.values:
        raise ActionError("kind", "choice", "kind is planned or extraordinary")
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ActionError("starts_at", "aware", "a time zone is required")
    if ends_at <= starts_at:
        raise ActionError("ends_at", "after_start", "a window ends after it starts")
    if ends_at - starts_at > dt.timedelta(days=7):
        raise ActionError("ends_at", "max_length", "a window lasts at most seven days")
    if contract.policy.availability is None:
        raise ActionError(
            "contract", "availability", "the contract's policy measures no availability"
        )


def do_announce_window(
    actor: User,
    contract: Contract,
    *,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    service: str = "",
    recurs_monthly: bool = False,
    recurs_until: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ServiceWindow:
    """A service window, announced now: the notice goes to the customer's contacts."""
    now = _now(now)
    _require_staff(actor, "announce service windows")
    check_window(contract, starts_at, ends_at, kind)
    if not reason.strip():
        raise ActionError("reason", "required", "say why the service is interrupted")
    notice = contract.policy.availability.window_notice
    needed = notice.length(contract.policy.calendar()) if notice else dt.timedelta(0)
    late = now > starts_at - needed
    with transaction.atomic():
        window = ServiceWindow.objects.create(
            contract=contract, service=service, kind=kind, starts_at=starts_at, ends_at=ends_at,
            reason=reason.strip(), recurs_monthly=recurs_monthly, recurs_until=recurs_until,
            announced_at=now, notice_late=late, created_by=actor, created_at=now,
        )  # fmt: skip
        enqueue(
            kind=f"service_window_{kind}" + ("_late" if late else ""),
            dedupe_key=f"service-window:{window.pk}",
            recipients=customer_contacts(contract),
            organization=contract.organization,
            payload={
                "service": service or contract.organization.name,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "reason": window.reason,
                "window": window.pk,
            },
        )
    return window


# ----------------------------------------------------------------------------- monthly alert


def alert_month_below_target(month: Month, figures: dict, now: dt.datetime) -> int:
    """One alert to the managers per probe and month whose figure is below target."""
    sent = 0
    probes = Probe.objects.select_related("contract__organization").in_bulk(list(figures))
    with transaction.atomic():
        for probe_id, figure in figures.items():
            if figure.met is not False:
                continue
            key = f"below-target:{probe_id}:{month}"
            _, created = AvailabilityNotice.objects.get_or_create(key=key, defaults={"at": now})
            if not created:
                continue
            probe = probes[probe_id]
            enqueue(
                kind="availability_below_target",
                dedupe_key=key,
                recipients=managers(),
                organization=probe.contract.organization,
                payload={
                    "probe": probe.name, "month": str(month),
                    "availability": figure.availability_text, "target": f"{figure.target:.3f}",
                    "organization": probe.contract.organization.name,
                },
            )  # fmt: skip
            sent += 1
    return sent


# ----------------------------------------------------------------------------- hypercare


def _hypercare_event(contract, kind, actor, now, **data) -> HypercareEvent:
    return HypercareEvent.objects.create(
        contract=contract, kind=kind, actor=actor, at=now, data=data
    )


def _recompute_tickets(contract: Contract, now: dt.datetime) -> None:
    """Hypercare's end moved: the contract's open tickets take the new rules from then on."""
    from pacto.tickets.clocks import recompute_open_tickets
    from pacto.tickets.models import Ticket

    tickets = Ticket.objects.filter(contract=contract)
    transaction.on_commit(lambda: recompute_open_tickets(now, tickets=tickets))


def _check_in_hypercare(contract: Contract, today: dt.date) -> None:
    if contract.hypercare_until() is None:
        raise ActionError("contract", "hypercare", "the contract has no hypercare")
    if contract.hypercare_concluded_on:
        raise ActionError("contract", "hypercare_concluded", "hypercare has concluded")
    if today < contract.go_live_on:
        raise ActionError("contract", "hypercare_not_started", "hypercare starts at go-live")


def do_propose_extension(
    actor: User, contract: Contract, *, weeks: int, reason: str, now=None
) -> HypercareExtension:
    now = _now(now)
    _require_staff(actor, "propose hypercare extensions")
    _check_in_hypercare(contract, now.date())
    if not 1 <= weeks <= 26:
        raise ActionError("weeks", "range", "an extension is 1 to 26 weeks")
    if not reason.strip():
        raise ActionError("reason", "required", "say why hypercare should go on")
    if contract.hypercare_extensions.filter(accepted_at__isnull=True, declined_at__isnull=True):
        raise ActionError("contract", "open_proposal", "an extension proposal is already open")
    with transaction.atomic():
        extension = HypercareExtension.objects.create(
            contract=contract, weeks=weeks, reason=reason.strip(), proposed_by=actor,
            proposed_at=now,
        )  # fmt: skip
        _hypercare_event(contract, "extension_proposed", actor, now, weeks=weeks, reason=reason)
        enqueue(
            kind="hypercare_extension_proposed",
            dedupe_key=f"hypercare-extension:{extension.pk}:proposed",
            recipients=[u for u in customer_contacts(contract) if u.is_org_admin],
            organization=contract.organization,
            payload={"weeks": weeks, "reason": extension.reason},
        )
    return extension


def do_answer_extension(
    actor: User, extension: HypercareExtension, *, accept: bool, now=None
) -> HypercareExtension:
    """The customer's admin accepts (or declines) the vendor's proposal: recorded."""
    now = _now(now)
    contract = extension.contract
    if actor.is_staff_member or actor.organization_id != contract.organization_id:
        raise NotAllowed("the customer's organization admin answers an extension proposal")
    if not actor.is_org_admin:
        raise NotAllowed("only the organization's admin may agree to extend hypercare")
    if not extension.is_open:
        raise ActionError("extension", "answered", "this proposal has been answered")
    _check_in_hypercare(contract, now.date())
    with transaction.atomic():
        if accept:
            extension.accepted_by, extension.accepted_at = actor, now
        else:
            extension.declined_at = now
        extension.save()
        contract.refresh_from_db()
        until = contract.hypercare_until()
        _hypercare_event(
            contract, "extension_accepted" if accept else "extension_declined", actor, now,
            weeks=extension.weeks, until=until.isoformat(),
        )  # fmt: skip
        if accept:
            enqueue(
                kind="hypercare_extension_accepted",
                dedupe_key=f"hypercare-extension:{extension.pk}:accepted",
                recipients=[extension.proposed_by, *customer_contacts(contract)],
                organization=contract.organization,
                payload={"weeks": extension.weeks, "until": until.isoformat()},
            )
            _recompute_tickets(contract, now)
    return extension


def do_sign_off(actor: User, contract: Contract, *, note: str = "", now=None) -> HypercareSignoff:
    """One side's "both parties agree that the system is stable": a manager for the vendor,
    the organization's admin for the customer."""
    now = _now(now)
    _check_in_hypercare(contract, now.date())
    if actor.is_staff_member:
        _require_manager(actor, "sign off hypercare for the vendor")
        side = HypercareSignoff.Side.VENDOR
    elif actor.organization_id == contract.organization_id and actor.is_org_admin:
        side = HypercareSignoff.Side.CUSTOMER
    else:
        raise NotAllowed("the customer's organization admin signs off for the customer")
    if contract.hypercare_signoffs.filter(side=side).exists():
        raise ActionError("side", "signed", f"the {side} side has signed off already")
    with transaction.atomic():
        signoff = HypercareSignoff.objects.create(
            contract=contract, side=side, signed_by=actor, signed_at=now, note=note.strip()
        )
        _hypercare_event(contract, "signed_off", actor, now, side=side, note=note.strip())
        enqueue(
            kind="hypercare_signed_off",
            dedupe_key=f"hypercare-signoff:{signoff.pk}",
            recipients=[*customer_contacts(contract), *managers()],
            organization=contract.organization,
            payload={"side": side},
        )
    return signoff


def conclusion_checks(contract: Contract, now: dt.datetime) -> dict:
    """&money, Conclusion of hypercare period, checked from the data."""
    from pacto.tickets.models import Ticket

    policy = contract.policy
    minimum = policy.hypercare.minimum_weeks if policy.hypercare else 2
    critical = policy.severities[0].id
    open_critical = list(
        Ticket.objects.filter(contract=contract, severity=critical)
        .exclude(status_category__in=["solved", "closed"])
        .values_list("pk", flat=True)
    )
    since = (now.date() - contract.go_live_on).days if contract.go_live_on else 0
    sides = set(contract.hypercare_signoffs.values_list("side", flat=True))
    return {
        "operational_days": since,
        "operational_for_minimum": since >= 7 * minimum,
        "minimum_weeks": minimum,
        "open_critical_incidents": open_critical,
        "no_critical_open": not open_critical,
        "vendor_signed": HypercareSignoff.Side.VENDOR in sides,
        "customer_signed": HypercareSignoff.Side.CUSTOMER in sides,
    }


def do_conclude_hypercare(actor: User, contract: Contract, *, notes: str = "", now=None):
    """The formal transition to standard support: recorded with the checks it rests on.
    Hypercare's rules apply through today; standard support from tomorrow."""
    now = _now(now)
    _require_manager(actor, "record the transition to standard support")
    _check_in_hypercare(contract, now.date())
    checks = conclusion_checks(contract, now)
    for name, field, message in (
        ("operational_for_minimum", "go_live_on", "the system has not been operational for the minimum weeks"),
        ("no_critical_open", "tickets", "a critical incident is still open"),
        ("vendor_signed", "signoffs", "the vendor has not signed off"),
        ("customer_signed", "signoffs", "the customer has not signed off"),
    ):  # fmt: skip
        if not checks[name]:
            raise ActionError(field, name, message)
    with transaction.atomic():
        today = now.astimezone(contract.policy.calendar().zone).date()
        contract.hypercare_concluded_on = today
        contract.save(update_fields=["hypercare_concluded_on"])
        transition = HypercareTransition.objects.create(
            contract=contract, recorded_by=actor, recorded_at=now, notes=notes.strip(),
            checks=checks,
        )  # fmt: skip
        standard_from = today + dt.timedelta(days=1)
        _hypercare_event(
            contract, "concluded", actor, now, until=today.isoformat(),
            standard_from=standard_from.isoformat(), checks=checks,
        )  # fmt: skip
        enqueue(
            kind="hypercare_concluded",
            dedupe_key=f"hypercare-concluded:{contract.pk}",
            recipients=[*customer_contacts(contract), *managers()],
            organization=contract.organization,
            payload={"until": today.isoformat(), "standard_from": standard_from.isoformat()},
        )
        _recompute_tickets(contract, now)
    return transition


def do_send_status_report(
    contract: Contract, *, period_end: dt.datetime, actor: User | None = None, now=None
) -> HypercareReport:
    """A hypercare status report (availability from the probes, open and solved incidents)
    to the customer's contacts, kept for the portal. Once per period end."""
    from pacto.tickets.models import Ticket

    now = _now(now)
    if contract.hypercare_until() is None:
        raise ActionError("contract", "hypercare", "the contract has no hypercare")
    existing = HypercareReport.objects.filter(contract=contract, period_end=period_end).first()
    if existing:
        return existing
    policy = contract.policy
    every = policy.hypercare.report_every if policy.hypercare else None
    length = every.length(policy.calendar()) if every else dt.timedelta(days=7)
    zone = policy.calendar().zone
    go_live = dt.datetime.combine(contract.go_live_on, dt.time(0), zone)
    period_start = max(go_live, period_end - length)
    done = ["solved", "closed"]
    tickets = Ticket.objects.filter(contract=contract, opened_at__lt=period_end)
    open_items = [
        {"id": t.pk, "subject": t.subject, "severity": t.severity}
        for t in tickets.exclude(status_category__in=done)
    ]
    solved_items = [
        {"id": t.pk, "subject": t.subject, "severity": t.severity}
        for t in tickets.filter(status_category__in=done, solved_at__gte=period_start)
    ]
    figures = []
    month = Month(period_end.astimezone(zone).year, period_end.astimezone(zone).month)
    for probe in contract.probes.filter(is_active=True):
        if probe.policy.availability is None:
            continue
        figure = probe_figure(probe, month)
        figures.append({"probe": probe.name, "availability": figure.availability_text})
    availability = ", ".join(f"{f['probe']} {f['availability'] or '-'}" for f in figures) or "-"
    until = contract.hypercare_until()
    with transaction.atomic():
        report = HypercareReport.objects.create(
            contract=contract, period_start=period_start, period_end=period_end,
            availability=figures[0]["availability"] or "" if figures else "",
            open_incidents=open_items, solved_incidents=solved_items,
            summary={"probes": figures, "until": until.isoformat(), "month": str(month)},
            sent_at=now, sent_by=actor,
        )  # fmt: skip
        _hypercare_event(contract, "status_report_sent", actor, now, report=report.pk)
        enqueue(
            kind="hypercare_report",
            dedupe_key=f"hypercare-report:{report.pk}",
            recipients=customer_contacts(contract),
            organization=contract.organization,
            payload={
                "organization": contract.organization.name, "availability": availability,
                "open_count": len(open_items), "solved_count": len(solved_items),
                "until": until.isoformat(),
            },
        )  # fmt: skip
    return report


def contract_for(actor: User, contract_id: int) -> Contract:
    contract = Contract.objects.select_related("organization").filter(pk=contract_id).first()
    if contract is None or not may_see_contract(actor, contract):
        raise NotFound("contract")
    return contract
