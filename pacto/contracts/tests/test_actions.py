"""Contracts: when they run, how they renew, hypercare, and the policy text they pin.

senhasegura §5.2: a contract "ends the day before the same day of the same month the following
year for one-year contracts, or subsequent years for more than one-year contracts"; §5.3:
renewed "at the end of the current agreement". &money: hypercare "will commence on the
Go-Live date, and last for an agreed number of weeks described in the contract".
"""

from __future__ import annotations

import datetime as dt

import pytest

from pacto.contracts.actions import (
    active_contract,
    do_create_contract,
    do_renew_contract,
    do_store_policy,
    preset_version,
    store_presets,
)
from pacto.contracts.models import Contract, PolicyVersion, contract_end
from pacto.errors import ActionError
from pacto.sla.policy import PRESETS

D = dt.date


@pytest.mark.parametrize(
    ("starts_on", "years", "ends_on"),
    [
        (D(2026, 1, 15), 1, D(2027, 1, 14)),
        (D(2026, 1, 1), 1, D(2026, 12, 31)),
        (D(2026, 3, 1), 1, D(2027, 2, 28)),
        (D(2027, 3, 1), 1, D(2028, 2, 29)),  # the day before lands on a leap day
        (D(2024, 2, 29), 1, D(2025, 2, 28)),  # no 29 February in 2025: the year ends on the 28th
        (D(2024, 2, 29), 4, D(2028, 2, 28)),  # 2028 has a 29 February: the day before it
        (D(2026, 1, 15), 3, D(2029, 1, 14)),
    ],
)
def test_a_contract_ends_the_day_before_its_anniversary(starts_on, years, ends_on):
    assert contract_end(starts_on, years) == ends_on


def contract_for(world, **overrides) -> Contract:
    """Banco Azul's Premier contract. These tests write Banco Azul's contracts themselves:
    the world's 2026 one for the same product would overlap (one contract per product)."""
    Contract.objects.filter(pk=world.azul_contract.pk).delete()
    fields = {
        "organization": world.azul,
        "service_contract_id": "AZUL-PREMIER",
        "policy_version": preset_version("senhasegura"),
        "plan": "premier-24x7",
        "starts_on": D(2026, 2, 10),
        "products": [("senhasegura PAM", "Core", 50), ("senhasegura PAM", "DevOps", 10)],
        "included_services": {"assisted upgrade": 1},
    }
    fields.update(overrides)
    return do_create_contract(**fields)


def test_a_new_contract_runs_one_year_including_its_first_and_last_day(world):
    contract = contract_for(world)

    assert contract.ends_on == D(2027, 2, 9)
    assert not contract.is_active_on(D(2026, 2, 9))
    assert contract.is_active_on(D(2026, 2, 10))
    assert contract.is_active_on(D(2027, 2, 9))
    assert not contract.is_active_on(D(2027, 2, 10))
    assert [str(p) for p in contract.products.all()] == [
        "senhasegura PAM Core x50", "senhasegura PAM DevOps x10",
    ]  # fmt: skip


def test_a_contract_renews_from_the_day_after_it_ends_for_the_same_day_and_month(world):
    contract = contract_for(world, starts_on=D(2024, 2, 29))

    renewed = do_renew_contract(contract)

    assert (renewed.starts_on, renewed.ends_on) == (D(2025, 3, 1), D(2026, 2, 28))
    assert renewed.renewal_of == contract
    assert renewed.service_contract_id == "AZUL-PREMIER-R2025"
    assert (renewed.plan, renewed.policy_version) == (contract.plan, contract.policy_version)
    assert renewed.included_services == {"assisted upgrade": 1}
    assert [(p.product, p.module, p.quantity) for p in renewed.products.all()] == [
        ("senhasegura PAM", "Core", 50), ("senhasegura PAM", "DevOps", 10),
    ]  # fmt: skip


def test_a_renewal_may_change_the_plan_and_run_several_years(world):
    contract = contract_for(world)

    renewed = do_renew_contract(contract, years=2, plan="advanced-24x7")

    assert (renewed.starts_on, renewed.ends_on) == (D(2027, 2, 10), D(2029, 2, 9))
    assert renewed.plan == "advanced-24x7"


def test_the_active_contract_passes_to_the_renewal_when_the_first_ends(world):
    first = world.azul_contract
    renewed = do_renew_contract(first)

    assert active_contract(world.azul, D(2026, 12, 31)) == first
    assert active_contract(world.azul, D(2027, 1, 1)) == renewed
    assert active_contract(world.azul, D(2028, 1, 1)) is None


def test_hypercare_runs_from_go_live_for_the_agreed_weeks(world):
    contract = contract_for(world, go_live_on=D(2026, 3, 2), hypercare_weeks=4)

    assert contract.hypercare_until() == D(2026, 3, 29)
    assert not contract.in_hypercare_on(D(2026, 3, 1))
    assert contract.in_hypercare_on(D(2026, 3, 2))
    assert contract.in_hypercare_on(D(2026, 3, 29))
    assert not contract.in_hypercare_on(D(2026, 3, 30))


def test_a_contract_without_hypercare_is_never_in_hypercare(world):
    contract = contract_for(world, go_live_on=D(2026, 3, 2))

    assert contract.hypercare_until() is None
    assert not contract.in_hypercare_on(D(2026, 3, 2))


def test_hypercare_needs_a_go_live_date(world):
    with pytest.raises(ActionError) as refused:
        contract_for(world, hypercare_weeks=4)

    assert refused.value.rule == "required_for_hypercare"


def test_a_plan_the_policy_does_not_define_is_refused_naming_the_plans_it_does(world):
    with pytest.raises(ActionError) as refused:
        contract_for(world, plan="gold")

    assert refused.value.rule == "defined_in_policy"
    assert "standard-8x5, advanced-24x7, premier-24x7" in refused.value.message


def test_contracts_belong_to_customers_not_partners(world):
    with pytest.raises(ActionError) as refused:
        contract_for(world, organization=world.parceira)

    assert refused.value.rule == "customer"


def test_a_service_contract_id_is_used_once(world):
    contract_for(world)
    with pytest.raises(ActionError) as refused:
        contract_for(world, service_contract_id="AZUL-PREMIER", organization=world.verde)

    assert refused.value.rule == "unique"


def test_a_contract_cannot_end_before_it_starts(world):
    with pytest.raises(ActionError) as refused:
        contract_for(world, ends_on=D(2026, 2, 9))

    assert refused.value.rule == "after_start"


# ----------------------------------------------------------------------------- policies


def test_a_policy_text_is_stored_once_and_pinned_exactly(db):
    text = (PRESETS / "secpod.yaml").read_text(encoding="utf-8")

    first = do_store_policy(text)
    again = do_store_policy(text)

    assert first == again
    assert PolicyVersion.objects.filter(policy_id="secpod").count() == 1
    assert (first.policy_id, first.version) == ("secpod", "1.0")
    assert first.source_yaml == text
    assert first.policy.reopen.allowed_within is not None


def test_a_changed_policy_text_is_a_new_version(db):
    text = (PRESETS / "secpod.yaml").read_text(encoding="utf-8")
    first = do_store_policy(text)

    changed = do_store_policy(text.replace("after: 7 days", "after: 8 days"))

    assert changed != first
    assert changed.sha256 != first.sha256


def test_an_invalid_policy_is_refused_with_the_reason(db):
    with pytest.raises(ActionError) as refused:
        do_store_policy("schema: pacto/policy/v1\nid: broken\n", source="broken.yaml")

    assert refused.value.rule == "valid_policy"
    assert "broken.yaml" in refused.value.message
    assert not PolicyVersion.objects.filter(policy_id="broken").exists()


def test_an_unknown_preset_is_refused(db):
    with pytest.raises(ActionError) as refused:
        preset_version("zendesk")

    assert refused.value.rule == "known_preset"


def test_every_shipped_preset_is_stored_as_a_preset(db):
    for name in ("senhasegura", "secpod", "allure", "xecuritas", "andmoney"):
        version = preset_version(name)
        assert version.is_preset
        assert version.policy_id == name


def test_every_preset_is_a_stored_version_after_migrate_and_a_newer_text_is_a_new_one(world):
    contract = world.azul.contracts.get()
    assert set(PolicyVersion.objects.filter(is_preset=True).values_list("policy_id", flat=True)) == {
        "allure", "andmoney", "secpod", "senhasegura", "xecuritas",
    }  # fmt: skip
    pinned = contract.policy_version
    newer = pinned.source_yaml.replace('version: "7.0"', 'version: "7.1"', 1)

    stored = do_store_policy(newer, is_preset=True)
    store_presets()

    assert stored != pinned and stored.version == "7.1"
    contract.refresh_from_db()
    assert contract.policy_version == pinned  # running contracts keep their version
    assert PolicyVersion.objects.filter(policy_id="senhasegura").count() == 2


def test_an_overlapping_contract_of_one_organization_is_refused_unless_products_differ(world):
    existing = world.azul.contracts.get()

    with pytest.raises(ActionError) as refused:
        do_create_contract(
            organization=world.azul, service_contract_id="AZUL-2",
            policy_version=existing.policy_version, plan=existing.plan,
            starts_on=existing.starts_on + dt.timedelta(days=30),
            products=[(existing.products.first().product, "", 1)],
        )  # fmt: skip
    assert (refused.value.field, refused.value.rule) == ("starts_on", "no_overlap")
    assert existing.service_contract_id in refused.value.message

    other = do_create_contract(
        organization=world.azul, service_contract_id="AZUL-SCANNER",
        policy_version=preset_version("xecuritas"), plan="standard",
        starts_on=existing.starts_on, products=[("Xecuritas Scanner", "", 2)],
    )  # fmt: skip
    assert other.organization == world.azul
