"""What every SLA figure is measured in: the month, the group of clocks, the definitions.

The bottom of the reports' figures: ``figures`` (the report) and ``figures_sql`` (its
grouped query on PostgreSQL) both import this module, which imports neither, so the
dependency points one way (``figures`` → ``figures_sql`` → ``measure``; an import-linter
contract in pyproject.toml keeps it so).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings

from pacto.contracts.models import PolicyVersion
from pacto.errors import ActionError
from pacto.sla.units import Duration

METRICS = ("first_response", "resolution", "periodic_update")

# Group-by dimensions and the clock row's field that holds each.
DIMENSIONS = {
    "severity": "ticket__severity",
    "plan": "ticket__plan",
    "organization": "ticket__organization__name",
    "contract": "ticket__contract__service_contract_id",
    "category": "ticket__category",
    "type": "ticket__type",
    "product": "ticket__product",
    "channel": "ticket__channel",
    "agent": "ticket__assignee__email",
    "month": None,  # the month the clock was decided in (or the report's month, if running)
}
# Severity and plan ids belong to a policy: grouping by them groups by the policy too.
POLICY_BOUND = ("severity", "plan")

DEFINITIONS = {
    "attainment": "met / (met + breached) over the clocks met on time or breached in the period",
    "running": "started before the period's end and neither met nor breached by then",
    "time_to_meet": "business time from start to met, over the clocks met in the period",
    "time_over_target": "business time beyond the target, over the clocks breached in the period",
    "paused": "time spent paused by the clocks decided in the period",
    "backlog": "tickets open at the period's end, by age then and by status then",
    "reopen_rate": "tickets reopened in the period / tickets solved in the period",
    "first_contact_resolution": (
        "tickets solved in the period after at most one public agent reply and never "
        "reopened / tickets solved in the period"
    ),
    "exempt": (
        "breaches in the period a manager marked exempt (or the policy exempts, e.g. a "
        "third-party cause): counted apart, neither breached nor in the attainment"
    ),
}


@dataclass(frozen=True)
class Period:
    month: str  # YYYY-MM
    zone: str
    start: dt.datetime
    end: dt.datetime

    @classmethod
    def parse(cls, text: str | None, zone: str | None = None) -> Period:
        zone = zone or settings.TIME_ZONE
        try:
            tz = ZoneInfo(zone)
        except (KeyError, ValueError):
            raise ActionError("time_zone", "time_zone", f"no time zone named {zone!r}") from None
        try:
            year, month = (int(part) for part in (text or "").split("-"))
            start = dt.datetime(year, month, 1, tzinfo=tz)
        except ValueError:
            raise ActionError(
                "month", "format", f"month: YYYY-MM, e.g. 2026-01 (got {text!r})"
            ) from None
        following = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
        return cls(f"{year:04d}-{month:02d}", zone, start, following)

    def previous(self) -> Period:
        last = self.start - dt.timedelta(days=1)
        return Period.parse(f"{last.year:04d}-{last.month:02d}", self.zone)

    def as_json(self) -> dict:
        return {
            "month": self.month,
            "time_zone": self.zone,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def month_of(instant: dt.datetime, zone: str) -> str:
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local.year:04d}-{local.month:02d}"


@lru_cache(maxsize=512)
def target_seconds(policy_version_id: int, target: str, calendar: str) -> float | None:
    """The business length of a stored clock's target (e.g. "2 business days" on its calendar)."""
    if not target:
        return None
    policy = PolicyVersion.objects.get(pk=policy_version_id).policy
    try:
        cal = policy.calendar(calendar or None)
        return Duration.parse(target).length(cal).total_seconds()
    except Exception:
        return None


def over_target(remaining_seconds: float | None) -> float:
    """Business time beyond the target: the engine stores ``remaining = target − elapsed``."""
    return max(0.0, -remaining_seconds) if remaining_seconds is not None else 0.0


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's ``percentile_cont``)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass
class Group:
    """One group's clocks: counted in Python (the lists), or by the database (``computed``)."""

    key: dict
    met: int = 0
    breached: int = 0
    exempt: int = 0
    running: int = 0
    to_meet: list[float] = field(default_factory=list)
    over_target: list[float] = field(default_factory=list)
    paused_seconds: float = 0.0
    computed: dict | None = None  # median, p90, over_sum, over_median from figures_sql

    @property
    def counted(self) -> int:
        return self.met + self.breached + self.exempt + self.running

    @property
    def attainment(self) -> float | None:
        decided = self.met + self.breached
        return round(100 * self.met / decided, 2) if decided else None

    def as_json(self) -> dict:
        if self.computed is not None:
            c = self.computed
            median, p90, over, over_median = c["median"], c["p90"], c["over_sum"], c["over_median"]
        else:
            median, p90 = percentile(self.to_meet, 0.5), percentile(self.to_meet, 0.9)
            over = sum(self.over_target)
            over_median = percentile(self.over_target, 0.5)
        return {
            **self.key,
            "counted": self.counted,
            "met": self.met,
            "breached": self.breached,
            "exempt_breaches": self.exempt,
            "running": self.running,
            "attainment_percent": self.attainment,
            "median_to_meet_seconds": _round(median),
            "p90_to_meet_seconds": _round(p90),
            "over_target_seconds": _round(over) if over else 0,
            "median_over_target_seconds": _round(over_median),
            "paused_seconds": _round(self.paused_seconds),
        }


def breach_line(ticket: int, metric: str, organization: str, severity: str, plan: str,
                target: str, breached_at: dt.datetime, remaining: float | None,
                exempt_reason: str) -> dict:  # fmt: skip
    """One breach of the report, with the link to its clock's explanation."""
    return {
        "ticket": ticket,
        "metric": metric,
        "organization": organization,
        "severity": severity,
        "plan": plan,
        "target": target,
        "breached_at": breached_at.isoformat(),
        "over_target_seconds": round(over_target(remaining), 1),
        "exempt_reason": exempt_reason or "",
        "explanation_url": f"/console/tickets/{ticket}/#clocks-title",
        "api_url": f"/api/tickets/{ticket}",
    }
