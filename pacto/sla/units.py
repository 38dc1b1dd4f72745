"""Durations as support policies write them: ``30 min``, ``4 business hours``, ``2 business days``.

- minutes and hours count on the calendar of the rule that uses them (on a business calendar
  they are business hours);
- business days are N times the calendar's length of a working day (Xecuritas: 11 h);
- calendar days are N x 24 h of real time, whatever the rule's calendar says.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum

from pacto.sla.calendar import ALWAYS, Calendar


class Unit(StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    BUSINESS_DAYS = "business_days"
    CALENDAR_DAYS = "calendar_days"


_UNIT_WORDS = {
    Unit.MINUTES: ("m", "min", "mins", "minute", "minutes", "business minute", "business minutes"),
    Unit.HOURS: ("h", "hr", "hrs", "hour", "hours", "business hour", "business hours"),
    Unit.BUSINESS_DAYS: ("bd", "business day", "business days", "working day", "working days"),
    Unit.CALENDAR_DAYS: ("d", "day", "days", "calendar day", "calendar days"),
}
_WORD_TO_UNIT = {word: unit for unit, words in _UNIT_WORDS.items() for word in words}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z][a-z ]*?)\s*$")

ALWAYS_OPEN = Calendar("always-open", "UTC", ALWAYS)


class DurationError(ValueError):
    pass


@dataclass(frozen=True)
class Duration:
    amount: float
    unit: Unit
    text: str = field(default="", compare=False)  # as the policy wrote it, for explanations

    @classmethod
    def parse(cls, text: str | int | float) -> Duration:
        """``"2h"``, ``"30 min"``, ``"4 business hours"``, ``"2 business days"``, ``"3 days"``.

        A bare number is minutes.
        """
        if isinstance(text, int | float) and not isinstance(text, bool):
            return cls(float(text), Unit.MINUTES)
        match = _DURATION.match(str(text).lower())
        unit = _WORD_TO_UNIT.get(match.group(2)) if match else None
        if not match or unit is None:
            raise DurationError(
                f"duration {text!r} is not a number and a unit "
                "(minutes, hours, business days or calendar days)"
            )
        return cls(float(match.group(1)), unit, " ".join(str(text).split()))

    def length(self, calendar: Calendar) -> dt.timedelta:
        """The amount of working time this duration means on ``calendar``."""
        match self.unit:
            case Unit.MINUTES:
                return dt.timedelta(minutes=self.amount)
            case Unit.HOURS:
                return dt.timedelta(hours=self.amount)
            case Unit.BUSINESS_DAYS:
                assert calendar.business_day is not None
                return calendar.business_day * self.amount
            case Unit.CALENDAR_DAYS:
                return dt.timedelta(days=self.amount)

    def counts_on(self, calendar: Calendar) -> Calendar:
        """Calendar days run on real time; every other unit on the rule's calendar."""
        return ALWAYS_OPEN if self.unit is Unit.CALENDAR_DAYS else calendar

    def __str__(self) -> str:
        if self.text:
            return self.text
        amount = f"{self.amount:g}"
        singular = self.amount == 1
        words = {
            Unit.MINUTES: "minute" if singular else "minutes",
            Unit.HOURS: "hour" if singular else "hours",
            Unit.BUSINESS_DAYS: "business day" if singular else "business days",
            Unit.CALENDAR_DAYS: "calendar day" if singular else "calendar days",
        }
        return f"{amount} {words[self.unit]}"


def describe(delta: dt.timedelta) -> str:
    """A timedelta as a short human text: ``1 h 30 min``, ``2 d 4 h``."""
    negative = delta < dt.timedelta(0)
    seconds = int(abs(delta).total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours)
    parts += [f"{minutes} min"] * bool(minutes or not parts)
    return ("-" if negative else "") + " ".join(parts)
