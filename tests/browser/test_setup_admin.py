"""Setting Pacto up through the admin, in Chromium, without pasting any YAML."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from pacto.accounts.actions import do_create_organization
from pacto.automation.models import OnCallRotation
from pacto.contracts.models import Contract

pytestmark = pytest.mark.browser

PRESETS = {  # preset -> a plan it defines
    "allure": "saas", "andmoney": "standard", "secpod": "standard",
    "senhasegura": "premier-24x7", "xecuritas": "standard",
}  # fmt: skip


def test_a_contract_on_each_of_the_five_presets_is_created_in_the_admin(open_session, people):
    admin = open_session()
    admin.sign_in("root@vendor.example")
    page = admin.page
    for name, plan in PRESETS.items():
        customer = do_create_organization(name=f"Cliente {name}", kind="customer")
        admin.goto(f"/admin/contracts/contract/add/?organization={customer.pk}")
        page.locator("#id_service_contract_id").fill(f"C-{name}")
        policy = page.locator("#id_policy_version")
        label = next(
            option
            for option in policy.locator("option").all_inner_texts()
            if option.startswith(f"{name}@")
        )
        policy.select_option(label=label)
        page.locator("#id_plan").select_option(
            page.locator(
                f'#id_plan optgroup[label="{label}"] option[value="{plan}"]'
            ).get_attribute("value")
        )
        page.locator("#id_starts_on").fill("2026-01-01")
        page.locator("#id_ends_on").fill("2026-12-31")
        page.locator("#id_products-0-product").fill(f"{name} product")
        page.locator("input[name=_save]").click()
        expect(page.locator(".messagelist")).to_contain_text("was added successfully")

        contract = Contract.objects.get(service_contract_id=f"C-{name}")
        assert (contract.policy_version.policy_id, contract.plan) == (name, plan)
        assert contract.organization == customer


def test_a_rotation_with_an_invalid_time_zone_is_refused_at_save(open_session, people):
    admin = open_session()
    admin.sign_in("root@vendor.example")
    page = admin.page
    admin.goto("/admin/automation/oncallrotation/add/")
    page.locator("#id_name").fill("Nights")
    # The zone is a list; a value outside it (an old bookmark, a crafted request) is refused.
    page.locator("#id_time_zone").evaluate(
        "select => { const o = new Option('Mars/Olympus', 'Mars/Olympus', true, true);"
        " select.add(o); }"
    )
    page.locator("#id_starts_on").fill("2026-01-05")
    page.locator("#id_members-0-user").select_option(label="Fiona First <fiona@vendor.example>")
    page.locator("#id_members-0-position").fill("0")
    page.locator("input[name=_save]").click()

    expect(page.locator(".errorlist").first).to_be_visible()
    assert not OnCallRotation.objects.exists()
    page.locator("#id_time_zone").select_option("America/Sao_Paulo")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert OnCallRotation.objects.get().time_zone == "America/Sao_Paulo"
