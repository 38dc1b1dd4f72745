"""SLA clocks: what a ticket's history means for each promise of its policy.

Most tests use a small policy written here (an office open Mon–Fri 09:00–17:00 UTC, closed
on Wednesday 4 March 2026 for Founders' Day), so they say exactly which rule they exercise;
a few use the senhasegura preset, whose holidays come from the ``holidays`` package.
Every test passes ``now`` in: the engine never reads the clock.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacto.sla.calendar import CalendarError
from pacto.sla.clock import ClockError, ClockState, Event, EventKind, compute_clocks
from pacto.sla.policy import Metric, PolicyError, TicketFacts, loads_policy, preset

UTC = dt.UTC
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NEW_YORK = ZoneInfo("America/New_York")
H = dt.timedelta(hours=1)

OFFICE = """
schema: pacto/policy/v1
id: tiny
version: "1"
title: Tiny support
vendor: Tiny Ltd
source: written for the clock tests
default_calendar: office
calendars:
  office:
    timezone: UTC
    hours: {mon-fri: ["09:00-17:00"]}
    holidays: {dates: {2026-03-04: "Founders' Day"}}
plans: [{id: basic, name: Basic}]
severities:
  - {id: high, name: High, definition: A major function is unusable}
  - {id: low, name: Low, definition: Anything else}
  - {id: info, name: Information, definition: A question}
statuses:
  - {id: new, name: New, category: new}
  - {id: open, name: Open, category: open}
  - {id: waiting, name: Waiting on customer, category: waiting_on_customer,
     pauses: [first_response, resolution, periodic_update]}
  - {id: solved, name: Solved, category: solved}
  - {id: closed, name: Closed, category: closed}
"""

TARGETS = """
targets:
  - {metric: first_response, when: {severity: high}, target: 2 hours}
  - {metric: first_response, when: {severity: low}, target: 8 hours}
  - {metric: first_response, when: {severity: info}, target: null, cite: "§3 questions"}
  - {metric: resolution, when: {severity: high}, target: 2 hours}
  - {metric: resolution, when: {severity: low}, target: 2 calendar days}
  - {metric: periodic_update, when: {severity: high}, target: 4 hours}
"""


def office(targets: str = TARGETS, extra: str = ""):
    return loads_policy(OFFICE + targets + extra, "tiny.yaml")


def at(text: str, zone: dt.tzinfo = UTC) -> dt.datetime:
    """``"Mon 2026-03-02 09:00"`` in ``zone``; the weekday is checked, as a reader would."""
    weekday, rest = text.split(" ", 1)
    instant = dt.datetime.strptime(rest, "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    assert f"{instant:%a}" == weekday, f"{rest} is a {instant:%a}"
    return instant


def opened(when: str) -> Event:
    return Event(at(when), EventKind.OPENED)


def status(when: str, value: str) -> Event:
    return Event(at(when), EventKind.STATUS, value)


def severity(when: str, value: str, reason: str | None = None) -> Event:
    return Event(at(when), EventKind.SEVERITY, value, reason)


def reply(when: str) -> Event:
    return Event(at(when), EventKind.AGENT_REPLY)


def clocks(events, now: str, *, sev: str = "high", policy=None, plan: str = "basic"):
    return compute_clocks(policy or office(), TicketFacts(severity=sev, plan=plan), events, at(now))


# ----------------------------------------------------------------------------- starting


def test_a_ticket_opened_after_hours_counts_from_the_next_business_opening():
    senhasegura = preset("senhasegura")
    thursday_evening = dt.datetime(2026, 11, 19, 20, tzinfo=SAO_PAULO)
    result = compute_clocks(
        senhasegura,
        TicketFacts(severity="high", plan="standard-8x5"),
        [Event(thursday_evening, EventKind.OPENED)],
        thursday_evening,
    )[Metric.FIRST_RESPONSE]

    # Friday 20 November is Black Consciousness Day in São Paulo: 4 business hours from
    # Monday's 09:00 opening.
    assert result.state is ClockState.RUNNING
    assert result.due_at == dt.datetime(2026, 11, 23, 13, tzinfo=SAO_PAULO)
    assert result.elapsed == dt.timedelta(0)
    assert result.remaining == 4 * H


def test_a_ticket_opened_on_a_saturday_is_due_on_monday_morning():
    result = clocks([opened("Sat 2026-03-07 11:00")], "Sat 2026-03-07 11:00")
    assert result[Metric.FIRST_RESPONSE].due_at == at("Mon 2026-03-09 11:00")


# ----------------------------------------------------------------------------- pauses


def test_waiting_on_customer_keeps_the_elapsed_time_and_extends_due_by_the_paused_time():
    events = [
        opened("Mon 2026-03-02 09:00"),
        status("Mon 2026-03-02 11:00", "waiting"),
        status("Mon 2026-03-02 15:00", "open"),
    ]
    while_waiting = clocks(events[:2], "Mon 2026-03-02 14:00", sev="low")[Metric.FIRST_RESPONSE]
    assert while_waiting.state is ClockState.PAUSED
    assert while_waiting.due_at is None
    assert while_waiting.elapsed == 2 * H
    assert while_waiting.remaining == 6 * H

    resumed = clocks(events, "Mon 2026-03-02 15:00", sev="low")[Metric.FIRST_RESPONSE]
    # Without the pause it was due at 17:00; four business hours of waiting move it to
    # Tuesday 13:00 (two hours on Monday, four on Tuesday).
    assert resumed.state is ClockState.RUNNING
    assert resumed.elapsed == 2 * H
    assert resumed.due_at == at("Tue 2026-03-03 13:00")


# ----------------------------------------------------------------------------- meeting


def test_the_first_public_agent_reply_meets_first_response():
    events = [opened("Mon 2026-03-02 09:00"), reply("Mon 2026-03-02 10:00")]
    result = clocks(events, "Mon 2026-03-02 16:00")[Metric.FIRST_RESPONSE]

    assert result.state is ClockState.MET
    assert result.met_at == at("Mon 2026-03-02 10:00")
    assert result.due_at == at("Mon 2026-03-02 11:00")
    assert result.breached_at is None
    assert result.elapsed == 1 * H


def test_a_reply_after_the_target_is_met_but_breached():
    events = [opened("Mon 2026-03-02 09:00"), reply("Mon 2026-03-02 12:30")]
    result = clocks(events, "Mon 2026-03-02 16:00")[Metric.FIRST_RESPONSE]

    assert result.state is ClockState.BREACHED
    assert result.met_at == at("Mon 2026-03-02 12:30")
    assert result.breached_at == at("Mon 2026-03-02 11:00")
    assert result.due_at == at("Mon 2026-03-02 11:00")


def test_solved_meets_resolution():
    events = [opened("Mon 2026-03-02 09:00"), status("Mon 2026-03-02 10:30", "solved")]
    result = clocks(events, "Mon 2026-03-02 16:00")
    assert result[Metric.RESOLUTION].state is ClockState.MET
    assert result[Metric.RESOLUTION].met_at == at("Mon 2026-03-02 10:30")
    assert result[Metric.FIRST_RESPONSE].state is ClockState.STOPPED


# ----------------------------------------------------------------------------- severity


def test_a_severity_upgrade_keeps_the_elapsed_time_and_applies_the_shorter_target():
    events = [opened("Mon 2026-03-02 09:00"), severity("Mon 2026-03-02 10:00", "high")]
    result = clocks(events, "Mon 2026-03-02 10:30", sev="low")[Metric.FIRST_RESPONSE]

    assert result.state is ClockState.RUNNING
    assert result.elapsed == 1.5 * H
    assert result.due_at == at("Mon 2026-03-02 11:00")
    assert result.target_length == 2 * H


def test_an_upgrade_past_the_new_target_is_a_breach_at_the_change():
    events = [
        opened("Mon 2026-03-02 09:00"),
        severity("Mon 2026-03-02 12:00", "high", "production down"),
    ]
    result = clocks(events, "Mon 2026-03-02 12:00", sev="low")[Metric.FIRST_RESPONSE]

    assert result.state is ClockState.BREACHED
    assert result.breached_at == at("Mon 2026-03-02 12:00")
    assert any("recorded as a breach" in line for line in result.explanation)
    assert any("production down" in line for line in result.explanation)


def test_a_downgrade_lengthens_the_due_time():
    events = [opened("Mon 2026-03-02 09:00"), severity("Mon 2026-03-02 10:00", "low")]
    result = clocks(events, "Mon 2026-03-02 10:00")[Metric.FIRST_RESPONSE]

    assert result.state is ClockState.RUNNING
    assert result.due_at == at("Mon 2026-03-02 17:00")


def test_a_rule_without_a_target_has_no_due_but_keeps_counting_for_a_later_one():
    events = [opened("Mon 2026-03-02 09:00")]
    no_target = clocks(events, "Mon 2026-03-02 10:00", sev="info")[Metric.FIRST_RESPONSE]
    assert no_target.state is ClockState.NO_TARGET
    assert no_target.due_at is None
    assert no_target.remaining is None
    assert any("§3 questions" in line for line in no_target.explanation)

    events.append(severity("Mon 2026-03-02 10:00", "high"))
    targeted = clocks(events, "Mon 2026-03-02 10:30", sev="info")[Metric.FIRST_RESPONSE]
    assert targeted.state is ClockState.RUNNING
    assert targeted.elapsed == 1.5 * H
    assert targeted.due_at == at("Mon 2026-03-02 11:00")


def test_a_change_from_no_target_to_a_target_already_exceeded_is_a_breach_at_the_change():
    # Regression: with ``now`` at the change itself the engine used to ask the calendar for
    # a due instant with a negative duration (CalendarError).
    events = [opened("Mon 2026-03-02 09:00"), severity("Mon 2026-03-02 13:00", "high")]
    for now in ("Mon 2026-03-02 13:00", "Mon 2026-03-02 14:00"):
        result = clocks(events, now, sev="info")[Metric.FIRST_RESPONSE]
        assert result.state is ClockState.BREACHED
        assert result.breached_at == at("Mon 2026-03-02 13:00")


# ----------------------------------------------------------------------------- reopening


def _reopened(resolution_clock: str, solved_at: str):
    policy = office(extra=f"reopen: {{resolution_clock: {resolution_clock}}}\n")
    events = [
        opened("Mon 2026-03-02 09:00"),
        status(solved_at, "solved"),
        status("Tue 2026-03-03 09:00", "open"),
    ]
    return clocks(events, "Tue 2026-03-03 09:30", policy=policy)[Metric.RESOLUTION]


def test_reopening_resumes_the_resolution_clock_when_the_policy_says_resume():
    result = _reopened("resume", solved_at="Mon 2026-03-02 10:00")
    assert result.state is ClockState.RUNNING
    assert result.elapsed == 1.5 * H
    assert result.due_at == at("Tue 2026-03-03 09:30") + 0.5 * H
    assert result.met_at is None


def test_reopening_starts_a_new_cycle_when_the_policy_says_new_cycle():
    result = _reopened("new_cycle", solved_at="Mon 2026-03-02 10:00")
    assert result.state is ClockState.RUNNING
    assert result.elapsed == 0.5 * H
    assert result.due_at == at("Tue 2026-03-03 11:00")
    assert result.previous_breaches == []


def test_a_breach_before_reopening_stays_a_breach_or_moves_to_previous_breaches():
    resumed = _reopened("resume", solved_at="Mon 2026-03-02 12:00")
    assert resumed.state is ClockState.BREACHED
    assert resumed.breached_at == at("Mon 2026-03-02 11:00")

    new_cycle = _reopened("new_cycle", solved_at="Mon 2026-03-02 12:00")
    assert new_cycle.state is ClockState.RUNNING
    assert new_cycle.breached_at is None
    assert new_cycle.previous_breaches == [at("Mon 2026-03-02 11:00")]
    assert new_cycle.due_at == at("Tue 2026-03-03 11:00")


# ----------------------------------------------------------------------------- updates


def test_the_periodic_update_clock_starts_over_at_every_agent_reply():
    events = [opened("Mon 2026-03-02 09:00"), reply("Mon 2026-03-02 11:00")]
    first = clocks(events, "Mon 2026-03-02 12:00")
    assert first[Metric.PERIODIC_UPDATE].elapsed == 1 * H
    assert first[Metric.PERIODIC_UPDATE].due_at == at("Mon 2026-03-02 15:00")
    assert first[Metric.FIRST_RESPONSE].state is ClockState.MET

    events.append(reply("Mon 2026-03-02 14:00"))
    second = clocks(events, "Mon 2026-03-02 14:00")[Metric.PERIODIC_UPDATE]
    assert second.elapsed == dt.timedelta(0)
    assert second.due_at == at("Tue 2026-03-03 10:00")  # 3 h on Monday, 1 h on Tuesday


def test_a_missed_update_is_kept_in_previous_breaches_when_the_next_one_is_sent():
    events = [opened("Mon 2026-03-02 09:00"), reply("Mon 2026-03-02 15:00")]
    result = clocks(events, "Mon 2026-03-02 15:00")[Metric.PERIODIC_UPDATE]
    assert result.state is ClockState.RUNNING
    assert result.previous_breaches == [at("Mon 2026-03-02 13:00")]


# ----------------------------------------------------------------------------- warnings


def test_the_75_percent_warning_is_expected_then_reached():
    events = [opened("Mon 2026-03-02 09:00")]
    before = clocks(events, "Mon 2026-03-02 09:30")[Metric.FIRST_RESPONSE]
    (warning,) = before.warnings
    assert warning.label == "warning at 75%"
    assert warning.expected_at == at("Mon 2026-03-02 10:30")
    assert warning.reached_at is None
    assert before.next_checkpoint_at == at("Mon 2026-03-02 10:30")

    after = clocks(events, "Mon 2026-03-02 10:45")[Metric.FIRST_RESPONSE]
    (warning,) = after.warnings
    assert warning.reached_at == at("Mon 2026-03-02 10:30")
    assert warning.expected_at is None
    assert after.next_checkpoint_at == at("Mon 2026-03-02 11:00")


def test_a_warning_may_be_an_absolute_duration():
    targets = """
targets:
  - {metric: first_response, target: 8 hours, warn_at: [4 hours]}
"""
    events = [opened("Mon 2026-03-02 15:00")]
    result = clocks(events, "Mon 2026-03-02 15:00", sev="low", policy=office(targets))
    (warning,) = result[Metric.FIRST_RESPONSE].warnings
    assert warning.label == "warning at 4 hours"
    assert warning.threshold == 4 * H
    assert warning.expected_at == at("Tue 2026-03-03 11:00")


def test_an_upgrade_past_the_new_warning_records_the_warning_at_the_change():
    # Regression: the warning of the new target was left unreached, and the engine asked the
    # calendar when a negative remaining time would run out (CalendarError).
    events = [opened("Mon 2026-03-02 09:00"), severity("Mon 2026-03-02 10:45", "high")]
    result = clocks(events, "Mon 2026-03-02 10:45", sev="low")[Metric.FIRST_RESPONSE]
    (warning,) = result.warnings
    assert warning.reached_at == at("Mon 2026-03-02 10:45")
    assert warning.expected_at is None
    assert result.state is ClockState.RUNNING
    assert result.due_at == at("Mon 2026-03-02 11:00")


def test_a_reply_exactly_on_the_due_instant_is_on_time():
    events = [opened("Mon 2026-03-02 09:00"), reply("Mon 2026-03-02 11:00")]
    result = clocks(events, "Mon 2026-03-02 11:00")[Metric.FIRST_RESPONSE]
    assert result.state is ClockState.MET
    assert result.breached_at is None
    assert result.due_at == at("Mon 2026-03-02 11:00")

    later = clocks(events[:1], "Mon 2026-03-02 11:00")[Metric.FIRST_RESPONSE]
    assert later.state is ClockState.RUNNING  # due now, not yet late
    assert clocks(events[:1], "Mon 2026-03-02 11:01")[Metric.FIRST_RESPONSE].breached_at == at(
        "Mon 2026-03-02 11:00"
    )


def test_a_clock_due_at_closing_time_is_breached_once_the_office_has_closed():
    events = [opened("Mon 2026-03-02 15:00")]
    at_close = clocks(events, "Mon 2026-03-02 17:00")[Metric.FIRST_RESPONSE]
    assert at_close.state is ClockState.RUNNING
    assert at_close.due_at == at("Mon 2026-03-02 17:00")
    evening = clocks(events, "Mon 2026-03-02 18:00")[Metric.FIRST_RESPONSE]
    assert evening.state is ClockState.BREACHED
    assert evening.breached_at == at("Mon 2026-03-02 17:00")


# ----------------------------------------------------------------------------- units & time


def test_calendar_days_count_real_time_whatever_the_rules_calendar():
    events = [opened("Fri 2026-03-06 16:00")]
    result = clocks(events, "Sat 2026-03-07 16:00", sev="low")[Metric.RESOLUTION]
    assert result.calendar == "always-open"
    assert result.elapsed == 24 * H
    assert result.due_at == at("Sun 2026-03-08 16:00")


def test_a_24x7_clock_across_the_new_york_fall_back_night_counts_the_repeated_hour():
    policy = loads_policy(
        """
id: night
version: "1"
title: Night desk
vendor: Night Inc
source: written for the clock tests
default_calendar: around-the-clock
calendars:
  around-the-clock: {timezone: America/New_York, hours: 24x7}
plans: [{id: basic, name: Basic}]
severities: [{id: high, name: High, definition: d}]
statuses:
  - {id: new, name: New, category: new}
  - {id: solved, name: Solved, category: solved}
  - {id: closed, name: Closed, category: closed}
targets: [{metric: resolution, target: 6 hours}]
"""
    )
    saturday_night = dt.datetime(2026, 10, 31, 23, tzinfo=NEW_YORK)  # EDT, -04:00
    events = [Event(saturday_night, EventKind.OPENED)]
    now = dt.datetime(2026, 11, 1, 3, tzinfo=NEW_YORK)  # EST, -05:00: 4 h on the wall
    result = compute_clocks(policy, TicketFacts(severity="high"), events, now)[Metric.RESOLUTION]

    assert result.elapsed == 5 * H  # 01:00-02:00 happened twice
    assert result.due_at == dt.datetime(2026, 11, 1, 4, tzinfo=NEW_YORK)
    # (Within one zone Python subtracts wall-clock times; in UTC it is real time.)
    assert result.due_at.astimezone(UTC) - saturday_night.astimezone(UTC) == 6 * H


# ----------------------------------------------------------------------------- bad input


def test_events_after_now_are_an_error():
    events = [opened("Mon 2026-03-02 09:00"), reply("Mon 2026-03-02 12:00")]
    with pytest.raises(ClockError, match="after now"):
        clocks(events, "Mon 2026-03-02 11:00")


def test_the_first_event_must_be_the_opening():
    with pytest.raises(ClockError, match="first event must be 'opened'"):
        clocks([reply("Mon 2026-03-02 09:00")], "Mon 2026-03-02 11:00")


def test_an_event_before_the_opening_is_an_error():
    events = [opened("Mon 2026-03-02 09:00"), severity("Mon 2026-03-02 08:00", "low")]
    with pytest.raises(ClockError, match="before the ticket was opened"):
        clocks(events, "Mon 2026-03-02 11:00")


def test_naive_datetimes_are_rejected():
    with pytest.raises(CalendarError, match="naive datetime"):
        Event(dt.datetime(2026, 3, 2, 9), EventKind.OPENED)
    with pytest.raises(CalendarError, match="naive datetime"):
        compute_clocks(
            office(),
            TicketFacts(severity="high"),
            [opened("Mon 2026-03-02 09:00")],
            dt.datetime(2026, 3, 2, 10),
        )


def test_an_unknown_severity_names_the_defined_ones():
    with pytest.raises(PolicyError, match=r"'urgent' is not defined \(defined: high, low, info\)"):
        clocks([opened("Mon 2026-03-02 09:00")], "Mon 2026-03-02 09:00", sev="urgent")
    events = [opened("Mon 2026-03-02 09:00"), severity("Mon 2026-03-02 10:00", "urgent")]
    with pytest.raises(PolicyError, match="defined: high, low, info"):
        clocks(events, "Mon 2026-03-02 10:00")


# ----------------------------------------------------------------------------- explanations


def test_segments_say_why_the_clock_did_not_count():
    events = [
        opened("Mon 2026-03-02 16:00"),
        status("Tue 2026-03-03 10:00", "waiting"),
        status("Tue 2026-03-03 12:00", "open"),
    ]
    result = clocks(events, "Tue 2026-03-03 12:00", sev="low")[Metric.FIRST_RESPONSE]
    timeline = [(s.start, s.end, s.kind, s.reason, s.projected) for s in result.segments]

    assert timeline == [
        (at("Mon 2026-03-02 16:00"), at("Mon 2026-03-02 17:00"), "running",
         "counting on office", False),
        (at("Mon 2026-03-02 17:00"), at("Tue 2026-03-03 09:00"), "outside_hours",
         "outside office hours", False),
        (at("Tue 2026-03-03 09:00"), at("Tue 2026-03-03 10:00"), "running",
         "counting on office", False),
        (at("Tue 2026-03-03 10:00"), at("Tue 2026-03-03 12:00"), "paused",
         "status Waiting on customer", False),
        (at("Tue 2026-03-03 12:00"), at("Tue 2026-03-03 17:00"), "running",
         "counting on office", True),
        # The holiday is named for its own day; the nights either side are outside hours.
        (at("Tue 2026-03-03 17:00"), at("Wed 2026-03-04 00:00"), "outside_hours",
         "outside office hours", True),
        (at("Wed 2026-03-04 00:00"), at("Thu 2026-03-05 00:00"), "holiday",
         "holiday Wed 04 Mar: Founders' Day", True),
        (at("Thu 2026-03-05 00:00"), at("Thu 2026-03-05 09:00"), "outside_hours",
         "outside office hours", True),
        (at("Thu 2026-03-05 09:00"), at("Thu 2026-03-05 10:00"), "running",
         "counting on office", True),
    ]  # fmt: skip
    assert result.due_at == at("Thu 2026-03-05 10:00")


def test_a_weekend_before_a_holiday_is_outside_business_hours_not_the_holiday():
    # A Friday-evening ticket before a Monday closure: Saturday and Sunday are the weekend.
    text = OFFICE.replace('2026-03-04: "Founders\' Day"', '2026-03-09: "Harbour Day"')
    policy = loads_policy(text + TARGETS, "tiny.yaml")
    result = clocks([opened("Fri 2026-03-06 16:30")], "Fri 2026-03-06 16:30", sev="low",
                    policy=policy)[Metric.FIRST_RESPONSE]  # fmt: skip
    kinds = [(s.start, s.end, s.kind, s.reason) for s in result.segments]

    assert kinds[1:3] == [
        (at("Fri 2026-03-06 17:00"), at("Mon 2026-03-09 00:00"), "outside_hours",
         "outside office hours"),
        (at("Mon 2026-03-09 00:00"), at("Tue 2026-03-10 00:00"), "holiday",
         "holiday Mon 09 Mar: Harbour Day"),
    ]  # fmt: skip
    assert result.due_at == at("Tue 2026-03-10 16:30")


# ----------------------------------------------------------------------------- brute force

# Status changes at random minutes over a few days, checked against a count of the minutes
# that were both working (Mon–Fri 09:00–17:00 UTC) and not paused for the metric.
BRUTE = """
schema: pacto/policy/v1
id: brute
version: "1"
title: Brute force
vendor: Test
source: test
default_calendar: office
calendars:
  office: {timezone: UTC, hours: {mon-fri: ["09:00-17:00"]}}
plans: [{id: basic, name: Basic}]
severities: [{id: high, name: High, definition: d}]
statuses:
  - {id: new, name: New, category: new}
  - {id: open, name: Open, category: open}
  - {id: waiting, name: Waiting on customer, category: waiting_on_customer,
     pauses: [first_response, resolution]}
  - {id: vendor, name: Waiting on vendor, category: waiting_on_third_party, pauses: [resolution]}
  - {id: solved, name: Solved, category: solved}
  - {id: closed, name: Closed, category: closed}
targets:
  - {metric: first_response, target: 6 hours}
  - {metric: resolution, target: 3 business days}
"""
PAUSES = {
    Metric.FIRST_RESPONSE: {"waiting"},
    Metric.RESOLUTION: {"waiting", "vendor"},
}
MONDAY = dt.datetime(2026, 3, 2, tzinfo=UTC)
MINUTE = dt.timedelta(minutes=1)
_brute_policy = loads_policy(BRUTE, "brute.yaml")


def _working(minute: int) -> bool:
    """Minutes count from Monday 00:00 UTC: Mon–Fri, 09:00–17:00."""
    day, minute_of_day = divmod(minute, 1440)
    return day % 7 < 5 and 9 * 60 <= minute_of_day < 17 * 60


def _oracle(opened_at: int, changes: list[tuple[int, str]], now: int, metric: Metric):
    """(elapsed, breach, due, 75 % warning) in minutes, by walking every minute.

    The target is reached at the end of the minute that completes it; the clock is breached
    at the first instant after that in which it still runs (not paused), so a reply or a
    pause exactly on the due instant is on time.
    """
    target = 6 * 60 if metric is Metric.FIRST_RESPONSE else 3 * 8 * 60
    current, pending = "new", list(changes)
    counted, breached, warned = 0, None, None
    for minute in range(opened_at, now):
        while pending and pending[0][0] <= minute:
            current = pending.pop(0)[1]
        running = current not in PAUSES[metric]
        if running and counted >= target and breached is None:
            breached = minute
        if running and _working(minute):
            counted += 1
            if counted == target * 3 // 4:
                warned = minute + 1
    while pending:
        current = pending.pop(0)[1]
    due = None
    if breached is not None:
        due = breached
    elif current not in PAUSES[metric]:
        minute, left = now, target - counted
        while left:
            left -= _working(minute)
            minute += 1
        due = minute
    return counted, breached, due, warned


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    opened_at=st.integers(0, 3 * 1440),
    changes=st.lists(
        st.tuples(st.integers(0, 4 * 1440), st.sampled_from(["open", "waiting", "vendor"])),
        max_size=12,
    ),
    tail=st.integers(0, 1440),
)
def test_elapsed_business_time_matches_a_minute_by_minute_count(opened_at, changes, tail):
    changes = sorted((opened_at + offset, value) for offset, value in changes)
    now = max([opened_at, *(m for m, _ in changes)]) + tail
    events = [Event(MONDAY + opened_at * MINUTE, EventKind.OPENED)]
    events += [Event(MONDAY + m * MINUTE, EventKind.STATUS, value) for m, value in changes]
    results = compute_clocks(
        _brute_policy, TicketFacts(severity="high"), events, MONDAY + now * MINUTE
    )

    def instant(minute: int | None) -> dt.datetime | None:
        return None if minute is None else MONDAY + minute * MINUTE

    for metric, result in results.items():
        counted, breached, due, warned = _oracle(opened_at, changes, now, metric)
        assert result.elapsed == counted * MINUTE, metric
        assert result.breached_at == instant(breached), metric
        assert result.due_at == instant(due), metric
        (warning,) = result.warnings
        assert warning.reached_at == instant(warned), metric
