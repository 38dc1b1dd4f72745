"""Professional-services pricing: a stretch of work split into business and off-hours time
by a calendar, and priced by a day rate.

senhasegura §14: "The daily rates are always based on a period of 8 hours of remote access or
in person, for business hours in São Paulo city" and "For service outside business hours,
there is an increase in value for non-business hours". So::

    amount = (business_hours + off_hours_hours × multiplier) × day_rate / hours_per_day

The business part of ``[start, end)`` is the calendar's own ``elapsed`` (DST- and holiday-
exact); the rest is off hours. Money is exact: the sum is a fraction, rounded once, half up,
to cents. Nothing here reads the clock or a database.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from pacto.sla.calendar import US, Calendar, to_us

CENT = Fraction(1, 100)
HOUR_US = 3600 * US
MINUTE_US = 60 * US


class PricingError(ValueError):
    """Bad pricing input; the message names the field and the rule."""


@dataclass(frozen=True)
class Segment:
    start: dt.datetime
    end: dt.datetime
    kind: str  # "business" or "off_hours"

    @property
    def minutes(self) -> int | float:
        return _minutes(to_us(self.end) - to_us(self.start))


@dataclass(frozen=True)
class Split:
    """``[start, end)`` cut into business and off-hours time."""

    start: dt.datetime
    end: dt.datetime
    business_us: int
    off_hours_us: int
    segments: tuple[Segment, ...]

    @property
    def business_minutes(self) -> int | float:
        return _minutes(self.business_us)

    @property
    def off_hours_minutes(self) -> int | float:
        return _minutes(self.off_hours_us)

    @property
    def business(self) -> dt.timedelta:
        return dt.timedelta(microseconds=self.business_us)

    @property
    def off_hours(self) -> dt.timedelta:
        return dt.timedelta(microseconds=self.off_hours_us)


def split(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> Split:
    """The business and off-hours parts of ``[start, end)`` on ``calendar``, with the
    segments that explain them (in ``start``'s time zone, in order, alternating)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise PricingError("start, end: times must carry a UTC offset")
    a, b = to_us(start), to_us(end)
    if b < a:
        raise PricingError("end: must not be before start")
    business = calendar.elapsed_us(a, b)
    tz = start.tzinfo
    segments: list[Segment] = []
    cursor = start
    for lo, hi in calendar.working_intervals(start, end):
        if to_us(lo) > to_us(cursor):
            segments.append(Segment(cursor, lo.astimezone(tz), "off_hours"))
        segments.append(Segment(lo.astimezone(tz), hi.astimezone(tz), "business"))
        cursor = hi.astimezone(tz)
    if to_us(cursor) < b:
        segments.append(Segment(cursor, end.astimezone(tz), "off_hours"))
    return Split(start, end, business, (b - a) - business, tuple(segments))


def decimal(value: object, field: str, *, minimum: Decimal | None = None) -> Decimal:
    """A finite decimal from text or a number; the error names ``field``."""
    if isinstance(value, bool):
        raise PricingError(f"{field}: {value!r} is not a number")
    try:
        number = Decimal(str(value).strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise PricingError(f"{field}: {value!r} is not a number") from None
    if not number.is_finite():
        raise PricingError(f"{field}: {value!r} is not a finite number")
    if minimum is not None and number < minimum:
        raise PricingError(f"{field}: {value} is below {minimum}")
    return number


def round_cents(value: Fraction) -> Decimal:
    """Half up (away from zero) to two places, from the exact value."""
    sign = -1 if value < 0 else 1
    cents = math.floor(abs(value) / CENT + Fraction(1, 2))
    return (Decimal(sign * cents) / 100).quantize(Decimal("0.01"))


def amount_for(
    business_us: int,
    off_hours_us: int,
    *,
    day_rate: Decimal,
    hours_per_day: Decimal = Decimal(8),
    off_hours_multiplier: Decimal = Decimal(1),
) -> Decimal:
    """(business hours + off-hours hours × multiplier) × day rate / hours per day."""
    _check_rates(day_rate, hours_per_day, off_hours_multiplier)
    hours = Fraction(business_us, HOUR_US) + Fraction(off_hours_us, HOUR_US) * Fraction(
        off_hours_multiplier
    )
    return round_cents(hours * Fraction(day_rate) / Fraction(hours_per_day))


def units_hours(units: Decimal, unit: str, hours_per_day: Decimal = Decimal(8)) -> Fraction:
    """A quote line's units as hours (a day is ``hours_per_day``)."""
    if unit not in ("day", "hour"):
        raise PricingError(f"unit: {unit!r} is not day or hour")
    return Fraction(units) * (Fraction(hours_per_day) if unit == "day" else 1)


def line_amount(
    units: Decimal,
    unit: str,
    *,
    day_rate: Decimal,
    hours_per_day: Decimal = Decimal(8),
    off_hours_share: Decimal = Decimal(0),
    off_hours_multiplier: Decimal = Decimal(1),
) -> Decimal:
    """A quote line: ``units`` of a service, ``off_hours_share`` (0..1) of its time expected
    outside business hours."""
    _check_rates(day_rate, hours_per_day, off_hours_multiplier)
    if units < 0:
        raise PricingError("units: must not be negative")
    if not 0 <= off_hours_share <= 1:
        raise PricingError("off_hours_share: must be between 0 and 1")
    hours = units_hours(units, unit, hours_per_day)
    share = Fraction(off_hours_share)
    weighted = hours * (1 - share) + hours * share * Fraction(off_hours_multiplier)
    return round_cents(weighted * Fraction(day_rate) / Fraction(hours_per_day))


@dataclass(frozen=True)
class Priced:
    split: Split
    amount: Decimal
    day_rate: Decimal
    hours_per_day: Decimal
    off_hours_multiplier: Decimal

    def as_json(self, zone: dt.tzinfo | None = None) -> dict:
        """Instants in UTC (``Z``); each segment also in ``zone``'s wall clock (``local_*``)."""
        zone = zone or self.split.start.tzinfo
        return {
            "start": _iso(self.split.start),
            "end": _iso(self.split.end),
            "business_minutes": self.split.business_minutes,
            "off_hours_minutes": self.split.off_hours_minutes,
            "day_rate": str(self.day_rate),
            "hours_per_day": str(self.hours_per_day),
            "off_hours_multiplier": str(self.off_hours_multiplier),
            "amount": str(self.amount),
            "segments": [
                {
                    "start": _iso(s.start),
                    "end": _iso(s.end),
                    "local_start": s.start.astimezone(zone).isoformat(),
                    "local_end": s.end.astimezone(zone).isoformat(),
                    "kind": s.kind,
                    "minutes": s.minutes,
                }
                for s in self.split.segments
            ],
        }


def price(
    calendar: Calendar,
    start: dt.datetime,
    end: dt.datetime,
    *,
    day_rate: Decimal,
    hours_per_day: Decimal = Decimal(8),
    off_hours_multiplier: Decimal = Decimal(1),
) -> Priced:
    """Split ``[start, end)`` and price it."""
    parts = split(calendar, start, end)
    amount = amount_for(
        parts.business_us,
        parts.off_hours_us,
        day_rate=day_rate,
        hours_per_day=hours_per_day,
        off_hours_multiplier=off_hours_multiplier,
    )
    return Priced(parts, amount, day_rate, hours_per_day, off_hours_multiplier)


def _check_rates(day_rate: Decimal, hours_per_day: Decimal, multiplier: Decimal) -> None:
    if day_rate < 0:
        raise PricingError("day_rate: must not be negative")
    if not 0 < hours_per_day <= 24:
        raise PricingError("hours_per_day: must be more than 0 and at most 24")
    if multiplier < 1:
        raise PricingError("off_hours_multiplier: must be at least 1 (off hours never cost less)")


def _minutes(us: int) -> int | float:
    whole, rest = divmod(us, MINUTE_US)
    return whole if not rest else us / MINUTE_US


def _iso(instant: dt.datetime) -> str:
    """``2026-11-23T16:00:00Z`` (microseconds only when there are some)."""
    return instant.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"
