"""Versions, their support status and what a ticket on them gets under each policy."""

from __future__ import annotations

import datetime as dt

import pytest

from pacto.catalog.actions import do_add_version, find_version
from pacto.catalog.models import AffectedRange, Version, version_key
from pacto.catalog.support import verdict
from pacto.catalog.tests.fixtures import NOW
from pacto.contracts.actions import do_add_inventory, do_create_contract, preset_version
from pacto.errors import ActionError, NotAllowed
from pacto.sla.policy import preset
from pacto.testing import PROBLEM_DETAILS
from pacto.tickets.actions import do_open_ticket
from pacto.tickets.tests.test_api import ApiClient

TODAY = NOW.date()


@pytest.mark.parametrize(
    ("lower", "higher"),
    [("3.9", "3.10"), ("3.10", "3.10.1"), ("4.0", "4.0-beta"), ("2025.06", "2025.12-ft")],
)
def test_version_numbers_sort_by_their_numbers(lower, higher):
    assert version_key(lower) < version_key(higher)


def in_range(number: str, **bounds) -> bool:
    version = Version(module_id=1, number=number)
    return AffectedRange(module_id=1, **bounds).contains(version)


def test_an_affected_range_reads_like_osv():
    assert [n for n in ("4.0", "4.1", "4.2", "4.3", "4.4") if in_range(n, introduced="4.1",
            fixed="4.4")] == ["4.1", "4.2", "4.3"]  # fmt: skip
    assert in_range("4.3", introduced="4.1", last_affected="4.3")
    assert not in_range("4.3.1", introduced="4.1", last_affected="4.3")
    assert in_range("1.0", introduced="0")  # affected since the beginning, no fix yet
    assert not AffectedRange(module_id=2, introduced="0").contains(Version(module_id=1, number="1"))


def test_a_supported_version_past_its_end_of_support_is_unsupported(catalogue):
    version = catalogue.versions["4.2"]

    assert version.status_on(dt.date(2027, 1, 15)) == "supported"
    assert version.status_on(dt.date(2027, 1, 16)) == "unsupported"


def test_each_policy_decides_what_a_ticket_on_an_old_version_gets(catalogue):
    discontinued = catalogue.versions["4.0"]

    senhasegura = verdict(discontinued, preset("senhasegura"), TODAY)
    xecuritas = verdict(discontinued, preset("xecuritas"), TODAY)

    assert (senhasegura.flagged, senhasegura.handling) == (True, "refuse")
    assert xecuritas.handling == "without_targets"
    assert "unsupported/discontinued" in xecuritas.cite
    assert verdict(catalogue.versions["4.4"], preset("xecuritas"), TODAY).flagged is False


def test_a_beta_version_runs_under_the_policy_it_names(catalogue):
    w = catalogue.world
    beta = do_add_version(
        w.fiona, catalogue.core, number="5.1-ft", status="beta", beta_policy="xecuritas", now=NOW
    )

    ticket = do_open_ticket(
        w.alice, subject="Field test crash", body="It crashes", severity="sev2",
        product_version=beta, details={"hardware_os": "VM", "obtained_result": "crash",
        "circumstances": "always", "workaround": "none", "initial_recommendation": "-"},
        now=NOW,
    )  # fmt: skip

    assert ticket.sla_mode == "beta_policy"
    assert ticket.policy_version.policy_id == "xecuritas"
    assert ticket.clocks.exists()


def test_a_refused_version_names_the_field_and_opens_nothing(catalogue):
    with pytest.raises(ActionError) as refused:
        do_open_ticket(
            catalogue.world.alice, subject="Old", body="Old version", severity="high",
            product_version=catalogue.versions["4.0"], details=PROBLEM_DETAILS, now=NOW,
        )  # fmt: skip

    assert (refused.value.field, refused.value.rule) == ("product_version", "supported_version")


def test_an_email_or_free_text_version_is_matched_to_the_contracts_catalogue(catalogue):
    w = catalogue.world
    ticket = do_open_ticket(
        w.alice, subject="By free text", body="x", severity="high", product="senhasegura PAM Core",
        version="4.3", details=PROBLEM_DETAILS, now=NOW,
    )  # fmt: skip
    unknown = do_open_ticket(
        w.alice, subject="Elsewhere", body="x", severity="high", product="Other", version="9.9",
        details=PROBLEM_DETAILS, now=NOW,
    )  # fmt: skip

    assert ticket.product_version == catalogue.versions["4.3"]
    assert (unknown.product_version, unknown.product, unknown.version) == (None, "Other", "9.9")
    assert find_version([catalogue.core], "", "4.2") == catalogue.versions["4.2"]


def test_a_version_outside_the_contracts_inventory_is_refused(catalogue):
    w = catalogue.world
    other = catalogue.saner.modules.get()
    saner_version = do_add_version(w.fiona, other, number="2025.1", now=NOW)

    with pytest.raises(ActionError) as refused:
        do_open_ticket(
            w.alice, subject="x", body="x", severity="high", product_version=saner_version,
            details=PROBLEM_DETAILS, now=NOW,
        )  # fmt: skip

    assert refused.value.rule == "in_inventory"


def test_only_staff_change_the_catalogue_and_only_staff_add_inventory(catalogue):
    w = catalogue.world
    contract = do_create_contract(
        organization=w.azul, service_contract_id="AZUL-X", policy_version=preset_version(
            "senhasegura"), plan="standard-8x5", starts_on=TODAY, products=[("Vault X", "", 1)],
    )  # fmt: skip

    with pytest.raises(NotAllowed):
        do_add_version(w.alice, catalogue.core, number="9.0", now=NOW)
    with pytest.raises(NotAllowed):
        do_add_inventory(w.alice, contract, module=catalogue.core, now=NOW)


def test_a_tracker_webhook_updates_the_engineering_item_and_the_customer_is_told(catalogue):
    w = catalogue.world
    ticket = do_open_ticket(
        w.alice, subject="x", body="x", severity="high", product_version=catalogue.versions["4.2"],
        details=PROBLEM_DETAILS,
    )  # fmt: skip
    sam = ApiClient(w.sam)
    sam.post("/api/engineering-items", {"key": "ENG-9", "title": "Fix it"})
    linked = sam.post(f"/api/tickets/{ticket.pk}/engineering-item", {"key": "ENG-9"})

    hook = sam.post("/api/engineering-items/ENG-9", {"status": "done", "body": "Shipped in 4.4"})
    seen = ApiClient(w.alice).get(f"/api/tickets/{ticket.pk}").json()

    assert linked.status_code == 200 and hook.status_code == 200
    assert seen["engineering_item"]["status"] == "done"
    assert seen["engineering_item"]["updates"][-1]["body"] == "Shipped in 4.4"
    assert seen["support_status"] == "supported"


def test_the_administration_records_an_installed_version_through_the_action(catalogue, client):
    """The contract's inventory in the Django admin: ``updated_at`` is Pacto's, not a field to
    type, and a new installed version is recorded (and audited) by the action."""
    from pacto.accounts.models import AccountEvent, User

    w = catalogue.world
    contract = w.azul_contract
    client.force_login(User.objects.create_superuser("super@vendor.example", "x"))
    url = f"/admin/contracts/contract/{contract.pk}/change/"
    shown = client.get(url)
    assert shown.status_code == 200
    assert 'name="products-0-updated_at' not in shown.content.decode()
    form = shown.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v not in (None, "")}
    data.update(
        organization=w.azul.pk, policy_version=contract.policy_version_id,
        included_services="{}", **{"events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"},
    )  # fmt: skip
    lines = list(contract.products.order_by("product", "module"))
    data.update(
        {"products-TOTAL_FORMS": str(len(lines)), "products-INITIAL_FORMS": str(len(lines))}
    )
    for i, line in enumerate(lines):
        data.update({
            f"products-{i}-id": line.pk, f"products-{i}-contract": contract.pk,
            f"products-{i}-product": line.product, f"products-{i}-module": line.module,
            f"products-{i}-quantity": line.quantity,
            f"products-{i}-catalog_module": line.catalog_module_id or "",
            f"products-{i}-installed_version": line.installed_version_id or "",
        })  # fmt: skip
    at = next(i for i, line in enumerate(lines) if line.catalog_module_id)

    other = do_add_version(w.maria, catalogue.saner.modules.get(), number="6.2", now=NOW)
    wrong = client.post(url, {**data, f"products-{at}-installed_version": other.pk})
    data[f"products-{at}-installed_version"] = catalogue.versions["4.3"].pk
    saved = client.post(url, data)

    assert wrong.status_code == 200  # shown again with the error, not saved
    assert "Choose a version of the line" in wrong.content.decode()
    assert saved.status_code == 302, saved.context and saved.context["errors"]
    line = contract.products.get(pk=lines[at].pk)
    assert str(line.installed_version).endswith("4.3")
    assert line.updated_at > NOW
    event = AccountEvent.objects.filter(kind="installed_version_changed").latest("at")
    assert event.data["previous"].endswith("4.2") and event.data["version"].endswith("4.3")
