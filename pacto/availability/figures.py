"""The monthly figure from stored results, computed by the engine (``pacto.sla.availability``).

The engine decides which slots count (operating hours, windows); the database counts the
results on them. On PostgreSQL the eligible slots go to the database as one array and the
counting is one grouped query for all probes of a contract, so a month of 1,000 probes
(8.6 million rows) is a few seconds; elsewhere each probe's month of results is read and
the engine counts them itself. Both paths end in the same ``summarize``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from django.db import connection

from pacto.availability.models import Probe, ProbeResult, ServiceWindow
from pacto.sla.availability import (
    Eligibility,
    Month,
    MonthlyFigure,
    SlotStatus,
    Window,
    eligibility,
    policy_figure,
    summarize,
)
from pacto.sla.calendar import US, from_us, to_us


def windows_for(
    contract, service: str, month: Month
) -> list[tuple[ServiceWindow, dt.datetime, dt.datetime]]:
    """The announced windows of a contract's service (or of all its services) in a month."""
    calendar = contract.policy.calendar(contract.policy.availability.calendar)
    first, last = month.bounds(calendar)
    out = []
    for window in ServiceWindow.objects.filter(contract=contract, announced_at__isnull=False):
        if window.service and service and window.service != service:
            continue
        for start, end in window.occurrences(first, last):
            out.append((window, start, end))
    return out


def _setup(probe: Probe, month: Month):
    policy = probe.policy
    spec = policy.availability
    calendar = policy.calendar(spec.calendar)
    windows = [Window(a, b) for _, a, b in windows_for(probe.contract, probe.service, month)]
    return policy, spec, calendar, windows


def probe_figure(probe: Probe, month: Month, unknown: str | None = None) -> MonthlyFigure:
    """One probe's month, reading its results (the portal's and the CSV's figure)."""
    policy, _spec, calendar, windows = _setup(probe, month)
    first, last = month.bounds(calendar)
    rows = ProbeResult.objects.filter(
        probe=probe, slot_start__gte=first, slot_start__lt=last
    ).values_list("slot_start", "status")
    slots = np.fromiter((to_us(s) for s, _ in rows), dtype=np.int64)
    statuses = np.fromiter((c for _, c in rows), dtype=np.int8)
    return policy_figure(policy, month, slots, statuses, windows=windows, unknown=unknown)


def month_figures(probes, month: Month) -> dict[int, MonthlyFigure]:
    """Every probe's month (the console, the alert sweep, the benchmark), by probe id."""
    probes = [p for p in probes if p.policy.availability is not None]
    if connection.vendor != "postgresql":
        return {p.pk: probe_figure(p, month) for p in probes}
    groups: dict[tuple, list[Probe]] = defaultdict(list)
    for probe in probes:
        groups[(probe.contract_id, probe.service)].append(probe)
    out = {}
    for members in groups.values():
        _policy, spec, calendar, windows = _setup(members[0], month)
        eligible = eligibility(calendar, month, spec.interval.length(calendar), windows)
        out.update(_counted(members, eligible, calendar, spec))
    return out


def eligible_runs(eligible: Eligibility) -> list[tuple[dt.datetime, dt.datetime]]:
    """The eligible slots as runs of consecutive slots: (first start, last start) each, so a
    result counts exactly when its slot is one of the engine's eligible slots."""
    slots = eligible.slots
    if not len(slots):
        return []
    breaks = np.flatnonzero(np.diff(slots) != eligible.interval_us) + 1
    firsts = np.concatenate([[0], breaks])
    lasts = np.concatenate([breaks - 1, [len(slots) - 1]])
    return [
        (from_us(int(slots[a])), from_us(int(slots[b]))) for a, b in zip(firsts, lasts, strict=True)
    ]


def _counted(
    probes: list[Probe], eligible: Eligibility, calendar, spec
) -> dict[int, MonthlyFigure]:
    ids = [p.pk for p in probes]
    slots = eligible.slots
    table = ProbeResult._meta.db_table
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    failing: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    runs = eligible_runs(eligible)
    if runs:
        with connection.cursor() as cursor:
            # One index-only range scan of (probe, slot) per probe and run of operating
            # hours: the database reads the eligible results and nothing else.
            cursor.execute(
                f"""
                SELECT p.id, x.status, count(*)
                FROM unnest(%s::bigint[]) AS p(id)
                CROSS JOIN unnest(%s::timestamptz[], %s::timestamptz[]) AS r(a, b)
                JOIN LATERAL (
                    SELECT t.status FROM {table} t
                    WHERE t.probe_id = p.id AND t.slot_start BETWEEN r.a AND r.b
                ) x ON true
                GROUP BY p.id, x.status
                """,
                [ids, [a for a, _ in runs], [b for _, b in runs]],
            )
            for probe_id, status, count in cursor.fetchall():
                counts[probe_id][status] = count
            # The failing results (few: the partial index), kept when their slot is eligible.
            cursor.execute(
                f"SELECT probe_id, status, slot_start FROM {table} "
                "WHERE probe_id = ANY(%s) AND status <> %s AND slot_start BETWEEN %s AND %s",
                [ids, int(SlotStatus.UP), runs[0][0], runs[-1][1]],
            )
            rows = cursor.fetchall()
        if rows:
            at = np.fromiter((to_us(s) for _, _, s in rows), dtype=np.int64, count=len(rows))
            keep = eligible.contains(at)
            for (probe_id, status, _), slot, kept in zip(rows, at.tolist(), keep, strict=True):
                if kept:
                    failing[probe_id][status].append(slot)
    out = {}
    for probe in probes:
        mine = counts.get(probe.pk, {})
        measured = sum(mine.values())
        missing = None
        if spec.unknown == "down" and measured < len(eligible.slots):
            rows = ProbeResult.objects.filter(
                probe=probe,
                slot_start__gte=from_us(int(slots[0])),
                slot_start__lte=from_us(int(slots[-1])),
            ).values_list("slot_start", flat=True)
            have = np.fromiter((to_us(s) for s in rows), dtype=np.int64)
            missing = np.setdiff1d(eligible.slots, have)
        out[probe.pk] = summarize(
            eligible,
            calendar,
            up=mine.get(SlotStatus.UP, 0),
            down_slots=np.sort(np.array(failing[probe.pk][SlotStatus.DOWN], dtype=np.int64)),
            unknown_slots=np.sort(np.array(failing[probe.pk][SlotStatus.UNKNOWN], dtype=np.int64)),
            missing_slots=missing,
            target_percent=spec.target_percent,
            unknown=spec.unknown,
            credits=[(c.below_percent, c.credit_percent) for c in spec.credits],
        )
    return out


def daily_chart(probe: Probe, month: Month, figure: MonthlyFigure) -> dict:
    """Each local day of the month: its operating minutes, the minutes lost, windows."""
    _policy, spec, calendar, windows = _setup(probe, month)
    zone = calendar.zone
    eligible = eligibility(calendar, month, spec.interval.length(calendar), windows)
    step_min = eligible.interval_us / (60 * US)
    days: dict[dt.date, dict] = {}
    first, last = month.bounds(calendar)
    day = first.date()
    while day < last.date():
        days[day] = {"operating": 0.0, "lost": 0.0}
        day += dt.timedelta(days=1)
    for s in eligible.slots:
        days[from_us(int(s), zone).date()]["operating"] += step_min
    for slot in figure.failing_slots:
        local = slot.astimezone(zone).date()
        if local in days:
            days[local]["lost"] += step_min
    labels = [d.isoformat() for d in days]
    return {
        "labels": labels,
        "operating_hours": [round(v["operating"] / 60, 2) for v in days.values()],
        "lost_minutes": [v["lost"] for v in days.values()],
    }
