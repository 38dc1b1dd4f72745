"""A catalogue for tests: senhasegura PAM (Core module) 4.0 to 4.4, and SanerNow.

Banco Azul runs PAM Core 4.2, Verde Energia runs 4.4, and Ouro Antigo — whose contract
expired last year — still runs 4.2. The world's day is Thursday 15 January 2026.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pacto.accounts.actions import do_create_contact, do_create_organization
from pacto.accounts.models import Organization, User
from pacto.catalog.actions import do_add_version, do_create_product
from pacto.catalog.models import Module, Product, Version
from pacto.contracts.actions import do_add_inventory, do_create_contract, preset_version
from pacto.testing import PASSWORD, SAO_PAULO, World

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
