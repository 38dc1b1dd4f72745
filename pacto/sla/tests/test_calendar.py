"""The business-calendar engine against a brute-force oracle, and its documented behaviour.

The property tests build random calendars (several intervals a day, ``24:00`` ends,
overnight shifts, holidays) in zones with awkward DST (New York, Copenhagen, São Paulo while
it still had DST, Kolkata without any, Lord Howe's half-hour shift), start near DST
transitions and compare the engine with ``oracle.Oracle``, which walks minute by minute.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacto.sla.calendar import Calendar, CalendarError, WeeklyHours, from_us, to_us
from pacto.sla.holiday_rules import AnnualRule, EasterRule, HolidaySet, dates_from_ical
from pacto.sla.tests.oracle import (
    DAY_NAMES,
    MINUTES_PER_DAY,
    Oracle,
    OracleGaveUp,
    instant_of,
    local_clock,
    minute_of,
    parse_interval,
)

UTC = dt.UTC
NEW_YORK = ZoneInfo("America/New_York")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)

# ====================================================================== property tests

# The years each zone is exercised in. São Paulo observed DST until February 2019.
ZONES = {
    "America/New_York": (2024, 2027),
    "Europe/Copenhagen": (2024, 2027),
    "America/Sao_Paulo": (2015, 2019),
    "Asia/Kolkata": (2025, 2026),
    "Australia/Lord_Howe": (2024, 2027),
}

HORIZON = 60 * MINUTES_PER_DAY  # no generated calendar needs a longer walk than this

PROPERTY = settings(
    max_examples=30,  # per zone
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@lru_cache
def transitions(zone_name: str) -> tuple[int, ...]:
    """Epoch minutes (to the hour) at which the zone's UTC offset changes in its years."""
    first, last = ZONES[zone_name]
    zone = ZoneInfo(zone_name)
    a = minute_of(dt.datetime(first, 1, 1, tzinfo=UTC))
    b = minute_of(dt.datetime(last + 1, 1, 1, tzinfo=UTC))
    out = []
    previous = instant_of(a, zone).utcoffset()
    for m in range(a, b, 60):
        offset = instant_of(m, zone).utcoffset()
        if offset != previous:
            out.append(m)
            previous = offset
    return tuple(out)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# Interval boundaries: mostly on the half hour (DST switches at 00:00, 01:00, 02:00, 03:00
# and Lord Howe's at half hours), sometimes any minute.
boundaries = st.one_of(st.sampled_from(range(0, 1441, 30)), st.integers(0, 1440))


# Intervals that cover the small hours, where the clocks of these zones change.
NIGHT = [
    "00:00-24:00",
    "22:00-06:00",
    "23:00-00:00",
    "00:00-04:00",
    "01:00-03:00",
    "01:30-02:30",
    "02:00-02:30",
    "20:00-02:00",
]


@st.composite
def day_intervals(draw: st.DrawFn) -> list[str]:
    kind = draw(st.sampled_from(["random", "random", "night", "night+day", "empty"]))
    if kind == "empty":
        return []
    if kind == "night":
        return [draw(st.sampled_from(NIGHT))]
    if kind == "night+day":
        night = draw(st.sampled_from(NIGHT[3:7]))  # ends by 04:00
        return [
            night,
            draw(st.sampled_from(["09:00-17:00", "08:00-12:00", "13:00-24:00", "22:00-06:00"])),
        ]
    count = draw(st.integers(0, 3))
    points = sorted(set(draw(st.lists(boundaries, min_size=2 * count, max_size=2 * count))))
    if len(points) % 2:
        points.pop()
    spans = [(points[i], points[i + 1]) for i in range(0, len(points), 2)]
    if spans and spans[-1][0] > 0 and draw(st.booleans()):
        # The last interval runs overnight: it starts where it did and ends next morning
        # (``end <= start``; an end of 00:00 is the same as 24:00).
        start = spans[-1][0]
        spans[-1] = (start, draw(st.integers(0, start - 1)))
    return [f"{hhmm(a)}-{hhmm(b)}" for a, b in spans]


@st.composite
def weeks(draw: st.DrawFn) -> dict[str, list[str]]:
    week = {name: draw(day_intervals()) for name in DAY_NAMES}
    if not any(week.values()):
        week[draw(st.sampled_from(DAY_NAMES))] = [
            draw(st.sampled_from(["09:00-17:00", "22:00-06:00"]))
        ]
    return week


@st.composite
def instants(draw: st.DrawFn, zone_name: str) -> tuple[int, int | None]:
    """An epoch minute in the zone's years, usually shortly before a DST transition.

    Returns the minute and the transition it was drawn near (``None`` when drawn anywhere).
    """
    near = transitions(zone_name)
    if near and draw(st.sampled_from([True, True, True, True, False])):
        base = draw(st.sampled_from(near))
        # Mostly shortly before the transition, so that walks forward cross it.
        offset = draw(st.one_of(st.integers(-1440, 120), st.integers(-3 * 1440, 3 * 1440)))
        return base + offset, base
    first, last = ZONES[zone_name]
    lo = minute_of(dt.datetime(first, 1, 3, tzinfo=UTC))
    hi = minute_of(dt.datetime(last, 12, 20, tzinfo=UTC))
    return draw(st.integers(lo, hi)), None


@dataclass
class Case:
    zone: str
    week: dict[str, list[str]]
    holidays: frozenset[dt.date]
    anchor: int  # an epoch minute near which the test asks its questions

    def calendar(self) -> Calendar:
        return Calendar(
            "generated",
            self.zone,
            WeeklyHours.parse(self.week),
            HolidaySet(dates=dict.fromkeys(sorted(self.holidays), "generated")),
        )

    def oracle(self) -> Oracle:
        return Oracle(self.zone, self.week, self.holidays, horizon=HORIZON)

    def weekly_minutes(self) -> int:
        """Working minutes of a week on the wall clock (holidays and DST aside)."""
        spans = [parse_interval(text) for texts in self.week.values() for text in texts]
        return sum((end - start) % MINUTES_PER_DAY or MINUTES_PER_DAY for start, end in spans)

    def at(self, minute: int, in_utc: bool = False) -> dt.datetime:
        """The instant as an aware datetime, in the calendar's zone (fold-aware) or UTC."""
        return instant_of(minute, UTC if in_utc else ZoneInfo(self.zone))


@st.composite
def cases(draw: st.DrawFn, zone: str) -> Case:
    week = draw(weeks())
    anchor, transition = draw(instants(zone))
    if transition is not None and draw(st.booleans()):
        # Make sure the night of the transition is (partly) working time.
        ordinal, _ = local_clock(zone, transition)
        day = DAY_NAMES[(ordinal + 6) % 7]
        week[day] = [draw(st.sampled_from(NIGHT))]
        if draw(st.booleans()):
            day_before = DAY_NAMES[(ordinal + 5) % 7]
            week[day_before] = [
                draw(st.sampled_from(["22:00-06:00", "20:00-02:00", "23:00-00:00"]))
            ]
    ordinal, _ = local_clock(zone, anchor)
    today = dt.date.fromordinal(ordinal)
    # Holidays near the anchor, often on its own day or the day before (whose overnight
    # shift reaches into it).
    offsets = draw(st.sets(st.one_of(st.sampled_from([-1, 0, 1]), st.integers(-3, 21)), max_size=6))
    holidays = frozenset(today + dt.timedelta(days=k) for k in offsets)
    return Case(zone, week, holidays, anchor)


def check_next_close(case: Case, calendar: Calendar, oracle: Oracle, t: int) -> None:
    try:
        close = oracle.next_close(t)
    except OracleGaveUp:  # open without a break for the whole horizon: it never closes
        with pytest.raises(CalendarError, match="no next close"):
            calendar.next_close(case.at(t))
    else:
        assert minute_of(calendar.next_close(case.at(t))) == close, (case, t)


def durations(case: Case) -> st.SearchStrategy[int]:
    """Whole minutes of business time: up to three days, and at most two weeks' worth."""
    bound = min(3 * MINUTES_PER_DAY, 2 * case.weekly_minutes())
    return st.one_of(st.integers(1, 240), st.integers(1, max(bound, 1)), st.just(0))


@pytest.mark.parametrize("zone", sorted(ZONES))
@PROPERTY
@given(data=st.data())
def test_add_agrees_with_the_minute_by_minute_oracle(zone: str, data: st.DataObject) -> None:
    case = data.draw(cases(zone))
    calendar, oracle = case.calendar(), case.oracle()
    for _ in range(3):
        start = case.anchor + data.draw(st.one_of(st.integers(-60, 60), st.integers(-720, 720)))
        minutes = data.draw(durations(case))
        in_utc = data.draw(st.booleans())
        due = calendar.add(case.at(start, in_utc), minutes * M)
        assert minute_of(due) == oracle.add(start, minutes), (case, start, minutes)
        assert due.tzinfo is case.at(start, in_utc).tzinfo
        # add and elapsed are inverse: the business time up to the due instant is the duration.
        assert calendar.elapsed(case.at(start), due) == minutes * M


@pytest.mark.parametrize("zone", sorted(ZONES))
@PROPERTY
@given(data=st.data())
def test_elapsed_agrees_with_the_minute_by_minute_oracle(zone: str, data: st.DataObject) -> None:
    case = data.draw(cases(zone))
    calendar, oracle = case.calendar(), case.oracle()
    for _ in range(3):
        start = case.anchor + data.draw(st.one_of(st.integers(-60, 60), st.integers(-720, 720)))
        end = start + data.draw(st.integers(-4 * MINUTES_PER_DAY, 4 * MINUTES_PER_DAY))
        got = calendar.elapsed(case.at(start), case.at(end, data.draw(st.booleans())))
        assert got == oracle.elapsed(start, end) * M, (case, start, end)


@pytest.mark.parametrize("zone", sorted(ZONES))
@PROPERTY
@given(data=st.data())
def test_open_and_close_instants_agree_with_the_minute_by_minute_oracle(
    zone: str, data: st.DataObject
) -> None:
    case = data.draw(cases(zone))
    calendar, oracle = case.calendar(), case.oracle()
    for _ in range(4):
        t = case.anchor + data.draw(st.integers(-2 * MINUTES_PER_DAY, 2 * MINUTES_PER_DAY))
        instant = case.at(t)
        assert calendar.is_open(instant) == oracle.is_open(t), (case, t)
        assert minute_of(calendar.next_open(instant)) == oracle.next_open(t), (case, t)
        check_next_close(case, calendar, oracle, t)
        end = t + data.draw(st.integers(0, 3 * MINUTES_PER_DAY))
        got = [
            (minute_of(a), minute_of(b))
            for a, b in calendar.working_intervals(instant, case.at(end))
        ]
        assert got == oracle.working_intervals(t, end), (case, t, end)


@pytest.mark.parametrize("zone", sorted(zone for zone in ZONES if transitions(zone)))
@PROPERTY
@given(data=st.data())
def test_the_nights_the_clocks_change_agree_with_the_oracle(zone: str, data: st.DataObject) -> None:
    """Working time that covers the transition itself, started shortly before it."""
    transition = data.draw(st.sampled_from(transitions(zone)))
    ordinal, _ = local_clock(zone, transition)
    week = data.draw(weeks())
    week[DAY_NAMES[(ordinal + 6) % 7]] = [data.draw(st.sampled_from(NIGHT))]
    if data.draw(st.booleans()):
        week[DAY_NAMES[(ordinal + 5) % 7]] = [
            data.draw(st.sampled_from(["22:00-06:00", "20:00-02:00"]))
        ]
    case = Case(zone, week, frozenset(), transition)
    calendar, oracle = case.calendar(), case.oracle()
    for _ in range(3):
        start = transition - data.draw(st.integers(0, 8 * 60))
        minutes = data.draw(st.integers(1, 10 * 60))
        due = calendar.add(case.at(start), minutes * M)
        assert minute_of(due) == oracle.add(start, minutes), (case, start, minutes)
        end = transition + data.draw(st.integers(-120, 8 * 60))
        assert calendar.elapsed(case.at(start), case.at(end)) == oracle.elapsed(start, end) * M
        t = transition + data.draw(st.integers(-120, 120))
        assert calendar.is_open(case.at(t)) == oracle.is_open(t), (case, t)
        assert minute_of(calendar.next_open(case.at(t))) == oracle.next_open(t), (case, t)
        check_next_close(case, calendar, oracle, t)


@pytest.mark.parametrize("zone", sorted(ZONES))
@PROPERTY
@given(data=st.data())
def test_the_batch_forms_agree_with_the_oracle_and_the_scalar_forms(
    zone: str, data: st.DataObject
) -> None:
    case = data.draw(cases(zone))
    calendar, oracle = case.calendar(), case.oracle()
    count = data.draw(st.integers(1, 6))
    starts = [case.anchor + data.draw(st.integers(-1440, 1440)) for _ in range(count)]
    minutes = [data.draw(durations(case)) for _ in range(count)]
    ends = [s + data.draw(st.integers(-3 * MINUTES_PER_DAY, 3 * MINUTES_PER_DAY)) for s in starts]
    starts_us = np.array([to_us(case.at(s)) for s in starts], dtype=np.int64)
    ends_us = np.array([to_us(case.at(e)) for e in ends], dtype=np.int64)
    durations_us = np.array(minutes, dtype=np.int64) * 60_000_000

    due = calendar.add_many(starts_us, durations_us)
    assert due.dtype == np.int64
    assert [minute_of(from_us(int(u))) for u in due] == [
        oracle.add(s, n) for s, n in zip(starts, minutes, strict=True)
    ], case
    assert [int(u) for u in due] == [
        to_us(calendar.add(case.at(s), n * M)) for s, n in zip(starts, minutes, strict=True)
    ]
    spent = calendar.elapsed_many(starts_us, ends_us)
    assert [int(u) // 60_000_000 for u in spent] == [
        oracle.elapsed(s, e) for s, e in zip(starts, ends, strict=True)
    ], case
    assert all(int(u) % 60_000_000 == 0 for u in spent)


def test_the_oracle_itself_counts_a_plain_new_york_week() -> None:
    """A sanity check of the oracle on a week whose answer is obvious."""
    oracle = Oracle("America/New_York", {"mon": ["09:00-17:00"], "tue": ["22:00-06:00"]})
    monday = minute_of(dt.datetime(2026, 6, 1, tzinfo=NEW_YORK))
    assert oracle.elapsed(monday, monday + 7 * MINUTES_PER_DAY) == 16 * 60
    assert oracle.add(monday, 8 * 60) == minute_of(dt.datetime(2026, 6, 1, 17, tzinfo=NEW_YORK))
    assert oracle.add(monday, 8 * 60 + 1) == minute_of(
        dt.datetime(2026, 6, 2, 22, 1, tzinfo=NEW_YORK)
    )


# ====================================================================== table tests


def new_york(spec: dict[str, str | list[str]] | str, **kwargs: object) -> Calendar:
    return Calendar("ny", "America/New_York", WeeklyHours.parse(spec), **kwargs)


def ny(*args: int, fold: int = 0) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NEW_YORK, fold=fold)


def same_instant(a: dt.datetime, b: dt.datetime) -> bool:
    """Equality of instants (``==`` ignores ``fold`` when both sides share a tzinfo)."""
    return to_us(a) == to_us(b)


OFFICE = {"mon-fri": "09:00-17:00"}


def test_a_target_ending_at_the_close_is_due_at_the_close() -> None:
    calendar = new_york(OFFICE)
    assert calendar.add(ny(2026, 3, 2, 9), 8 * H) == ny(2026, 3, 2, 17)
    assert calendar.add(ny(2026, 3, 2, 16), H) == ny(2026, 3, 2, 17)
    assert calendar.add(ny(2026, 3, 6, 20), 8 * H) == ny(2026, 3, 9, 17)


def test_one_minute_past_the_close_is_due_one_minute_after_the_next_opening() -> None:
    calendar = new_york(OFFICE)
    assert calendar.add(ny(2026, 3, 2, 16), H + M) == ny(2026, 3, 3, 9, 1)


def test_adding_nothing_is_the_start_itself_even_when_closed() -> None:
    calendar = new_york(OFFICE)
    for start in (ny(2026, 3, 3, 20), ny(2026, 3, 3, 12), ny(2026, 3, 7, 12), ny(2026, 3, 3, 17)):
        assert calendar.add(start, dt.timedelta(0)) == start
    starts = np.array([to_us(ny(2026, 3, 3, 20)), to_us(ny(2026, 3, 3, 8))], dtype=np.int64)
    assert calendar.add_many(starts, np.zeros(2, dtype=np.int64)).tolist() == starts.tolist()


def test_a_start_in_a_closed_period_counts_from_the_next_opening() -> None:
    calendar = new_york(OFFICE)
    assert calendar.add(ny(2026, 3, 7, 12), H) == ny(2026, 3, 9, 10)
    assert calendar.elapsed(ny(2026, 3, 6, 17), ny(2026, 3, 9, 9)) == dt.timedelta(0)


def test_elapsed_backwards_is_negative() -> None:
    calendar = new_york(OFFICE)
    assert calendar.elapsed(ny(2026, 3, 3, 12), ny(2026, 3, 2, 12)) == -8 * H


def test_a_round_the_clock_day_holds_23_hours_when_new_york_springs_forward() -> None:
    calendar = new_york({"daily": "00:00-24:00"})
    assert calendar.elapsed(ny(2026, 3, 8), ny(2026, 3, 9)) == 23 * H
    assert calendar.add(ny(2026, 3, 8), 23 * H) == ny(2026, 3, 9)
    assert calendar.add(ny(2026, 3, 8, 1, 30), H) == ny(2026, 3, 8, 3, 30)


def test_a_round_the_clock_day_holds_25_hours_when_new_york_falls_back() -> None:
    calendar = new_york({"daily": "00:00-24:00"})
    assert calendar.elapsed(ny(2026, 11, 1), ny(2026, 11, 2)) == 25 * H
    due = calendar.add(ny(2026, 11, 1, 1, 30), H)
    assert same_instant(due, ny(2026, 11, 1, 1, 30, fold=1))
    assert due.fold == 1


def test_an_office_day_holds_eight_hours_on_both_dst_sundays_in_new_york() -> None:
    calendar = new_york({"daily": "09:00-17:00"})
    for day in (dt.date(2026, 3, 8), dt.date(2026, 11, 1)):
        start = dt.datetime.combine(day, dt.time(), tzinfo=NEW_YORK)
        assert calendar.elapsed(start, start + dt.timedelta(days=1)) == 8 * H
        assert calendar.add(start, 8 * H) == dt.datetime.combine(day, dt.time(17), tzinfo=NEW_YORK)
        assert calendar.add(start, 8 * H + M) == dt.datetime.combine(
            day + dt.timedelta(days=1), dt.time(9, 1), tzinfo=NEW_YORK
        )


def test_a_night_shift_loses_the_skipped_hour_in_spring() -> None:
    calendar = new_york({"daily": "22:00-06:00"})
    assert calendar.elapsed(ny(2026, 3, 7, 12), ny(2026, 3, 8, 12)) == 7 * H
    assert calendar.add(ny(2026, 3, 7, 22), 4 * H) == ny(2026, 3, 8, 3)
    assert calendar.add(ny(2026, 3, 7, 22), 7 * H) == ny(2026, 3, 8, 6)
    assert not calendar.is_open(ny(2026, 3, 8, 6))


def test_a_night_shift_works_the_repeated_hour_twice_in_autumn() -> None:
    calendar = new_york({"daily": "22:00-06:00"})
    assert calendar.elapsed(ny(2026, 10, 31, 12), ny(2026, 11, 1, 12)) == 9 * H
    due = calendar.add(ny(2026, 10, 31, 22), 4 * H)
    assert same_instant(due, ny(2026, 11, 1, 1, fold=1))
    assert calendar.add(ny(2026, 10, 31, 22), 9 * H) == ny(2026, 11, 1, 6)
    assert calendar.is_open(ny(2026, 11, 1, 1, 30, fold=0))
    assert calendar.is_open(ny(2026, 11, 1, 1, 30, fold=1))


def test_a_holiday_cancels_the_night_shift_that_starts_on_it_but_not_the_one_ending_on_it() -> None:
    calendar = new_york(
        {"daily": "22:00-06:00"}, holidays=HolidaySet(dates={dt.date(2026, 6, 10): "Closed"})
    )
    assert calendar.is_open(ny(2026, 6, 10, 3))  # the 9 June shift
    assert not calendar.is_open(ny(2026, 6, 10, 23))
    assert not calendar.is_open(ny(2026, 6, 11, 3))
    assert calendar.next_open(ny(2026, 6, 10, 7)) == ny(2026, 6, 11, 22)
    assert calendar.next_close(ny(2026, 6, 9, 23)) == ny(2026, 6, 10, 6)


def test_lord_howe_shifts_its_clocks_by_half_an_hour() -> None:
    calendar = Calendar("lh", "Australia/Lord_Howe", WeeklyHours.parse({"daily": ["00:00-24:00"]}))
    night = Calendar("lh", "Australia/Lord_Howe", WeeklyHours.parse({"daily": ["01:00-03:00"]}))

    def lh(*args: int, fold: int = 0) -> dt.datetime:
        return dt.datetime(*args, tzinfo=LORD_HOWE, fold=fold)

    # 5 April 2026: 02:00 daylight time becomes 01:30 standard time (+11:00 -> +10:30).
    assert calendar.elapsed(lh(2026, 4, 5), lh(2026, 4, 6)) == 24 * H + 30 * M
    assert night.elapsed(lh(2026, 4, 5), lh(2026, 4, 6)) == 2 * H + 30 * M
    assert same_instant(night.add(lh(2026, 4, 5, 1), H), lh(2026, 4, 5, 1, 30, fold=1))
    # 4 October 2026: 02:00 standard time becomes 02:30 daylight time.
    assert calendar.elapsed(lh(2026, 10, 4), lh(2026, 10, 5)) == 23 * H + 30 * M
    assert night.elapsed(lh(2026, 10, 4), lh(2026, 10, 5)) == H + 30 * M
    assert night.add(lh(2026, 10, 4, 1), H) == lh(2026, 10, 4, 2, 30)


def test_four_hours_from_thursday_evening_before_black_consciousness_day_are_due_monday() -> None:
    calendar = Calendar(
        "sp",
        "America/Sao_Paulo",
        WeeklyHours.parse({"mon-fri": "09:00-19:00"}),
        HolidaySet(country="BR", subdivision="São Paulo Capital"),
    )
    assert calendar.is_holiday(dt.date(2026, 11, 20))
    assert calendar.holiday_name(dt.date(2026, 11, 20))
    start = dt.datetime(2026, 11, 19, 20, tzinfo=SAO_PAULO)
    assert calendar.add(start, 4 * H) == dt.datetime(2026, 11, 23, 13, tzinfo=SAO_PAULO)


def test_the_friday_after_ascension_is_easter_plus_forty_days() -> None:
    rules = HolidaySet(easter=(EasterRule(40, "Fredag efter Kristi himmelfart"),))
    assert rules.name(dt.date(2026, 5, 15)) == "Fredag efter Kristi himmelfart"  # Easter: 5 April
    assert rules.contains(dt.date(2027, 5, 7))  # Easter 2027: 28 March
    assert not rules.contains(dt.date(2026, 5, 14))


def test_a_danish_office_reopens_on_monday_after_the_ascension_weekend() -> None:
    calendar = Calendar(
        "dk",
        "Europe/Copenhagen",
        WeeklyHours.parse(OFFICE),
        HolidaySet(country="DK", easter=(EasterRule(40, "Fredag efter Kristi himmelfart"),)),
    )
    start = dt.datetime(2026, 5, 13, 16, tzinfo=COPENHAGEN)
    assert calendar.add(start, H) == dt.datetime(2026, 5, 13, 17, tzinfo=COPENHAGEN)
    assert calendar.add(start, 2 * H) == dt.datetime(2026, 5, 18, 10, tzinfo=COPENHAGEN)


def test_annual_rules_close_the_same_day_every_year() -> None:
    rules = HolidaySet(
        annual=(
            AnnualRule(6, 5, "Grundlovsdag"),
            AnnualRule(12, 24, "Juleaften"),
            AnnualRule(12, 31, "Nytårsaften"),
            AnnualRule(2, 29, "Leap day"),
        )
    )
    for year in (2026, 2031):
        assert rules.name(dt.date(year, 6, 5)) == "Grundlovsdag"
        assert rules.contains(dt.date(year, 12, 24))
        assert rules.contains(dt.date(year, 12, 31))
        assert not rules.contains(dt.date(year, 12, 30))
    assert rules.contains(dt.date(2028, 2, 29))
    assert [d for d, _ in rules.between(dt.date(2026, 12, 1), dt.date(2027, 1, 31))] == [
        dt.date(2026, 12, 24),
        dt.date(2026, 12, 31),
    ]


def test_a_named_country_holiday_can_be_removed() -> None:
    full = HolidaySet(country="DK")
    trimmed = HolidaySet(country="DK", remove=("anden pinsedag",))
    whit_monday, whit_sunday = dt.date(2026, 5, 25), dt.date(2026, 5, 24)
    assert full.contains(whit_monday)
    assert not trimmed.contains(whit_monday)
    assert trimmed.contains(whit_sunday)


def test_explicit_dates_are_holidays_only_in_their_year() -> None:
    rules = HolidaySet(dates={dt.date(2010, 12, 27): "Closed for inventory"})
    assert rules.name(dt.date(2010, 12, 27)) == "Closed for inventory"
    assert not rules.contains(dt.date(2011, 12, 27))
    calendar = new_york(OFFICE, holidays=rules)
    assert calendar.add(ny(2010, 12, 24, 16), 2 * H) == ny(2010, 12, 28, 10)


ICAL = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Pacto//tests//EN
BEGIN:VEVENT
UID:eve@pacto.test
DTSTART;VALUE=DATE:20261224
DTEND;VALUE=DATE:20261225
SUMMARY:Christmas Eve
END:VEVENT
BEGIN:VEVENT
UID:inventory@pacto.test
DTSTART;VALUE=DATE:20261228
DTEND;VALUE=DATE:20261231
SUMMARY:Inventory
END:VEVENT
BEGIN:VEVENT
UID:new-year@pacto.test
DTSTART;VALUE=DATE:20250101
DTEND;VALUE=DATE:20250102
RRULE:FREQ=YEARLY
SUMMARY:New Year
END:VEVENT
END:VCALENDAR
"""


def test_ical_closures_import_single_multi_day_and_yearly_events() -> None:
    dates = dates_from_ical(ICAL, years=[2026, 2027])
    assert dates == {
        dt.date(2026, 12, 24): "Christmas Eve",
        dt.date(2026, 12, 28): "Inventory",
        dt.date(2026, 12, 29): "Inventory",
        dt.date(2026, 12, 30): "Inventory",  # DTEND is exclusive
        dt.date(2025, 1, 1): "New Year",
        dt.date(2026, 1, 1): "New Year",
        dt.date(2027, 1, 1): "New Year",
    }
    calendar = new_york(OFFICE, holidays=HolidaySet(dates=dates))
    assert calendar.add(ny(2026, 12, 23, 16), 2 * H) == ny(2026, 12, 25, 10)
    assert calendar.next_open(ny(2026, 12, 26)) == ny(2026, 12, 31, 9)


def test_a_business_day_is_the_most_common_daily_length_by_default() -> None:
    short_friday = new_york({"mon-thu": "09:00-17:00", "fri": "09:00-13:00"})
    assert short_friday.business_day == 8 * H
    lunch = new_york({"mon-fri": ["09:00-12:00", "13:00-18:00"], "sat": "10:00-14:00"})
    assert lunch.business_day == 8 * H
    night = new_york({"mon-fri": "22:00-06:00"})
    assert night.business_day == 8 * H
    explicit = new_york(OFFICE, business_day=dt.timedelta(hours=7, minutes=30))
    assert explicit.business_day == 7 * H + 30 * M


def test_naive_datetimes_are_refused() -> None:
    calendar = new_york(OFFICE)
    naive = dt.datetime(2026, 3, 2, 9)
    with pytest.raises(CalendarError, match="naive"):
        calendar.add(naive, H)
    with pytest.raises(CalendarError, match="naive"):
        calendar.elapsed(naive, ny(2026, 3, 3))
    with pytest.raises(CalendarError, match="naive"):
        calendar.is_open(naive)


def test_an_unknown_time_zone_is_refused_by_name() -> None:
    with pytest.raises(CalendarError, match="Mars/Olympus_Mons"):
        Calendar("mars", "Mars/Olympus_Mons", WeeklyHours.parse(OFFICE))


@pytest.mark.parametrize(
    "text", ["9-17", "09:00-25:00", "09:60-10:00", "24:00-24:30", "09:00-09:00", "nine to five"]
)
def test_a_malformed_interval_is_refused_and_named(text: str) -> None:
    with pytest.raises(CalendarError) as error:
        WeeklyHours.parse({"mon": [text]})
    assert repr(text) in str(error.value)


def test_overlapping_intervals_are_refused() -> None:
    with pytest.raises(CalendarError, match="overlap"):
        WeeklyHours.parse({"mon": ["09:00-12:00", "11:00-14:00"]})
    with pytest.raises(CalendarError, match="overlap"):
        WeeklyHours.parse({"mon": ["22:00-06:00", "23:00-23:30"]})


@pytest.mark.parametrize("week", [{}, {"mon": []}, {"mon-fri": []}])
def test_a_week_without_working_time_is_refused(week: dict[str, list[str]]) -> None:
    with pytest.raises(CalendarError, match="no working interval"):
        WeeklyHours.parse(week)


def test_an_unknown_weekday_is_refused_by_name() -> None:
    with pytest.raises(CalendarError, match="funday"):
        WeeklyHours.parse({"funday": "09:00-17:00"})


def test_a_negative_duration_is_refused() -> None:
    calendar = new_york(OFFICE)
    with pytest.raises(CalendarError, match="negative"):
        calendar.add(ny(2026, 3, 2, 9), -M)
    with pytest.raises(CalendarError, match="negative"):
        calendar.add_many(np.array([0], dtype=np.int64), np.array([-1], dtype=np.int64))


def test_a_calendar_that_never_closes_has_no_next_close() -> None:
    with pytest.raises(CalendarError):
        new_york("24x7").next_close(ny(2026, 3, 2))


def test_a_round_the_clock_calendar_closes_at_its_first_holiday_even_across_new_year() -> None:
    calendar = new_york("24x7", holidays=HolidaySet(dates={dt.date(2027, 1, 2): "Closed"}))
    assert calendar.next_close(ny(2026, 12, 20)) == ny(2027, 1, 2)
    assert calendar.next_open(ny(2027, 1, 2, 12)) == ny(2027, 1, 3)


def test_working_intervals_are_clipped_to_the_window() -> None:
    calendar = new_york({"mon-fri": ["09:00-12:00", "13:00-17:00"]})
    assert calendar.working_intervals(ny(2026, 3, 2, 10), ny(2026, 3, 3, 10)) == [
        (ny(2026, 3, 2, 10), ny(2026, 3, 2, 12)),
        (ny(2026, 3, 2, 13), ny(2026, 3, 2, 17)),
        (ny(2026, 3, 3, 9), ny(2026, 3, 3, 10)),
    ]


def test_microsecond_conversions_round_trip() -> None:
    instant = ny(2026, 11, 1, 1, 30, fold=1)
    assert to_us(instant) == to_us(instant.astimezone(UTC))
    back = from_us(to_us(instant), NEW_YORK)
    assert same_instant(back, instant)
    assert back.fold == 1
