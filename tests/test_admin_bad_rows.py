"""A row that is somehow invalid (written with ``.update()``, around every check) never takes
an admin list or change page down: both answer 200 and name what is wrong, so it can be fixed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from pacto.accounts.models import User
from pacto.automation.models import OnCallRotation, RotationMember
from pacto.contracts.models import Contract, PolicyVersion
from pacto.testing import client_for, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    return client_for(world.root)  # an administrator made by do_create_staff


def pages(admin, model, pk) -> tuple[str, str]:
    meta = model._meta
    listing = admin.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    change = admin.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[pk]))
    assert (listing.status_code, change.status_code) == (200, 200)
    return text(listing), text(change)


def test_a_contract_with_a_plan_its_policy_lacks_and_dates_reversed_opens_with_both_errors(
    world, admin
):
    Contract.objects.filter(pk=world.azul_contract.pk).update(
        plan="platinum", ends_on=dt.date(2025, 1, 1)
    )
    listing, change = pages(admin, Contract, world.azul_contract.pk)
    for page in (listing, change):
        assert "plan 'platinum' is not in senhasegura" in page
        assert "A contract cannot end before it starts." in page
    assert "This row needs correcting" in change
    # The form keeps the stored plan, so saving it unchanged is refused with the same reason.
    url = reverse("admin:contracts_contract_change", args=[world.azul_contract.pk])
    assert 'value="platinum" selected' in admin.get(url).content.decode()


def test_a_person_with_a_mistyped_zone_and_an_unknown_language_opens_with_the_errors(world, admin):
    User.objects.filter(pk=world.alice.pk).update(time_zone="America/Sao_Pualo", language="xx")
    listing, change = pages(admin, User, world.alice.pk)
    for page in (listing, change):
        assert "'America/Sao_Pualo' is not an IANA time zone" in page
        assert "language must be one of" in page
    # A clean row shows no problem.
    assert "Carol Verde" in listing


def test_a_rotation_with_a_bad_zone_and_an_unknown_policy_opens_with_the_errors(world, admin):
    rotation = OnCallRotation.objects.create(name="Nights", starts_on=dt.date(2026, 1, 5))
    RotationMember.objects.create(rotation=rotation, user=world.fiona, position=0)
    OnCallRotation.objects.filter(pk=rotation.pk).update(
        time_zone="Mars/Olympus", policy_id="nosuch"
    )
    listing, change = pages(admin, OnCallRotation, rotation.pk)
    for page in (listing, change):
        assert "Mars/Olympus is not a time zone" in page
        assert "No stored policy is called nosuch." in page


def test_a_policy_version_whose_text_no_longer_loads_opens_with_the_engines_error(world, admin):
    version = world.verde_contract.policy_version
    PolicyVersion.objects.filter(pk=version.pk).update(source_yaml="id: [broken")
    listing, change = pages(admin, PolicyVersion, version.pk)
    assert "This row needs correcting" in change
    assert "problems" in listing.lower()
    # The contract on it opens too, naming the policy's error instead of its plans.
    _listing, contract_page = pages(admin, Contract, world.verde_contract.pk)
    assert "This row needs correcting" in contract_page
