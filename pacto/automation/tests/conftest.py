"""Helpers for the worker's tests: customers on every preset, tickets opened through the
actions, and an on-call rotation (fiona on call this week, sam the next tier)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from pacto.accounts.models import User
from pacto.automation.models import OnCallRotation, RotationMember
from pacto.contracts.actions import preset_version
from pacto.testing import World, customer_on
from pacto.tickets.actions import do_open_ticket
from pacto.tickets.models import Ticket


@dataclass
class Desk:
    world: World

    def customer(self, preset: str, plan: str | None = None) -> User:
        """An authorized contact of a new customer under ``preset`` (first plan by default)."""
        plan = plan or preset_version(preset).policy.plans[0].id
        return customer_on(
            preset, f"Customer {preset}-{plan}", plan=plan,
            email=f"contact@{preset}-{plan}.example", account_manager=self.world.maria,
        )  # fmt: skip

    def open(
        self, contact: User, severity: str, now: dt.datetime, *, channel: str = "portal",
        subject: str = "Vault unreachable",
    ) -> Ticket:  # fmt: skip
        return do_open_ticket(
            contact, subject=subject, body="It stopped working.", severity=severity,
            type="question", channel=channel, now=now,
        )  # fmt: skip


@pytest.fixture
def desk(world) -> Desk:
    return Desk(world)


@pytest.fixture
def rotations(world) -> tuple[OnCallRotation, OnCallRotation]:
    """Tier 1: fiona (week from Mon 12 Jan 2026, 09:00 São Paulo), then sam; tier 2: sam."""
    first = OnCallRotation.objects.create(
        name="Primary", tier=1, time_zone="America/Sao_Paulo", starts_on=dt.date(2026, 1, 12)
    )
    RotationMember.objects.create(rotation=first, user=world.fiona, position=0)
    RotationMember.objects.create(rotation=first, user=world.sam, position=1)
    second = OnCallRotation.objects.create(
        name="Secondary", tier=2, time_zone="America/Sao_Paulo", starts_on=dt.date(2026, 1, 12)
    )
    RotationMember.objects.create(rotation=second, user=world.sam, position=0)
    return first, second
