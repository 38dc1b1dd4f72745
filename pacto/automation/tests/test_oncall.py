"""Who is on call at an instant: weekly handoffs at local time, overrides, schedules.
Pure functions; no database."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pacto.automation.oncall import Override, Rotation, on_call_at, shifts, week_index

NEW_YORK = ZoneInfo("America/New_York")
ANA, BEN, CAL = 1, 2, 3


def at(*args, tz=NEW_YORK):
    return dt.datetime(*args, tzinfo=tz)


ROTATION = Rotation(
    members=(ANA, BEN, CAL),
    time_zone="America/New_York",
    handoff_weekday=0,  # Monday
    handoff_time=dt.time(9, 0),
    starts_on=dt.date(2026, 3, 1),  # a Sunday: the first handoff is Mon 2 Mar 09:00
)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (at(2026, 3, 2, 8, 59), None),  # before the first handoff
        (at(2026, 3, 2, 9, 0), ANA),
        (at(2026, 3, 8, 23, 0), ANA),
        (at(2026, 3, 9, 8, 59), ANA),
        (at(2026, 3, 9, 9, 0), BEN),  # the day after DST began (8 Mar), still 09:00 local
        (at(2026, 3, 16, 9, 0), CAL),
        (at(2026, 3, 23, 9, 0), ANA),  # round again
        (at(2026, 11, 2, 9, 0), CAL),  # week 35 after DST ended (1 Nov): 35 % 3 == 2
    ],
)
def test_it_hands_off_weekly_at_local_wall_clock_time(instant, expected):
    assert on_call_at(ROTATION, instant) == expected


def test_the_handoff_stays_at_nine_local_across_daylight_saving_time():
    before = ROTATION.handoff(0)  # EST, UTC-5
    after = ROTATION.handoff(1)  # EDT, UTC-4
    assert (before.hour, after.hour) == (9, 9)
    assert after.astimezone(dt.UTC) - before.astimezone(dt.UTC) == dt.timedelta(days=7, hours=-1)
    assert week_index(ROTATION, at(2026, 3, 9, 12, 59, tz=dt.UTC)) == 0  # 08:59 EDT
    assert week_index(ROTATION, at(2026, 3, 9, 13, 0, tz=dt.UTC)) == 1


def test_an_override_takes_the_pager_and_the_latest_override_wins():
    rotation = Rotation(
        **{**ROTATION.__dict__, "overrides": (
            Override(CAL, at(2026, 3, 3, 0, 0), at(2026, 3, 4, 0, 0), order=1),
            Override(BEN, at(2026, 3, 3, 12, 0), at(2026, 3, 3, 14, 0), order=2),
        )},
    )  # fmt: skip
    assert on_call_at(rotation, at(2026, 3, 3, 11, 59)) == CAL
    assert on_call_at(rotation, at(2026, 3, 3, 12, 0)) == BEN
    assert on_call_at(rotation, at(2026, 3, 3, 14, 0)) == CAL
    assert on_call_at(rotation, at(2026, 3, 4, 0, 0)) == ANA


def test_a_rotation_without_members_has_nobody_on_call():
    assert on_call_at(Rotation(members=()), at(2026, 3, 3, 12, 0)) is None


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        on_call_at(ROTATION, dt.datetime(2026, 3, 3, 12, 0))


def test_the_schedule_lists_who_is_on_call_span_by_span():
    rotation = Rotation(
        **{**ROTATION.__dict__, "overrides": (
            Override(CAL, at(2026, 3, 4, 0, 0), at(2026, 3, 5, 0, 0)),
        )},
    )  # fmt: skip
    spans = shifts(rotation, at(2026, 3, 2, 0, 0), at(2026, 3, 16, 12, 0))
    assert [(lo.astimezone(NEW_YORK), who) for lo, _, who in spans] == [
        (at(2026, 3, 2, 0, 0), None),
        (at(2026, 3, 2, 9, 0), ANA),
        (at(2026, 3, 4, 0, 0), CAL),
        (at(2026, 3, 5, 0, 0), ANA),
        (at(2026, 3, 9, 9, 0), BEN),
        (at(2026, 3, 16, 9, 0), CAL),
    ]
    assert spans[-1][1] == at(2026, 3, 16, 12, 0)
