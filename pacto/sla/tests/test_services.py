"""Professional-services pricing: the business / off-hours split and the amount.

The split is checked against the brute-force oracle (one minute at a time, sharing no code
with the engine) on generated calendars across DST changes and holidays; the amount against
the issue's formula computed with exact fractions. The examples are the documents' own:
senhasegura §14 prices "for business hours in São Paulo city" (09:00-19:00, §4) and asks "an
increase in value for non-business hours".
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import math
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pacto.sla import cli
from pacto.sla.policy import PolicyError, loads_policy, preset
from pacto.sla.services import (
    PricingError,
    amount_for,
    line_amount,
    price,
    round_cents,
    split,
)
from pacto.sla.tests.oracle import instant_of
from pacto.sla.tests.test_calendar import PROPERTY, ZONES, cases

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NEW_YORK = ZoneInfo("America/New_York")


def senhasegura_business():
    return preset("senhasegura").services_calendar()


# ----------------------------------------------------------------------------- examples


def test_it_splits_friday_evening_into_two_business_and_two_off_hours():
    # Friday 16 January 2026, 17:00-21:00 in São Paulo: business hours end at 19:00.
    start = dt.datetime(2026, 1, 16, 17, 0, tzinfo=SAO_PAULO)
    priced = price(
        senhasegura_business(),
        start,
        start + dt.timedelta(hours=4),
        day_rate=Decimal("4000"),
        off_hours_multiplier=Decimal("1.5"),
    )
    assert priced.split.business_minutes == 120
    assert priced.split.off_hours_minutes == 120
    # (2 h + 2 h x 1.5) x 4000 / 8
    assert priced.amount == Decimal("2500.00")
    kinds = [(s.start.hour, s.end.hour, s.kind) for s in priced.split.segments]
    assert kinds == [(17, 19, "business"), (19, 21, "off_hours")]


def test_a_holiday_is_off_hours_all_day():
    # 25 January is São Paulo city's anniversary (a municipal holiday); in 2027 a Monday.
    calendar = senhasegura_business()
    day = dt.date(2027, 1, 25)
    assert calendar.is_holiday(day)
    start = dt.datetime(2027, 1, 25, 9, tzinfo=SAO_PAULO)
    parts = split(calendar, start, start + dt.timedelta(hours=10))
    assert (parts.business_minutes, parts.off_hours_minutes) == (0, 600)
    # The next day is an ordinary Tuesday.
    nxt = start + dt.timedelta(days=1)
    parts = split(calendar, nxt, nxt + dt.timedelta(hours=10))
    assert (parts.business_minutes, parts.off_hours_minutes) == (600, 0)


def test_work_across_a_dst_change_counts_real_elapsed_time():
    # New York springs forward on Sunday 8 March 2026 at 02:00: a log from Saturday 22:00
    # to Monday 10:00 lasts 35 real hours, of which Monday 08:00-10:00 is business time on
    # xecuritas's 08:00-19:00 calendar.
    calendar = preset("xecuritas").calendar("business")
    start = dt.datetime(2026, 3, 7, 22, 0, tzinfo=NEW_YORK)
    end = dt.datetime(2026, 3, 9, 10, 0, tzinfo=NEW_YORK)
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=35)
    parts = split(calendar, start, end)
    assert parts.business_minutes == 120
    assert parts.off_hours_minutes == 33 * 60
    assert parts.business_us + parts.off_hours_us == 35 * 3600 * 10**6


def test_sao_paulo_dst_of_2018_is_exact():
    # São Paulo last sprang forward on Sunday 4 November 2018 (00:00 -> 01:00): Saturday
    # 20:00 to Monday 10:00 is 38 wall-clock hours but 37 real ones, one of them business
    # (Monday 09:00-10:00): 36 hours off, not 37.
    calendar = senhasegura_business()
    start = dt.datetime(2018, 11, 3, 20, tzinfo=SAO_PAULO)
    end = dt.datetime(2018, 11, 5, 10, tzinfo=SAO_PAULO)
    parts = split(calendar, start, end)
    assert parts.business_minutes == 60
    assert parts.off_hours_minutes == 36 * 60


def test_amount_rounds_half_up_to_cents():
    assert round_cents(Fraction(1, 200)) == Decimal("0.01")  # 0.005
    assert round_cents(Fraction(1249, 100000)) == Decimal("0.01")  # 0.01249
    assert round_cents(Fraction(-1, 200)) == Decimal("-0.01")
    # One minute at 1000 a day: 1000 / 480 = 2.0833… -> 2.08
    assert amount_for(60 * 10**6, 0, day_rate=Decimal(1000)) == Decimal("2.08")
    # Three minutes: 6.25 exactly.
    assert amount_for(180 * 10**6, 0, day_rate=Decimal(1000)) == Decimal("6.25")


def test_quote_lines_weight_the_off_hours_share():
    # One day at 4000, a quarter of it off hours at x2: (6 h + 2 h x 2) x 500.
    assert line_amount(
        Decimal(1),
        "day",
        day_rate=Decimal(4000),
        off_hours_share=Decimal("0.25"),
        off_hours_multiplier=Decimal(2),
    ) == Decimal("5000.00")
    # Hours: 4 h of an 8 h day at 4000.
    assert line_amount(Decimal(4), "hour", day_rate=Decimal(4000)) == Decimal("2000.00")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"day_rate": Decimal(-1)}, "day_rate"),
        ({"day_rate": Decimal(1), "hours_per_day": Decimal(0)}, "hours_per_day"),
        ({"day_rate": Decimal(1), "off_hours_multiplier": Decimal("0.5")}, "off_hours_multiplier"),
    ],
)
def test_bad_rates_name_the_field(kwargs, field):
    with pytest.raises(PricingError, match=field):
        amount_for(0, 0, **kwargs)


def test_end_before_start_is_refused():
    start = dt.datetime(2026, 1, 16, 17, tzinfo=SAO_PAULO)
    with pytest.raises(PricingError, match="end"):
        split(senhasegura_business(), start, start - dt.timedelta(minutes=1))


# ----------------------------------------------------------------------------- properties


def oracle_price(oracle, a: int, b: int, rate: Fraction, hpd: Fraction, mult: Fraction):
    business = sum(1 for m in range(a, b) if oracle.working(m))
    off = (b - a) - business
    exact = (Fraction(business, 60) + Fraction(off, 60) * mult) * rate / hpd
    cents = math.floor(exact * 100 + Fraction(1, 2))
    return business, off, Decimal(cents) / 100


@pytest.mark.parametrize("zone", sorted(ZONES))
@PROPERTY
@given(
    data=st.data(),
    rate=st.integers(0, 100_000),
    tenths=st.integers(10, 40),
    hpd=st.sampled_from([8, 6, 10, 24]),
)
def test_split_and_amount_match_the_minute_by_minute_oracle(zone, data, rate, tenths, hpd):
    case = data.draw(cases(zone))
    calendar, oracle = case.calendar(), case.oracle()
    a = case.anchor + data.draw(st.integers(-2 * 1440, 1440))
    b = a + data.draw(st.integers(0, 4 * 1440))
    multiplier = Decimal(tenths) / 10
    priced = price(
        calendar,
        case.at(a),
        case.at(b),
        day_rate=Decimal(rate),
        hours_per_day=Decimal(hpd),
        off_hours_multiplier=multiplier,
    )
    business, off, amount = oracle_price(
        oracle, a, b, Fraction(rate), Fraction(hpd), Fraction(multiplier)
    )
    assert priced.split.business_minutes == business
    assert priced.split.off_hours_minutes == off
    assert priced.amount == amount
    # The segments tile [a, b) without gaps, alternate, and agree with the totals.
    segments = priced.split.segments
    if segments:
        assert segments[0].start == case.at(a)
        assert segments[-1].end == case.at(b)
    for left, right in itertools.pairwise(segments):
        assert left.end == right.start
        assert left.kind != right.kind
    assert sum(s.minutes for s in segments if s.kind == "business") == business
    for segment in segments:  # every minute of a segment is of its kind
        lo = int(segment.start.timestamp()) // 60
        hi = int(segment.end.timestamp()) // 60
        expected = segment.kind == "business"
        assert all(oracle.working(m) == expected for m in range(lo, hi)), segment
    assert instant_of(a).tzinfo is not None


# ----------------------------------------------------------------------------- policy


def test_the_presets_carry_their_documents_services():
    senhasegura = preset("senhasegura").services
    assert len([s for s in senhasegura.catalogue if s.cite.startswith("§13")]) == 13
    assert senhasegura.hours_per_day == 8
    limit = senhasegura.remote_sessions.limit
    assert limit.length(senhasegura_business()) == dt.timedelta(minutes=30)
    included = {i.service: i for i in senhasegura.included_for("premier-24x7")}
    assert included["assisted-update"].count == 1
    assert included["ransomware-incident-response"].engineers == 2
    assert senhasegura.included_for("standard-8x5") == []
    assert senhasegura.service("assisted-configurations").unit == "hour"
    andmoney = preset("andmoney").services
    assert len(andmoney.catalogue) == 8 and andmoney.prior_approval
    assert "modification" not in (preset("andmoney").services.waiver or "")
    waiver = preset("xecuritas").services.waiver
    assert waiver.required_for == ["configuration_change"]
    assert "configuration changes" in waiver.text
    assert preset("secpod").services.remote_sessions.tools == ["Remote Desktop", "VPN"]
    assert preset("allure").services.catalogue == []


def test_an_included_service_must_be_in_the_catalogue():
    text = (cli_preset_text("senhasegura")).replace(
        "  included:\n    - service: assisted-update", "  included:\n    - service: assisted-upgrad"
    )
    with pytest.raises(
        PolicyError, match=r"services.included\[0\].service: service 'assisted-upgrad'"
    ):
        loads_policy(text, "edited.yaml")


def cli_preset_text(name: str) -> str:
    from pacto.sla.policy import PRESETS

    return (PRESETS / f"{name}.yaml").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- command line


def run(argv, stdin: str = "", capsys=None, monkeypatch=None):
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_prices_one_stretch(capsys):
    code, out, err = run(
        [
            "services", "price", "--policy", "senhasegura", "--calendar", "business",
            "--start", "2026-01-16T17:00:00-03:00", "--end", "2026-01-16T21:00:00-03:00",
            "--day-rate", "4000", "--off-hours-multiplier", "1.5",
        ],
        capsys=capsys,
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert result["business_minutes"] == 120
    assert result["off_hours_minutes"] == 120
    assert result["amount"] == "2500.00"
    assert [s["kind"] for s in result["segments"]] == ["business", "off_hours"]
    assert result["segments"][0]["local_start"] == "2026-01-16T17:00:00-03:00"


def test_cli_reads_json_lines(capsys, monkeypatch):
    lines = "\n".join(
        json.dumps(r)
        for r in (
            {"start": "2026-01-16T17:00:00-03:00", "end": "2026-01-16T21:00:00-03:00"},
            {"start": "2026-01-19T09:00:00-03:00", "end": "2026-01-19T17:00:00-03:00"},
        )
    )
    code, out, err = run(
        ["services", "price", "--policy", "senhasegura", "--day-rate", "800", "--input", "-"],
        stdin=lines + "\n\n",
        capsys=capsys,
        monkeypatch=monkeypatch,
    )
    assert code == 0, err
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["amount"] for r in results] == ["400.00", "800.00"]


def test_cli_names_the_bad_line_and_field(capsys, monkeypatch):
    code, _, err = run(
        ["services", "price", "--policy", "senhasegura", "--day-rate", "800", "--input", "-"],
        stdin='{"start": "2026-01-16T17:00:00-03:00"}\n',
        capsys=capsys,
        monkeypatch=monkeypatch,
    )
    assert code == 2
    assert "--input line 1: end: missing" in err


def test_cli_refuses_a_bad_rate(capsys):
    code, _, err = run(
        [
            "services", "price", "--policy", "senhasegura", "--start", "2026-01-16T17:00:00Z",
            "--end", "2026-01-16T18:00:00Z", "--day-rate", "lots",
        ],
        capsys=capsys,
    )  # fmt: skip
    assert code == 1
    assert "--day-rate: 'lots' is not a number" in err
