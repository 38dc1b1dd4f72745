"""SLA warnings and breach escalations, swept with ``now`` passed in."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pacto.accounts.actions import do_create_contact, do_create_organization
from pacto.automation.actions import SYSTEM_EMAIL
from pacto.automation.models import ClockAlert
from pacto.automation.sweeps import sweep_clocks
from pacto.contracts.actions import do_create_contract, do_store_policy, preset_version
from pacto.errors import Conflict
from pacto.notifications.models import Outbox
from pacto.testing import PASSWORD, SAO_PAULO, meet_contact_rules
from pacto.tickets.actions import do_assign, do_change_status, do_set_line
from pacto.tickets.models import SlaClock, TicketEvent

NEW_YORK = ZoneInfo("America/New_York")
MINUTE = dt.timedelta(minutes=1)
SECOND = dt.timedelta(seconds=1)


def sent(kind, ticket=None):
    rows = Outbox.objects.filter(kind=kind)
    if ticket is not None:
        rows = rows.filter(ticket=ticket)
    return sorted(rows.values_list("recipient", flat=True))


def clock(ticket, metric):
    return SlaClock.objects.get(ticket=ticket, metric=metric)


def test_xecuritas_sev2_warns_the_assignee_at_four_hours_and_reports_the_miss_at_six(desk, world):
    """Xecuritas: "2 | Within 4-6 hours after logging the issue": a warning at 4 business
    hours, the target at 6 (Thu 15 Jan 2026 09:00 New York → 13:00 and 15:00)."""
    contact = desk.customer("xecuritas")
    opened = dt.datetime(2026, 1, 15, 9, 0, tzinfo=NEW_YORK)
    ticket = desk.open(contact, "sev2", opened)
    do_assign(world.fiona, ticket, world.sam, now=opened + MINUTE)
    warning_at = dt.datetime(2026, 1, 15, 13, 0, tzinfo=NEW_YORK)
    assert clock(ticket, "first_response").next_check_at == warning_at

    assert sweep_clocks(warning_at - MINUTE) == {}
    assert sweep_clocks(warning_at) == {"tickets": 1, "warnings": 1}
    assert sent("clock_warning", ticket) == ["sam@vendor.example"]
    assert Outbox.objects.get(kind="clock_warning").payload["label"] == "warning at 4 hours"

    due = dt.datetime(2026, 1, 15, 15, 0, tzinfo=NEW_YORK)
    assert clock(ticket, "first_response").next_check_at == due
    # A reply at the due instant itself is on time: the miss is any instant after it.
    assert sweep_clocks(due) == {"tickets": 1}
    assert sweep_clocks(due + SECOND) == {"tickets": 1, "breaches": 1}
    ticket.refresh_from_db()
    # Xecuritas escalates unresolved tickets, not late first responses: the assignee hears.
    assert ticket.escalation_level == 0
    assert sent("clock_breached", ticket) == ["sam@vendor.example"]
    breach = ticket.events.get(kind=TicketEvent.Kind.CLOCK_BREACHED)
    assert (breach.data["metric"], breach.data["rule"]) == ("first_response", [])
    assert clock(ticket, "first_response").next_check_at is None


def test_xecuritas_escalates_an_unresolved_ticket_to_support_management(desk, world):
    """Xecuritas: "Any severity type that cannot be resolved in prescribed response times ...
    will be escalated to Xecuritas technical support management"."""
    contact = desk.customer("xecuritas")
    opened = dt.datetime(2026, 1, 15, 9, 0, tzinfo=NEW_YORK)
    ticket = desk.open(contact, "sev2", opened)
    do_assign(world.fiona, ticket, world.sam, now=opened + MINUTE)
    resolution = clock(ticket, "resolution")
    # 2 business days of 11 hours: Thu 9-19 h, Fri 8-19 h, Mon 8-9 h.
    assert resolution.due_at == dt.datetime(2026, 1, 19, 9, 0, tzinfo=NEW_YORK)

    late = dt.datetime(2026, 1, 20, 12, 0, tzinfo=NEW_YORK)
    counts = sweep_clocks(late)
    assert counts["breaches"] == 2 and counts["escalations"] == 1
    ticket.refresh_from_db()
    assert ticket.escalation_level == 1
    escalated = ticket.events.get(kind=TicketEvent.Kind.ESCALATED)
    assert escalated.actor.email == SYSTEM_EMAIL
    assert escalated.data["rule"] == ["escalation.on_breach[0]"]
    assert escalated.data["metric"] == "resolution"
    assert sent("ticket_escalated", ticket) == ["maria@vendor.example"]
    assert not Outbox.objects.filter(kind="clock_warning").exists()  # moot once breached

    assert sweep_clocks(late + dt.timedelta(days=3)) == {}
    ticket.refresh_from_db()
    assert ticket.escalation_level == 1


def test_an_agent_who_read_the_ticket_before_the_sweep_escalated_it_must_reload(desk, world):
    """The sweep writes escalations in bulk, and still bumps each ticket's version as every
    action does: a change made on the version read before the escalation is refused."""
    contact = desk.customer("xecuritas")
    opened = dt.datetime(2026, 1, 15, 9, 0, tzinfo=NEW_YORK)
    ticket = desk.open(contact, "sev2", opened)
    do_assign(world.fiona, ticket, world.sam, now=opened + MINUTE)
    read = ticket.lock_version

    sweep_clocks(dt.datetime(2026, 1, 20, 12, 0, tzinfo=NEW_YORK))

    ticket.refresh_from_db()
    assert ticket.escalation_level == 1 and ticket.lock_version == read + 1
    with pytest.raises(Conflict):
        do_set_line(world.sam, ticket, "second", reason="needs a specialist", expected_version=read)


def test_allure_escalates_a_missed_first_response_but_keeps_it_on_first_line(desk, world):
    """Allure ties Second Line to first line being "unable to diagnose or resolve", not to a
    missed response time: the breach reaches the managers, and only an agent moves the line."""
    contact = desk.customer("allure")
    opened = dt.datetime(2026, 1, 15, 9, 0, tzinfo=NEW_YORK)
    ticket = desk.open(contact, "sev1", opened)
    do_assign(world.maria, ticket, world.fiona, now=opened + MINUTE)

    assert sweep_clocks(opened + dt.timedelta(hours=1) + SECOND) == {
        "tickets": 1, "breaches": 1, "escalations": 1,
    }  # fmt: skip
    ticket.refresh_from_db()
    assert (ticket.escalation_level, ticket.support_line) == (1, "first")
    assert not ticket.events.filter(kind=TicketEvent.Kind.LINE).exists()
    assert sent("ticket_escalated", ticket) == ["fiona@vendor.example", "maria@vendor.example"]

    later = opened + dt.timedelta(hours=3)
    do_set_line(
        world.fiona, ticket, "second", reason="Unable to diagnose the login loop", now=later
    )
    line = ticket.events.get(kind=TicketEvent.Kind.LINE)
    assert (line.data["previous"], line.data["to"], line.reason) == (
        "first", "second", "Unable to diagnose the login loop",
    )  # fmt: skip


def test_a_policy_that_opts_in_moves_a_missed_first_response_to_second_line(desk, world):
    text = preset_version("allure").source_yaml
    text = text.replace("move_on_breach: false", "move_on_breach: true")
    text = text.replace(
        "      notify: [support_managers, assignee]\n",
        "      notify: [support_managers, assignee]\n      move_to_line: second\n",
        1,
    )
    version = do_store_policy(text.replace('version: "2024"', 'version: "2024-moves"'))
    organization = do_create_organization(
        name="Opted In", kind="customer", account_manager=world.maria
    )
    do_create_contract(
        organization=organization, service_contract_id="C-moves", policy_version=version,
        plan="saas", starts_on=dt.date(2026, 1, 1),
    )  # fmt: skip
    contact = meet_contact_rules(
        do_create_contact(
            organization=organization,
            email="ops@opted.example",
            full_name="Opted Ops",
            authorized=True,
            password=PASSWORD,
        )
    )
    opened = dt.datetime(2026, 1, 15, 9, 0, tzinfo=NEW_YORK)
    ticket = desk.open(contact, "sev1", opened)

    sweep_clocks(opened + dt.timedelta(hours=1) + SECOND)
    ticket.refresh_from_db()
    assert ticket.support_line == "second"


def test_a_warning_for_an_unassigned_ticket_goes_to_the_support_managers(world, desk):
    """senhasegura warns at 75 % of every target."""
    opened = dt.datetime(2026, 1, 15, 10, 0, tzinfo=SAO_PAULO)
    ticket = desk.open(world.alice, "high", opened)  # 4 business hours
    warning_at = opened + dt.timedelta(hours=3)

    assert clock(ticket, "first_response").next_check_at == warning_at
    assert sweep_clocks(warning_at) == {"tickets": 1, "warnings": 1}
    assert sent("clock_warning", ticket) == ["maria@vendor.example"]


def test_sweeping_again_or_in_parallel_acts_once_per_checkpoint(world, desk):
    opened = dt.datetime(2026, 1, 15, 10, 0, tzinfo=SAO_PAULO)
    tickets = [desk.open(world.alice, "high", opened, subject=f"#{i}") for i in range(3)]
    at = opened + dt.timedelta(hours=3, minutes=30)

    assert sweep_clocks(at)["warnings"] == 3
    # A second worker that listed the same clocks before the first stored them:
    SlaClock.objects.filter(ticket__in=tickets, metric="first_response").update(next_check_at=at)
    assert sweep_clocks(at) == {"tickets": 3}
    assert ClockAlert.objects.count() == 3
    assert Outbox.objects.filter(kind="clock_warning").count() == 3


def test_a_paused_clock_waits_and_a_met_clock_is_never_swept(world, desk):
    opened = dt.datetime(2026, 1, 15, 10, 0, tzinfo=SAO_PAULO)
    waiting = desk.open(world.alice, "high", opened, subject="waiting")
    answered = desk.open(world.alice, "high", opened, subject="answered")
    do_change_status(
        world.fiona, waiting, "waiting-on-customer", reason="logs", now=opened + MINUTE
    )
    from pacto.tickets.actions import do_reply

    do_reply(world.fiona, answered, "Looking into it.", now=opened + MINUTE)

    assert clock(waiting, "first_response").next_check_at is None
    assert clock(answered, "first_response").next_check_at is None
    assert sweep_clocks(opened + dt.timedelta(days=30)) == {}


def test_an_idle_sweep_does_nothing(world):
    assert sweep_clocks(dt.datetime(2026, 1, 15, tzinfo=dt.UTC)) == {}
