"""A person reads times in their own zone from the first day: a contact in their
organization's (its contract's policy calendar), never UTC by accident."""

import pytest

from pacto.accounts.actions import do_create_contact, do_create_organization
from pacto.testing import client_for

pytestmark = pytest.mark.django_db


def test_a_new_contact_reads_times_in_the_zone_of_their_organizations_policy(world):
    bia = do_create_contact(organization=world.azul, email="bia@azul.example", full_name="Bia")
    kiran = do_create_contact(
        organization=world.verde, email="kiran@verde.example", full_name="Kiran"
    )

    assert bia.time_zone == "America/Sao_Paulo"  # senhasegura's calendar
    assert kiran.time_zone == "Asia/Kolkata"  # SecPod's


def test_a_partner_contact_reads_the_zone_of_the_customer_they_serve(world):
    paula = do_create_contact(
        organization=world.parceira, email="paula@parceira.example", full_name="Paula"
    )

    assert paula.time_zone == "America/Sao_Paulo"


def test_a_chosen_zone_wins_and_an_organization_without_contract_gets_the_installations(world):
    chosen = do_create_contact(
        organization=world.azul, email="ana@azul.example", full_name="Ana",
        time_zone="Europe/Lisbon",
    )  # fmt: skip
    lone = do_create_organization(name="Sem Contrato", kind="customer")
    nobody = do_create_contact(organization=lone, email="n@sem.example", full_name="N")

    assert chosen.time_zone == "Europe/Lisbon"
    assert nobody.time_zone == "UTC"


def test_the_api_adds_a_contact_in_the_organizations_zone(world):
    response = client_for(world.maria).post(
        "/api/contacts", {"organization": world.verde.pk, "email": "dev@verde.example",
                          "full_name": "Dev"}, content_type="application/json",
    )  # fmt: skip

    assert response.status_code in (200, 201), response.content
    assert response.json()["time_zone"] == "Asia/Kolkata"
