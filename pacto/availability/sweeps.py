"""Background work of availability and hypercare, each a function of ``now``.

Probes: a probe is due when its ``next_due_at`` (the next slot it owes a measurement for)
has come. The sweep measures outside any transaction, then records the slot's result
insert-or-ignore and moves ``next_due_at`` on. A prober killed mid-measurement moved
nothing, so the slot is measured again by the next sweep; two probers at once measure the
same slot and only the first result is kept. Slots that passed while no prober ran at all
are recorded ``unknown`` (never invented as up or down) once they are safely over.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import transaction

from pacto.availability import actions, prober
from pacto.availability.figures import month_figures
from pacto.availability.models import AvailabilityNotice, HypercareReport, Probe, ProbeResult
from pacto.contracts.models import Contract
from pacto.sla.availability import Month, SlotStatus, interval_us, slot_of
from pacto.sla.calendar import from_us, to_us

BACKFILL_LIMIT = 24 * 3600  # seconds of missed slots recorded as unknown at most
BACKFILL_MARGIN = dt.timedelta(seconds=5)


def sweep_probes(now: dt.datetime, measure=prober.measure) -> dict:
    """Measure every due probe once for the current slot."""
    measured = skipped = backfilled = 0
    due = list(
        Probe.objects.select_related("contract__policy_version")
        .filter(is_active=True, next_due_at__lte=now)
        .order_by("next_due_at")[:500]
    )
    for probe in due:
        step = interval_us(probe.interval())
        current = int(slot_of(np.array([to_us(now)]), step)[0])
        owed = int(slot_of(np.array([to_us(probe.next_due_at)]), step)[0])
        # Slots nobody measured: unknown, once they ended longer ago than a measurement takes.
        settled = to_us(now - dt.timedelta(seconds=probe.timeout_seconds) - BACKFILL_MARGIN)
        missed = [
            s for s in range(max(owed, current - BACKFILL_LIMIT * 1_000_000), current, step)
            if s + step <= settled
        ]  # fmt: skip
        if missed:
            backfilled += actions.do_record_results(
                probe,
                [(from_us(s), SlotStatus.UNKNOWN, None) for s in missed],
                source=ProbeResult.Source.PROBER,
                now=now,
            )
        if ProbeResult.objects.filter(probe=probe, slot_start=from_us(current)).exists():
            skipped += 1  # another prober measured this slot already
        else:
            result = measure(probe)  # the network: outside any transaction
            actions.do_record_results(
                probe,
                [(from_us(current), result.status, result.latency_ms)],
                source=ProbeResult.Source.PROBER,
                now=now,
            )
            measured += 1
        # Losing this race to another prober is harmless: both move it to the same slot.
        Probe.objects.filter(pk=probe.pk, next_due_at__lt=from_us(current + step)).update(
            next_due_at=from_us(current + step)
        )
    return {"due": len(due), "measured": measured, "skipped": skipped, "backfilled": backfilled}


def sweep_month_alerts(now: dt.datetime) -> dict:
    """Alert the managers once per probe and month when the month's figure is below target."""
    probes = list(Probe.objects.select_related("contract__organization").filter(is_active=True))
    alerts = 0
    by_month: dict[Month, list[Probe]] = {}
    for probe in probes:
        spec = probe.policy.availability
        if spec is None:
            continue
        local = now.astimezone(probe.policy.calendar(spec.calendar).zone)
        by_month.setdefault(Month(local.year, local.month), []).append(probe)
    for month, members in by_month.items():
        alerts += actions.alert_month_below_target(month, month_figures(members, month), now)
    return {"alerts": alerts}


def sweep_hypercare(now: dt.datetime) -> dict:
    """Status reports on the policy's cadence; clocks recomputed the day hypercare ends."""
    reports = recomputed = 0
    contracts = Contract.objects.select_related("organization", "policy_version").filter(
        go_live_on__isnull=False, hypercare_weeks__gt=0
    )
    for contract in contracts:
        policy = contract.policy
        if policy.hypercare is None:
            continue
        zone = policy.calendar().zone
        until = contract.hypercare_until()
        go_live = dt.datetime.combine(contract.go_live_on, dt.time(0), zone)
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), zone)
        if now >= end:
            key = f"hypercare-ended:{contract.pk}:{until.isoformat()}"
            with transaction.atomic():
                _, created = AvailabilityNotice.objects.get_or_create(key=key, defaults={"at": now})
            if created:
                from pacto.tickets.clocks import recompute_open_tickets

                recompute_open_tickets(now, tickets=contract.tickets.all())
                recomputed += 1
            continue
        every = policy.hypercare.report_every
        if every is None or now < go_live:
            continue
        length = every.length(policy.calendar())
        last = HypercareReport.objects.filter(contract=contract).order_by("-period_end").first()
        period_end = (last.period_end if last else go_live) + length
        if period_end <= now:
            actions.do_send_status_report(contract, period_end=period_end, now=now)
            reports += 1
    return {"reports": reports, "recomputed": recomputed}
