"""Hypercare as a contract state (&money): from go-live for the agreed weeks, extended when
both parties agree, concluded by data checks, two sign-offs and a transition record; while
active, a High incident is answered on the Highest priority's timeline."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pacto.availability.actions import (
    do_answer_extension,
    do_conclude_hypercare,
    do_propose_extension,
    do_send_status_report,
    do_sign_off,
)
from pacto.availability.models import HypercareReport
from pacto.availability.sweeps import sweep_hypercare
from pacto.contracts.models import HypercareEvent
from pacto.errors import ActionError, NotAllowed
from pacto.notifications.models import Outbox
from pacto.tickets.actions import do_open_ticket

CPH = ZoneInfo("Europe/Copenhagen")


def at(month, day, hour, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=CPH)


def first_response_due(ticket):
    ticket.refresh_from_db()
    return ticket.clocks.get(metric="first_response").due_at.astimezone(CPH)


def open_high(contact, now):
    return do_open_ticket(
        contact, subject="Synchronization stopped", body="Users are not synchronized.",
        severity="high", now=now,
    )  # fmt: skip


def test_a_high_incident_during_hypercare_is_due_on_the_highest_timeline(nordlys):
    ticket = open_high(nordlys.dagny, at(6, 3, 10))  # hypercare: 1 to 14 June

    assert first_response_due(ticket) == at(6, 3, 11)  # 1 business hour, not 4


def test_after_the_agreed_weeks_a_high_incident_gets_the_standard_four_hours(nordlys):
    ticket = open_high(nordlys.dagny, at(6, 15, 10))

    assert first_response_due(ticket) == at(6, 15, 14)


def test_an_extension_is_proposed_by_the_vendor_and_accepted_by_the_customers_admin(
    world, nordlys, django_capture_on_commit_callbacks
):
    extension = do_propose_extension(
        world.maria, nordlys.contract, weeks=1, reason="Sync errors last week", now=at(6, 10, 9)
    )
    with pytest.raises(NotAllowed):
        do_answer_extension(nordlys.erik, extension, accept=True, now=at(6, 10, 10))
    with django_capture_on_commit_callbacks(execute=True):
        do_answer_extension(nordlys.dagny, extension, accept=True, now=at(6, 10, 11))

    nordlys.contract.refresh_from_db()
    assert nordlys.contract.hypercare_until() == dt.date(2026, 6, 21)
    kinds = list(
        HypercareEvent.objects.filter(contract=nordlys.contract).values_list("kind", flat=True)
    )
    assert kinds == ["extension_proposed", "extension_accepted"]
    assert Outbox.objects.filter(kind="hypercare_extension_proposed", recipient_user=nordlys.dagny)
    # A High incident in the extension week is still on the hypercare timeline.
    assert first_response_due(open_high(nordlys.dagny, at(6, 16, 10))) == at(6, 16, 11)


def test_hypercare_rules_stop_applying_the_day_after_it_concludes_not_before(
    world, nordlys, django_capture_on_commit_callbacks
):
    contract = nordlys.contract
    extension = do_propose_extension(
        world.maria, contract, weeks=2, reason="Stability", now=at(6, 10, 9)
    )
    do_answer_extension(nordlys.dagny, extension, accept=True, now=at(6, 10, 11))
    do_sign_off(world.maria, contract, note="Stable for a week", now=at(6, 16, 9))
    do_sign_off(nordlys.dagny, contract, note="Agreed", now=at(6, 16, 10))
    with django_capture_on_commit_callbacks(execute=True):
        transition = do_conclude_hypercare(
            world.maria, contract, notes="Handover", now=at(6, 17, 9)
        )

    assert transition.checks["no_critical_open"] and transition.checks["operational_for_minimum"]
    contract.refresh_from_db()
    assert contract.hypercare_until() == dt.date(2026, 6, 17)
    # The day of conclusion is still hypercare ...
    late_on_the_day = open_high(nordlys.dagny, at(6, 17, 15, 30))
    assert first_response_due(late_on_the_day) == at(6, 18, 8, 30)  # 1 business hour
    # ... the next day is standard support.
    next_day = open_high(nordlys.dagny, at(6, 18, 9))
    assert first_response_due(next_day) == at(6, 18, 13)  # 4 business hours
    # At midnight the open ticket of the conclusion day moves to the standard target,
    # keeping the 30 business minutes it had used.
    with django_capture_on_commit_callbacks(execute=True):
        sweep_hypercare(at(6, 18, 0, 5))
    assert first_response_due(late_on_the_day) == at(6, 18, 11, 30)
    kinds = set(HypercareEvent.objects.filter(contract=contract).values_list("kind", flat=True))
    assert {"signed_off", "concluded"} <= kinds


def test_hypercare_does_not_conclude_with_a_critical_incident_open(world, nordlys):
    contract = nordlys.contract
    do_open_ticket(
        nordlys.dagny, subject="All users locked out", body="Nobody can sign in.",
        severity="highest", now=at(6, 12, 9),
    )  # fmt: skip
    do_sign_off(world.maria, contract, now=at(6, 12, 10))
    do_sign_off(nordlys.dagny, contract, now=at(6, 12, 11))

    with pytest.raises(ActionError) as refused:
        do_conclude_hypercare(world.maria, contract, now=at(6, 15, 9))
    assert refused.value.rule == "no_critical_open"


def test_hypercare_does_not_conclude_before_two_weeks_of_operation(world, nordlys):
    do_sign_off(world.maria, nordlys.contract, now=at(6, 8, 10))
    do_sign_off(nordlys.dagny, nordlys.contract, now=at(6, 8, 11))

    with pytest.raises(ActionError) as refused:
        do_conclude_hypercare(world.maria, nordlys.contract, now=at(6, 10, 9))
    assert refused.value.rule == "operational_for_minimum"


def test_a_weekly_status_report_goes_to_the_customer_and_stays_in_the_portal(world, nordlys):
    open_high(nordlys.dagny, at(6, 3, 10))

    summary = sweep_hypercare(at(6, 8, 0, 30))
    again = sweep_hypercare(at(6, 8, 1, 30))

    assert summary["reports"] == 1 and again["reports"] == 0
    report = HypercareReport.objects.get(contract=nordlys.contract)
    assert report.period_end == dt.datetime(2026, 6, 8, tzinfo=CPH)
    assert len(report.open_incidents) == 1
    rows = Outbox.objects.filter(kind="hypercare_report")
    assert {r.recipient_user for r in rows} >= {nordlys.dagny, nordlys.erik}
    assert do_send_status_report(nordlys.contract, period_end=report.period_end) == report
