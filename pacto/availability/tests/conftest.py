"""An &money customer for availability and hypercare tests, built through the actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from pacto.accounts.actions import do_create_contact, do_create_organization
from pacto.accounts.models import Organization, User
from pacto.contracts.actions import do_create_contract, preset_version
from pacto.contracts.models import Contract

GO_LIVE = dt.date(2026, 6, 1)  # a Monday


@dataclass
class Nordlys:
    organization: Organization
    contract: Contract
    dagny: User  # authorized contact, organization admin
    erik: User  # authorized contact


@pytest.fixture
def nordlys(world) -> Nordlys:
    organization = do_create_organization(name="Nordlys Bank", kind="customer")
    contract = do_create_contract(
        organization=organization,
        service_contract_id="AM-2026-001",
        policy_version=preset_version("andmoney"),
        plan="standard",
        starts_on=dt.date(2026, 1, 1),
        go_live_on=GO_LIVE,
        hypercare_weeks=2,
    )
    dagny = do_create_contact(
        organization=organization, email="dagny@nordlys.example", full_name="Dagny Holm",
        authorized=True, org_admin=True, focal_point=True, time_zone="Europe/Copenhagen",
    )  # fmt: skip
    erik = do_create_contact(
        organization=organization, email="erik@nordlys.example", full_name="Erik Lund",
        authorized=True, language="pt-br",
    )  # fmt: skip
    return Nordlys(organization, contract, dagny, erik)
