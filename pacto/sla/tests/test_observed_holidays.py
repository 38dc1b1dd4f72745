"""Xecuritas' holidays: the document lists "observed holidays for 2010"; every other year
takes the same named holidays as observed that year.

Support Hours: "Xecuritas' observed holidays for 2010 include: Friday, Jan. 1, Monday, Feb.
15, Monday, May 31, Monday, July 5, Monday, Sep. 6, Thursday, Nov. 25, Friday, Nov. 26,
Friday, Dec. 24, and Friday, Dec. 31."
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from pacto.sla.cli import main
from pacto.sla.holiday_rules import AnnualRule, WeekdayRule
from pacto.sla.policy import preset

EASTERN = ZoneInfo("America/New_York")
LISTED_2010 = [
    dt.date(2010, 1, 1), dt.date(2010, 2, 15), dt.date(2010, 5, 31), dt.date(2010, 7, 5),
    dt.date(2010, 9, 6), dt.date(2010, 11, 25), dt.date(2010, 11, 26), dt.date(2010, 12, 24),
    dt.date(2010, 12, 31),
]  # fmt: skip


def business():
    return preset("xecuritas").calendar("business")


def test_the_nine_dates_the_document_lists_for_2010_are_exactly_its_2010_holidays():
    holidays = business().holidays
    assert [day for day, _ in holidays.between(dt.date(2010, 1, 1), dt.date(2010, 12, 31))] == (
        LISTED_2010
    )


def test_the_named_rules_alone_reproduce_the_2010_list_exactly():
    rules_only = dataclasses.replace(business().holidays, dates={}, _years={})
    days = rules_only.between(dt.date(2010, 1, 1), dt.date(2010, 12, 31))
    assert [day for day, _ in days] == LISTED_2010
    assert dict(days)[dt.date(2010, 12, 31)] == "New Year's Day (observed)"  # of 2011


def test_a_case_opened_on_thanksgiving_2026_is_not_counted_on_thanksgiving(capsys):
    opened = dt.datetime(2026, 11, 26, 10, 0, tzinfo=EASTERN)  # Thursday, Thanksgiving
    code = main(
        ["sla", "due", "--policy", "xecuritas", "--severity", "sev2", "--channel", "portal",
         "--opened", opened.isoformat()]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    due = dt.datetime.fromisoformat(json.loads(out)["response_due"]).astimezone(EASTERN)
    # Thanksgiving and the day after are holidays, then the weekend: 6 business hours from
    # Monday 08:00 is Monday 14:00.
    assert due == dt.datetime(2026, 11, 30, 14, 0, tzinfo=EASTERN)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2021, ["2021-01-01", "2021-02-15", "2021-05-31", "2021-07-05", "2021-09-06",
                "2021-11-25", "2021-11-26", "2021-12-24", "2021-12-31"]),
        (2022, ["2022-02-21", "2022-05-30", "2022-07-04", "2022-09-05", "2022-11-24",
                "2022-11-25", "2022-12-26"]),
        (2023, ["2023-01-02", "2023-02-20", "2023-05-29", "2023-07-04", "2023-09-04",
                "2023-11-23", "2023-11-24", "2023-12-25"]),
    ],
)  # fmt: skip
def test_every_other_year_takes_the_same_holidays_as_observed_that_year(year, expected):
    days = business().holidays.between(dt.date(year, 1, 1), dt.date(year, 12, 31))
    assert [day.isoformat() for day, _ in days] == expected


def _nth_weekday_by_scanning(year, month, weekday, nth):
    days = [
        dt.date(year, month, d)
        for d in range(1, 32)
        if _valid(year, month, d) and dt.date(year, month, d).weekday() == weekday
    ]
    return days[nth - 1] if nth > 0 else days[nth]


def _valid(year, month, day):
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def test_the_nth_weekday_rule_agrees_with_scanning_the_month_every_year_1990_to_2100():
    for year in range(1990, 2101):
        for month in range(1, 13):
            for weekday in range(7):
                for nth in (1, 2, 3, 4, -1):
                    rule = WeekdayRule(month, weekday, nth, "x")
                    assert rule.on(year) == _nth_weekday_by_scanning(year, month, weekday, nth)


def test_an_observed_holiday_is_always_on_a_weekday_next_to_the_date():
    for year in range(1990, 2101):
        for month, day in ((1, 1), (7, 4), (12, 25)):
            observed, _ = AnnualRule(month, day, "x", "nearest_weekday").on(year)
            actual = dt.date(year, month, day)
            assert observed.weekday() < 5
            assert abs((observed - actual).days) <= 1
            assert observed == actual or actual.weekday() >= 5
