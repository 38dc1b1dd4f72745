"""SecPod's ticket categories and senhasegura's §7.8 close, run as the documents say.

SecPod, Ticket Categories:
- Solved: "no feedback has been received from the customer after three follow-ups or more
  than 7 days, whichever is earlier";
- Pending: "Action required from SecPod Support";
- Waiting on Third Party: "Updates will be provided";
- Closed: "in a resolved status for more than 3 days without customer follow-up".
senhasegura §7.8: "Automatically after 10 business day when we believe the case is resolved
but you do not confirm."
"""

import datetime as dt
from zoneinfo import ZoneInfo

from pacto.automation.models import LifecycleTimer
from pacto.automation.sweeps import sweep_clocks, sweep_lifecycle
from pacto.notifications.models import Outbox
from pacto.testing import SAO_PAULO
from pacto.tickets.actions import do_assign, do_change_status, do_open_ticket, do_reply
from pacto.tickets.models import SlaClock, TicketEvent

KOLKATA = ZoneInfo("Asia/Kolkata")
SECOND = dt.timedelta(seconds=1)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=KOLKATA)


def secpod_ticket(world, now):
    return do_open_ticket(
        world.carol, subject="Agent offline", body="The agent stopped reporting.",
        severity="low", type="question", now=now,
    )  # fmt: skip


def wait_on_customer(world, ticket, now):
    do_change_status(world.fiona, ticket, "waiting-on-customer", reason="asked for logs", now=now)


def follow_ups(ticket):
    return [
        r.payload["reminder"]
        for r in Outbox.objects.filter(ticket=ticket, kind="lifecycle_reminder").order_by("id")
    ]


def status_of(ticket):
    ticket.refresh_from_db()
    return ticket.status


def solving_rule(ticket):
    event = ticket.events.filter(kind=TicketEvent.Kind.STATUS, data__to="solved").get()
    return event.data.get("rule"), event.at


# ----------------------------------------------------------------------------- solved


def test_secpod_solves_after_three_unanswered_follow_ups_before_the_seven_days(world):
    """A follow-up each SecPod working day: Fri, Mon, Tue; the third waits one working day
    for an answer, so the ticket is solved on Wednesday, day 6 of 7."""
    entered = at(2026, 1, 15, 11, 0)  # Thursday
    ticket = secpod_ticket(world, entered - dt.timedelta(hours=1))
    wait_on_customer(world, ticket, entered)

    for day in (16, 19, 20):
        sweep_lifecycle(at(2026, 1, day, 11, 0))
    assert follow_ups(ticket) == [1, 2, 3]
    assert sweep_lifecycle(at(2026, 1, 21, 11, 0) - SECOND) == {}
    assert status_of(ticket) == "waiting-on-customer"

    assert sweep_lifecycle(at(2026, 1, 21, 11, 0)) == {"applied": 1}
    assert status_of(ticket) == "solved"
    assert solving_rule(ticket) == ("solve-no-feedback", at(2026, 1, 21, 11, 0))


def test_secpod_solves_after_seven_days_when_closed_holidays_delay_the_third_follow_up(world):
    """Entered Wednesday 25 March 2026: follow-ups Fri 27 (Thu 26 is Ram Navami), Mon 30 and
    Wed 1 April (Tue 31 is Mahavir Jayanti); the seven days end first, on Wed 1 April."""
    entered = at(2026, 3, 25, 11, 0)
    ticket = secpod_ticket(world, entered - dt.timedelta(hours=1))
    wait_on_customer(world, ticket, entered)

    sweep_lifecycle(at(2026, 3, 27, 11, 0))
    sweep_lifecycle(at(2026, 3, 30, 11, 0))
    assert follow_ups(ticket) == [1, 2]
    assert sweep_lifecycle(at(2026, 4, 1, 11, 0)) == {"applied": 1}
    assert follow_ups(ticket) == [1, 2]  # the third would have come at the same instant
    assert solving_rule(ticket) == ("solve-no-feedback", entered + dt.timedelta(days=7))


def test_follow_ups_an_agent_sends_while_waiting_count_as_follow_ups(world):
    """Two agent follow-ups on Monday, then one automatic a working day after the last:
    three follow-ups, solved one working day later (Wednesday)."""
    entered = at(2026, 1, 12, 10, 0)  # Monday
    ticket = secpod_ticket(world, entered - dt.timedelta(hours=1))
    wait_on_customer(world, ticket, entered)
    do_reply(world.fiona, ticket, "Any news on the logs?", now=at(2026, 1, 12, 14, 0))
    do_reply(world.fiona, ticket, "Following up again.", now=at(2026, 1, 12, 18, 0))
    timer = LifecycleTimer.objects.get(ticket=ticket)
    assert (timer.reminders_sent, timer.next_at) == (2, at(2026, 1, 13, 18, 0))

    assert sweep_lifecycle(at(2026, 1, 13, 18, 0)) == {"reminders": 1}
    assert follow_ups(ticket) == [3]
    assert sweep_lifecycle(at(2026, 1, 14, 18, 0)) == {"applied": 1}
    assert solving_rule(ticket) == ("solve-no-feedback", at(2026, 1, 14, 18, 0))


# ----------------------------------------------------------------------------- pending


def test_after_the_customer_answers_a_secpod_ticket_is_pending_on_secpod_not_open(world):
    entered = at(2026, 1, 15, 11, 0)
    ticket = secpod_ticket(world, entered - dt.timedelta(hours=1))
    assert ticket.status == "open"  # "Ticket logged but not yet reviewed or assigned"
    wait_on_customer(world, ticket, entered)

    do_reply(world.carol, ticket, "Here are the logs.", now=entered + dt.timedelta(hours=3))

    assert status_of(ticket) == "pending"
    assert ticket.events.filter(kind=TicketEvent.Kind.STATUS, data__to="pending").exists()
    assert not LifecycleTimer.objects.filter(ticket=ticket).exists()


# ----------------------------------------------------------------------------- third party


def test_while_waiting_on_a_third_party_the_agent_is_reminded_and_the_customer_updated(world):
    """One update each SecPod working day while waiting on a third party; the warning at
    75 % reminds the assignee; the agent's public update reaches the customer and starts
    the cadence over; in other statuses no update is owed."""
    opened = at(2026, 1, 15, 9, 0)
    ticket = secpod_ticket(world, opened)
    do_assign(world.fiona, ticket, world.fiona, now=opened + SECOND)
    update = SlaClock.objects.get(ticket=ticket, metric="periodic_update")
    assert update.state == "paused"

    third_party = at(2026, 1, 15, 10, 0)
    do_change_status(
        world.fiona, ticket, "waiting-on-third-party", reason="Waiting on the OS vendor",
        now=third_party,
    )  # fmt: skip
    update.refresh_from_db()
    assert (update.state, update.due_at) == ("running", at(2026, 1, 16, 10, 0))

    assert sweep_clocks(at(2026, 1, 16, 4, 0)) == {"tickets": 1, "warnings": 1}
    warning = Outbox.objects.get(ticket=ticket, kind="clock_warning")
    assert (warning.recipient, warning.payload["metric"]) == (
        "fiona@vendor.example", "periodic_update",
    )  # fmt: skip

    do_reply(world.fiona, ticket, "The vendor is testing a fix.", now=at(2026, 1, 16, 6, 0))
    assert Outbox.objects.filter(
        ticket=ticket, kind="agent_reply", recipient="carol@verde.example"
    ).exists()
    update.refresh_from_db()
    assert update.due_at == at(2026, 1, 19, 6, 0)  # one working day later: Monday

    do_change_status(world.fiona, ticket, "pending", reason="Fix received", now=at(2026, 1, 16, 8))
    update.refresh_from_db()
    assert update.state == "paused"


# ----------------------------------------------------------------------------- solved → closed


def test_a_customer_follow_up_on_a_solved_secpod_ticket_reopens_it_and_stops_the_close(world):
    opened = at(2026, 1, 15, 9, 0)
    ticket = secpod_ticket(world, opened)
    do_change_status(world.fiona, ticket, "solved", reason="Agent reinstalled", now=opened)
    assert LifecycleTimer.objects.get(ticket=ticket).rule_id == "close-solved"

    do_reply(world.carol, ticket, "It stopped again.", now=opened + dt.timedelta(days=2))

    assert status_of(ticket) == "pending"
    assert ticket.events.filter(kind=TicketEvent.Kind.REOPENED).exists()
    assert sweep_lifecycle(opened + dt.timedelta(days=30)) == {}
    assert status_of(ticket) == "pending"


def test_a_customer_reply_stops_senhasegura_s_ten_business_day_close_until_the_next_answer(
    world, desk
):
    opened = dt.datetime(2026, 1, 15, 9, 30, tzinfo=SAO_PAULO)
    ticket = desk.open(world.alice, "low", opened)
    solved = opened + dt.timedelta(minutes=30)
    do_change_status(world.fiona, ticket, "solved", reason="Patched", now=solved)
    assert LifecycleTimer.objects.get(ticket=ticket).next_at == dt.datetime(
        2026, 1, 29, 10, 0, tzinfo=SAO_PAULO
    )

    do_reply(world.alice, ticket, "Is the patch also for 3.30?", now=solved + dt.timedelta(days=1))
    assert not LifecycleTimer.objects.filter(ticket=ticket).exists()
    assert sweep_lifecycle(dt.datetime(2026, 3, 1, tzinfo=SAO_PAULO)) == {}
    assert status_of(ticket) == "solved"

    answered = dt.datetime(2026, 1, 19, 10, 0, tzinfo=SAO_PAULO)  # Monday
    do_reply(world.fiona, ticket, "Yes, 3.30 too.", now=answered)
    # 10 business days again from senhasegura's answer: Monday 2 February, 10:00.
    assert LifecycleTimer.objects.get(ticket=ticket).next_at == dt.datetime(
        2026, 2, 2, 10, 0, tzinfo=SAO_PAULO
    )
