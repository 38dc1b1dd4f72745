"""Who reads a reason: an agent's reason stays with the vendor's staff unless the agent marks
it public; a contact's own reason is theirs to read. As the customer (portal, API, email)
and the staff (console) would notice it."""

from __future__ import annotations

from pacto.notifications.models import Outbox
from pacto.notifications.render import build_email
from pacto.testing import client_for, open_ticket, text
from pacto.tickets.actions import (
    do_change_status,
    do_correct_ticket,
    do_escalate,
    do_reopen,
)
from pacto.tickets.tests.test_api import ApiClient

PRIVATE = "the customer is being difficult"
SHARED = "we need the HA logs to go on"


def portal(world, ticket) -> str:
    return text(client_for(world.alice).get(f"/tickets/{ticket.pk}/"))


def console(world, ticket) -> str:
    return text(client_for(world.fiona).get(f"/console/tickets/{ticket.pk}/"))


def history_reasons(client: ApiClient, ticket) -> list[str]:
    """The reasons in a ticket's API answer and in its history pages, as ``client`` reads them."""
    answer = client.get(f"/api/tickets/{ticket.pk}").json()
    page = client.get(f"/api/tickets/{ticket.pk}/events").json()
    return [e["reason"] for e in answer["events"] + page["items"]]


def test_an_agents_status_reason_is_internal_unless_she_marks_it_public(world, clock):
    ticket = open_ticket(world.alice)
    do_change_status(world.fiona, ticket, "pending", reason=PRIVATE)
    do_change_status(world.fiona, ticket, "waiting-on-customer", reason=SHARED, reason_public=True)

    page = portal(world, ticket)
    assert "Status: New → In progress" in page  # the change itself is shown
    assert PRIVATE not in page
    assert f"“{SHARED}”" in page

    staff_page = console(world, ticket)
    assert f"“{PRIVATE}” internal" in staff_page
    assert f"“{SHARED}” shown to the customer" in staff_page


def test_the_customers_api_leaves_out_an_agents_private_reason(world, clock):
    ticket = open_ticket(world.alice)
    do_change_status(world.fiona, ticket, "pending", reason=PRIVATE)
    do_change_status(world.fiona, ticket, "waiting-on-customer", reason=SHARED, reason_public=True)

    alice = history_reasons(ApiClient(world.alice), ticket)
    assert PRIVATE not in alice
    assert SHARED in alice
    staff = history_reasons(ApiClient(world.fiona), ticket)
    assert PRIVATE in staff and SHARED in staff


def test_an_agent_marks_a_reason_public_through_the_api(world, clock):
    ticket = open_ticket(world.alice)
    fiona = ApiClient(world.fiona)

    quiet = fiona.post(f"/api/tickets/{ticket.pk}/severity",
                       {"severity": "urgent", "reason": PRIVATE})  # fmt: skip
    shared = fiona.post(f"/api/tickets/{ticket.pk}/status",
                        {"status": "pending", "reason": SHARED, "reason_public": True})  # fmt: skip

    assert (quiet.status_code, shared.status_code) == (200, 200)
    alice = history_reasons(ApiClient(world.alice), ticket)
    assert SHARED in alice and PRIVATE not in alice


def test_the_consoles_box_lets_the_customer_read_the_reason(world, clock):
    ticket = open_ticket(world.alice)
    fiona = client_for(world.fiona)

    fiona.post(f"/console/tickets/{ticket.pk}/status/", {"status": "pending", "reason": PRIVATE})
    fiona.post(
        f"/console/tickets/{ticket.pk}/status/",
        {"status": "waiting-on-customer", "reason": SHARED, "reason_public": "on"},
    )

    assert "Show this reason to the customer" in console(world, ticket)
    page = portal(world, ticket)
    assert PRIVATE not in page and f"“{SHARED}”" in page


def test_the_one_step_reply_keeps_its_reason_internal_unless_ticked(world, clock):
    ticket = open_ticket(world.alice)
    fiona = client_for(world.fiona)
    url = f"/console/tickets/{ticket.pk}/reply/"

    fiona.post(url, {"visibility": "public", "status": "pending", "reason": PRIVATE,
                     "version": ticket.lock_version})  # fmt: skip
    ticket.refresh_from_db()
    fiona.post(url, {"visibility": "public", "status": "waiting-on-customer", "reason": SHARED,
                     "reason_public": "on", "version": ticket.lock_version})  # fmt: skip

    page = portal(world, ticket)
    assert "In progress" in page and "Waiting" in page
    assert PRIVATE not in page and f"“{SHARED}”" in page


def test_alice_reads_her_own_reopen_and_escalation_reasons(world, clock):
    ticket = open_ticket(world.alice)
    do_change_status(world.fiona, ticket, "solved", reason="fixed the cache")
    do_reopen(world.alice, ticket, reason="It happened again this morning")
    do_escalate(world.alice, ticket, reason="Our audit is on Friday")

    page = portal(world, ticket)
    assert "“It happened again this morning”" in page
    assert "“Our audit is on Friday”" in page
    assert "fixed the cache" not in page
    alice = history_reasons(ApiClient(world.alice), ticket)
    assert {"It happened again this morning", "Our audit is on Friday"} <= set(alice)


def test_an_agents_escalation_reason_stays_with_the_staff(world, clock):
    ticket = open_ticket(world.alice)
    do_escalate(world.fiona, ticket, reason=PRIVATE, to="management")

    page = portal(world, ticket)
    assert "Escalated to support management" in page
    assert PRIVATE not in page
    assert f"“{PRIVATE}” internal" in console(world, ticket)


def test_the_clocks_of_the_portal_omit_a_private_correction_reason(world, clock):
    ticket = open_ticket(world.alice, severity="urgent")
    do_correct_ticket(world.fiona, ticket, "channel", "phone", reason="she sounded annoyed")

    page = portal(world, ticket)
    assert "Channel changed to Phone at 10:00 by Fiona First" in page  # the timeline's mark
    assert "channel changed to Phone (by Fiona First):" in page  # the clock's explanation
    assert "she sounded annoyed" not in page
    assert "by Fiona First: she sounded annoyed" in console(world, ticket)


def test_a_public_correction_reason_is_on_the_portals_clocks(world, clock):
    ticket = open_ticket(world.alice, severity="urgent")
    do_correct_ticket(world.fiona, ticket, "channel", "phone", reason="you phoned us",
                      reason_public=True)  # fmt: skip

    assert "by Fiona First: you phoned us" in portal(world, ticket)


def test_the_status_email_to_the_customer_omits_a_private_reason(world, clock):
    ticket = open_ticket(world.alice)
    do_change_status(world.fiona, ticket, "pending", reason=PRIVATE)
    do_change_status(world.fiona, ticket, "waiting-on-customer", reason=SHARED, reason_public=True)

    quiet, shared = Outbox.objects.filter(kind="status_changed", ticket=ticket).order_by("id")
    assert quiet.recipient == shared.recipient == "alice@azul.example"
    quiet_mail, shared_mail = build_email(quiet), build_email(shared)
    assert PRIVATE not in quiet_mail.body + str(quiet_mail.alternatives)
    assert "Reason:" not in quiet_mail.body
    assert f"Reason: {SHARED}" in shared_mail.body
