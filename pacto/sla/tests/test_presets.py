"""The five presets, checked against their documents' own examples and edge days.

Each due instant is computed the way the engine does:
``calendar.add(opened, target.target.length(cal))`` with
``cal = target.target.counts_on(policy.calendar(target.calendar))``, and every expected value
is worked out by hand in the comment next to it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pacto.sla.policy import (
    Metric,
    Policy,
    StatusCategory,
    Target,
    TicketFacts,
    preset,
    preset_names,
)
from pacto.sla.units import Duration

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
KOLKATA = ZoneInfo("Asia/Kolkata")
NEW_YORK = ZoneInfo("America/New_York")
COPENHAGEN = ZoneInfo("Europe/Copenhagen")

FIRST = Metric.FIRST_RESPONSE
RESOLUTION = Metric.RESOLUTION


def row(policy: Policy, metric: Metric, **facts: str) -> Target | None:
    return policy.target_for(metric, TicketFacts(**facts))


def due(policy: Policy, metric: Metric, opened: dt.datetime, **facts: str) -> dt.datetime:
    """When the target of the first matching row falls due for a ticket opened at ``opened``."""
    target = row(policy, metric, **facts)
    assert target is not None and target.target is not None, f"no target for {facts}"
    cal = target.target.counts_on(policy.calendar(target.calendar))
    return cal.add(opened, target.target.length(cal))


def at(zone: ZoneInfo, *fields: int) -> dt.datetime:
    return dt.datetime(*fields, tzinfo=zone)


# ----------------------------------------------------------------------------- every preset


def test_there_is_one_preset_per_source_document() -> None:
    assert preset_names() == ["allure", "andmoney", "secpod", "senhasegura", "xecuritas"]


@pytest.mark.parametrize("name", ["allure", "andmoney", "secpod", "senhasegura", "xecuritas"])
def test_every_target_lifecycle_rule_and_calendar_cites_its_document(name: str) -> None:
    policy = preset(name)
    assert policy.id == name
    assert all(t.cite for t in policy.targets)
    assert all(rule.cite for rule in policy.lifecycle)
    assert all(spec.cite for spec in policy.calendars.values())
    assert all(s.cite for s in policy.severities)


@pytest.mark.parametrize(
    ("name", "calendars", "plans", "severities"),
    [
        ("secpod", {"weekdays", "always"}, ["standard"], ["critical", "high", "medium", "low"]),
        ("allure", {"business", "always"}, ["saas"], ["sev1", "sev2", "sev3", "sev4"]),
        ("xecuritas", {"business", "always"}, ["standard"], ["sev1", "sev2", "sev3"]),
        ("andmoney", {"business"}, ["standard"], ["highest", "high", "medium", "low", "lowest"]),
    ],
)
def test_the_public_names_of_each_preset(
    name: str, calendars: set[str], plans: list[str], severities: list[str]
) -> None:
    policy = preset(name)
    assert set(policy.calendars) == calendars
    assert [p.id for p in policy.plans] == plans
    assert [s.id for s in policy.severities] == severities


# ----------------------------------------------------------------------------- senhasegura


def test_senhasegura_high_on_standard_waits_for_monday_after_a_friday_holiday() -> None:
    policy = preset("senhasegura")
    # Friday 20 November 2026 is Consciência Negra, a national holiday.
    assert policy.calendar("business").is_holiday(dt.date(2026, 11, 20))
    # Opened Thursday 19 Nov 20:00, after the 19:00 close; Friday is a holiday, then the
    # weekend; Monday 23 Nov 09:00 + 4 business hours = 13:00.
    opened = at(SAO_PAULO, 2026, 11, 19, 20, 0)
    assert due(policy, FIRST, opened, severity="high", plan="standard-8x5") == at(
        SAO_PAULO, 2026, 11, 23, 13, 0
    )


def test_senhasegura_urgent_on_advanced_by_phone_on_a_saturday_is_due_one_hour_later() -> None:
    policy = preset("senhasegura")
    opened = at(SAO_PAULO, 2026, 11, 21, 10, 0)  # Saturday
    facts = {"severity": "urgent", "plan": "advanced-24x7", "channel": "phone"}
    assert row(policy, FIRST, **facts).calendar == "always"
    assert due(policy, FIRST, opened, **facts) == at(SAO_PAULO, 2026, 11, 21, 11, 0)


def test_senhasegura_urgent_on_advanced_by_portal_on_a_saturday_starts_monday_at_nine() -> None:
    policy = preset("senhasegura")
    opened = at(SAO_PAULO, 2026, 11, 21, 10, 0)  # Saturday
    facts = {"severity": "urgent", "plan": "advanced-24x7", "channel": "portal"}
    assert row(policy, FIRST, **facts).calendar == "business"
    # §7.9: the clock starts Monday 23 Nov at 09:00; one hour later.
    assert due(policy, FIRST, opened, **facts) == at(SAO_PAULO, 2026, 11, 23, 10, 0)


def test_senhasegura_premier_urgent_by_phone_at_night_is_due_in_thirty_minutes() -> None:
    policy = preset("senhasegura")
    opened = at(SAO_PAULO, 2026, 11, 24, 2, 15)
    facts = {"severity": "urgent", "plan": "premier-24x7", "channel": "phone"}
    assert due(policy, FIRST, opened, **facts) == at(SAO_PAULO, 2026, 11, 24, 2, 45)


def test_senhasegura_premier_low_takes_twelve_business_hours() -> None:
    policy = preset("senhasegura")
    # Monday 23 Nov 10:00: 9 h until 19:00, 3 h more from Tuesday 09:00 -> Tuesday 12:00.
    opened = at(SAO_PAULO, 2026, 11, 23, 10, 0)
    assert due(policy, FIRST, opened, severity="low", plan="premier-24x7") == at(
        SAO_PAULO, 2026, 11, 24, 12, 0
    )
    # The same ticket on Standard 8x5 has 18 business hours: 9 + 9 on Tuesday -> 18:00.
    assert due(policy, FIRST, opened, severity="low", plan="standard-8x5") == at(
        SAO_PAULO, 2026, 11, 24, 18, 0
    )


def test_senhasegura_feature_requests_have_no_target_whatever_their_severity() -> None:
    target = row(preset("senhasegura"), FIRST, severity="urgent", type="feature_request")
    assert target is not None and target.target is None


# ----------------------------------------------------------------------------- secpod


def test_secpod_critical_on_a_sunday_is_due_two_hours_later() -> None:
    policy = preset("secpod")
    opened = at(KOLKATA, 2026, 11, 8, 3, 0)  # Sunday, Diwali
    assert due(policy, FIRST, opened, severity="critical", plan="standard") == at(
        KOLKATA, 2026, 11, 8, 5, 0
    )


def test_secpod_low_from_friday_counts_48_weekday_hours_past_the_weekend_and_diwali() -> None:
    policy = preset("secpod")
    weekdays = policy.calendar("weekdays")
    # The holidays package puts Diwali 2026 on Sunday 8 November: it closes nothing that the
    # weekend had not already closed, and Monday 9 November is a working day.
    assert "Diwali" in (weekdays.holiday_name(dt.date(2026, 11, 8)) or "")
    assert not weekdays.is_holiday(dt.date(2026, 11, 9))
    assert row(policy, FIRST, severity="low").target == Duration.parse("2 business days")
    # Friday 6 Nov 10:00: 14 h to midnight; Monday 9 Nov 24 h (38 h); 10 h on Tuesday.
    opened = at(KOLKATA, 2026, 11, 6, 10, 0)
    assert due(policy, FIRST, opened, severity="low") == at(KOLKATA, 2026, 11, 10, 10, 0)


def test_secpod_low_skips_guru_nanak_jayanti_on_a_tuesday() -> None:
    policy = preset("secpod")
    assert policy.calendar("weekdays").is_holiday(dt.date(2026, 11, 24))
    # Monday 23 Nov 10:00: 14 h; Tuesday closed; Wednesday 24 h (38 h); 10 h on Thursday.
    opened = at(KOLKATA, 2026, 11, 23, 10, 0)
    assert due(policy, FIRST, opened, severity="low") == at(KOLKATA, 2026, 11, 26, 10, 0)


def test_secpod_high_late_on_friday_is_answered_early_on_monday() -> None:
    policy = preset("secpod")
    # Friday 13 Nov 22:00: 2 h to midnight, then 4 h from Monday 00:00.
    opened = at(KOLKATA, 2026, 11, 13, 22, 0)
    assert due(policy, FIRST, opened, severity="high") == at(KOLKATA, 2026, 11, 16, 4, 0)


def test_secpod_medium_received_on_saturday_is_replied_to_on_the_next_working_day() -> None:
    policy = preset("secpod")
    opened = at(KOLKATA, 2026, 11, 14, 9, 0)  # Saturday
    assert due(policy, FIRST, opened, severity="medium") == at(KOLKATA, 2026, 11, 16, 12, 0)


def test_secpod_critical_is_covered_every_day_and_the_rest_on_weekdays() -> None:
    policy = preset("secpod")
    assert policy.coverage_calendar("standard", "critical").name == "always"
    assert policy.coverage_calendar("standard", "low").name == "weekdays"
    assert policy.severity("critical").pages_on_call


def test_secpod_sets_no_resolution_target() -> None:
    policy = preset("secpod")
    assert policy.metrics() == [FIRST, Metric.PERIODIC_UPDATE]  # updates: third party only
    assert row(policy, RESOLUTION, severity="critical") is None


def test_secpod_statuses_are_the_documents_ticket_categories() -> None:
    policy = preset("secpod")
    assert [(s.name, s.category) for s in policy.statuses] == [
        ("Open", StatusCategory.NEW),
        ("Pending", StatusCategory.PENDING),
        ("Waiting on Customer", StatusCategory.WAITING_ON_CUSTOMER),
        ("Waiting on Third Party", StatusCategory.WAITING_ON_THIRD_PARTY),
        ("Solved", StatusCategory.SOLVED),
        ("Closed", StatusCategory.CLOSED),
    ]
    assert RESOLUTION in policy.status_for(StatusCategory.WAITING_ON_CUSTOMER).pauses


def test_secpod_solves_after_three_followups_or_seven_days_and_closes_three_days_later() -> None:
    policy = preset("secpod")
    solve, close = policy.lifecycle
    assert (solve.from_status, solve.to_status) == ("waiting-on-customer", "solved")
    assert solve.followups == 3
    assert solve.after == Duration.parse("7 days")
    assert solve.remind_every is not None
    # Three reminders fit inside the seven days, so "whichever is earlier" can be either.
    assert 3 * solve.remind_every.amount < solve.after.amount
    assert (close.from_status, close.to_status) == ("solved", "closed")
    assert close.after == Duration.parse("3 days")
    assert policy.reopen.allowed_within == Duration.parse("3 days")


# ----------------------------------------------------------------------------- allure


def test_allure_sev1_in_production_is_worked_on_within_one_hour_even_on_a_saturday() -> None:
    policy = preset("allure")
    opened = at(NEW_YORK, 2026, 11, 21, 23, 30)  # Saturday night
    assert due(policy, FIRST, opened, severity="sev1", environment="production") == at(
        NEW_YORK, 2026, 11, 22, 0, 30
    )


def test_allure_sev1_on_a_non_production_instance_has_four_hours() -> None:
    policy = preset("allure")
    opened = at(NEW_YORK, 2026, 11, 21, 23, 30)
    assert due(policy, FIRST, opened, severity="sev1", environment="non-production") == at(
        NEW_YORK, 2026, 11, 22, 3, 30
    )


@pytest.mark.parametrize("severity", ["sev2", "sev3", "sev4"])
def test_allure_lower_severities_keep_a_row_without_a_target(severity: str) -> None:
    target = row(preset("allure"), FIRST, severity=severity)
    assert target is not None and target.target is None


def test_allure_upgrades_need_evidence_and_a_breach_does_not_move_the_line_by_itself() -> None:
    policy = preset("allure")
    assert policy.severity_changes.upgrade_requires_justification
    assert policy.severity_changes.downgrade_requires_reason
    [action] = policy.escalation.on_breach
    assert action.move_to_line is None
    assert not policy.support_lines.move_on_breach
    assert "unable to diagnose or resolve" in policy.support_lines.second_line_when
    assert any("one question/issue per request" in note for note in policy.notes)
    assert policy.coverage_calendar("saas", "sev1").name == "always"
    assert policy.coverage_calendar("saas", "sev3").name == "business"


# ----------------------------------------------------------------------------- xecuritas


def test_xecuritas_sev2_response_skips_thanksgiving_and_the_weekend() -> None:
    policy = preset("xecuritas")
    # Wednesday 24 Nov 2010 17:00: 2 h until 19:00; Thursday 25 and Friday 26 are observed
    # holidays, then the weekend; Monday 29 Nov 08:00 + 4 h = 12:00.
    opened = at(NEW_YORK, 2010, 11, 24, 17, 0)
    assert due(policy, FIRST, opened, severity="sev2") == at(NEW_YORK, 2010, 11, 29, 12, 0)


def test_xecuritas_sev2_warns_at_four_business_hours() -> None:
    policy = preset("xecuritas")
    target = row(policy, FIRST, severity="sev2")
    assert target is not None
    [warning] = target.warn_at
    assert isinstance(warning, Duration)
    cal = warning.counts_on(policy.calendar(target.calendar))
    # 2 h on Wednesday, 2 h on Monday from 08:00.
    opened = at(NEW_YORK, 2010, 11, 24, 17, 0)
    assert cal.add(opened, warning.length(cal)) == at(NEW_YORK, 2010, 11, 29, 10, 0)


def test_xecuritas_sev3_resolution_is_five_business_days_of_eleven_hours() -> None:
    policy = preset("xecuritas")
    target = row(policy, RESOLUTION, severity="sev3")
    assert target is not None and target.target is not None
    assert target.target.length(policy.calendar("business")) == dt.timedelta(hours=55)
    # Monday 20 Dec 2010 10:00: 9 h Monday, 11 h each Tuesday to Thursday (42 h); Friday
    # 24 Dec is an observed holiday; 11 h on Monday 27 (53 h); 2 h on Tuesday 28 -> 10:00.
    opened = at(NEW_YORK, 2010, 12, 20, 10, 0)
    assert due(policy, RESOLUTION, opened, severity="sev3") == at(NEW_YORK, 2010, 12, 28, 10, 0)


def test_xecuritas_sev2_resolution_is_two_business_days() -> None:
    policy = preset("xecuritas")
    # Thursday 23 Dec 2010 10:00: 9 h Thursday; Friday 24 closed; 11 h Monday 27 (20 h);
    # 2 h on Tuesday 28 -> 10:00.
    opened = at(NEW_YORK, 2010, 12, 23, 10, 0)
    assert due(policy, RESOLUTION, opened, severity="sev2") == at(NEW_YORK, 2010, 12, 28, 10, 0)


def test_xecuritas_sev3_response_of_one_day_skips_the_july_fifth_holiday() -> None:
    policy = preset("xecuritas")
    # Friday 2 July 2010 18:00: 1 h Friday; Monday 5 July closed; 10 h Tuesday -> 18:00.
    opened = at(NEW_YORK, 2010, 7, 2, 18, 0)
    assert due(policy, FIRST, opened, severity="sev3") == at(NEW_YORK, 2010, 7, 6, 18, 0)


def test_xecuritas_sev1_is_answered_within_the_hour_on_a_holiday() -> None:
    policy = preset("xecuritas")
    opened = at(NEW_YORK, 2010, 12, 31, 15, 0)  # Friday, an observed holiday
    assert due(policy, FIRST, opened, severity="sev1") == at(NEW_YORK, 2010, 12, 31, 16, 0)


def test_xecuritas_sev1_resolution_is_24_real_hours_across_the_end_of_daylight_time() -> None:
    policy = preset("xecuritas")
    # Saturday 6 Nov 2010 12:00 EDT; clocks fall back on Sunday 7 Nov at 02:00, so 24 h of
    # real time later the wall clock reads 11:00 EST.
    opened = at(NEW_YORK, 2010, 11, 6, 12, 0)
    assert due(policy, RESOLUTION, opened, severity="sev1") == dt.datetime(
        2010, 11, 7, 16, 0, tzinfo=dt.UTC
    )
    assert due(policy, RESOLUTION, opened, severity="sev1").astimezone(NEW_YORK).hour == 11


def test_xecuritas_holidays_are_exactly_the_nine_listed_dates() -> None:
    business = preset("xecuritas").calendar("business")
    listed = [d for d, _ in business.holidays.between(dt.date(2010, 1, 1), dt.date(2010, 12, 31))]
    assert listed == [
        dt.date(2010, 1, 1),
        dt.date(2010, 2, 15),
        dt.date(2010, 5, 31),
        dt.date(2010, 7, 5),
        dt.date(2010, 9, 6),
        dt.date(2010, 11, 25),
        dt.date(2010, 11, 26),
        dt.date(2010, 12, 24),
        dt.date(2010, 12, 31),
    ]
    # Not US federal holidays the document leaves out: Columbus Day and Veterans Day 2010.
    assert business.is_open(at(NEW_YORK, 2010, 10, 11, 12, 0))
    assert business.is_open(at(NEW_YORK, 2010, 11, 11, 12, 0))


def test_xecuritas_feature_requests_are_not_problems_and_have_no_targets() -> None:
    policy = preset("xecuritas")
    for metric in (FIRST, RESOLUTION):
        target = row(policy, metric, severity="sev1", type="feature_request")
        assert target is not None and target.target is None


def test_xecuritas_sev1_pages_only_when_opened_online() -> None:
    policy = preset("xecuritas")
    assert policy.severity("sev1").pages_on_call
    assert not policy.severity("sev2").pages_on_call
    assert policy.paging is not None and policy.paging.channels == ["portal"]


def test_xecuritas_closes_after_ten_days_without_the_requested_information() -> None:
    policy = preset("xecuritas")
    [rule] = policy.lifecycle
    assert (rule.from_status, rule.to_status) == ("waiting-on-customer", "closed")
    assert rule.only_when == "details_requested"
    assert rule.after == Duration.parse("10 days")


def test_xecuritas_escalates_unresolved_cases_to_support_management() -> None:
    policy = preset("xecuritas")
    [action] = policy.escalation.on_breach
    assert action.metric == RESOLUTION
    assert action.notify == ["support_managers"]
    assert policy.escalation.customer_escalation_notifies == ["account_manager"]
    assert policy.details_supplied_by("customer") == [
        "version", "hardware_os", "symptoms", "circumstances", "severity", "service_contract_id",
    ]  # fmt: skip


def test_xecuritas_engineers_record_the_workaround_recommendation_and_their_name() -> None:
    # Necessary Information: "Customer-defined or Xecuritas-defined work-arounds (if any)",
    # "Initial recommendation by Xecuritas engineer", "Name of Xecuritas engineer".
    policy = preset("xecuritas")
    assert policy.details_supplied_by("engineer_before_first_response") == [
        "initial_recommendation", "engineer_name",
    ]  # fmt: skip
    assert policy.details_supplied_by("engineer_before_solving") == ["workaround"]


# ----------------------------------------------------------------------------- &money


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2026, 5, 15),  # Friday after Ascension: bank closing day
        dt.date(2026, 6, 5),  # Grundlovsdag, a Friday
        dt.date(2026, 12, 24),
        dt.date(2026, 12, 31),
        dt.date(2027, 5, 7),  # Friday after Ascension 2027 (6 May)
        dt.date(2027, 6, 5),
        dt.date(2027, 12, 24),
        dt.date(2027, 12, 31),
    ],
    ids=str,
)
def test_andmoney_bank_closing_days_are_closed_every_year(day: dt.date) -> None:
    business = preset("andmoney").calendar("business")
    assert business.is_holiday(day)
    assert not business.is_open(dt.datetime.combine(day, dt.time(12, 0), tzinfo=COPENHAGEN))


def test_andmoney_ascension_day_itself_is_a_danish_public_holiday() -> None:
    business = preset("andmoney").calendar("business")
    assert business.holiday_name(dt.date(2026, 5, 14)) == "Kristi himmelfartsdag"


def test_andmoney_highest_opened_on_ascension_afternoon_is_due_monday_at_nine() -> None:
    policy = preset("andmoney")
    # Thursday 14 May 2026 15:30 (Ascension) and Friday 15 May (bank closing day) are closed,
    # then the weekend; Monday 18 May 08:00 + 1 h = 09:00.
    opened = at(COPENHAGEN, 2026, 5, 14, 15, 30)
    assert due(policy, FIRST, opened, severity="highest") == at(COPENHAGEN, 2026, 5, 18, 9, 0)


def test_andmoney_highest_opened_half_an_hour_before_closing_before_ascension() -> None:
    policy = preset("andmoney")
    # Wednesday 13 May 15:30: 30 min until 16:00; Thursday to Sunday closed; 30 min Monday.
    opened = at(COPENHAGEN, 2026, 5, 13, 15, 30)
    assert due(policy, FIRST, opened, severity="highest") == at(COPENHAGEN, 2026, 5, 18, 8, 30)


def test_andmoney_high_skips_constitution_day_on_a_friday() -> None:
    policy = preset("andmoney")
    # Thursday 4 June 2026 14:00: 2 h; Friday 5 June closed; Monday 8 June 08:00 + 2 h.
    opened = at(COPENHAGEN, 2026, 6, 4, 14, 0)
    assert due(policy, FIRST, opened, severity="high") == at(COPENHAGEN, 2026, 6, 8, 10, 0)


def test_andmoney_lowest_before_christmas_waits_until_after_the_holidays() -> None:
    policy = preset("andmoney")
    # Tuesday 22 Dec 2026 12:00: 4 h; Wednesday 23 8 h (12 h); 24 Dec bank closing day,
    # 25 Dec Juledag, weekend; Monday 28 Dec 08:00 + 4 h = 12:00.
    opened = at(COPENHAGEN, 2026, 12, 22, 12, 0)
    assert due(policy, FIRST, opened, severity="lowest") == at(COPENHAGEN, 2026, 12, 28, 12, 0)


def test_andmoney_low_across_new_year_skips_both_eve_and_day() -> None:
    policy = preset("andmoney")
    # Wednesday 30 Dec 2026 10:00: 6 h; 31 Dec and 1 Jan closed, weekend; Monday 4 Jan 2027
    # 08:00 + 6 h = 14:00.
    opened = at(COPENHAGEN, 2026, 12, 30, 10, 0)
    assert due(policy, FIRST, opened, severity="low") == at(COPENHAGEN, 2027, 1, 4, 14, 0)


@pytest.mark.parametrize(
    ("severity", "hours"),
    [("highest", 1), ("high", 4), ("medium", 8), ("low", 12), ("lowest", 16)],
)
def test_andmoney_first_response_is_counted_in_business_hours(severity: str, hours: int) -> None:
    target = row(preset("andmoney"), FIRST, severity=severity)
    assert target is not None and target.target is not None
    assert target.calendar == "business"
    assert target.target.length(preset("andmoney").calendar("business")) == dt.timedelta(
        hours=hours
    )


def test_andmoney_medium_is_the_default_and_availability_is_sampled_every_five_minutes() -> None:
    policy = preset("andmoney")
    assert policy.default_severity == {"portal": "medium"}
    availability = policy.availability
    assert availability is not None
    assert availability.target_percent == 99.5
    assert availability.calendar == "business"
    assert availability.interval == Duration.parse("5 min")
    assert availability.period == "month"
    assert policy.hypercare is not None and policy.hypercare.default_weeks == 2
    assert policy.metrics() == [FIRST]
