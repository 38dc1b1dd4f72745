"""A catalogue for tests: senhasegura PAM (Core module) 4.0 to 4.4, and SanerNow.

Banco Azul runs PAM Core 4.2, Verde Energia runs 4.4, and Ouro Antigo — whose contract
expired last year — still runs 4.2. The world's day is Thursday 15 January 2026.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pacto.accounts.actions import do_create_contact, do_create_organization
from pacto.accounts.models import Organization, User
from pacto.catalog.actions import (
    do_add_version,
    do_create_engineering_item,
    do_create_known_issue,
    do_create_product,
)
from pacto.catalog.models import Module, Product, Version
from pacto.catalog.notices import do_update_engineering_item
from pacto.contracts.actions import do_add_inventory, do_create_contract, preset_version
from pacto.testing import PASSWORD, SAO_PAULO, World
from pacto.tickets.actions import do_link_engineering_item, do_link_known_issue, do_open_ticket

NOW = dt.datetime(2026, 1, 15, 10, 0, tzinfo=SAO_PAULO)


@dataclass
class Catalogue:
    world: World
    pam: Product
    core: Module
    versions: dict[str, Version]
    saner: Product
    ouro: Organization
    otto: User  # Ouro Antigo's authorized contact


def build_catalogue(world: World, *, verde_runs_pam: bool = True) -> Catalogue:
    """``verde_runs_pam=False`` leaves Verde Energia without senhasegura PAM (pages that scope
    by product, such as knowledge-base articles, then keep Verde out)."""
    fiona = world.fiona
    pam = do_create_product(fiona, name="senhasegura PAM", vendor="senhasegura", modules=["Core"])
    core = pam.modules.get(slug="core")
    versions = {}
    for number, released, status, eos in (
        ("4.0", dt.date(2024, 1, 10), "discontinued", dt.date(2025, 1, 10)),
        ("4.1", dt.date(2024, 6, 1), "unsupported", dt.date(2025, 6, 1)),
        ("4.2", dt.date(2025, 1, 15), "supported", dt.date(2027, 1, 15)),
        ("4.3", dt.date(2025, 6, 15), "supported", None),
        ("4.4", dt.date(2025, 12, 1), "supported", None),
        ("5.0-beta", dt.date(2026, 1, 5), "beta", None),
    ):
        versions[number] = do_add_version(
            fiona, core, number=number, released_on=released, status=status,
            end_of_support_on=eos, now=NOW,
        )  # fmt: skip
    saner = do_create_product(fiona, name="SanerNow", vendor="SecPod")
    ouro = do_create_organization(name="Ouro Antigo", kind="customer")
    expired = do_create_contract(
        organization=ouro,
        service_contract_id="OURO-2024",
        policy_version=preset_version("senhasegura"),
        plan="standard-8x5",
        starts_on=dt.date(2024, 1, 1),
    )
    otto = do_create_contact(
        organization=ouro, email="otto@ouro.example", full_name="Otto Ouro", authorized=True,
        password=PASSWORD,
    )  # fmt: skip
    do_add_inventory(fiona, world.azul_contract, module=core, quantity=200,
                     installed_version=versions["4.2"], now=NOW)  # fmt: skip
    if verde_runs_pam:
        do_add_inventory(fiona, world.verde_contract, module=core, quantity=50,
                         installed_version=versions["4.4"], now=NOW)  # fmt: skip
    do_add_inventory(fiona, expired, module=core, quantity=10, installed_version=versions["4.2"],
                     now=NOW)  # fmt: skip
    return Catalogue(world, pam, core, versions, saner, ouro, otto)


def ticket_with_known_issue(catalogue: Catalogue):
    """Alice's ticket on 4.2, linked to a known issue (its work-around: "Rebuild the index")
    and to engineering item ENG-7, whose last update is "Patch in review"."""
    w = catalogue.world
    ticket = do_open_ticket(
        w.alice, subject="Search fails", body="Error 500", severity="high",
        product_version=catalogue.versions["4.2"], details={"steps": "s", "expected_result": "e",
        "obtained_result": "o", "circumstances": "c"},
    )  # fmt: skip
    issue = do_create_known_issue(
        w.sam, product=catalogue.pam, title="Vault search fails", symptoms="Error 500",
        workaround="Rebuild the index", ranges=[{"module": catalogue.core, "introduced": "4.1"}],
    )  # fmt: skip
    item = do_create_engineering_item(w.sam, key="ENG-7", title="Index rebuild on upgrade")
    do_link_known_issue(w.fiona, ticket, issue)
    do_link_engineering_item(w.sam, ticket, item)
    do_update_engineering_item(w.sam, item, status="in_review", body="Patch in review")
    return ticket, issue
