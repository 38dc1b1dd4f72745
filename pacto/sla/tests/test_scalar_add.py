"""``Calendar.add``'s shortcut for starts in the calendar's own zone, against the general path.

For a start in the calendar's zone on a day without a DST change, ``add`` reads the business
position off a table of the local day (``Calendar._plain_day``) instead of converting the
start to UTC, and a due instant in a part of such a day (``Calendar._parts``: the working
intervals cut at local midnights) is the local epoch plus a wall-clock time found by timedelta
arithmetic, with no conversion back either.
These tests compare it, to the microsecond and with ``fold``, with the general conversions
done by aware datetime arithmetic (``start - EPOCH``, ``(EPOCH + delta).astimezone(zone)``)
around the integer engine ``add_us``: starts near DST transitions in zones with awkward ones,
wall-clock times with ``fold=1``, in skipped and in repeated hours, due instants that land in
a repeated hour, on a close at a skipped midnight, and far from 1970.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacto.sla.calendar import US, Calendar, WeeklyHours
from pacto.sla.holiday_rules import HolidaySet

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = EPOCH.toordinal()
NEW_YORK = ZoneInfo("America/New_York")
H = dt.timedelta(hours=1)
DAY = 86_400 * US

# The years each zone is exercised in. São Paulo observed DST until February 2019; Lord Howe
# moves its clocks by half an hour; Kolkata has no DST at all.
ZONES = {
    "America/New_York": (2025, 2027),
    "America/Sao_Paulo": (2016, 2019),
    "Australia/Lord_Howe": (2025, 2027),
    "Europe/Copenhagen": (2025, 2027),
    "Asia/Kolkata": (2025, 2026),
}

# Weeks whose working time covers the small hours (where the clocks change), the whole day,
# an office day, and boundaries on odd minutes.
WEEKS = [
    "24x7",
    {"daily": "22:00-06:00"},
    {"daily": ["00:00-03:30", "09:00-17:00"]},
    {"daily": ["01:15-02:45", "23:00-24:00"]},
    {"mon-fri": "09:00-17:00"},
    {"mon-fri": ["08:07-12:00", "13:00-17:53"], "sat": "01:30-02:30"},
    {"sun": "00:00-24:00", "wed": "20:00-02:00"},
]

PROPERTY = settings(
    max_examples=100,  # per zone
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def to_us(instant: dt.datetime) -> int:
    """The general conversion: aware datetime arithmetic (fold-aware)."""
    delta = instant - EPOCH
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def from_us(us: int, zone: dt.tzinfo) -> dt.datetime:
    """The general conversion back: ``astimezone`` (sets ``fold`` in a repeated hour)."""
    return (EPOCH + dt.timedelta(microseconds=us)).astimezone(zone)


@lru_cache
def transitions(zone_name: str) -> tuple[int, ...]:
    """Epoch microseconds (to the second) at which the zone's UTC offset changes in its years."""
    zone = ZoneInfo(zone_name)
    first, last = ZONES[zone_name]
    out = []
    t, stop = (
        to_us(dt.datetime(first, 1, 1, tzinfo=UTC)),
        to_us(dt.datetime(last + 1, 1, 1, tzinfo=UTC)),
    )
    step = 6 * 3600 * US  # no zone here changes its offset twice within six hours
    while t < stop:
        lo, hi = t, t + step
        if from_us(lo, zone).utcoffset() != from_us(hi, zone).utcoffset():
            while hi - lo > US:
                mid = (lo + hi) // 2 // US * US
                if from_us(mid, zone).utcoffset() == from_us(lo, zone).utcoffset():
                    lo = mid
                else:
                    hi = mid
            out.append(hi)
        t += step
    return tuple(out)


def test_the_zones_have_the_transitions_the_tests_expect() -> None:
    assert len(transitions("America/New_York")) == 6
    assert len(transitions("Australia/Lord_Howe")) == 6
    assert len(transitions("America/Sao_Paulo")) == 7  # the last: February 2019
    assert transitions("Asia/Kolkata") == ()


@st.composite
def anchors(draw: st.DrawFn, zone_name: str) -> int:
    """Epoch microseconds: mostly a DST transition of the zone, else any second in its years."""
    near = transitions(zone_name)
    if near and draw(st.integers(0, 4)):
        return draw(st.sampled_from(near))
    first, last = ZONES[zone_name]
    lo = to_us(dt.datetime(first, 1, 2, tzinfo=UTC))
    hi = to_us(dt.datetime(last, 12, 20, tzinfo=UTC))
    return draw(st.integers(lo // US, hi // US)) * US


@st.composite
def starts(draw: st.DrawFn, zone_name: str, anchor: int) -> dt.datetime:
    """An aware datetime in the zone, within hours or days of ``anchor``.

    Half are instants (their ``fold`` as ``astimezone`` sets it); the others are wall-clock
    times as a caller might write them, a few minutes on the wall clock from such an instant
    and with either ``fold``, so some are in a repeated hour with ``fold=1`` and some in a
    skipped hour, which does not exist.
    """
    zone = ZoneInfo(zone_name)
    offset = draw(st.one_of(st.integers(-3 * 3600, 3 * 3600), st.integers(-4 * 86_400, 4 * 86_400)))
    instant = anchor + offset * US + draw(st.one_of(st.just(0), st.integers(0, US - 1)))
    start = from_us(instant, zone)
    if draw(st.booleans()):
        wall = start.replace(tzinfo=None) + dt.timedelta(minutes=draw(st.integers(-90, 90)))
        start = wall.replace(tzinfo=zone, fold=draw(st.integers(0, 1)))
    return start


def durations(aim: int) -> st.SearchStrategy[int]:
    """Microseconds of business time: up to a few days, often whole minutes or seconds, or
    about ``aim``, which takes a round-the-clock calendar to the anchor (a transition)."""
    return st.one_of(
        st.integers(0, 3 * 86_400).map(lambda s: s * US),
        st.integers(1, 4 * 24 * 60).map(lambda m: m * 60 * US),
        st.integers(0, 3 * 86_400 * US),
        st.integers(-2 * 3600 * US, 2 * 3600 * US).map(lambda d: max(aim + d, 0)),
        st.just(0),
    )


def calendar(zone_name: str, week: object, holidays: frozenset[dt.date]) -> Calendar:
    return Calendar(
        "generated",
        zone_name,
        WeeklyHours.parse(week),  # type: ignore[arg-type]
        HolidaySet(dates=dict.fromkeys(sorted(holidays), "generated")),
    )


def check(
    calendar: Calendar, start: dt.datetime, micros: int, reference: Calendar | None = None
) -> None:
    """``calendar.add`` equals the general conversions around ``add_us`` (of ``reference``)."""
    expected_us = (reference or calendar).add_us(to_us(start), micros)
    expected = from_us(expected_us, start.tzinfo)  # type: ignore[arg-type]
    got = calendar.add(start, dt.timedelta(microseconds=micros))
    assert got.tzinfo is start.tzinfo, (start, micros)
    assert to_us(got) == expected_us, (start, micros, got, expected)
    # The same wall-clock reading and fold (== would ignore the fold within one zone).
    assert (got.replace(tzinfo=None), got.fold) == (expected.replace(tzinfo=None), expected.fold)


@given(data=st.data())
@PROPERTY
def _check_zone(zone_name: str, data: st.DataObject) -> None:
    anchor = data.draw(anchors(zone_name))
    week = data.draw(st.sampled_from(WEEKS))
    day = from_us(anchor, ZoneInfo(zone_name)).date()
    holidays = frozenset(
        day + dt.timedelta(days=k) for k in data.draw(st.sets(st.integers(-3, 5), max_size=3))
    )
    fast = calendar(zone_name, week, holidays)
    # Compiled beforehand, so that the first query can take the shortcut too.
    fast.compiled(from_us(anchor - 10 * DAY, UTC), from_us(anchor + 10 * DAY, UTC))
    for _ in range(5):
        start = data.draw(starts(zone_name, anchor))
        check(fast, start, data.draw(durations(anchor - to_us(start))))


def test_new_york() -> None:
    _check_zone("America/New_York")


def test_sao_paulo_while_it_had_dst() -> None:
    _check_zone("America/Sao_Paulo")


def test_lord_howe_and_its_half_hour_shift() -> None:
    _check_zone("Australia/Lord_Howe")


def test_copenhagen() -> None:
    _check_zone("Europe/Copenhagen")


def test_kolkata_without_dst() -> None:
    _check_zone("Asia/Kolkata")


@pytest.mark.parametrize("zone_name", [zone for zone in ZONES if transitions(zone)])
@given(data=st.data())
@settings(max_examples=60, deadline=None, derandomize=True, database=None)
def test_due_instants_around_a_transition_from_the_plain_days_before(
    zone_name: str, data: st.DataObject
) -> None:
    """Round-the-clock time from a plain day into the skipped or the repeated hour."""
    zone = ZoneInfo(zone_name)
    transition = data.draw(st.sampled_from(transitions(zone_name)))
    week = data.draw(st.sampled_from(["24x7", {"daily": "22:00-06:00"}, {"daily": "00:00-04:00"}]))
    fast = calendar(zone_name, week, frozenset())
    fast.compiled(from_us(transition - 10 * DAY, UTC), from_us(transition + 10 * DAY, UTC))
    before = data.draw(st.integers(DAY + 3600 * US, 3 * DAY))  # from a day without a change
    start = from_us(transition - before, zone)
    assert fast._plain_day((start - dt.datetime(1970, 1, 1, tzinfo=zone)).days) is not None
    micros = before + data.draw(st.integers(-2 * 3600 * US, 2 * 3600 * US))
    check(fast, start, micros)


def test_a_due_instant_in_the_repeated_hour_carries_its_fold() -> None:
    """From the plain Saturday before New York falls back into Sunday's repeated hour."""
    always = calendar("America/New_York", "24x7", frozenset())
    always.compiled(dt.datetime(2026, 10, 1, tzinfo=UTC), dt.datetime(2026, 11, 30, tzinfo=UTC))
    saturday = dt.datetime(2026, 10, 31, 23, 0, 0, 250, tzinfo=NEW_YORK)
    assert always._plain_day(local_day(saturday.date())) is not None  # the shortcut
    first = always.add(saturday, dt.timedelta(hours=2, minutes=50))
    second = always.add(saturday, dt.timedelta(hours=3, minutes=50))
    assert (first.hour, first.minute, first.microsecond, first.fold) == (1, 50, 250, 0)
    assert (second.hour, second.minute, second.microsecond, second.fold) == (1, 50, 250, 1)
    assert to_us(second) - to_us(first) == 3600 * US
    # And from within the repeated hour, each fold its own instant.
    early = dt.datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)
    late = early.replace(fold=1)
    assert to_us(always.add(late, H)) - to_us(always.add(early, H)) == 3600 * US
    assert always.add(early, H).fold == 1
    assert always.add(late, H).replace(tzinfo=None) == dt.datetime(2026, 11, 1, 2, 30)


def local_day(day: dt.date) -> int:
    return day.toordinal() - EPOCH_ORDINAL


def test_the_shortcut_covers_ordinary_days_but_not_the_days_the_clocks_change() -> None:
    office = calendar("America/New_York", {"mon-fri": "09:00-17:00"}, frozenset())
    office.add(dt.datetime(2026, 3, 1, tzinfo=NEW_YORK), H)  # compiles 2026
    assert office._plain_days == {}  # a day's table is made when the day is first asked
    for day in (6, 7, 8, 9):  # Friday to Monday around the start of DST on 8 March 2026
        office.add(dt.datetime(2026, 3, day, 10, tzinfo=NEW_YORK), H)
    tables = office._plain_days
    assert tables[local_day(dt.date(2026, 3, 6))] is not None
    assert tables[local_day(dt.date(2026, 3, 7))] is not None
    assert tables[local_day(dt.date(2026, 3, 8))] is None  # 23 hours long
    assert tables[local_day(dt.date(2026, 3, 9))] is not None
    # São Paulo skipped its midnight when DST began on 4 November 2018.
    sao_paulo = calendar("America/Sao_Paulo", "24x7", frozenset())
    for _ in range(2):
        sao_paulo.add(dt.datetime(2018, 11, 4, 10, tzinfo=ZoneInfo("America/Sao_Paulo")), H)
    assert sao_paulo._plain_days == {local_day(dt.date(2018, 11, 4)): None}


def test_round_the_clock_time_is_cut_at_midnights_and_only_plain_days_make_due_instants() -> None:
    always = calendar("America/New_York", "24x7", frozenset())
    start = dt.datetime(2026, 3, 6, 12, tzinfo=NEW_YORK)  # Friday before DST starts on Sunday
    always.compiled(start, start)
    assert always._plain_day(local_day(start.date())) is not None
    assert len(always._starts) == 1  # one interval for the whole year
    assert len(always._part_starts) == 365  # one part per day
    walls = dict(
        zip(
            [from_us(a, NEW_YORK).date() for a in always._part_starts],
            always._part_wall_shift,
            strict=True,
        )
    )
    assert walls[dt.date(2026, 3, 7)] is not None
    assert walls[dt.date(2026, 3, 8)] is None  # 23 hours long: the general path
    assert walls[dt.date(2026, 3, 9)] is not None
    sunday = always.add(start, dt.timedelta(days=2))  # due on the day the clocks change
    monday = always.add(start, dt.timedelta(days=3))
    assert (sunday.day, sunday.hour, monday.day, monday.hour) == (8, 13, 9, 13)
    for micros in (DAY, 2 * DAY - 1, 2 * DAY, 2 * DAY + 3600 * US, 3 * DAY, 20 * DAY):
        check(always, start, micros)


@pytest.mark.parametrize("week", WEEKS)
def test_a_start_on_the_last_compiled_day_reaches_into_the_years_after(week: object) -> None:
    """The table of 31 December, the last compiled day: the search runs on as years are added."""
    for micros in (60 * US, 2 * 3600 * US + 1, 9 * 3600 * US, 3 * DAY + 7):
        for hour in (0, 2, 9, 12, 22, 23):
            office = calendar("America/New_York", week, frozenset())
            office.compiled(
                dt.datetime(2026, 6, 1, tzinfo=UTC), dt.datetime(2026, 6, 2, tzinfo=UTC)
            )
            assert office._last_year == 2026
            start = dt.datetime(2026, 12, 31, hour, 30, tzinfo=NEW_YORK)
            assert office._plain_day(local_day(start.date())) is not None  # the shortcut
            reference = calendar("America/New_York", week, frozenset())
            check(office, start, micros, reference)


def test_a_start_in_another_zone_takes_the_general_path() -> None:
    office = calendar("America/New_York", {"mon-fri": "09:00-17:00"}, frozenset())
    start = dt.datetime(2026, 3, 6, 15, tzinfo=UTC)
    for micros in range(0, 3 * 3600 * US + 40, 3600 * US + 1):  # odd microseconds
        check(office, start, micros)
    assert office._plain_days == {}


@pytest.mark.parametrize(
    "start",
    [
        dt.datetime(1969, 12, 31, 16, 59, 59, 999_999, tzinfo=NEW_YORK),
        dt.datetime(1901, 6, 3, 10, tzinfo=NEW_YORK),
        dt.datetime(2106, 2, 5, 16, 30, 0, 1, tzinfo=NEW_YORK),
        dt.datetime(2250, 6, 1, 9, 30, tzinfo=NEW_YORK),
    ],
)
def test_starts_far_from_the_epoch_take_the_shortcut_exactly(start: dt.datetime) -> None:
    """Timedelta arithmetic is exact in any year (a float of the epoch seconds is not)."""
    office = calendar("America/New_York", {"mon-fri": "09:00-17:00"}, frozenset())
    office.compiled(start - 10 * H, start + 10 * H)
    for micros in range(0, 3 * 3600 * US + 40, 3600 * US + 1):  # odd microseconds
        check(office, start, micros)
    assert office._plain_days[local_day(start.date())] is not None


def test_a_close_at_a_skipped_midnight_is_due_on_the_wall_clock_after_it() -> None:
    """São Paulo skipped 4 November 2018 00:00: a Saturday shift to 24:00 closed at 01:00."""
    zone = ZoneInfo("America/Sao_Paulo")
    evening = calendar("America/Sao_Paulo", {"sat": "20:00-24:00"}, frozenset())
    start = dt.datetime(2018, 11, 3, 20, tzinfo=zone)
    evening.compiled(start, start)
    due = evening.add(start, 4 * H)
    assert evening._plain_days[local_day(start.date())] is not None  # the start's shortcut
    assert (due.date(), due.hour, due.minute) == (dt.date(2018, 11, 4), 1, 0)
    assert to_us(due) - to_us(start) == 4 * 3600 * US
    for micros in (1, 3600 * US, 4 * 3600 * US - 1, 4 * 3600 * US, 4 * 3600 * US + 1):
        check(evening, start, micros)


class Elapsed(dt.datetime):
    """A datetime whose difference is always the elapsed time, as with pandas' Timestamp."""

    def __sub__(self, other):  # type: ignore[no-untyped-def, override]
        if isinstance(other, dt.datetime):  # both to UTC: the real time between them
            return dt.datetime.__sub__(self, EPOCH) - dt.datetime.__sub__(other, EPOCH)
        return super().__sub__(other)


def test_a_datetime_subclass_with_its_own_subtraction_gets_the_same_answer() -> None:
    office = calendar("America/New_York", {"mon-fri": "09:00-17:00"}, frozenset())
    office.compiled(dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2026, 12, 31, tzinfo=UTC))
    plain = dt.datetime(2026, 7, 1, 16, 30, tzinfo=NEW_YORK)  # summer: not the 1970 offset
    odd = Elapsed(2026, 7, 1, 16, 30, tzinfo=NEW_YORK)
    assert to_us(odd) == to_us(plain)
    assert (
        office.add(odd, H)
        == office.add(plain, H)
        == dt.datetime(2026, 7, 2, 9, 30, tzinfo=NEW_YORK)
    )
