"""A closed ticket offers "open a follow-up": a new ticket, prefilled, linked both ways."""

from __future__ import annotations

import pytest

from pacto.errors import ActionError
from pacto.testing import client_for, open_ticket, problem_form, text
from pacto.tickets.actions import do_change_status, do_confirm_resolution, do_open_ticket
from pacto.tickets.models import Ticket, TicketEvent


def closed_ticket(world):
    ticket = open_ticket(world.alice, subject="Vault error after upgrade")
    do_change_status(world.fiona, ticket, "solved", reason="cache rebuilt")
    do_confirm_resolution(world.alice, ticket)
    ticket.refresh_from_db()
    assert ticket.status_category == "closed"
    return ticket


def test_a_closed_ticket_offers_alice_a_follow_up(world, clock):
    ticket = closed_ticket(world)

    page = client_for(world.alice).get(f"/tickets/{ticket.pk}/").content.decode()

    assert f'href="/tickets/new/?continues={ticket.pk}"' in page


def test_an_open_ticket_offers_none(world, clock):
    ticket = open_ticket(world.alice)

    page = client_for(world.alice).get(f"/tickets/{ticket.pk}/").content.decode()

    assert "?continues=" not in page


def test_the_follow_up_form_starts_from_the_closed_ticket(world, clock):
    ticket = closed_ticket(world)

    response = client_for(world.alice).get(f"/tickets/new/?continues={ticket.pk}")

    page = response.content.decode()
    assert response.status_code == 200
    assert f"Follow-up to #{ticket.pk}: Vault error after upgrade" in page
    assert f'name="continues" value="{ticket.pk}"' in page


def test_sending_it_links_both_tickets_on_both_sides(world, clock):
    previous = closed_ticket(world)

    response = client_for(world.alice).post(
        "/tickets/new/", {**problem_form(subject="It is back"), "continues": previous.pk}
    )

    follow_up = Ticket.objects.get(subject="It is back")
    assert response.status_code == 302
    assert follow_up.continues == previous
    opened = TicketEvent.objects.get(ticket=follow_up, kind="opened")
    assert opened.data["continues"] == previous.pk
    for client, prefix in ((client_for(world.alice), ""), (client_for(world.fiona), "/console")):
        new_page = text(client.get(f"{prefix}/tickets/{follow_up.pk}/"))
        old_page = text(client.get(f"{prefix}/tickets/{previous.pk}/"))
        assert f"Follow-up to #{previous.pk} Vault error after upgrade" in new_page
        assert f"Followed up in #{follow_up.pk} It is back" in old_page


def test_a_customer_of_another_organization_cannot_follow_up_alices_ticket(world, clock):
    previous = closed_ticket(world)

    form = client_for(world.carol).get(f"/tickets/new/?continues={previous.pk}")
    sent = client_for(world.carol).post(
        "/tickets/new/", {**problem_form(subject="Not mine"), "continues": previous.pk}
    )

    assert form.status_code == 404 and sent.status_code == 404
    assert not Ticket.objects.filter(subject="Not mine").exists()


def test_only_a_closed_ticket_of_the_same_organization_is_followed_up(world, clock):
    still_open = open_ticket(world.alice)
    verde_closed = open_ticket(world.carol)

    with pytest.raises(ActionError) as refused:
        open_ticket(world.alice, continues=still_open)
    assert (refused.value.field, refused.value.rule) == ("continues", "follow_up_closed")
    with pytest.raises(ActionError) as foreign:
        do_open_ticket(
            world.carol, subject="x", body="y", severity=verde_closed.severity,
            continues=closed_ticket(world),
        )  # fmt: skip
    assert (foreign.value.field, foreign.value.rule) == ("continues", "follow_up_organization")


def test_sending_a_follow_up_of_an_open_ticket_says_why_in_the_form(world, clock):
    still_open = open_ticket(world.alice)

    response = client_for(world.alice).post(
        "/tickets/new/", {**problem_form(subject="Again"), "continues": still_open.pk}
    )

    assert response.status_code == 422
    assert "Only a closed ticket takes a follow-up" in text(response)
