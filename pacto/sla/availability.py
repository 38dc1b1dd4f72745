"""Availability inside a business calendar: the monthly figure of a policy's commitment.

&money's terms promise "99.5% service uptime within operating hours, however excluding
extraordinary service windows", and "Service provider automatically measures service
availability every 5 minutes and this measurement constitutes the service availability per
month". This module turns that sentence into arithmetic:

- a *slot* is one step of the policy's ``availability.interval`` on a grid in UTC (the grid
  starts at the Unix epoch, so a 5-minute slot starts at :00, :05, ...);
- the *eligible* slots of a month are the slots whose start lies in that month of the
  availability calendar's own time zone, is a working instant of that calendar (the
  operating hours), and lies outside every excluded service window;
- each eligible slot is up, down or unknown; a slot with no result is unknown too, and
  unknown slots are left out of the figure or counted down, as ``availability.unknown`` says;
- availability = up / (up + down), as a percentage with three decimals rounded half up (an
  exact integer computation, never a float); the target is met when that published figure is
  at least the target;
- failing slots (down, and unknown ones when they count down) are grouped into outages: runs
  of consecutive slots on the grid, with the business minutes each run lost;
- a service credit applies when the policy has a credit table: the tier with the lowest
  level the figure is below.

Pure: numpy and the standard library; ``now`` plays no part (a month is given explicitly).
Instants inside are integer microseconds since the epoch (``pacto.sla.calendar.to_us``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum

import numpy as np

from pacto.sla.calendar import US, Calendar, from_us, to_us

UNKNOWN_RULES = ("exclude", "down")


class AvailabilityError(ValueError):
    """Input the monthly figure cannot be computed from (a bad month, interval or rule)."""


class SlotStatus(IntEnum):
    """How a slot's result is coded in arrays (and stored: see pacto.availability)."""

    DOWN = 0
    UP = 1
    UNKNOWN = 2

    @classmethod
    def parse(cls, text: str) -> SlotStatus:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise AvailabilityError(f"status {text!r} is not up, down or unknown") from None


@dataclass(frozen=True)
class Window:
    """A service window ``[start, end)`` whose slots the figure leaves out."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        if to_us(self.end) <= to_us(self.start):
            raise AvailabilityError(
                f"window {self.start.isoformat()}..{self.end.isoformat()}: end must be after start"
            )


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        try:
            day = dt.date.fromisoformat(f"{text.strip()}-01")
        except ValueError:
            raise AvailabilityError(f"month {text!r} is not YYYY-MM") from None
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def bounds(self, calendar: Calendar) -> tuple[dt.datetime, dt.datetime]:
        """The month in the calendar's zone: its first local midnight and the next month's."""
        nxt = self.next()
        return (
            dt.datetime(self.year, self.month, 1, tzinfo=calendar.zone),
            dt.datetime(nxt.year, nxt.month, 1, tzinfo=calendar.zone),
        )


@dataclass(frozen=True)
class Eligibility:
    """The eligible slots of one month for one calendar, interval and set of windows."""

    month: Month
    interval_us: int
    slots: np.ndarray  # eligible slot starts (sorted epoch microseconds)
    excluded_by_windows: int  # slots in operating hours that a window removed

    def contains(self, slots: np.ndarray) -> np.ndarray:
        """For each slot start, whether it is an eligible slot."""
        i = np.searchsorted(self.slots, slots)
        i = np.minimum(i, max(len(self.slots) - 1, 0))
        if not len(self.slots):
            return np.zeros(len(slots), dtype=bool)
        return self.slots[i] == slots


@dataclass(frozen=True)
class Outage:
    start: dt.datetime
    end: dt.datetime  # the end of the last failing slot
    slots: int
    business_minutes: float


@dataclass(frozen=True)
class MonthlyFigure:
    month: Month
    interval_minutes: float
    unknown_rule: str
    eligible_slots: int
    up: int
    down: int  # down results (unknown ones counted down are in ``unknown``)
    unknown: int  # eligible slots without a result or with an unknown one
    no_result: int  # of which: slots nobody measured
    excluded_by_windows: int
    availability: Decimal | None  # None when no slot counts
    target: Decimal
    met: bool | None
    failing_slots: list[dt.datetime] = field(default_factory=list)
    outages: list[Outage] = field(default_factory=list)
    service_credit_percent: Decimal | None = None

    @property
    def availability_text(self) -> str | None:
        return None if self.availability is None else f"{self.availability:.3f}"

    @property
    def business_minutes_lost(self) -> float:
        return sum(o.business_minutes for o in self.outages)

    def as_json(self) -> dict:
        """The document ``pacto availability compute`` prints: keep its keys stable."""
        return {
            "month": str(self.month),
            "interval_minutes": _number(self.interval_minutes),
            "unknown_rule": self.unknown_rule,
            "eligible_slots": self.eligible_slots,
            "up": self.up,
            "down": self.down,
            "unknown": self.unknown,
            "no_result": self.no_result,
            "excluded_by_windows": self.excluded_by_windows,
            "availability": self.availability_text,
            "target": f"{self.target:.3f}",
            "met": self.met,
            "failing_slots": [_iso_z(s) for s in self.failing_slots],
            "outages": [
                {
                    "start": _iso_z(o.start),
                    "end": _iso_z(o.end),
                    "slots": o.slots,
                    "business_minutes": _number(o.business_minutes),
                }
                for o in self.outages
            ],
            "service_credit_percent": (
                None if self.service_credit_percent is None else str(self.service_credit_percent)
            ),
        }


# ----------------------------------------------------------------------------- eligibility


def interval_us(interval: dt.timedelta) -> int:
    us = round(interval.total_seconds() * US)
    if us <= 0 or (DAY_US % us):
        raise AvailabilityError(
            f"interval {interval}: a slot must be a positive length that divides a day"
        )
    return us


DAY_US = 86_400 * US


def slot_of(instants_us: np.ndarray, step_us: int) -> np.ndarray:
    """The start of the slot each instant falls in (the grid is aligned to the epoch)."""
    instants_us = np.asarray(instants_us, dtype=np.int64)
    return instants_us - np.mod(instants_us, step_us)


def eligibility(
    calendar: Calendar,
    month: Month,
    interval: dt.timedelta,
    windows: Iterable[Window] = (),
) -> Eligibility:
    """The slots of ``month`` that count: in operating hours and outside every window."""
    step = interval_us(interval)
    first, last = (to_us(b) for b in month.bounds(calendar))
    start = -(-first // step) * step  # the first grid slot starting inside the month
    grid = np.arange(start, last, step, dtype=np.int64)
    s, e, _ = calendar.compiled(from_us(first), from_us(last))
    i = np.searchsorted(s, grid, side="right") - 1
    working = (i >= 0) & (grid < e[np.maximum(i, 0)])
    open_slots = grid[working]
    in_window = np.zeros(len(open_slots), dtype=bool)
    for window in windows:
        a, b = to_us(window.start), to_us(window.end)
        in_window |= (open_slots >= a) & (open_slots < b)
    return Eligibility(month, step, open_slots[~in_window], int(in_window.sum()))


# ----------------------------------------------------------------------------- the figure


def percentage(up: int, counted: int) -> Decimal | None:
    """``100 * up / counted`` with three decimals, rounded half up, computed exactly."""
    if counted == 0:
        return None
    thousandths, rest = divmod(up * 100_000, counted)
    if 2 * rest >= counted:
        thousandths += 1
    return Decimal(thousandths).scaleb(-3)


def service_credit(figure: Decimal | None, tiers: Sequence[tuple[float, float]]) -> Decimal | None:
    """The credit of the lowest tier level the figure is below; ``tiers`` are
    ``(below_percent, credit_percent)``. None without a figure or when no tier applies."""
    if figure is None:
        return None
    applicable = [(Decimal(str(b)), Decimal(str(c))) for b, c in tiers if figure < Decimal(str(b))]
    if not applicable:
        return None
    return min(applicable)[1]


def summarize(
    eligible: Eligibility,
    calendar: Calendar,
    *,
    up: int,
    down_slots: np.ndarray,
    unknown_slots: np.ndarray,
    missing_slots: np.ndarray | None,
    target_percent: float,
    unknown: str = "exclude",
    credits: Sequence[tuple[float, float]] = (),
) -> MonthlyFigure:
    """The monthly figure from results already restricted to the eligible slots.

    ``up`` is the number of eligible slots measured up; ``down_slots`` and ``unknown_slots``
    the eligible slots measured down and unknown; ``missing_slots`` the eligible slots with no
    result (None when the caller only knows how many: then the rule must be ``exclude`` or
    there must be none). This is the entry point of callers that count in a database.
    """
    if unknown not in UNKNOWN_RULES:
        raise AvailabilityError(f"unknown: {unknown!r} is not one of {', '.join(UNKNOWN_RULES)}")
    down_slots = np.asarray(down_slots, dtype=np.int64)
    unknown_slots = np.asarray(unknown_slots, dtype=np.int64)
    total = len(eligible.slots)
    no_result = total - up - len(down_slots) - len(unknown_slots)
    if no_result < 0:
        raise AvailabilityError("more results than eligible slots: results must be one a slot")
    if missing_slots is not None and len(missing_slots) != no_result:
        raise AvailabilityError("missing slots do not match the eligible slots without a result")
    failing = down_slots
    counted_down = len(down_slots)
    if unknown == "down":
        if missing_slots is None and no_result:
            raise AvailabilityError("unknown=down needs the slots without a result")
        extra = [unknown_slots] + ([np.asarray(missing_slots, dtype=np.int64)] if no_result else [])
        failing = np.concatenate([down_slots, *extra])
        counted_down += len(unknown_slots) + no_result
    failing = np.sort(failing)
    figure = percentage(up, up + counted_down)
    target = Decimal(str(target_percent)).quantize(Decimal("0.001"))
    return MonthlyFigure(
        month=eligible.month,
        interval_minutes=eligible.interval_us / (60 * US),
        unknown_rule=unknown,
        eligible_slots=total,
        up=up,
        down=len(down_slots),
        unknown=len(unknown_slots) + no_result,
        no_result=no_result,
        excluded_by_windows=eligible.excluded_by_windows,
        availability=figure,
        target=target,
        met=None if figure is None else figure >= target,
        failing_slots=[from_us(int(s)) for s in failing],
        outages=outages(failing, eligible.interval_us, calendar),
        service_credit_percent=service_credit(figure, credits),
    )


def outages(failing: np.ndarray, step: int, calendar: Calendar) -> list[Outage]:
    """Failing slots grouped into runs of consecutive grid slots, with business time lost."""
    if not len(failing):
        return []
    breaks = np.flatnonzero(np.diff(failing) != step) + 1
    starts = np.concatenate([[0], breaks])
    ends = np.concatenate([breaks, [len(failing)]])
    lost = calendar.elapsed_many(failing, failing + step)  # each slot's business part
    cum = np.concatenate([[0], np.cumsum(lost)])
    return [
        Outage(
            start=from_us(int(failing[a])),
            end=from_us(int(failing[b - 1]) + step),
            slots=int(b - a),
            business_minutes=float(cum[b] - cum[a]) / (60 * US),
        )
        for a, b in zip(starts, ends, strict=True)
    ]


def monthly_figure(
    calendar: Calendar,
    month: Month,
    interval: dt.timedelta,
    slots: np.ndarray,
    statuses: np.ndarray,
    *,
    windows: Iterable[Window] = (),
    target_percent: float,
    unknown: str = "exclude",
    credits: Sequence[tuple[float, float]] = (),
) -> MonthlyFigure:
    """The monthly figure from raw results: ``slots`` are instants (epoch microseconds; each
    is read as the slot it falls in) and ``statuses`` their ``SlotStatus`` codes. Results
    outside the eligible slots are ignored; of two results for one slot the first counts,
    as the database's insert-or-ignore keeps the first."""
    eligible = eligibility(calendar, month, interval, windows)
    slots = slot_of(np.asarray(slots, dtype=np.int64), eligible.interval_us)
    statuses = np.asarray(statuses, dtype=np.int8)
    if len(slots) != len(statuses):
        raise AvailabilityError("slots and statuses differ in length")
    slots, first = np.unique(slots, return_index=True)
    statuses = statuses[first]
    keep = eligible.contains(slots)
    slots, statuses = slots[keep], statuses[keep]
    missing = np.setdiff1d(eligible.slots, slots, assume_unique=True)
    return summarize(
        eligible,
        calendar,
        up=int((statuses == SlotStatus.UP).sum()),
        down_slots=slots[statuses == SlotStatus.DOWN],
        unknown_slots=slots[statuses == SlotStatus.UNKNOWN],
        missing_slots=missing,
        target_percent=target_percent,
        unknown=unknown,
        credits=credits,
    )


def policy_figure(policy, month: Month, slots, statuses, *, windows=(), unknown=None):
    """:func:`monthly_figure` with the policy's availability commitment (a ``Policy``)."""
    spec = policy.availability
    if spec is None:
        raise AvailabilityError(f"policy {policy.id} makes no availability commitment")
    calendar = policy.calendar(spec.calendar)
    return monthly_figure(
        calendar,
        month,
        spec.interval.length(calendar),
        slots,
        statuses,
        windows=windows,
        target_percent=spec.target_percent,
        unknown=unknown or spec.unknown,
        credits=[(c.below_percent, c.credit_percent) for c in spec.credits],
    )


def _iso_z(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
