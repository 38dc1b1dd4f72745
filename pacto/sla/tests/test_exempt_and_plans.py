"""The engine's reading of two seed-003 rules and Allure's exemption: a delivered
work-around meets the resolution clock, and an exempt clock stops (or keeps its breach,
marked exempt)."""

from __future__ import annotations

import datetime as dt

from pacto.sla.clock import ClockState, Event, EventKind, compute_clocks
from pacto.sla.policy import Metric, TicketFacts, preset

NY = dt.timezone(dt.timedelta(hours=-5))
OPENED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=NY)  # a Monday


def clocks(policy, severity, *events, now):
    facts = TicketFacts(severity=severity, plan=policy.plans[0].id)
    return compute_clocks(policy, facts, [Event(OPENED, EventKind.OPENED), *events], now)


def test_a_delivered_work_around_meets_the_resolution_clock_and_the_case_stays_open():
    policy = preset("xecuritas")
    delivered = OPENED + dt.timedelta(hours=5)
    result = clocks(policy, "sev2", Event(delivered, EventKind.RESOLUTION_PLAN, None, "by Fiona"),
                    now=OPENED + dt.timedelta(days=9))[Metric.RESOLUTION]  # fmt: skip
    assert (result.state, result.met_at, result.breached_at) == (ClockState.MET, delivered, None)
    assert any("work-around or resolution plan delivered (by Fiona)" in line
               for line in result.explanation)  # fmt: skip


def test_an_exempt_running_clock_stops_and_never_breaches():
    policy = preset("xecuritas")
    at = OPENED + dt.timedelta(hours=1)
    result = clocks(policy, "sev2", Event(at, EventKind.EXEMPT, "resolution", "third-party cause"),
                    now=OPENED + dt.timedelta(days=30))[Metric.RESOLUTION]  # fmt: skip
    assert (result.state, result.breached_at, result.due_at) == (ClockState.STOPPED, None, None)
    assert result.exempt == "third-party cause"
    assert result.next_checkpoint_at is None


def test_an_exempt_breach_stays_on_record_marked_exempt():
    policy = preset("allure")
    replied = OPENED + dt.timedelta(hours=3)  # Severity 1: 1 hour
    result = clocks(
        policy, "sev1", Event(replied, EventKind.AGENT_REPLY),
        Event(replied + dt.timedelta(hours=1), EventKind.EXEMPT, "first_response",
              "severity misassigned"),
        now=replied + dt.timedelta(hours=2),
    )[Metric.FIRST_RESPONSE]  # fmt: skip
    assert result.state is ClockState.BREACHED
    assert result.breached_at == OPENED + dt.timedelta(hours=1)
    assert result.exempt == "severity misassigned"


def test_a_channel_event_moves_an_urgent_to_the_phone_row_from_the_call():
    # senhasegura §7.3: the phone row (Premier: 30 min, 24x7) from the call's time on.
    policy = preset("senhasegura")
    sp = dt.timezone(dt.timedelta(hours=-3))
    opened = dt.datetime(2026, 1, 15, 3, 0, tzinfo=sp)
    call = opened + dt.timedelta(minutes=10)
    facts = TicketFacts(severity="urgent", plan="premier-24x7", channel="portal")
    result = compute_clocks(
        policy, facts, [Event(opened, EventKind.OPENED), Event(call, EventKind.CHANNEL, "phone")],
        call,
    )[Metric.FIRST_RESPONSE]  # fmt: skip
    assert result.due_at == call + dt.timedelta(minutes=30)
