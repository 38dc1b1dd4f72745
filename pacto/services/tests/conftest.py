"""Professional-services fixtures on top of the named world (``pacto.testing``): rate cards
for Banco Azul (senhasegura, standard) and a Premier customer, a xecuritas customer for the
waiver, a service-request ticket on each, and a frozen clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from pacto.accounts.actions import do_create_contact, do_create_organization
from pacto.accounts.models import Organization, User
from pacto.contracts.actions import do_create_contract, preset_version
from pacto.contracts.models import Contract
from pacto.services.actions import do_create_quote, do_request_service, do_set_rate_card
from pacto.testing import PASSWORD, SAO_PAULO, World

# Monday 19 January 2026, 10:00 São Paulo: a business day.
NOW = dt.datetime(2026, 1, 19, 10, 0, tzinfo=SAO_PAULO)


@dataclass
class Services:
    world: World
    premier: Organization
    premier_contract: Contract
    pedro: User  # Premier's authorized contact
    xisto: Organization
    xisto_contract: Contract
    xena: User  # Xisto's authorized contact


@pytest.fixture
def services(world) -> Services:
    premier = do_create_organization(
        name="Banco Premier", kind="customer", account_manager=world.maria
    )
    premier_contract = do_create_contract(
        organization=premier,
        service_contract_id="PREMIER-2026",
        policy_version=preset_version("senhasegura"),
        plan="premier-24x7",
        starts_on=dt.date(2026, 1, 1),
    )
    pedro = do_create_contact(
        organization=premier, email="pedro@premier.example", full_name="Pedro Premier",
        password=PASSWORD, authorized=True,
    )  # fmt: skip
    xisto = do_create_organization(name="Xisto", kind="customer", account_manager=world.maria)
    xisto_contract = do_create_contract(
        organization=xisto,
        service_contract_id="XISTO-2026",
        policy_version=preset_version("xecuritas"),
        plan="standard",
        starts_on=dt.date(2026, 1, 1),
    )
    xena = do_create_contact(
        organization=xisto, email="xena@xisto.example", full_name="Xena Xisto",
        password=PASSWORD, authorized=True,
    )  # fmt: skip
    for contract in (world.azul_contract, premier_contract, xisto_contract):
        do_set_rate_card(
            world.maria, contract, day_rate="4000", currency="BRL",
            off_hours_multiplier="1.5", now=NOW,
        )  # fmt: skip
    return Services(world, premier, premier_contract, pedro, xisto, xisto_contract, xena)


def request(contact: User, service: str = "health-check", now=NOW):
    return do_request_service(contact, service=service, body="Please schedule it.", now=now)


def quote(agent: User, ticket, service: str = "health-check", units="1", share="0", now=NOW,
          **kw):  # fmt: skip
    return do_create_quote(
        agent, ticket, service=service,
        lines=[{"units": units, "off_hours_share": share}],
        valid_until=(now + dt.timedelta(days=30)).date(), now=now, **kw,
    )  # fmt: skip


def money(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture(autouse=True)
def _pages(media_root):
    """Every services test: uploads in a folder of its own, and an empty cache."""
