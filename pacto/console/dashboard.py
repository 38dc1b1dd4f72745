"""The support manager's numbers: first-response compliance this month.

Compliance is met ÷ (met + breached) over the first-response clocks of tickets opened in
the month (in the manager's time zone), per policy severity and plan. Clocks still running
or paused within target are pending and not counted either way; a running clock already
past due counts as breached. Tickets without a first-response target (feature requests in
senhasegura §7.1) are not counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from pacto.contracts.models import PolicyVersion
from pacto.errors import ActionError
from pacto.tickets.models import SlaClock


@dataclass
class Cell:
    policy: str
    severity: str
    severity_name: str
    plan: str
    plan_name: str
    met: int = 0
    breached: int = 0
    pending: int = 0
    exempt: int = 0  # breaches marked exempt: listed apart, not counted against the target

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.decided, 1) if self.decided else None


@dataclass
class Compliance:
    start: dt.datetime
    end: dt.datetime
    cells: list[Cell] = field(default_factory=list)

    @property
    def met(self) -> int:
        return sum(c.met for c in self.cells)

    @property
    def breached(self) -> int:
        return sum(c.breached for c in self.cells)

    @property
    def pending(self) -> int:
        return sum(c.pending for c in self.cells)

    @property
    def exempt(self) -> int:
        return sum(c.exempt for c in self.cells)

    @property
    def percent(self) -> float | None:
        decided = self.met + self.breached
        return round(100 * self.met / decided, 1) if decided else None

    def chart(self) -> dict:
        """Chart.js data: one bar group per severity, one bar per plan (percent met)."""
        labels: list[str] = []
        plans: list[str] = []
        for cell in self.cells:
            label = self._severity_label(cell)
            if label not in labels:
                labels.append(label)
            plan = self._plan_label(cell)
            if plan not in plans:
                plans.append(plan)
        datasets = []
        for plan in plans:
            data = []
            for label in labels:
                cell = next(
                    (
                        c
                        for c in self.cells
                        if self._severity_label(c) == label and self._plan_label(c) == plan
                    ),
                    None,
                )
                data.append(cell.percent if cell else None)
            datasets.append({"label": plan, "data": data})
        return {"labels": labels, "datasets": datasets}

    def _several_policies(self) -> bool:
        return len({c.policy for c in self.cells}) > 1

    def _severity_label(self, cell: Cell) -> str:
        return (
            f"{cell.severity_name} ({cell.policy})"
            if self._several_policies()
            else cell.severity_name
        )

    def _plan_label(self, cell: Cell) -> str:
        return f"{cell.plan_name} ({cell.policy})" if self._several_policies() else cell.plan_name


def month_bounds(now: dt.datetime, month: str = "") -> tuple[dt.datetime, dt.datetime]:
    """The month ``YYYY-MM`` (the current one when empty) in the active (the viewer's) time
    zone. A month that is not one, or one after the current, is an ``ActionError`` naming
    the ``month`` field."""
    local = timezone.localtime(now)
    current = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = current
    if month:
        try:
            year, number = (int(part) for part in month.split("-"))
            start = dt.datetime(year, number, 1, tzinfo=local.tzinfo)
        except ValueError:
            raise ActionError("month", "format", "a month is written YYYY-MM") from None
        if start > current:
            raise ActionError("month", "not_future", "the month has not begun yet")
    following = (start.replace(tzinfo=None) + dt.timedelta(days=32)).replace(day=1)
    return start, following.replace(tzinfo=start.tzinfo)


def first_response_compliance(now: dt.datetime, month: str = "") -> Compliance:
    """First-response compliance of the tickets opened in ``month`` (the current one when
    empty), as of ``now``."""
    start, end = month_bounds(now, month)
    clocks = (
        SlaClock.objects.filter(
            metric="first_response", ticket__opened_at__gte=start, ticket__opened_at__lt=end
        )
        .exclude(state__in=("no_target", "stopped"))
        .values(
            "state",
            "due_at",
            "exempt_reason",
            "ticket__severity",
            "ticket__plan",
            "ticket__policy_version",
        )
    )
    versions = {v.pk: v for v in PolicyVersion.objects.all()}
    cells: dict[tuple, Cell] = {}
    order: dict[tuple, tuple] = {}
    for row in clocks:
        policy = versions[row["ticket__policy_version"]].policy
        key = (policy.id, row["ticket__severity"], row["ticket__plan"])
        if key not in cells:
            try:
                severity_name = policy.severity(row["ticket__severity"]).name
                rank = policy.severity_rank(row["ticket__severity"])
            except Exception:
                severity_name, rank = row["ticket__severity"], 99
            try:
                plan_name = policy.plan(row["ticket__plan"]).name
                plan_rank = [p.id for p in policy.plans].index(row["ticket__plan"])
            except Exception:
                plan_name, plan_rank = row["ticket__plan"], 99
            cells[key] = Cell(policy.id, key[1], severity_name, key[2], plan_name)
            order[key] = (policy.id, rank, plan_rank)
        cell = cells[key]
        state = row["state"]
        if row["exempt_reason"]:
            cell.exempt += 1
        elif state == "met":
            cell.met += 1
        elif state == "breached" or (state == "running" and row["due_at"] and row["due_at"] <= now):
            cell.breached += 1
        else:
            cell.pending += 1
    ordered = [cells[key] for key in sorted(cells, key=lambda k: order[k])]
    return Compliance(start, end, ordered)
