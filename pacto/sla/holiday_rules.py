"""Holidays of a business calendar, from every source a support policy names.

- a country's (and subdivision's) official holidays from the ``holidays`` package, with its
  categories (``public``, ``optional``, ``bank``…);
- explicit dates (Xecuritas lists its 2010 holidays one by one);
- yearly dates (&money's bank closing days: 5 June, 24 and 31 December), optionally moved
  to the weekday they are observed on (Saturday → Friday, Sunday → Monday);
- the nth weekday of a month, or the last, plus an offset (Thanksgiving is the fourth
  Thursday of November; the day after it is the same plus one day);
- dates relative to Easter Sunday (the Friday after Ascension is Easter + 40 days);
- removal of a named holiday the country list has but the vendor works;
- an iCal file of closures (all-day events; yearly recurrence is honoured).

Holidays are dates in the calendar's own time zone.
"""

from __future__ import annotations

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
    # "nearest_weekday": a Saturday holiday is observed on the Friday before, a Sunday one
    # on the Monday after (how US employers observe New Year's Day, July 4 and Christmas;
    # Xecuritas' 2010 list has Christmas on Friday Dec. 24 and New Year's Day 2011 on
    # Friday Dec. 31).
    observed: str | None = None

    def on(self, year: int) -> tuple[dt.date, str] | None:
        """The day this holiday of ``year`` is observed, with its name; it may fall in the
        year before (1 January on a Saturday is observed on 31 December)."""
        try:
            day = dt.date(year, self.month, self.day)
        except ValueError:  # 29 February in a common year
            return None
        if self.observed == "nearest_weekday" and day.weekday() >= 5:
            shift = -1 if day.weekday() == 5 else 1
            return day + dt.timedelta(days=shift), f"{self.name} (observed)"
        return day, self.name


@dataclass(frozen=True)
class WeekdayRule:
    """The ``nth`` ``weekday`` (0 Monday … 6 Sunday) of ``month``; ``nth = -1`` the last;
    plus ``offset_days`` (the day after Thanksgiving)."""

    month: int
    weekday: int
    nth: int
    name: str
    offset_days: int = 0

    def on(self, year: int) -> dt.date:
        if self.nth > 0:
            first = dt.date(year, self.month, 1)
            day = first + dt.timedelta(days=(self.weekday - first.weekday()) % 7)
            day += dt.timedelta(weeks=self.nth - 1)
        else:
            following = dt.date(year + self.month // 12, self.month % 12 + 1, 1)
            last = following - dt.timedelta(days=1)
            day = last - dt.timedelta(days=(last.weekday() - self.weekday) % 7)
            day -= dt.timedelta(weeks=-self.nth - 1)
        return day + dt.timedelta(days=self.offset_days)


@dataclass
class HolidaySet:
    country: str | None = None
    subdivision: str | None = None
    categories: tuple[str, ...] = ("public",)
    dates: dict[dt.date, str] = field(default_factory=dict)
    annual: tuple[AnnualRule, ...] = ()
    easter: tuple[EasterRule, ...] = ()
    remove: tuple[str, ...] = ()
    weekday: tuple[WeekdayRule, ...] = ()
    # A year the explicit dates list is exactly those dates (and the country's): the yearly,
    # weekday and Easter rules fill the years the list does not cover.
    dates_replace_rules: bool = False
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
        listed = self.dates_replace_rules and any(day.year == year for day in self.dates)
        if not listed:
            for rule in self.annual:
                for source_year in (year - 1, year, year + 1) if rule.observed else (year,):
                    observed = rule.on(source_year)
                    if observed is not None and observed[0].year == year:
                        days[observed[0]] = observed[1]
            for rule in self.weekday:
                days[rule.on(year)] = rule.name
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
