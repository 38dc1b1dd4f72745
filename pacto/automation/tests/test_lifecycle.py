"""Lifecycle automation, by time travel: every lifecycle rule of every preset, with ``now``
passed to the sweep. Follow-up reminders, auto-solve, auto-close, the audit trail and the
notifications."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pacto.automation import lifecycle
from pacto.automation.actions import SYSTEM_EMAIL
from pacto.automation.models import LifecycleTimer
from pacto.automation.sweeps import reschedule_all, sweep_lifecycle
from pacto.notifications.models import Outbox
from pacto.sla.policy import StatusCategory, preset, preset_names
from pacto.testing import SAO_PAULO
from pacto.tickets.actions import do_change_status, do_reply
from pacto.tickets.models import TicketEvent

THURSDAY = dt.datetime(2026, 1, 15, 10, 0)
SECOND = dt.timedelta(seconds=1)
EVERY_RULE = [(name, rule.id) for name in preset_names() for rule in preset(name).lifecycle]


def rule_events(ticket):
    return list(ticket.events.filter(kind=TicketEvent.Kind.STATUS, data__has_key="rule"))


def reminders(ticket):
    return Outbox.objects.filter(ticket=ticket, kind="lifecycle_reminder").order_by("id")


def into_status(ticket, agent, status_id, at, details_requested=False):
    return do_change_status(
        agent, ticket, status_id, reason="asked for logs", details_requested=details_requested,
        now=at,
    )  # fmt: skip


def test_every_preset_rule_is_covered_below():
    assert {name for name, _ in EVERY_RULE} == {"secpod", "senhasegura", "xecuritas"}
    assert len(EVERY_RULE) == 5


@pytest.mark.parametrize(("preset_name", "rule_id"), EVERY_RULE)
def test_it_applies_each_rule_exactly_when_due_and_once(desk, world, preset_name, rule_id):
    policy = preset(preset_name)
    rule = policy.lifecycle_rule(rule_id)
    contact = desk.customer(preset_name)
    zone = policy.calendar().zone
    opened = THURSDAY.replace(tzinfo=zone)
    ticket = desk.open(contact, policy.severities[-1].id, opened)
    entered = opened + dt.timedelta(hours=1)
    into_status(
        ticket, world.fiona, rule.from_status, entered,
        details_requested=rule.only_when == "details_requested",
    )  # fmt: skip
    due = lifecycle.fires_at(policy, rule, entered)

    for n in range(1, (rule.followups or 0) + 1):
        at = lifecycle.reminder_at(policy, rule, entered, n)
        if at >= due:
            break
        assert sweep_lifecycle(at - SECOND) == {}
        assert sweep_lifecycle(at) == {"reminders": 1}
        assert reminders(ticket).count() == n
    assert sweep_lifecycle(due - SECOND) == {}
    ticket.refresh_from_db()
    assert ticket.status == rule.from_status

    assert sweep_lifecycle(due) == {"applied": 1}
    assert sweep_lifecycle(due) == {}

    ticket.refresh_from_db()
    assert ticket.status == rule.to_status
    [event] = rule_events(ticket)
    assert event.data["rule"] == rule.id
    assert event.actor.email == SYSTEM_EMAIL
    assert event.at == due
    assert rule.id in event.reason
    # The customer is told of the change; the rule's own words (English, naming the rule's
    # id) stay with the staff: the reminders before it told the customer why.
    [told] = Outbox.objects.filter(
        ticket=ticket, kind="status_changed", recipient=contact.email,
        payload__status=policy.status(rule.to_status).name,
    )  # fmt: skip
    assert not told.payload["reason"]


def test_a_customer_reply_stops_the_secpod_countdown(world):
    opened = dt.datetime(2026, 1, 15, 9, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
    ticket = _secpod_ticket(world, opened)
    into_status(ticket, world.fiona, "waiting-on-customer", opened + dt.timedelta(hours=1))
    assert sweep_lifecycle(opened + dt.timedelta(days=2, hours=1)) == {"reminders": 1}
    do_reply(world.carol, ticket, "Here are the logs.", now=opened + dt.timedelta(days=3))

    assert sweep_lifecycle(opened + dt.timedelta(days=30)) == {}
    ticket.refresh_from_db()
    assert ticket.status != "waiting-on-customer"
    assert ticket.status_category not in (StatusCategory.SOLVED, StatusCategory.CLOSED)
    assert reminders(ticket).count() == 1  # the one sent on day 2, before the reply


def test_senhasegura_closes_an_unconfirmed_solution_after_ten_business_days(world, desk):
    """§7.8 "Automatically after 10 business day when we believe the case is resolved but
    you do not confirm": Thu 15 Jan 2026 10:00 São Paulo + 10 business days (9-19 h,
    Mon-Fri) = Thu 29 Jan 10:00."""
    opened = dt.datetime(2026, 1, 15, 9, 30, tzinfo=SAO_PAULO)
    ticket = desk.open(world.alice, "low", opened)
    into_status(ticket, world.fiona, "solved", opened + dt.timedelta(minutes=30))

    assert LifecycleTimer.objects.get(ticket=ticket).next_at == dt.datetime(
        2026, 1, 29, 10, 0, tzinfo=SAO_PAULO
    )
    sweep_lifecycle(dt.datetime(2026, 1, 29, 9, 59, tzinfo=SAO_PAULO))
    ticket.refresh_from_db()
    assert ticket.status == "solved"
    sweep_lifecycle(dt.datetime(2026, 1, 29, 10, 0, tzinfo=SAO_PAULO))
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert rule_events(ticket)[0].data["rule"] == "close-unconfirmed"


def test_senhasegura_closes_after_fifteen_business_days_only_when_details_were_requested(
    world, desk
):
    """§7.8 "Automatically after 15 business days when we have requested additional details
    or logs, but we have not received them": Thu 15 Jan 10:00 → Thu 5 Feb 10:00."""
    at = dt.datetime(2026, 1, 15, 9, 30, tzinfo=SAO_PAULO)
    asked = desk.open(world.alice, "low", at, subject="asked for logs")
    waiting = desk.open(world.alice, "low", at, subject="waiting for a window")
    into_status(asked, world.fiona, "waiting-on-customer", at + dt.timedelta(minutes=30), True)
    into_status(waiting, world.fiona, "waiting-on-customer", at + dt.timedelta(minutes=30))

    due = dt.datetime(2026, 2, 5, 10, 0, tzinfo=SAO_PAULO)
    assert LifecycleTimer.objects.get(ticket=asked).next_at == due
    assert not LifecycleTimer.objects.filter(ticket=waiting).exists()
    assert sweep_lifecycle(due + dt.timedelta(days=60)) == {"applied": 1}
    asked.refresh_from_db()
    waiting.refresh_from_db()
    assert (asked.status, waiting.status) == ("closed", "waiting-on-customer")


def test_xecuritas_closes_after_ten_days_without_the_requested_information(desk, world):
    """Troubleshooting: "Xecuritas will close an incident if the customer has not provided a
    response to requests for information within 10 days" (calendar days)."""
    new_york = ZoneInfo("America/New_York")
    contact = desk.customer("xecuritas")
    ticket = desk.open(contact, "sev3", dt.datetime(2026, 1, 15, 9, 0, tzinfo=new_york))
    asked = dt.datetime(2026, 1, 15, 10, 0, tzinfo=new_york)
    into_status(ticket, world.fiona, "waiting-on-customer", asked, details_requested=True)

    assert LifecycleTimer.objects.get(ticket=ticket).next_at == asked + dt.timedelta(days=10)
    sweep_lifecycle(asked + dt.timedelta(days=10))
    ticket.refresh_from_db()
    assert ticket.status == "closed"


def test_policies_without_lifecycle_rules_plan_nothing(desk, world):
    for name in ("allure", "andmoney"):
        contact = desk.customer(name)
        policy = preset(name)
        ticket = desk.open(contact, policy.severities[-1].id, THURSDAY.replace(tzinfo=dt.UTC))
        solved = policy.status_for(StatusCategory.SOLVED).id
        into_status(
            ticket, world.fiona, solved, THURSDAY.replace(tzinfo=dt.UTC) + dt.timedelta(hours=1)
        )
        assert not LifecycleTimer.objects.filter(ticket=ticket).exists()


def test_a_timer_left_behind_by_a_status_change_is_replanned_not_applied(world, desk):
    at = dt.datetime(2026, 1, 15, 9, 30, tzinfo=SAO_PAULO)
    ticket = desk.open(world.alice, "low", at)
    into_status(ticket, world.fiona, "solved", at + dt.timedelta(minutes=30))
    timer = LifecycleTimer.objects.get(ticket=ticket)
    # As if the hook had not run for a later change (e.g. restored from an old backup).
    LifecycleTimer.objects.filter(pk=timer.pk).update(entered_at=at)

    assert sweep_lifecycle(dt.datetime(2026, 3, 1, tzinfo=SAO_PAULO)) == {}
    ticket.refresh_from_db()
    assert ticket.status == "solved"
    assert LifecycleTimer.objects.get(ticket=ticket).entered_at == ticket.status_changed_at


def test_reschedule_plans_timers_for_tickets_that_have_none(world, desk):
    at = dt.datetime(2026, 1, 15, 9, 30, tzinfo=SAO_PAULO)
    ticket = desk.open(world.alice, "low", at)
    into_status(ticket, world.fiona, "solved", at + dt.timedelta(minutes=30))
    LifecycleTimer.objects.all().delete()

    assert reschedule_all(at) == {"timers": 1}
    assert LifecycleTimer.objects.get(ticket=ticket).rule_id == "close-unconfirmed"


def _secpod_ticket(world, now):
    from pacto.tickets.actions import do_open_ticket

    return do_open_ticket(
        world.carol, subject="Agent offline", body="The agent stopped reporting.",
        severity="low", type="question", now=now,
    )  # fmt: skip
