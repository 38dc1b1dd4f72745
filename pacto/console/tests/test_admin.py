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


def test_a_contract_on_any_preset_is_added_with_a_plan_chosen_from_a_list(world, admin_client):
    from pacto.accounts.actions import do_create_organization

    lumen = do_create_organization(name="Lumen Seguros", kind="customer")
    url = reverse("admin:contracts_contract_add")
    page = admin_client.get(url).content.decode()
    allure = PolicyVersion.objects.get(policy_id="allure", is_preset=True)
    assert f'<optgroup label="{allure}">' in page  # every preset, without pasting YAML
    form = {
        "organization": lumen.pk, "service_contract_id": "LUMEN-1",
        "policy_version": allure.pk, "plan": "saas", "starts_on": "2026-01-01",
        "ends_on": "2026-12-31", "hypercare_weeks": 0, "included_services": "{}",
        "products-TOTAL_FORMS": 1, "products-INITIAL_FORMS": 0,
        "products-0-product": "Allure Detect", "products-0-module": "",
        "products-0-quantity": 1,
        "events-TOTAL_FORMS": 0, "events-INITIAL_FORMS": 0,
    }  # fmt: skip

    wrong_plan = admin_client.post(url, {**form, "plan": "premier-24x7"})
    assert wrong_plan.status_code == 200
    assert "is not in allure" in wrong_plan.content.decode()

    assert admin_client.post(url, form).status_code == 302
    assert Contract.objects.get(service_contract_id="LUMEN-1").plan == "saas"

    overlapping = admin_client.post(url, {**form, "service_contract_id": "LUMEN-2"})
    assert overlapping.status_code == 200
    assert "already has contract LUMEN-1" in overlapping.content.decode()
    assert not Contract.objects.filter(service_contract_id="LUMEN-2").exists()


def test_a_rotation_with_a_mistyped_zone_is_refused_and_an_old_bad_row_still_opens(
    world, admin_client
):
    import datetime as dt

    from pacto.automation.models import OnCallRotation, RotationMember

    url = reverse("admin:automation_oncallrotation_add")
    form = {
        "name": "Nights", "tier": 1, "policy_id": "senhasegura", "time_zone": "America/Sao_Pualo",
        "handoff_weekday": 0, "handoff_time": "09:00", "starts_on": "2026-01-05", "active": "on",
        "members-TOTAL_FORMS": 1, "members-INITIAL_FORMS": 0,
        "members-0-user": world.fiona.pk, "members-0-position": 0,
        "overrides-TOTAL_FORMS": 0, "overrides-INITIAL_FORMS": 0,
    }  # fmt: skip
    page = admin_client.get(url).content.decode()
    assert "Fiona First" in page  # members are chosen by name

    refused = admin_client.post(url, form)
    assert refused.status_code == 200
    assert not OnCallRotation.objects.exists()
    assert admin_client.post(url, {**form, "time_zone": "America/Sao_Paulo"}).status_code == 302

    # A row written before this check (or behind the admin's back) never takes a page down.
    bad = OnCallRotation.objects.create(
        name="Old", time_zone="Mars/Olympus", starts_on=dt.date(2026, 1, 5)
    )
    RotationMember.objects.create(rotation=bad, user=world.fiona, position=0)
    listing = admin_client.get(reverse("admin:automation_oncallrotation_changelist"))
    assert listing.status_code == 200
    assert "cannot be computed" in listing.content.decode()
    change = admin_client.get(reverse("admin:automation_oncallrotation_change", args=[bad.pk]))
    assert change.status_code == 200
    assert "Mars/Olympus" in change.content.decode()
