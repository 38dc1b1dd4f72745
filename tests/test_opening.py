"""Who may open a ticket for whom: one rule, one message, whichever door is used."""

from __future__ import annotations

import pytest
from django.utils import timezone

from pacto.errors import ActionError, NotAllowed
from pacto.testing import client_for, problem_form
from pacto.tickets.actions import do_open_ticket
from pacto.tickets.opening import check_opening


def today():
    return timezone.now().date()  # the world's contracts run all year


def test_a_contact_opens_for_their_own_organization_under_its_contract(world):
    opening = check_opening(world.alice, None, None, today())

    assert (opening.requester, opening.customer, opening.partner) == (world.alice, world.azul, None)
    assert opening.contract.service_contract_id == "AZUL-2026"


def test_a_contact_cannot_open_for_a_colleague(world):
    with pytest.raises(NotAllowed) as refusal:
        check_opening(world.alice, world.amelia, None, today())

    assert refusal.value.field == "requester"


def test_an_agent_must_say_which_contact_called(world):
    with pytest.raises(ActionError) as refusal:
        check_opening(world.fiona, None, None, today())

    assert (refusal.value.field, refusal.value.rule) == ("requester", "required")


def test_a_partner_contact_opens_for_the_customer_served_and_is_recorded_as_partner(world):
    opening = check_opening(world.paul, None, world.azul, today())

    assert (opening.customer, opening.partner) == (world.azul, world.parceira)


def test_a_partner_who_names_no_customer_hears_the_same_words_at_every_door(world, clock):
    message = "Choose the customer this ticket is for."
    with pytest.raises(ActionError) as by_action:
        do_open_ticket(world.paul, subject="Vault down", body="It is down.", severity="high")
    console = client_for(world.fiona).get(f"/console/new/?requester={world.paul.pk}")

    assert (by_action.value.field, by_action.value.message) == ("organization", message)
    assert console.status_code == 422 and message in console.content.decode()


def test_a_partner_that_serves_no_customer_is_told_so_in_the_portal(world, clock):
    world.parceira.served_customers.clear()

    response = client_for(world.paul).post("/tickets/new/", problem_form())

    assert response.status_code == 403
    assert "Parceira Integradora serves no customer yet." in response.content.decode()
