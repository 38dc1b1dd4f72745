"""A person reads times in their own zone from the first day: a contact in their
organization's (its contract's policy calendar), never UTC by accident."""

import importlib

import pytest

from pacto.accounts.actions import do_create_contact, do_create_organization, do_create_staff
from pacto.accounts.models import User
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


# ------------------------------------------------------------------- a guess, until chosen


def test_a_zone_given_at_creation_is_chosen_and_a_default_one_is_a_guess(world):
    chosen = do_create_contact(
        organization=world.azul, email="ana@azul.example", full_name="Ana",
        time_zone="Europe/Lisbon",
    )  # fmt: skip
    defaulted = do_create_contact(organization=world.azul, email="bia@azul.example", full_name="B")
    staff = do_create_staff(email="zoe@vendor.example", full_name="Zoe", role="agent")
    office = do_create_staff(
        email="yan@vendor.example", full_name="Yan", role="agent", time_zone="America/Sao_Paulo"
    )

    assert (chosen.time_zone, chosen.time_zone_guessed) == ("Europe/Lisbon", False)
    assert (defaulted.time_zone, defaulted.time_zone_guessed) == ("America/Sao_Paulo", True)
    assert (staff.time_zone, staff.time_zone_guessed) == ("UTC", True)
    assert (office.time_zone, office.time_zone_guessed) == ("America/Sao_Paulo", False)


def test_createsuperuser_without_a_zone_leaves_utc_a_guess():
    made = User.objects.create_superuser("admin@vendor.example", "x")
    placed = User.objects.create_superuser("ops@vendor.example", "x", time_zone="Europe/Lisbon")

    assert (made.time_zone, made.time_zone_guessed) == ("UTC", True)
    assert placed.time_zone_guessed is False


def test_a_person_added_in_the_admin_without_a_zone_has_a_guessed_one(world):
    data = {"email": "xia@vendor.example", "full_name": "Xia", "role": "agent",
            "usable_password": "false"}  # fmt: skip
    for prefix in ("certifications", "training_records", "invitation"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}

    response = client_for(world.root).post("/admin/accounts/user/add/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(email="xia@vendor.example").time_zone_guessed is True


def test_a_zone_changed_in_the_admin_is_chosen(world):
    url = f"/admin/accounts/user/{world.bob.pk}/change/"
    client = client_for(world.root)
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        time_zone="Europe/Lisbon", organization=world.azul.pk, groups=[], user_permissions=[]
    )
    for prefix in ("certifications", "training_records", "invitation"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    world.bob.refresh_from_db()
    assert (world.bob.time_zone, world.bob.time_zone_guessed) == ("Europe/Lisbon", False)


def test_the_migration_makes_users_stored_in_utc_guesses_and_keeps_other_zones_chosen(world):
    from django.apps import apps

    migration = importlib.import_module("pacto.accounts.migrations.0008_user_time_zone_guessed")
    User.objects.update(time_zone_guessed=False)  # as the field's default leaves them

    migration.utc_is_a_guess(apps, None)

    assert User.objects.get(pk=world.fiona.pk).time_zone_guessed is True  # UTC
    assert User.objects.get(pk=world.alice.pk).time_zone_guessed is False  # São Paulo
