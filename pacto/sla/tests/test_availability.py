"""The monthly availability figure: eligible slots in operating hours, windows, unknowns.

&money: "99.5% service uptime within operating hours, however excluding extraordinary
service windows", operating hours being "Danish business days (Monday-Friday, excluding
public holidays and bank holidays) 08:00-16:00", measured "every 5 minutes".
The property tests compare the engine with ``oracle.availability_oracle``, which walks a
month one minute at a time.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import redirect_stdout
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacto.sla import cli
from pacto.sla.availability import (
    AvailabilityError,
    Month,
    SlotStatus,
    Window,
    eligibility,
    monthly_figure,
    percentage,
    policy_figure,
    service_credit,
)
from pacto.sla.calendar import Calendar, WeeklyHours, from_us, to_us
from pacto.sla.holiday_rules import HolidaySet
from pacto.sla.policy import preset
from pacto.sla.tests.oracle import Oracle, availability_oracle, minute_of

UTC = dt.UTC
CPH = ZoneInfo("Europe/Copenhagen")
FIVE = dt.timedelta(minutes=5)
ANDMONEY = preset("andmoney")
BUSINESS = ANDMONEY.calendar("business")


def slots_of(month: Month, calendar: Calendar = BUSINESS) -> np.ndarray:
    """Every 5-minute grid slot of the local month, whether in hours or not."""
    first, last = (to_us(b) for b in month.bounds(calendar))
    step = 300 * 1_000_000
    return np.arange(-(-first // step) * step, last, step, dtype=np.int64)


def all_up(month: Month) -> tuple[np.ndarray, np.ndarray]:
    slots = slots_of(month)
    return slots, np.full(len(slots), SlotStatus.UP, dtype=np.int8)


def local_days(eligible) -> set[dt.date]:
    return {from_us(int(s), CPH).date() for s in eligible.slots}


# ====================================================================== Danish calendar


def test_a_month_with_the_friday_after_ascension_counts_neither_it_nor_ascension_day():
    # May 2026: Ascension Day is Thursday 14 May (a public holiday) and the Friday after it
    # is a Danish bank holiday (Banklukkedag); Whit Monday is 25 May.
    eligible = eligibility(BUSINESS, Month(2026, 5), FIVE)

    days = local_days(eligible)
    assert dt.date(2026, 5, 14) not in days
    assert dt.date(2026, 5, 15) not in days
    assert dt.date(2026, 5, 25) not in days
    assert dt.date(2026, 5, 13) in days and dt.date(2026, 5, 18) in days
    # 21 weekdays less three holidays, 8 hours of twelve 5-minute slots each.
    assert len(eligible.slots) == 18 * 8 * 12


def test_a_month_with_danish_bank_holidays_excludes_christmas_eve_and_new_years_eve():
    eligible = eligibility(BUSINESS, Month(2026, 12), FIVE)

    days = local_days(eligible)
    for bank_holiday in (dt.date(2026, 12, 24), dt.date(2026, 12, 31)):
        assert bank_holiday not in days
    assert dt.date(2026, 12, 25) not in days  # Juledag, a public holiday
    assert dt.date(2026, 12, 23) in days


def test_constitution_day_is_not_an_operating_day():
    days = local_days(eligibility(BUSINESS, Month(2026, 6), FIVE))

    assert dt.date(2026, 6, 5) not in days  # Friday, Grundlovsdag
    assert dt.date(2026, 6, 4) in days


def test_operating_hours_are_eight_to_four_copenhagen_time_across_summer_time():
    # In March 2026 Denmark moves to summer time on the 29th: 08:00 local is 07:00 UTC
    # before and 06:00 UTC after, and both days hold 96 slots.
    eligible = eligibility(BUSINESS, Month(2026, 3), FIVE)
    by_day: dict[dt.date, list[dt.datetime]] = {}
    for s in eligible.slots:
        local = from_us(int(s), CPH)
        by_day.setdefault(local.date(), []).append(local)

    for day in (dt.date(2026, 3, 27), dt.date(2026, 3, 30)):
        assert len(by_day[day]) == 96
        assert by_day[day][0].time() == dt.time(8, 0)
        assert by_day[day][-1].time() == dt.time(15, 55)


def test_the_month_is_the_calendars_local_month():
    # 1 June 2026 00:00 in Copenhagen is 31 May 22:00 UTC: a result there belongs to June,
    # but it is outside operating hours anyway, and the first eligible slot is 08:00 local.
    eligible = eligibility(BUSINESS, Month(2026, 6), FIVE)

    assert from_us(int(eligible.slots[0]), CPH) == dt.datetime(2026, 6, 1, 8, tzinfo=CPH)
    assert from_us(int(eligible.slots[-1]), CPH) == dt.datetime(2026, 6, 30, 15, 55, tzinfo=CPH)


# ====================================================================== the figure


def test_a_service_window_removes_its_slots_from_the_month():
    month = Month(2026, 6)
    slots, statuses = all_up(month)
    statuses[slots == to_us(dt.datetime(2026, 6, 2, 10, 15, tzinfo=CPH))] = SlotStatus.DOWN
    window = Window(
        dt.datetime(2026, 6, 2, 10, tzinfo=CPH), dt.datetime(2026, 6, 2, 11, tzinfo=CPH)
    )

    without = policy_figure(ANDMONEY, month, slots, statuses)
    with_window = policy_figure(ANDMONEY, month, slots, statuses, windows=[window])

    assert with_window.excluded_by_windows == 12
    assert with_window.eligible_slots == without.eligible_slots - 12
    assert without.down == 1 and with_window.down == 0
    assert with_window.availability == Decimal("100.000")


def test_a_window_outside_operating_hours_removes_nothing():
    month = Month(2026, 6)
    night = Window(dt.datetime(2026, 6, 2, 20, tzinfo=CPH), dt.datetime(2026, 6, 3, 6, tzinfo=CPH))

    figure = policy_figure(ANDMONEY, month, *all_up(month), windows=[night])

    assert figure.excluded_by_windows == 0


def test_a_duplicate_result_for_a_slot_is_one_result_and_the_first_counts():
    month = Month(2026, 6)
    slots, statuses = all_up(month)
    slot = to_us(dt.datetime(2026, 6, 2, 10, 15, tzinfo=CPH))
    slots = np.append(slots, [slot, slot + 60_000_000])  # the same slot twice more
    statuses = np.append(statuses, [SlotStatus.DOWN, SlotStatus.DOWN]).astype(np.int8)

    figure = policy_figure(ANDMONEY, month, slots, statuses)

    assert figure.up == figure.eligible_slots
    assert figure.down == 0


def test_unknown_slots_are_left_out_or_counted_down_as_the_setting_says():
    month = Month(2026, 6)
    slots, statuses = all_up(month)
    ten = to_us(dt.datetime(2026, 6, 2, 10, tzinfo=CPH))
    statuses[slots == ten] = SlotStatus.UNKNOWN
    missing = to_us(dt.datetime(2026, 6, 2, 11, tzinfo=CPH))
    keep = slots != missing
    slots, statuses = slots[keep], statuses[keep]

    excluded = policy_figure(ANDMONEY, month, slots, statuses, unknown="exclude")
    counted = policy_figure(ANDMONEY, month, slots, statuses, unknown="down")

    assert excluded.unknown == counted.unknown == 2
    assert excluded.no_result == 1
    assert excluded.availability == Decimal("100.000")
    assert excluded.failing_slots == []
    assert counted.failing_slots == [from_us(ten), from_us(missing)]
    assert counted.availability == percentage(counted.up, counted.up + 2)
    assert ANDMONEY.availability.unknown == "exclude"  # the preset's reading


def test_failing_slots_group_into_outages_with_the_business_minutes_lost():
    month = Month(2026, 6)
    slots, statuses = all_up(month)
    start = dt.datetime(2026, 6, 3, 15, 40, tzinfo=CPH)
    for k in range(3):  # 15:40, 15:45, 15:50 down; 15:55 up; Thursday 08:00 down
        statuses[slots == to_us(start + k * FIVE)] = SlotStatus.DOWN
    statuses[slots == to_us(dt.datetime(2026, 6, 4, 8, tzinfo=CPH))] = SlotStatus.DOWN

    figure = policy_figure(ANDMONEY, month, slots, statuses)

    assert [(o.start, o.end, o.slots, o.business_minutes) for o in figure.outages] == [
        (start, start + 3 * FIVE, 3, 15.0),
        (dt.datetime(2026, 6, 4, 8, tzinfo=CPH), dt.datetime(2026, 6, 4, 8, 5, tzinfo=CPH), 1, 5.0),
    ]
    assert figure.business_minutes_lost == 20


def test_the_target_is_met_at_exactly_ninety_nine_and_a_half_percent():
    month = Month(2026, 6)
    slots, statuses = all_up(month)
    eligible = eligibility(BUSINESS, month, FIVE).slots  # 21 days x 96 = 2016 slots
    assert len(eligible) == 2016
    # 99.5 % of 2016 is 2005.92: 10 down slots give 99.504 %, 11 give 99.454 %.
    for count, expected, met in ((10, "99.504", True), (11, "99.454", False)):
        marked = statuses.copy()
        marked[np.isin(slots, eligible[:count])] = SlotStatus.DOWN
        figure = policy_figure(ANDMONEY, month, slots, marked)
        assert figure.availability_text == expected
        assert figure.met is met


def test_the_percentage_rounds_half_up_exactly():
    assert percentage(1, 8) == Decimal("12.500")
    assert percentage(1, 16) == Decimal("6.250")  # 6.25 exactly
    assert percentage(1, 32) == Decimal("3.125")  # 3.125 exactly
    assert percentage(1, 64) == Decimal("1.563")  # 1.5625: half up, not to even
    assert percentage(2, 3) == Decimal("66.667")
    assert percentage(0, 0) is None


def test_a_month_without_any_counted_slot_has_no_figure_and_no_verdict():
    month = Month(2026, 6)
    figure = policy_figure(ANDMONEY, month, np.array([], dtype=np.int64), np.array([], np.int8))

    assert figure.availability is None and figure.met is None
    assert figure.unknown == figure.eligible_slots == figure.no_result


def test_service_credits_come_from_the_lowest_tier_the_figure_is_below():
    tiers = [(99.5, 5), (99.0, 10), (95.0, 25)]

    assert service_credit(Decimal("99.600"), tiers) is None
    assert service_credit(Decimal("99.499"), tiers) == Decimal("5")
    assert service_credit(Decimal("99.000"), tiers) == Decimal("5")
    assert service_credit(Decimal("98.999"), tiers) == Decimal("10")
    assert service_credit(Decimal("50.000"), tiers) == Decimal("25")


def test_an_interval_that_does_not_divide_a_day_is_refused():
    with pytest.raises(AvailabilityError, match="divides a day"):
        eligibility(BUSINESS, Month(2026, 6), dt.timedelta(minutes=7))


# ====================================================================== command line


def run_cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        status = cli.main(list(argv))
    return status, out.getvalue()


def test_the_compute_command_prints_the_figure_as_json(tmp_path):
    results = tmp_path / "results.csv"
    lines = ["slot_start,status"]
    for s, code in zip(*all_up(Month(2026, 6)), strict=True):
        status = "down" if from_us(int(s), CPH) == dt.datetime(2026, 6, 2, 9, tzinfo=CPH) else "up"
        lines.append(f"{from_us(int(s)).isoformat()},{status if code else 'down'}")
    results.write_text("\n".join(lines) + "\n")
    windows = tmp_path / "windows.jsonl"
    windows.write_text(
        '{"start": "2026-06-10T10:00:00+02:00", "end": "2026-06-10T11:00:00+02:00"}\n'
    )

    status, out = run_cli(
        "availability", "compute", "--policy", "andmoney", "--month", "2026-06",
        "--results", str(results), "--windows", str(windows),
    )  # fmt: skip

    assert status == 0
    document = json.loads(out)
    assert document["eligible_slots"] == 2016 - 12
    assert document["excluded_by_windows"] == 12
    assert (document["up"], document["down"], document["unknown"]) == (2003, 1, 0)
    assert document["availability"] == "99.950"
    assert document["target"] == "99.500"
    assert document["met"] is True
    assert document["failing_slots"] == ["2026-06-02T07:00:00Z"]


def test_the_compute_command_counts_unknown_down_when_told(tmp_path):
    results = tmp_path / "results.csv"
    results.write_text("2026-06-02T06:00:00Z,up\n2026-06-02T06:05:00Z,unknown\n")

    status, out = run_cli(
        "availability", "compute", "--policy", "andmoney", "--month", "2026-06",
        "--results", str(results), "--unknown", "down",
    )  # fmt: skip

    document = json.loads(out)
    assert status == 0
    assert document["unknown"] == 2015
    assert document["availability"] == percentage(1, 2016).__format__(".3f")


def test_a_bad_results_line_is_an_error_naming_the_line(tmp_path, capsys):
    results = tmp_path / "results.csv"
    results.write_text("2026-06-02T06:00:00Z,up\n2026-06-02T06:05:00,sideways\n")

    status = cli.main(
        ["availability", "compute", "--policy", "andmoney", "--month", "2026-06",
         "--results", str(results)]
    )  # fmt: skip

    assert status == 2
    assert "--results line 2" in capsys.readouterr().err


def test_a_policy_without_an_availability_commitment_is_an_error(tmp_path, capsys):
    results = tmp_path / "results.csv"
    results.write_text("")

    status = cli.main(
        ["availability", "compute", "--policy", "secpod", "--month", "2026-06",
         "--results", str(results)]
    )  # fmt: skip

    assert status == 1
    assert "no availability commitment" in capsys.readouterr().err


# ====================================================================== against the oracle

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

WEEKS = [
    {"mon-fri": ["08:00-16:00"]},
    {"mon-fri": ["09:00-12:00", "13:00-17:30"], "sat": ["10:00-14:00"]},
    {"daily": ["22:00-06:00"]},
    {"daily": ["00:00-24:00"]},
]


@st.composite
def availability_cases(draw: st.DrawFn):
    zone = draw(st.sampled_from(["Europe/Copenhagen", "America/Sao_Paulo", "Asia/Kolkata"]))
    year = 2026 if zone != "America/Sao_Paulo" else draw(st.sampled_from([2018, 2026]))
    month = draw(st.integers(1, 12))
    week = draw(st.sampled_from(WEEKS))
    holidays = draw(
        st.lists(st.dates(dt.date(year, month, 1), dt.date(year, month, 28)), max_size=3)
    )
    interval = draw(st.sampled_from([5, 15, 60]))
    unknown = draw(st.sampled_from(["exclude", "down"]))
    seed = draw(st.integers(0, 2**31))
    windows = []
    for _ in range(draw(st.integers(0, 2))):
        day = draw(st.integers(1, 28))
        start = dt.datetime(year, month, day, draw(st.integers(0, 23)), 0, tzinfo=ZoneInfo(zone))
        minutes = draw(st.integers(1, 600))
        windows.append((minute_of(start), minute_of(start) + minutes))
    return zone, year, month, week, holidays, interval, unknown, seed, windows


@PROPERTY
@given(availability_cases())
def test_the_monthly_figure_agrees_with_a_slot_by_slot_walk(case):
    zone, year, month, week, holidays, interval, unknown, seed, windows = case
    calendar = Calendar(
        "generated", zone, WeeklyHours.parse(week), HolidaySet(dates=dict.fromkeys(holidays, "x"))
    )
    oracle = Oracle(zone, _expand(week), holidays)
    rng = np.random.default_rng(seed)
    the_month = Month(year, month)
    first, last = (to_us(b) // 60_000_000 for b in the_month.bounds(calendar))
    # Results on most slots of a wider span (some before and after the month), a few
    # duplicates, a few off the grid inside their slot.
    minutes = np.arange(first - 120, last + 120, interval, dtype=np.int64)
    minutes -= minutes % interval
    minutes = minutes[rng.random(len(minutes)) < 0.9]
    codes = rng.choice([0, 1, 1, 1, 1, 1, 2], size=len(minutes)).astype(np.int8)
    results = {}
    for m, c in zip(minutes.tolist(), codes.tolist(), strict=True):
        results.setdefault(m, ["down", "up", "unknown"][c])
    jitter = rng.integers(0, interval, size=len(minutes))
    figure = monthly_figure(
        calendar,
        the_month,
        dt.timedelta(minutes=interval),
        (minutes + jitter) * 60_000_000,
        codes,
        windows=[Window(from_us(a * 60_000_000), from_us(b * 60_000_000)) for a, b in windows],
        target_percent=99.5,
        unknown=unknown,
    )

    expected = availability_oracle(oracle, year, month, interval, results, windows, unknown)
    assert figure.eligible_slots == expected["eligible"]
    assert figure.excluded_by_windows == expected["excluded"]
    assert (figure.up, figure.down, figure.unknown) == (
        expected["up"],
        expected["down"],
        expected["unknown"],
    )
    assert [minute_of(s) for s in figure.failing_slots] == expected["failing"]
    assert figure.availability == percentage(expected["up"], expected["counted"])
    assert sum(o.slots for o in figure.outages) == len(expected["failing"])


def _expand(week: dict[str, list[str]]) -> dict[str, list[str]]:
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    out: dict[str, list[str]] = {}
    for key, spans in week.items():
        days = names if key == "daily" else names[:5] if key == "mon-fri" else (key,)
        for day in days:
            out.setdefault(day, []).extend(spans)
    return out


# ====================================================================== hypercare overlay


def test_the_hypercare_overlay_applies_while_on_and_the_elapsed_time_is_kept_when_off():
    from pacto.sla.clock import Event, EventKind, compute_clocks
    from pacto.sla.policy import Metric, TicketFacts

    opened = dt.datetime(2026, 6, 17, 15, 30, tzinfo=CPH)
    off = dt.datetime(2026, 6, 18, 0, 0, tzinfo=CPH)
    facts = TicketFacts(severity="high", plan="standard", hypercare=True)
    during = compute_clocks(ANDMONEY, facts, [Event(opened, EventKind.OPENED)], off)
    after = compute_clocks(
        ANDMONEY,
        facts,
        [Event(opened, EventKind.OPENED), Event(off, EventKind.HYPERCARE, "off")],
        off,
    )

    assert during[Metric.FIRST_RESPONSE].due_at == dt.datetime(2026, 6, 18, 8, 30, tzinfo=CPH)
    assert after[Metric.FIRST_RESPONSE].due_at == dt.datetime(2026, 6, 18, 11, 30, tzinfo=CPH)


def _andmoney_with(**hypercare):
    """The andmoney preset with its hypercare section changed (a vendor's own reading)."""
    import yaml

    from pacto.sla.policy import PRESETS, parse_policy

    data = yaml.safe_load((PRESETS / "andmoney.yaml").read_text(encoding="utf-8"))
    data["hypercare"].update(hypercare)
    return parse_policy(data, "andmoney-floor.yaml", PRESETS)


def test_a_hypercare_severity_floor_treats_a_low_incident_as_high_until_hypercare_ends():
    from pacto.sla.clock import Event, EventKind, compute_clocks
    from pacto.sla.policy import Metric, TicketFacts

    policy = _andmoney_with(severity_floor="high", targets=[])
    opened = dt.datetime(2026, 6, 17, 15, 30, tzinfo=CPH)  # Wednesday, 30 minutes to close
    off = dt.datetime(2026, 6, 18, 0, 0, tzinfo=CPH)
    low = TicketFacts(severity="low", plan="standard", hypercare=True)
    during = compute_clocks(policy, low, [Event(opened, EventKind.OPENED)], off)
    after = compute_clocks(
        policy, low, [Event(opened, EventKind.OPENED), Event(off, EventKind.HYPERCARE, "off")], off
    )
    highest = compute_clocks(
        policy, low.model_copy(update={"severity": "highest"}), [Event(opened, EventKind.OPENED)],
        off,
    )  # fmt: skip

    # During hypercare: High's 4 business hours (30 minutes Wednesday, 3.5 hours Thursday).
    assert during[Metric.FIRST_RESPONSE].due_at == dt.datetime(2026, 6, 18, 11, 30, tzinfo=CPH)
    assert "severity low is treated as high" in " ".join(during[Metric.FIRST_RESPONSE].explanation)
    # From the day after: Low's own 12 business hours, the 30 minutes already spent kept.
    assert after[Metric.FIRST_RESPONSE].due_at == dt.datetime(2026, 6, 19, 11, 30, tzinfo=CPH)
    # A floor never lowers a more severe incident.
    assert highest[Metric.FIRST_RESPONSE].due_at == dt.datetime(2026, 6, 18, 8, 30, tzinfo=CPH)


def test_the_andmoney_preset_raises_high_incidents_only_not_every_incident():
    """&money's reading: "critical to the system's stability" are the incidents with risk of
    data loss; a Low inquiry during hypercare keeps its own timeline (no severity floor)."""
    from pacto.sla.policy import Metric, TicketFacts

    low = TicketFacts(severity="low", plan="standard", hypercare=True)
    high = TicketFacts(severity="high", plan="standard", hypercare=True)

    assert ANDMONEY.hypercare.severity_floor is None
    assert str(ANDMONEY.target_for(Metric.FIRST_RESPONSE, low).target) == "12 business hours"
    assert str(ANDMONEY.target_for(Metric.FIRST_RESPONSE, high).target) == "1 business hour"
