"""The console's and the portal's casework panels, as agents and customers use them."""

from __future__ import annotations

from pacto.testing import client_for, customer_on, open_ticket
from pacto.tickets.actions import do_open_ticket


def xecuritas_contact(world):
    return customer_on("xecuritas", "Xisto")


def test_the_engineer_sees_what_to_record_the_checklist_and_the_service_contract(world, clock):
    contact = xecuritas_contact(world)
    ticket = do_open_ticket(
        contact, subject="Mail flow stops", body="Queue grows.", severity="sev2", version="7.1",
        details={"hardware_os": "Linux", "obtained_result": "queue", "circumstances": "patch"},
    )  # fmt: skip
    page = client_for(world.fiona).get(f"/console/tickets/{ticket.pk}/").content.decode()
    assert "C-Xisto" in page
    assert "Still to be recorded by the engineer" in page
    assert "Initial recommendation by the engineer" in page
    assert "Review and verify system configuration" in page
    response = client_for(world.fiona).post(
        f"/console/tickets/{ticket.pk}/checklist/",
        {"checklist": "initial-contact", "item": "0", "note": "two MTAs, one relay"},
    )
    assert response.status_code == 302
    page = client_for(world.fiona).get(f"/console/tickets/{ticket.pk}/").content.decode()
    assert "two MTAs, one relay" in page
    # The customer's page shows the contract too, never the checklist notes.
    portal = client_for(contact).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "C-Xisto" in portal and "two MTAs, one relay" not in portal


def test_an_agent_corrects_the_channel_and_the_timeline_says_who_and_why(world, clock):
    ticket = open_ticket(world.alice, severity="urgent")
    response = client_for(world.fiona).post(
        f"/console/tickets/{ticket.pk}/correct/",
        {"field": "channel", "value": "phone", "reason": "customer called", "at": ""},
    )
    assert response.status_code == 302
    page = client_for(world.fiona).get(f"/console/tickets/{ticket.pk}/").content.decode()
    assert "Channel changed to Phone at 13:00 by Fiona First: customer called" in page


def test_a_customer_corrects_a_detail_on_the_portal_but_not_the_channel(world, clock):
    ticket = open_ticket(world.alice)
    client = client_for(world.alice)
    assert (
        "Correct a detail of your report" in client.get(f"/tickets/{ticket.pk}/").content.decode()
    )
    response = client.post(f"/tickets/{ticket.pk}/correct/",
                           {"field": "hardware_os", "value": "RHEL 9", "reason": "typo"})  # fmt: skip
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.hardware_os == "RHEL 9"
    refused = client.post(f"/tickets/{ticket.pk}/correct/",
                          {"field": "channel", "value": "phone", "reason": "x"})  # fmt: skip
    assert refused.status_code == 403


def test_a_bad_correction_is_a_page_naming_the_rule_not_a_500(world, clock):
    ticket = open_ticket(world.alice)
    response = client_for(world.fiona).post(
        f"/console/tickets/{ticket.pk}/correct/",
        {"field": "channel", "value": "phone", "reason": "", "at": "yesterday"},
    )
    assert response.status_code == 422


def test_other_organizations_and_customers_cannot_reach_the_panels(world, clock):
    ticket = open_ticket(world.alice)
    stranger = client_for(world.carol).post(
        f"/tickets/{ticket.pk}/correct/", {"field": "steps", "value": "x", "reason": "y"}
    )
    assert stranger.status_code == 404
    customer_on_console = client_for(world.alice).post(
        f"/console/tickets/{ticket.pk}/correct/", {"field": "steps", "value": "x", "reason": "y"}
    )
    assert customer_on_console.status_code == 403
    anonymous = client_for().post(f"/tickets/{ticket.pk}/correct/", {"field": "steps"})
    assert anonymous.status_code == 302
