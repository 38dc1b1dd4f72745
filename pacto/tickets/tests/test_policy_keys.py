"""No policy key is validated and then ignored: whom a customer's escalation notifies, and
whether a downgrade needs a reason, are the policy's to say."""

from __future__ import annotations

import datetime as dt

import pytest

from pacto import testing
from pacto.contracts.actions import do_store_policy, preset_version
from pacto.errors import ActionError
from pacto.notifications.models import Outbox
from pacto.tickets.actions import do_assign, do_change_severity, do_escalate, do_open_ticket

NOW = dt.datetime(2026, 1, 15, 13, 0, tzinfo=dt.UTC)


def customer_on(world, text: str, name: str):
    return testing.customer_on(
        do_store_policy(text), name, email=f"ops@{name.lower()}.example",
        account_manager=world.maria,
    )  # fmt: skip


def xecuritas_with(old: str, new: str, version: str) -> str:
    text = preset_version("xecuritas").source_yaml
    assert old in text
    return text.replace(old, new).replace('version: "2010"', f'version: "{version}"')


def test_a_customer_escalation_notifies_whom_the_policy_names(world):
    text = xecuritas_with(
        "customer_escalation_notifies: [account_manager]",
        "customer_escalation_notifies: [support_managers, assignee]",
        "2010-esc",
    )
    contact = customer_on(world, text, "Escalates")
    ticket = do_open_ticket(
        contact, subject="Scans stall", body="Since Monday.", severity="sev3", type="question",
        now=NOW,
    )  # fmt: skip
    do_assign(world.fiona, ticket, world.sam, now=NOW)
    do_escalate(contact, ticket, reason="No progress for two days", now=NOW)

    recipients = set(
        Outbox.objects.filter(ticket=ticket, kind="ticket_escalated").values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {"maria@vendor.example", "sam@vendor.example"}


def test_a_downgrade_needs_a_reason_unless_the_policy_waives_it(world):
    strict = customer_on(world, preset_version("xecuritas").source_yaml, "Strict")
    ticket = do_open_ticket(
        strict, subject="Slow", body="Slow scans.", severity="sev2", type="question", now=NOW
    )
    with pytest.raises(ActionError) as caught:
        do_change_severity(world.fiona, ticket, "sev3", reason="", now=NOW)
    assert caught.value.field == "reason"

    text = xecuritas_with(
        "  downgrade_requires_reason: true", "  downgrade_requires_reason: false", "2010-down"
    )
    lenient = customer_on(world, text, "Lenient")
    ticket = do_open_ticket(
        lenient, subject="Slow", body="Slow scans.", severity="sev2", type="question", now=NOW
    )
    do_change_severity(world.fiona, ticket, "sev3", reason="", now=NOW)
    ticket.refresh_from_db()
    assert ticket.severity == "sev3"
    with pytest.raises(ActionError):  # an upgrade still says why
        do_change_severity(world.fiona, ticket, "sev1", reason="", now=NOW)
