"""Named people and organizations for tests, built through the actions (never raw rows).

Two customers on different presets and plans, a partner serving one of them, contacts of
every kind, and the vendor's staff, so every test can say who is acting:

- ``azul`` (customer, senhasegura, standard-8x5): ``alice`` authorized contact,
  ``amelia`` organization admin, ``bob`` contact without authorization;
- ``verde`` (customer, secpod, standard): ``carol`` authorized contact, ``victor`` admin;
- ``parceira`` (partner serving azul): ``paul`` certified contact, ``peggy`` with an expired
  certification;
- staff: ``fiona`` first line, ``sam`` second line, ``maria`` support manager, ``pete``
  product manager, ``root`` administrator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from pacto.accounts.actions import (
    do_create_contact,
    do_create_organization,
    do_create_staff,
    do_record_certification,
    do_record_partnership,
    do_record_training,
)
from pacto.accounts.models import Organization, User
from pacto.contracts.actions import do_create_contract, preset_version
from pacto.contracts.models import Contract

PASSWORD = "correct horse battery staple"
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
KOLKATA = ZoneInfo("Asia/Kolkata")


@dataclass
class World:
    azul: Organization
    verde: Organization
    parceira: Organization
    azul_contract: Contract
    verde_contract: Contract
    alice: User
    amelia: User
    bob: User
    carol: User
    victor: User
    paul: User
    peggy: User
    fiona: User
    sam: User
    maria: User
    pete: User
    root: User

    def contacts(self) -> list[User]:
        return [self.alice, self.amelia, self.bob, self.carol, self.victor, self.paul, self.peggy]

    def staff(self) -> list[User]:
        return [self.fiona, self.sam, self.maria, self.pete, self.root]


def build_world(today: dt.date = dt.date(2026, 1, 15)) -> World:
    staff = {
        "fiona": do_create_staff(
            email="fiona@vendor.example", full_name="Fiona First", role="agent", line="first",
            password=PASSWORD,
        ),
        "sam": do_create_staff(
            email="sam@vendor.example", full_name="Sam Second", role="agent", line="second",
            password=PASSWORD,
        ),
        "maria": do_create_staff(
            email="maria@vendor.example", full_name="Maria Manager", role="manager",
            password=PASSWORD,
        ),
        "pete": do_create_staff(
            email="pete@vendor.example", full_name="Pete Product", role="product_manager",
            password=PASSWORD,
        ),
        "root": do_create_staff(
            email="root@vendor.example", full_name="Root Admin", role="admin", password=PASSWORD
        ),
    }  # fmt: skip
    azul = do_create_organization(
        name="Banco Azul", kind="customer", account_manager=staff["maria"]
    )
    verde = do_create_organization(
        name="Verde Energia", kind="customer", account_manager=staff["maria"]
    )
    parceira = do_create_organization(name="Parceira Integradora", kind="partner")
    parceira.served_customers.add(azul)
    do_record_partnership(
        staff["maria"], parceira, starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2099, 12, 31)
    )
    azul_contract = do_create_contract(
        organization=azul,
        service_contract_id="AZUL-2026",
        policy_version=preset_version("senhasegura"),
        plan="standard-8x5",
        starts_on=today.replace(month=1, day=1),
        products=[("senhasegura PAM", "Core", 200)],
    )
    verde_contract = do_create_contract(
        organization=verde,
        service_contract_id="VERDE-2026",
        policy_version=preset_version("secpod"),
        plan="standard",
        starts_on=today.replace(month=1, day=1),
    )

    def contact(org, email, name, **kw):
        return do_create_contact(
            organization=org, email=email, full_name=name, password=PASSWORD, **kw
        )

    # fmt: off
    people = {
        "alice": contact(azul, "alice@azul.example", "Alice Azul", authorized=True, focal_point=True),
        "amelia": contact(azul, "amelia@azul.example", "Amelia Admin", authorized=True, org_admin=True),
        "bob": contact(azul, "bob@azul.example", "Bob Unauthorized"),
        "carol": contact(verde, "carol@verde.example", "Carol Verde", authorized=True),
        "victor": contact(verde, "victor@verde.example", "Victor Admin", authorized=True, org_admin=True),
        "paul": contact(parceira, "paul@parceira.example", "Paul Partner", authorized=True),
        "peggy": contact(parceira, "peggy@parceira.example", "Peggy Expired", authorized=True),
    }
    # fmt: on
    for holder, valid_until in (
        (people["paul"], dt.date(2099, 12, 31)),
        (people["peggy"], dt.date(2020, 1, 1)),
    ):
        do_record_certification(
            staff["maria"], holder, name="senhasegura PAM Core", valid_until=valid_until
        )
    return World(
        azul=azul,
        verde=verde,
        parceira=parceira,
        azul_contract=azul_contract,
        verde_contract=verde_contract,
        **people,
        **staff,
    )


PROBLEM_DETAILS = {
    "steps": "Open the vault, search for the credential",
    "expected_result": "The password is shown",
    "obtained_result": "Error 500",
    "circumstances": "After the upgrade to 3.31",
}


def meet_contact_rules(contact: User, day: dt.date = dt.date(2025, 6, 1)) -> User:
    """Record the training the contact's policy asks for (allure: "initial basic product
    training"), so the contact may open tickets; a no-op where no training is required."""
    from pacto.contracts.actions import active_contract

    contract = active_contract(contact.organization, dt.date(2026, 1, 15))
    course = contract.policy.contacts.required_training if contract else None
    if course:
        recorder = User.objects.filter(role=User.Role.MANAGER).first() or do_create_staff(
            email="training@vendor.example", full_name="Training Desk", role="manager"
        )
        do_record_training(recorder, contact, course=course, completed_on=day)
    return contact
