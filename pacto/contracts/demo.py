"""Demo data of onboarding: the partner's agreement, activations pending and expired, a
contract coming up for renewal (with its reminders), training records where a policy asks
for them. Built through the actions, like the rest of ``pacto demo``."""

from __future__ import annotations

import datetime as dt

from pacto.accounts.actions import (
    do_create_contact,
    do_record_partnership,
    do_record_training,
    sweep_partnerships,
)
from pacto.accounts.models import User
from pacto.contracts.actions import do_update_contract, sweep_contracts
from pacto.contracts.models import Contract


def load_partnerships(demo) -> None:
    """Before any ticket: partner contacts act only under a valid partnership (senhasegura §7).
    Parceira's agreement ends in 25 days, so its expiry warning is already out."""
    today = demo.now.date()
    do_record_partnership(
        demo.people["marina"],
        demo.orgs["parceira"],
        starts_on=today - dt.timedelta(days=700),
        ends_on=today + dt.timedelta(days=25),
    )


def load(demo) -> None:
    marina = demo.people["marina"]
    now = demo.now
    do_create_contact(
        organization=demo.orgs["azul"], email="lucas@bancoazul.example",
        full_name="Lucas Prado", actor=marina, authorized=True, invite=True,
        language="pt-br", time_zone="America/Sao_Paulo", now=now - dt.timedelta(days=2),
    )  # fmt: skip
    do_create_contact(
        organization=demo.orgs["xisto"], email="ana@xisto.example", full_name="Ana Souza",
        actor=marina, invite=True, now=now - dt.timedelta(days=10),
    )  # fmt: skip
    xisto = Contract.objects.get(service_contract_id="DEMO-XISTO-STANDARD")
    do_update_contract(marina, xisto, auto_renew=True)
    # Where a policy asks for training (allure: "initial basic product training"), the
    # demo's contacts have it.
    for contact in User.objects.filter(
        role=User.Role.CONTACT, is_authorized=True, organization__contracts__isnull=False
    ).distinct():
        contract = contact.organization.contracts.order_by("-starts_on").first()
        course = contract.policy.contacts.required_training
        if course and not contact.trained_on(now.date(), course):
            do_record_training(
                marina, contact, course=course, completed_on=now.date() - dt.timedelta(days=90)
            )
    sweep_contracts(now)
    sweep_partnerships(now)
