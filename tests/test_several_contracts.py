"""A customer with several contracts in force (different products, so the overlap rule lets
them be): every way of opening a ticket says which one, and nothing is picked silently.

Banco Azul holds AZUL-2026 (senhasegura PAM, senhasegura's policy) and, here, AZUL-SCAN
(Xecuritas Scanner, Xecuritas's policy); Verde Energia holds VERDE-2026 only.
"""

from __future__ import annotations

import pytest

from pacto.contracts.actions import do_create_contract, preset_version
from pacto.errors import ActionError
from pacto.testing import PROBLEM_DETAILS, client_for, open_ticket, problem_form, text
from pacto.tickets.actions import do_change_status, do_confirm_resolution
from pacto.tickets.models import Ticket
from pacto.tickets.tests.test_api import ApiClient, fields, problem

pytestmark = pytest.mark.django_db

# What Xecuritas asks of a problem report besides senhasegura's details.
SCANNER_DETAILS = {**PROBLEM_DETAILS, "hardware_os": "Debian 12 on 8 cores"}


@pytest.fixture
def scanner(world, clock):
    return do_create_contract(
        organization=world.azul, service_contract_id="AZUL-SCAN",
        policy_version=preset_version("xecuritas"), plan="standard",
        starts_on=world.azul_contract.starts_on, products=[("Xecuritas Scanner", "", 2)],
    )  # fmt: skip


def test_the_action_refuses_to_guess_between_two_contracts(world, scanner):
    with pytest.raises(ActionError) as refused:
        open_ticket(world.alice, product="")
    assert (refused.value.field, refused.value.rule) == ("contract", "contract_named")
    # The message lists what to choose from, by product.
    assert "senhasegura PAM (AZUL-2026)" in refused.value.message
    assert "Xecuritas Scanner (AZUL-SCAN)" in refused.value.message

    by_product = open_ticket(
        world.alice, product="xecuritas scanner", severity="sev3", details=SCANNER_DETAILS
    )
    assert by_product.contract == scanner
    assert by_product.policy_version.policy_id == "xecuritas"
    by_contract = open_ticket(world.alice, contract="AZUL-2026")
    assert by_contract.contract == world.azul_contract


def test_a_product_no_contract_covers_is_refused_naming_the_product(world, scanner):
    with pytest.raises(ActionError) as refused:
        open_ticket(world.alice, product="Something Else")
    assert (refused.value.field, refused.value.rule) == ("product", "covered_by_one_contract")
    assert "Something Else" in refused.value.message


def test_one_contract_in_force_needs_no_choice(world, clock):
    ticket = open_ticket(world.carol, product="", severity="low", version="")
    assert ticket.contract == world.verde_contract


def test_the_api_takes_the_contract_or_the_product_and_says_which_field_is_missing(world, scanner):
    alice = ApiClient(world.alice)

    ambiguous = alice.post("/api/tickets", problem(product=""))
    assert ambiguous.status_code == 422
    assert fields(ambiguous) == [("contract", "contract_named")]
    assert "AZUL-SCAN" in ambiguous.json()["detail"][0]["message"]

    chosen = alice.post(
        "/api/tickets",
        problem(product="", contract="AZUL-SCAN", severity="sev3", hardware_os="Debian 12"),
    )
    assert chosen.status_code == 201, chosen.json()
    assert chosen.json()["policy"].startswith("xecuritas@")

    by_product = alice.post("/api/tickets", problem(product="senhasegura PAM"))
    assert by_product.status_code == 201, by_product.json()
    assert by_product.json()["policy"].startswith("senhasegura@")


def test_another_organizations_contract_reads_as_unknown(world, scanner):
    """Carol (Verde) names Azul's contract: refused as if it did not exist, nothing opened."""
    response = ApiClient(world.carol).post(
        "/api/tickets", problem(contract="AZUL-SCAN", severity="low", version="")
    )
    assert response.status_code == 422
    assert fields(response) == [("contract", "active_contract_of_customer")]
    assert (
        "Verde Energia has no active contract AZUL-SCAN" in response.json()["detail"][0]["message"]
    )
    # And by id, from the portal: the chooser answers with the error, not the other contract.
    page = client_for(world.carol).get("/tickets/new/", {"contract": scanner.pk})
    assert page.status_code == 422
    assert "has no active contract" in text(page)
    assert "Xecuritas Scanner" not in text(page)
    assert not Ticket.objects.filter(organization=world.verde).exists()


def test_the_portal_asks_which_product_then_opens_under_that_contract(world, scanner):
    alice = client_for(world.alice)

    first = alice.get("/tickets/new/")
    assert first.status_code == 200
    page = text(first)
    assert "Which product is this ticket about?" in page
    assert "senhasegura PAM (AZUL-2026)" in page and "Xecuritas Scanner (AZUL-SCAN)" in page
    assert 'name="subject"' not in first.content.decode()  # no form before the choice

    form = alice.get("/tickets/new/", {"contract": scanner.pk})
    assert form.status_code == 200
    assert "This ticket is about Xecuritas Scanner." in text(form)
    assert "Xecuritas" in text(form) and f'name="contract" value="{scanner.pk}"' in (
        form.content.decode()
    )

    answer = alice.post(
        f"/tickets/new/?contract={scanner.pk}",
        problem_form(
            contract=scanner.pk,
            severity="sev3",
            product="Xecuritas Scanner",
            version="2.0",
            hardware_os="Debian 12",
        ),
    )
    assert answer.status_code == 302, text(answer)
    ticket = Ticket.objects.get(subject=problem_form()["subject"])
    assert ticket.contract == scanner


def test_the_portal_opens_directly_with_one_contract(world, clock):
    page = client_for(world.carol).get("/tickets/new/")
    assert page.status_code == 200
    assert 'name="subject"' in page.content.decode()
    assert "Which product" not in text(page)


def test_a_follow_up_keeps_its_closed_ticket_through_the_choice_of_product(world, scanner):
    previous = open_ticket(world.alice, contract="AZUL-2026", subject="Vault error")
    do_change_status(world.fiona, previous, "solved", reason="cache rebuilt")
    do_confirm_resolution(world.alice, previous)
    alice = client_for(world.alice)

    choice = alice.get("/tickets/new/", {"continues": previous.pk})
    assert "Which product is this ticket about?" in text(choice)
    assert f"follows up the closed ticket #{previous.pk}" in text(choice)
    page = choice.content.decode()
    assert f'name="continues" value="{previous.pk}"' in page
    # It starts on the closed ticket's contract.
    assert f'value="{world.azul_contract.pk}" required checked' in page

    chosen = {"contract": world.azul_contract.pk, "continues": previous.pk}
    form = alice.get("/tickets/new/", chosen)
    page = form.content.decode()
    assert f'value="Follow-up to #{previous.pk}: Vault error"' in page
    assert f'continues={previous.pk}">Another product' in page  # a change of product keeps it
    answer = alice.post(
        f"/tickets/new/?contract={world.azul_contract.pk}",
        {**problem_form(subject="It is back"), **chosen},
    )
    assert answer.status_code == 302, text(answer)
    assert Ticket.objects.get(subject="It is back").continues == previous


def test_an_agent_logging_a_call_chooses_the_product_and_so_the_contract(world, scanner):
    fiona = client_for(world.fiona)

    step = fiona.get("/console/new/", {"requester": world.alice.pk})
    assert step.status_code == 200
    page = step.content.decode()
    assert "several contracts, one per product" in text(step)
    assert f'<option value="{scanner.pk}">Xecuritas Scanner (AZUL-SCAN)</option>' in page
    assert 'name="subject"' not in page  # no ticket form before the choice

    chosen = {"requester": world.alice.pk, "contract": scanner.pk}
    form = fiona.get("/console/new/", chosen)
    assert "contract AZUL-SCAN" in text(form)
    assert f'name="contract" value="{scanner.pk}" data-due' in form.content.decode()
    logged = fiona.post(
        "/console/new/",
        {**chosen, "channel": "phone", "type": "problem", "severity": "sev3",
         "environment": "production", "subject": "Scanner stalls", "body": "Stalls at 40%.",
         "product": "Xecuritas Scanner", "version": "2.0", **SCANNER_DETAILS},
    )  # fmt: skip
    assert logged.status_code == 302, text(logged)
    ticket = Ticket.objects.get(subject="Scanner stalls")
    assert (ticket.contract, ticket.requester) == (scanner, world.alice)

    unknown = fiona.get("/console/new/", {**chosen, "contract": world.verde_contract.pk})
    assert unknown.status_code == 422
    assert "has no active contract" in text(unknown)
