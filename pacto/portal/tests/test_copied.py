"""People copied on a ticket, as the customer (portal, API) and the staff (console) notice it:
the "People copied" card lists them, adds and removes one; the history says so; a refused
address is a 422 naming the field; a contact of another organization sees nothing (404)."""

from __future__ import annotations

from pacto.notifications.models import Outbox
from pacto.testing import client_for, open_ticket, text
from pacto.tickets.actions import do_add_cc, do_reply
from pacto.tickets.models import MAX_CCS_PER_TICKET, TicketCc
from pacto.tickets.tests.test_api import ApiClient

NOC = "noc@integrator.example"


def page(user, ticket) -> str:
    return text(client_for(user).get(f"/tickets/{ticket.pk}/"))


def test_alice_copies_an_outside_address_from_the_ticket_page_and_removes_it(world, clock):
    ticket = open_ticket(world.alice)
    alice = client_for(world.alice)

    added = alice.post(f"/tickets/{ticket.pk}/cc/", {"email": " NOC@Integrator.example "})
    assert added.status_code == 302
    shown = page(world.alice, ticket)
    assert "People copied" in shown and NOC in shown
    assert f"{NOC} copied on the ticket" in shown  # the history line

    removed = alice.post(f"/tickets/{ticket.pk}/cc/remove/", {"email": NOC})
    assert removed.status_code == 302
    shown = page(world.alice, ticket)
    assert f"{NOC} no longer copied" in shown
    assert "Nobody is copied." in shown
    assert not TicketCc.objects.filter(ticket=ticket).exists()


def test_a_refused_address_is_shown_on_the_form_with_422(world, clock):
    ticket = open_ticket(world.alice)
    alice = client_for(world.alice)
    do_add_cc(world.alice, ticket, NOC)

    cases = {
        "not an address": "Enter a valid email address.",
        NOC: "This address is already copied.",
        "alice@azul.example": "The requester already receives every reply.",
    }
    for address, error in cases.items():
        response = alice.post(f"/tickets/{ticket.pk}/cc/", {"email": address})
        assert response.status_code == 422, address
        assert error in text(response)
    assert list(ticket.ccs.values_list("email", flat=True)) == [NOC]


def test_a_ticket_copies_at_most_the_named_number_of_people(world, clock):
    ticket = open_ticket(world.alice)
    for n in range(MAX_CCS_PER_TICKET):
        do_add_cc(world.alice, ticket, f"person{n}@integrator.example")

    response = client_for(world.alice).post(f"/tickets/{ticket.pk}/cc/", {"email": NOC})

    assert response.status_code == 422
    assert f"at most {MAX_CCS_PER_TICKET} people" in text(response)


def test_a_contact_of_another_organization_can_neither_see_nor_change_the_copies(world, clock):
    ticket = open_ticket(world.alice)
    do_add_cc(world.alice, ticket, NOC)
    carol = client_for(world.carol)

    assert carol.get(f"/tickets/{ticket.pk}/").status_code == 404
    assert carol.post(f"/tickets/{ticket.pk}/cc/", {"email": "x@verde.example"}).status_code == 404
    assert carol.post(f"/tickets/{ticket.pk}/cc/remove/", {"email": NOC}).status_code == 404
    api = ApiClient(world.carol)
    assert api.get(f"/api/tickets/{ticket.pk}/cc").status_code == 404
    assert api.post(f"/api/tickets/{ticket.pk}/cc", {"email": "x@verde.example"}).status_code == 404
    assert api.request("DELETE", f"/api/tickets/{ticket.pk}/cc/{NOC}").status_code == 404
    assert list(ticket.ccs.values_list("email", flat=True)) == [NOC]


def test_the_api_adds_lists_and_removes_copies(world, clock):
    ticket = open_ticket(world.alice)
    api = ApiClient(world.alice)

    added = api.post(f"/api/tickets/{ticket.pk}/cc", {"email": "Bob@Azul.example"})
    assert added.status_code == 201
    assert added.json()["email"] == "bob@azul.example"
    assert added.json()["user"]["full_name"] == "Bob Unauthorized"  # a colleague: his account
    api.post(f"/api/tickets/{ticket.pk}/cc", {"email": NOC})
    listed = api.get(f"/api/tickets/{ticket.pk}/cc").json()
    assert [(c["email"], c["user"]) for c in listed][1] == (NOC, None)

    refused = api.post(f"/api/tickets/{ticket.pk}/cc", {"email": "nope"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "email"

    left = api.request("DELETE", f"/api/tickets/{ticket.pk}/cc/{NOC}")
    assert left.status_code == 200
    assert [c["email"] for c in left.json()] == ["bob@azul.example"]
    missing = api.request("DELETE", f"/api/tickets/{ticket.pk}/cc/{NOC}")
    assert (missing.status_code, missing.json()["detail"][0]["field"]) == (422, "email")


def test_an_agent_sees_and_changes_the_copies_in_the_console(world, clock):
    ticket = open_ticket(world.alice)
    fiona = client_for(world.fiona)

    assert fiona.post(f"/console/tickets/{ticket.pk}/cc/", {"email": NOC}).status_code == 302
    shown = text(fiona.get(f"/console/tickets/{ticket.pk}/"))
    assert "People copied" in shown and NOC in shown

    assert fiona.post(f"/console/tickets/{ticket.pk}/cc/remove/", {"email": NOC}).status_code == 302
    assert not ticket.ccs.exists()


def test_only_what_the_requester_gets_goes_to_the_copies(world, clock):
    ticket = open_ticket(world.alice)
    do_add_cc(world.alice, ticket, NOC)

    do_reply(world.fiona, ticket, "An internal note", public=False)
    do_reply(world.fiona, ticket, "A public answer")
    do_reply(world.alice, ticket, "Alice answers")  # to the assignee, not to the copies

    copied = Outbox.objects.filter(recipient=NOC)
    assert list(copied.values_list("kind", flat=True)) == ["agent_reply"]
    assert copied.get().recipient_user is None


def test_an_outside_address_reads_the_customers_language(world, clock):
    from pacto.notifications.render import build_email
    from pacto.portal.actions import do_set_preferences

    for person in (world.alice, world.amelia):
        do_set_preferences(person, language="pt-br", time_zone="America/Sao_Paulo")
    ticket = open_ticket(world.alice)
    do_add_cc(world.alice, ticket, NOC)
    do_reply(world.fiona, ticket, "Pode enviar o log?")

    email = build_email(Outbox.objects.get(recipient=NOC))
    assert email.subject.startswith(f"[#{ticket.pk}] Nova resposta:")
    assert "O suporte respondeu ao seu chamado." in email.body


def test_a_reply_from_a_copied_address_shows_that_address_as_its_sender(world, clock):
    from pacto.tickets.actions import do_cc_reply

    ticket = open_ticket(world.alice)
    cc = do_add_cc(world.alice, ticket, NOC)
    do_cc_reply(cc, "Restarted on our side.")

    for shown in (
        page(world.alice, ticket),
        text(client_for(world.fiona).get(f"/console/tickets/{ticket.pk}/")),
    ):
        assert f"{NOC} " in shown and "Restarted on our side." in shown
    items = ApiClient(world.alice).get(f"/api/tickets/{ticket.pk}/messages").json()["items"]
    [message] = [m for m in items if m["body_text"] == "Restarted on our side."]
    assert (message["author"], message["from_email"]) == (None, NOC)
