"""The Django admin pages of accounts, contracts and tickets render for an administrator,
and the ones that must not change state do not offer to."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pacto.accounts.models import AccountEvent, ApiToken, Organization, User
from pacto.contracts.models import Contract, PolicyVersion
from pacto.sla.policy import PRESETS
from pacto.testing import PROBLEM_DETAILS, client_for
from pacto.tickets.actions import do_open_ticket
from pacto.tickets.models import Ticket

MODELS = [Organization, User, ApiToken, AccountEvent, PolicyVersion, Contract, Ticket]


@pytest.fixture
def admin_client(world):
    superuser = User.objects.create_superuser("admin@vendor.example", "x")
    return client_for(superuser)


def test_every_changelist_and_change_page_renders(world, clock, admin_client):
    ticket = do_open_ticket(
        world.alice,
        subject="Vault",
        body="x",
        severity="high",
        version="3.31",
        details=PROBLEM_DETAILS,
    )
    objects = {
        Organization: world.azul,
        User: world.alice,
        PolicyVersion: ticket.policy_version,
        Contract: world.azul_contract,
        Ticket: ticket,
    }
    for model in MODELS:
        meta = model._meta
        changelist = admin_client.get(
            reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        )
        assert changelist.status_code == 200, meta.model_name
        if model in objects:
            url = reverse(
                f"admin:{meta.app_label}_{meta.model_name}_change", args=[objects[model].pk]
            )
            assert admin_client.get(url).status_code == 200, meta.model_name


def test_tickets_are_read_only_in_the_admin(world, admin_client):
    assert admin_client.get(reverse("admin:tickets_ticket_add")).status_code == 403


def test_a_new_policy_version_is_validated_by_the_engine(world, admin_client):
    url = reverse("admin:contracts_policyversion_add")

    bad = admin_client.post(url, {"source_yaml": "id: nope"})
    text = (
        (PRESETS / "secpod.yaml")
        .read_text(encoding="utf-8")
        .replace('version: "1.0"', 'version: "1.1"')
    )
    good = admin_client.post(url, {"source_yaml": text})

    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    assert good.status_code == 302
    assert PolicyVersion.objects.filter(policy_id="secpod", version="1.1").exists()


def test_authorizing_a_contact_from_the_admin_goes_through_the_action(world, admin_client):
    admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "authorize", "_selected_action": [world.bob.pk]},
    )

    world.bob.refresh_from_db()
    assert world.bob.is_authorized
    assert AccountEvent.objects.filter(subject=world.bob, kind="contact_authorized").exists()
