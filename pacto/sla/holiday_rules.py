"""Holidays of a business calendar, from every source a support policy names.

- a country's (and subdivision's) official holidays from the ``holidays`` package, with its
  categories (``public``, ``optional``, ``bank``…);
- explicit dates (Xecuritas lists its 2010 holidays one by one);
- yearly dates (&money's bank closing days: 5 June, 24 and 31 December);
- dates relative to Easter Sunday (the Friday after Ascension is Easter + 40 days);
- removal of a named holiday the country list has but the vendor works;
- an iCal file of closures (all-day events; yearly recurrence is honoured).

Holidays are dates in the calendar's own time zone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import holidays as holidays_lib
from dateutil.easter import easter


class HolidayError(ValueError):
    """A holiday source that cannot be used."""


@dataclass(frozen=True)
class EasterRule:
    offset_days: int
    name: str


@dataclass(frozen=True)
class AnnualRule:
    month: int
    day: int
    name: str


@dataclass
class HolidaySet:
    country: str | None = None
    subdivision: str | None = None
    categories: tuple[str, ...] = ("public",)
    dates: dict[dt.date, str] = field(default_factory=dict)
    annual: tuple[AnnualRule, ...] = ()
    easter: tuple[EasterRule, ...] = ()
    remove: tuple[str, ...] = ()
    _years: dict[int, dict[dt.date, str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.country:
            self._country_year(2025)  # validate country, subdivision and categories now

    def _country_year(self, year: int) -> dict[dt.date, str]:
        try:
            return dict(
                holidays_lib.country_holidays(
                    self.country, subdiv=self.subdivision, categories=self.categories, years=year
                )
            )
        except (NotImplementedError, KeyError, ValueError) as exc:
            raise HolidayError(
                f"holidays: country {self.country!r} subdivision {self.subdivision!r} "
                f"categories {list(self.categories)}: {exc}"
            ) from exc

    def for_year(self, year: int) -> dict[dt.date, str]:
        """Every holiday of ``year`` with its name."""
        cached = self._years.get(year)
        if cached is not None:
            return cached
        days: dict[dt.date, str] = {}
        if self.country:
            days.update(self._country_year(year))
        removed = {name.casefold() for name in self.remove}
        if removed:
            days = {
                day: name
                for day, name in days.items()
                if not any(part.strip().casefold() in removed for part in name.split(";"))
            }
        for rule in self.annual:
            with contextlib.suppress(ValueError):  # 29 February in a common year
                days[dt.date(year, rule.month, rule.day)] = rule.name
        sunday = easter(year)
        for rule in self.easter:
            days[sunday + dt.timedelta(days=rule.offset_days)] = rule.name
        for day, name in self.dates.items():
            if day.year == year:
                days[day] = name
        self._years[year] = days
        return days

    def contains(self, day: dt.date) -> bool:
        return day in self.for_year(day.year)

    def name(self, day: dt.date) -> str | None:
        return self.for_year(day.year).get(day)

    def between(self, first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
        """Holidays from ``first`` to ``last`` inclusive, in date order."""
        out = []
        for year in range(first.year, last.year + 1):
            out += [(d, n) for d, n in self.for_year(year).items() if first <= d <= last]
        return sorted(out)


def dates_from_ical(text: str | bytes, years: Iterable[int] = ()) -> dict[dt.date, str]:
    """All-day closures of an iCal file as ``{date: summary}``.

    Multi-day events count every day they span (DTEND is exclusive, as RFC 5545 says).
    Events with ``RRULE:FREQ=YEARLY`` are repeated in each of ``years``.
    """
    import icalendar

    try:
        cal = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise HolidayError(f"iCal: cannot parse: {exc}") from exc
    out: dict[dt.date, str] = {}
    for event in cal.walk("VEVENT"):
        start = event.decoded("DTSTART", None)
        if start is None:
            raise HolidayError("iCal: an event has no DTSTART")
        if isinstance(start, dt.datetime):
            start = start.date()
        end = event.decoded("DTEND", None)
        if isinstance(end, dt.datetime):
            end = end.date()
        length = max((end - start).days, 1) if end else 1
        summary = str(event.get("SUMMARY", "Closed"))
        rule = event.get("RRULE")
        yearly = rule is not None and "YEARLY" in [str(f) for f in rule.get("FREQ", [])]
        firsts = [start]
        if yearly:
            for year in years:
                try:
                    firsts.append(start.replace(year=year))
                except ValueError:
                    continue
        for first in firsts:
            for i in range(length):
                out[first + dt.timedelta(days=i)] = summary
    return out
