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
import html
import re
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
from pacto.contracts.models import Contract, PolicyVersion

PASSWORD = "correct horse battery staple"
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
KOLKATA = ZoneInfo("Asia/Kolkata")

# Thursday 15 January 2026, 10:00 in São Paulo: a business day, inside business hours on
# every preset's calendar, while the named world's 2026 contracts are active.
NOW = dt.datetime(2026, 1, 15, 10, 0, tzinfo=SAO_PAULO)
# Thursday 19 November 2026, 20:00 in São Paulo: after hours, on the eve of the Black
# Consciousness Day holiday (Friday 20 November), before a weekend.
HOLIDAY_EVE = dt.datetime(2026, 11, 19, 20, 0, tzinfo=SAO_PAULO)


def sp(text: str) -> dt.datetime:
    """A wall-clock time in São Paulo (UTC-3, no daylight saving since 2019)."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SAO_PAULO)


def kolkata(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=KOLKATA)


class Clock:
    """``django.utils.timezone.now`` for the code under test — what the views, actions,
    sessions and commands read — pinned at an instant the test names (``clock.now = …``,
    ``clock.set(…)`` or ``clock.advance(hours=1)``), so due times are exact and the named
    world's contracts are in force whatever the day the tests run."""

    def __init__(self, monkeypatch, at: dt.datetime = NOW):
        self.now = at
        monkeypatch.setattr("django.utils.timezone.now", self)

    def __call__(self) -> dt.datetime:
        return self.now.astimezone(dt.UTC)

    def set(self, at: dt.datetime) -> dt.datetime:
        self.now = at
        return at

    def advance(self, **delta) -> dt.datetime:
        return self.set(self.now + dt.timedelta(**delta))


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


def customer_on(
    policy: str | PolicyVersion,
    name: str,
    *,
    plan: str | None = None,
    email: str | None = None,
    account_manager: User | None = None,
) -> User:
    """An authorized contact, meeting the policy's contact rules, of a new customer ``name``
    whose contract runs ``policy`` (a preset's name or a stored version; its first plan
    unless ``plan``) since 1 January 2026."""
    version = preset_version(policy) if isinstance(policy, str) else policy
    organization = do_create_organization(
        name=name, kind="customer", account_manager=account_manager
    )
    do_create_contract(
        organization=organization,
        service_contract_id=f"C-{name}"[:60],
        policy_version=version,
        plan=plan or version.policy.plans[0].id,
        starts_on=dt.date(2026, 1, 1),
    )
    slug = "-".join(name.lower().split())
    contact = do_create_contact(
        organization=organization, email=email or f"contact@{slug}.example",
        full_name=f"{name} Contact", authorized=True, password=PASSWORD,
    )  # fmt: skip
    return meet_contact_rules(contact)


# ----------------------------------------------------------------------------- pages


def client_for(user: User | None = None):
    """A browser session of ``user`` (anonymous when None)."""
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    if user is not None:
        client.force_login(user)
    return client


def problem_form(**overrides) -> dict:
    """The portal's new-ticket form, filled as senhasegura §7.6 asks."""
    return {
        "type": "problem",
        "subject": "The vault does not show passwords",
        "severity": "high",
        "environment": "production",
        "product": "senhasegura PAM",
        "version": "3.31",
        "body": "Since the upgrade the vault answers Error 500.",
        **PROBLEM_DETAILS,
        **overrides,
    }


def open_ticket(actor: User, **kwargs):
    """A high-severity problem with the details senhasegura requires, opened by the action."""
    from pacto.tickets.actions import do_open_ticket

    fields = {
        "subject": "Vault error",
        "body": "Error 500",
        "severity": "high",
        "version": "3.31",
        "details": PROBLEM_DETAILS,
    }
    fields.update(kwargs)
    return do_open_ticket(actor, **fields)


def text(response) -> str:
    """The page's visible words, tags stripped and spaces collapsed."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
