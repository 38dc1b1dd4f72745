"""Every API endpoint, for every role, against objects of both customer organizations.

The endpoints are enumerated from the NinjaAPI itself, so a new endpoint without an entry in
``ENDPOINTS`` fails ``test_every_endpoint_has_an_entry_in_the_expectation_table``. Each entry
says, for a role and a target object, what must happen: a stranger to the object gets 404
(nothing leaks), a role that may see it but not change it gets 403, nobody signed in gets
401. Each request runs in a savepoint that is rolled back, so every role meets the same
objects in the same state.

Who sees what (``pacto/accounts/access.py``), for the objects used here:

- tickets: ``azul`` opened by alice, ``azul-partner`` opened by paul (partner) for Banco
  Azul, ``verde`` opened by carol; seen by the requester, the customer's organization admin
  and staff;
- organizations of Banco Azul: its contacts, the partner's contacts (it
  serves Azul) and staff; of Verde Energia: its contacts and staff; contracts and custom policies likewise, but
  not to a contact without authorization nor to a partner contact whose certification lapsed;
- contacts: themselves, their organization's admin, staff;
- API tokens: their owner; a support manager may revoke anyone's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from ninja.utils import normalize_path

from pacto.accounts.actions import do_create_token, do_invite_contact
from pacto.api import api
from pacto.catalog.actions import (
    do_add_version,
    do_create_engineering_item,
    do_create_known_issue,
    do_create_release,
)
from pacto.catalog.notices import do_publish_known_issue, do_publish_release
from pacto.catalog.tests.fixtures import Catalogue, build_catalogue
from pacto.contracts.actions import do_add_inventory, do_create_contract, do_store_policy
from pacto.contracts.models import ContractProduct
from pacto.sla.policy import PRESETS
from pacto.testing import World, build_world
from pacto.tickets.actions import do_add_cc, do_change_status
from pacto.tickets.tests.test_api import (  # noqa: F401 (fixtures)
    NOW,
    ApiClient,
    frozen_now,
    open_ticket,
)

CONTACTS = ("alice", "amelia", "bob", "carol", "victor", "paul", "peggy")
STAFF = ("fiona", "sam", "maria", "pete", "root")
ROLES = (*CONTACTS, *STAFF, "anonymous")
MANAGERS = {"maria", "root"}

AZUL_PEOPLE = {"alice", "amelia", "bob", "paul", "peggy"}  # paul and peggy: Azul's partner
VERDE_PEOPLE = {"carol", "victor"}
ORGANIZATION_VIEWERS = {"azul": AZUL_PEOPLE | set(STAFF), "verde": VERDE_PEOPLE | set(STAFF)}
# Contracts: not to bob (not authorized) nor peggy (partner whose certification expired).
CONTRACT_VIEWERS = {
    "azul": {"alice", "amelia", "paul", *STAFF},
    "verde": VERDE_PEOPLE | set(STAFF),
}
# Banco Azul is on senhasegura, whose §7.4 shares tickets among authorized colleagues: alice
# sees the ticket paul opened for Banco Azul.
TICKET_VIEWERS = {
    "azul": {"alice", "amelia", *STAFF},
    "azul-partner": {"paul", "amelia", "alice", *STAFF},
    "verde": {"carol", "victor", *STAFF},
}
TICKETS = tuple(TICKET_VIEWERS)
ORGANIZATIONS = ("azul", "verde")
# Contacts acted upon: alice of Banco Azul, carol of Verde Energia.
CONTACT_VIEWERS = {"azul": {"alice", "amelia", *STAFF}, "verde": {"carol", "victor", *STAFF}}
CONTACT_ADMINS = {"azul": "amelia", "verde": "victor"}
TOKEN_OWNERS = {"azul": "alice", "verde": "carol"}
SEVERITY = {"azul": "urgent", "azul-partner": "urgent", "verde": "critical"}

SENHASEGURA = (PRESETS / "senhasegura.yaml").read_text(encoding="utf-8")
SECPOD = (PRESETS / "secpod.yaml").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- the scene


@dataclass
class Scene:
    world: World
    tickets: dict
    access_requests: dict
    contacts: dict
    organizations: dict
    contracts: dict
    policy_versions: dict
    tokens: dict
    catalogue: Catalogue | None = None
    known_issues: dict = field(default_factory=dict)
    releases: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)

    def user(self, role: str):
        return getattr(self.world, role)


@pytest.fixture
def world(db) -> World:
    """The named world (``pacto/conftest.py`` serves it to tests under ``pacto/`` only)."""
    return build_world()


@pytest.fixture
def scene(world) -> Scene:
    w = world
    custom = {
        "azul": do_store_policy(SENHASEGURA.replace("id: senhasegura", "id: azul-special", 1)),
        "verde": do_store_policy(SECPOD.replace("id: secpod", "id: verde-special", 1)),
    }
    for org, plan in (("azul", "standard-8x5"), ("verde", "standard")):
        # The special contract covers another product than the world's one (one organization
        # holds one active contract per product), until the world's contract ends.
        world_contract = getattr(w, f"{org}_contract")
        if not world_contract.products.exists():
            ContractProduct.objects.create(contract=world_contract, product="Core product")
        do_create_contract(
            organization=getattr(w, org),
            service_contract_id=f"{org.upper()}-SPECIAL",
            policy_version=custom[org],
            plan=plan,
            starts_on=NOW.date().replace(month=6, day=1),
            ends_on=world_contract.ends_on,
            products=[("Special support", "", 1)],
        )

    def access_request(requester, email):
        return open_ticket(
            requester,
            type="access_request",
            subject="Access for a new colleague",
            body="Please authorize them",
            access_request={"email": email, "full_name": "New Colleague"},
        )

    scene = Scene(
        world=w,
        tickets={
            "azul": open_ticket(w.alice),
            "azul-partner": open_ticket(w.paul, organization=w.azul),
            "verde": open_ticket(w.carol),
        },
        access_requests={
            "azul": access_request(w.alice, "new@azul.example"),
            "verde": access_request(w.carol, "new@verde.example"),
        },
        contacts={"azul": w.alice, "verde": w.carol},
        organizations={"azul": w.azul, "verde": w.verde},
        contracts={"azul": w.azul_contract, "verde": w.verde_contract},
        policy_versions=custom,
        tokens={
            org: do_create_token(getattr(w, owner), name="laptop")[0]
            for org, owner in TOKEN_OWNERS.items()
        },
    )
    # The catalogue: Banco Azul runs senhasegura PAM Core 4.2, Verde Energia 4.4; a known
    # issue and a release published, another of each still a draft.
    # Verde Energia runs SanerNow, not senhasegura PAM (knowledge-base articles are scoped by
    # product).
    catalogue = scene.catalogue = build_catalogue(w, verde_runs_pam=False)
    saner = catalogue.saner.modules.get()
    catalogue.versions["saner"] = do_add_version(w.fiona, saner, number="2025.1")
    do_add_inventory(w.fiona, w.verde_contract, module=saner)
    for state in ("published", "draft"):
        scene.known_issues[state] = do_create_known_issue(
            w.sam, product=catalogue.pam, title=f"A {state} issue", symptoms="It fails",
            ranges=[{"module": catalogue.core, "introduced": "4.1", "fixed": "4.4"}],
        )  # fmt: skip
        scene.releases[state] = do_create_release(
            w.maria, product=catalogue.pam, title=f"A {state} release", notes="New",
            version=catalogue.versions["4.4"],
        )  # fmt: skip
    do_publish_known_issue(w.sam, scene.known_issues["published"], "issue")
    do_publish_release(w.maria, scene.releases["published"])
    do_create_engineering_item(w.sam, key="ENG-1", title="Rebuild the index")
    scene.clients = {
        role: ApiClient(None if role == "anonymous" else getattr(w, role)) for role in ROLES
    }
    return scene


# ----------------------------------------------------------------------------- expectations


def ticket_change(staff_only: bool) -> Callable[[str, str], int]:
    def expect(role: str, target: str) -> int:
        if role not in TICKET_VIEWERS[target]:
            return 404
        return 403 if staff_only and role not in STAFF else 200

    return expect


def ticket_rule(contacts, staff: int, managers: int | None = None) -> Callable[[str, str], int]:
    """Viewers of the ticket only: contacts get ``contacts(target)`` (or 403 when None),
    staff ``staff``, support managers ``managers`` (default: as staff)."""

    def expect(role: str, target: str) -> int:
        if role not in TICKET_VIEWERS[target]:
            return 404
        if role in MANAGERS and managers is not None:
            return managers
        if role in STAFF:
            return staff
        return 403 if contacts is None else contacts(target)

    return expect


def ticket_scope_rule(role: str, target: str) -> int:
    if role not in TICKET_VIEWERS[target]:
        return 404
    if role not in STAFF:
        return 403
    return 422 if target == "verde" else 200


def viewers(table: dict, ok: int = 200) -> Callable[[str, str], int]:
    return lambda role, target: ok if role in table[target] else 404


def anyone(ok: int = 200) -> Callable[[str, str], int]:
    return lambda role, target: ok


def create_ticket(role: str, target: str) -> int:
    if role not in ORGANIZATION_VIEWERS[target]:
        return 404
    if role == "bob":
        return 403  # not an authorized contact
    if role == "peggy":
        return 403  # partner certification expired
    return 201


def contact_change(admin_may: bool) -> Callable[[str, str], int]:
    def expect(role: str, target: str) -> int:
        if role not in CONTACT_VIEWERS[target]:
            return 404
        if role in STAFF or (admin_may and role == CONTACT_ADMINS[target]):
            return 200
        return 403

    return expect


def revoke_token(role: str, target: str) -> int:
    return 200 if role == TOKEN_OWNERS[target] or role in MANAGERS else 404


def create_contract(role: str, target: str) -> int:
    return 201 if role in MANAGERS else 403


def manage_contract(ok: int) -> Callable[[str, str], int]:
    def expect(role: str, target: str) -> int:
        if role not in CONTRACT_VIEWERS[target]:
            return 404
        return ok if role in MANAGERS else 403

    return expect


def staff_changes_organization(role: str, target: str) -> int:
    if role not in ORGANIZATION_VIEWERS[target]:
        return 404
    return 200 if role in STAFF else 403


def create_contact(role: str, target: str) -> int:
    if role not in ORGANIZATION_VIEWERS[target]:
        return 404
    return 201 if role in STAFF or role == CONTACT_ADMINS[target] else 403


def record_training(role: str, target: str) -> int:
    if role not in CONTACT_VIEWERS[target]:
        return 404
    return 201 if role in STAFF else 403


def invite(scene: Scene, target: str) -> None:
    do_invite_contact(scene.world.maria, scene.contacts[target])


def ticket_body(role: str, scene: Scene, target: str) -> dict:
    w = scene.world
    body = {
        "subject": "Cannot log in",
        "body": "Every login fails",
        "severity": "high",
        "version": "3.31",
        "steps": "Log in",
        "expected_result": "In",
        "obtained_result": "Error",
        "circumstances": "Since today",
        "organization": scene.organizations[target].pk,
    }
    if role in STAFF:
        requester = w.alice if target == "azul" else w.carol
        body.update(requester=requester.pk, channel="phone" if target == "azul" else "email")
    return body


def solve(scene: Scene, target: str) -> None:
    do_change_status(scene.world.fiona, scene.tickets[target], "solved", now=NOW)


@dataclass
class Endpoint:
    targets: tuple[str, ...]
    path: Callable[[Scene, str], str]
    expect: Callable[[str, str], int]
    body: Callable[[str, Scene, str], object] | None = None
    prepare: Callable[[Scene, str], None] | None = None
    content_type: str = "application/json"
    # For lists: the ids of the targets in a response, and each target's id.
    listed: Callable[[object], set] | None = None
    target_id: Callable[[Scene, str], int] | None = None
    public: bool = False  # read without signing in


def ids(items) -> set:
    return {item["id"] for item in items}


def ticket_path(suffix: str = "") -> Callable[[Scene, str], str]:
    return lambda scene, target: f"/api/tickets/{scene.tickets[target].pk}{suffix}"


def contract_path(suffix: str) -> Callable[[Scene, str], str]:
    return lambda scene, target: f"/api/availability/contracts/{scene.contracts[target].pk}{suffix}"


def staff_rule(allowed: set[str], ok: int) -> Callable[[str, str], int]:
    """Viewers of the organization: ``allowed`` staff get ``ok``, the others 403."""

    def expect(role: str, target: str) -> int:
        if role not in ORGANIZATION_VIEWERS[target]:
            return 404
        return ok if role in allowed else 403

    return expect


def fixed(body) -> Callable[[str, Scene, str], object]:
    return lambda role, scene, target: body


def staff_only(ok: int = 200) -> Callable[[str, str], int]:
    return lambda role, target: ok if role in STAFF else 403


STATES = ("published", "draft")


def published_or_staff(ok_staff: int = 200, ok_contact: int = 200) -> Callable[[str, str], int]:
    """Known issues and releases: contacts see the published ones, staff all of them."""

    def expect(role: str, target: str) -> int:
        if role in STAFF:
            return ok_staff
        return ok_contact if target == "published" else 404

    return expect


def inventory_change(role: str, target: str) -> int:
    if role not in CONTRACT_VIEWERS[target]:
        return 404
    if role in STAFF or role in {"azul": {"alice", "amelia"}, "verde": {"carol", "victor"}}[target]:
        return 200
    return 403  # the partner's contacts are not Azul's (bob and peggy see no contract)


def inventory_line(scene: Scene, target: str) -> int:
    return scene.contracts[target].products.exclude(catalog_module=None).get().pk


def known_issue_path(suffix: str = "") -> Callable[[Scene, str], str]:
    return lambda scene, target: f"/api/known-issues/{scene.known_issues[target].slug}{suffix}"


ENDPOINTS: dict[str, Endpoint] = {
    # --- tickets
    "GET /api/tickets": Endpoint(
        TICKETS,
        lambda s, t: "/api/tickets?limit=100",
        viewers(TICKET_VIEWERS),
        listed=lambda json: ids(json["items"]),
        target_id=lambda s, t: s.tickets[t].pk,
    ),
    "POST /api/tickets": Endpoint(
        ORGANIZATIONS, lambda s, t: "/api/tickets", create_ticket, body=ticket_body
    ),
    "GET /api/tickets/{ticket_id}": Endpoint(TICKETS, ticket_path(), viewers(TICKET_VIEWERS)),
    "GET /api/tickets/{ticket_id}/messages": Endpoint(
        TICKETS, ticket_path("/messages"), viewers(TICKET_VIEWERS)
    ),
    "GET /api/tickets/{ticket_id}/events": Endpoint(
        TICKETS, ticket_path("/events"), viewers(TICKET_VIEWERS)
    ),
    "POST /api/tickets/{ticket_id}/replies": Endpoint(
        TICKETS, ticket_path("/replies"), ticket_change(False), body=fixed({"body": "Any news?"})
    ),
    # People copied: whoever sees the ticket lists, adds and removes them; others get 404.
    "GET /api/tickets/{ticket_id}/cc": Endpoint(
        TICKETS, ticket_path("/cc"), viewers(TICKET_VIEWERS)
    ),
    "POST /api/tickets/{ticket_id}/cc": Endpoint(
        TICKETS,
        ticket_path("/cc"),
        viewers(TICKET_VIEWERS, ok=201),
        body=fixed({"email": "noc@integrator.example"}),
    ),
    "DELETE /api/tickets/{ticket_id}/cc/{email}": Endpoint(
        TICKETS,
        ticket_path("/cc/noc@integrator.example"),
        viewers(TICKET_VIEWERS),
        prepare=lambda s, t: do_add_cc(s.world.fiona, s.tickets[t], "noc@integrator.example"),
    ),
    "POST /api/tickets/{ticket_id}/notes": Endpoint(
        TICKETS, ticket_path("/notes"), ticket_change(True), body=fixed({"body": "Internal"})
    ),
    "POST /api/tickets/{ticket_id}/status": Endpoint(
        TICKETS,
        ticket_path("/status"),
        ticket_change(True),
        body=fixed({"status": "pending", "reason": "working on it"}),
    ),
    "POST /api/tickets/{ticket_id}/severity": Endpoint(
        TICKETS,
        ticket_path("/severity"),
        ticket_change(True),
        body=lambda role, s, t: {"severity": SEVERITY[t], "reason": "production down"},
    ),
    "POST /api/tickets/{ticket_id}/severity-requests": Endpoint(
        TICKETS,
        ticket_path("/severity-requests"),
        ticket_change(False),
        body=lambda role, s, t: {
            "severity": SEVERITY[t],
            "justification": "Every user in production is blocked since 9:00",
        },
    ),
    "POST /api/tickets/{ticket_id}/assignee": Endpoint(
        TICKETS,
        ticket_path("/assignee"),
        ticket_change(True),
        body=lambda role, s, t: {"assignee": s.world.sam.pk},
    ),
    "POST /api/tickets/{ticket_id}/line": Endpoint(
        TICKETS,
        ticket_path("/line"),
        ticket_change(True),
        body=fixed({"line": "second", "reason": "needs engineering"}),
    ),
    "POST /api/tickets/{ticket_id}/escalate": Endpoint(
        TICKETS,
        ticket_path("/escalate"),
        ticket_change(False),  # both policies let customers escalate
        body=fixed({"reason": "no answer", "to": "management"}),
    ),
    "POST /api/tickets/{ticket_id}/confirm": Endpoint(
        TICKETS, ticket_path("/confirm"), ticket_change(False), body=fixed({}), prepare=solve
    ),
    "POST /api/tickets/{ticket_id}/reopen": Endpoint(
        TICKETS,
        ticket_path("/reopen"),
        ticket_change(False),
        body=fixed({"reason": "it came back"}),
        prepare=solve,
    ),
    "POST /api/tickets/{ticket_id}/access-request/approve": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/tickets/{s.access_requests[t].pk}/access-request/approve",
        # The access requests were opened by alice and carol: seen like their tickets.
        ticket_change(True),
        body=fixed({}),
    ),
    # --- the signed-in user, organizations, contacts
    "GET /api/me": Endpoint(ORGANIZATIONS, lambda s, t: "/api/me", anyone()),
    "GET /api/organizations": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/organizations",
        viewers(ORGANIZATION_VIEWERS),
        listed=ids,
        target_id=lambda s, t: s.organizations[t].pk,
    ),
    "GET /api/organizations/{organization_id}": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/organizations/{s.organizations[t].pk}",
        viewers(ORGANIZATION_VIEWERS),
    ),
    "GET /api/contacts": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/contacts",
        viewers(CONTACT_VIEWERS),
        listed=ids,
        target_id=lambda s, t: s.contacts[t].pk,
    ),
    "GET /api/contacts/{contact_id}": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/contacts/{s.contacts[t].pk}",
        viewers(CONTACT_VIEWERS),
    ),
    "POST /api/contacts/{contact_id}/authorize": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/contacts/{s.contacts[t].pk}/authorize",
        contact_change(admin_may=False),
        body=fixed({"reason": "new role"}),
    ),
    "POST /api/contacts/{contact_id}/revoke": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/contacts/{s.contacts[t].pk}/revoke",
        contact_change(admin_may=True),
        body=fixed({"reason": "left the company"}),
    ),
    "POST /api/contacts": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/contacts",
        create_contact,
        body=lambda role, s, t: {
            "organization": s.organizations[t].pk,
            "email": f"new-{t}@example.com",
            "full_name": "New Colleague",
        },
    ),
    "POST /api/contacts/{contact_id}/invitation": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/contacts/{s.contacts[t].pk}/invitation",
        contact_change(admin_may=True),
    ),
    "GET /api/invitations": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/invitations",
        viewers(CONTACT_VIEWERS),
        prepare=invite,
        listed=lambda json: {item["contact"] for item in json},
        target_id=lambda s, t: s.contacts[t].pk,
    ),
    "GET /api/contacts/{contact_id}/training": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/contacts/{s.contacts[t].pk}/training",
        viewers(CONTACT_VIEWERS),
    ),
    "POST /api/contacts/{contact_id}/training": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/contacts/{s.contacts[t].pk}/training",
        record_training,
        body=fixed({"course": "Basic product training", "completed_on": "2025-06-01"}),
    ),
    "PATCH /api/organizations/{organization_id}": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/organizations/{s.organizations[t].pk}",
        staff_changes_organization,
        body=fixed({"share_tickets": False}),
    ),
    "POST /api/contacts/{contact_id}/focal-point": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/contacts/{s.contacts[t].pk}/focal-point",
        contact_change(admin_may=True),
        body=fixed({}),
    ),
    # --- tokens
    "GET /api/tokens": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/tokens",
        lambda role, target: 200 if role == TOKEN_OWNERS[target] else 404,
        listed=ids,
        target_id=lambda s, t: s.tokens[t].pk,
    ),
    "POST /api/tokens": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/tokens",
        anyone(201),
        body=fixed({"name": "script", "scope": "read"}),
    ),
    "DELETE /api/tokens/{token_id}": Endpoint(
        ORGANIZATIONS, lambda s, t: f"/api/tokens/{s.tokens[t].pk}", revoke_token
    ),
    # --- contracts
    "GET /api/contracts": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/contracts",
        viewers(CONTRACT_VIEWERS),
        listed=ids,
        target_id=lambda s, t: s.contracts[t].pk,
    ),
    "GET /api/contracts/{contract_id}": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/contracts/{s.contracts[t].pk}",
        viewers(CONTRACT_VIEWERS),
    ),
    "POST /api/contracts": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/contracts",
        create_contract,
        body=lambda role, s, t: {
            "organization": s.organizations[t].pk,
            "service_contract_id": f"{t.upper()}-2027",
            "preset": "senhasegura" if t == "azul" else "secpod",
            "plan": "standard-8x5" if t == "azul" else "standard",
            "starts_on": "2027-01-01",
        },
    ),
    "POST /api/contracts/{contract_id}/renew": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/contracts/{s.contracts[t].pk}/renew",
        manage_contract(201),
        body=fixed({"years": 1}),
    ),
    "POST /api/contracts/{contract_id}/terminate": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/contracts/{s.contracts[t].pk}/terminate",
        manage_contract(200),
        body=fixed({"on": "2026-06-30", "reason": "merger"}),
    ),
    # --- policies
    "GET /api/policies": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/policies",
        viewers(CONTRACT_VIEWERS),
        listed=lambda json: ids(json["versions"]),
        target_id=lambda s, t: s.policy_versions[t].pk,
    ),
    "GET /api/policies/presets/{name}": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/policies/presets/" + ("senhasegura" if t == "azul" else "secpod"),
        anyone(),
    ),
    "GET /api/policies/versions/{version_id}": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/policies/versions/{s.policy_versions[t].pk}",
        viewers(CONTRACT_VIEWERS),
    ),
    # --- catalogue
    "GET /api/products": Endpoint(
        ORGANIZATIONS, lambda s, t: "/api/products", anyone(), public=True
    ),
    "GET /api/products/{slug}": Endpoint(
        ORGANIZATIONS, lambda s, t: "/api/products/senhasegura-pam", anyone(), public=True
    ),
    "POST /api/products": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/products",
        staff_only(201),
        body=fixed({"name": "Allure Detect", "vendor": "Allure Security"}),
    ),
    "POST /api/products/{slug}/versions": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/products/senhasegura-pam/versions",
        staff_only(201),
        body=fixed({"module": "core", "number": "4.5", "released_on": "2026-01-20"}),
    ),
    "POST /api/products/versions/{version_id}": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/products/versions/{s.catalogue.versions['4.3'].pk}",
        staff_only(),
        body=fixed({"end_of_support_on": "2027-06-30"}),
    ),
    "GET /api/products/versions/{version_id}/support": Endpoint(
        ORGANIZATIONS,
        lambda s, t: (
            f"/api/products/versions/{s.catalogue.versions['4.1'].pk}/support"
            f"?organization={s.organizations[t].pk}"
        ),
        viewers(ORGANIZATION_VIEWERS),
    ),
    "GET /api/known-issues": Endpoint(
        STATES,
        lambda s, t: "/api/known-issues",
        published_or_staff(),
        listed=ids,
        target_id=lambda s, t: s.known_issues[t].pk,
    ),
    "GET /api/known-issues/{slug}": Endpoint(STATES, known_issue_path(), published_or_staff()),
    "POST /api/known-issues": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/known-issues",
        staff_only(201),
        body=fixed(
            {
                "product": "senhasegura-pam",
                "title": "Login loop",
                "symptoms": "Loops",
                "ranges": [{"module": "core", "introduced": "4.2", "last_affected": "4.3"}],
            }
        ),
    ),
    "POST /api/known-issues/{slug}": Endpoint(
        STATES,
        known_issue_path(),
        published_or_staff(ok_contact=403),
        body=fixed({"workaround": "Restart the service"}),
    ),
    "POST /api/known-issues/{slug}/publish": Endpoint(
        STATES,
        known_issue_path("/publish"),
        published_or_staff(ok_contact=403),
        body=fixed({"step": "issue"}),
    ),
    "GET /api/releases": Endpoint(
        STATES,
        lambda s, t: "/api/releases",
        published_or_staff(),
        listed=ids,
        target_id=lambda s, t: s.releases[t].pk,
    ),
    "POST /api/releases": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/releases",
        staff_only(201),
        body=lambda role, s, t: {
            "product": "senhasegura-pam",
            "title": "PAM 4.3",
            "notes": "Fixes",
            "version": s.catalogue.versions["4.3"].pk,
        },
    ),
    "POST /api/releases/{release_id}/publish": Endpoint(
        STATES,
        lambda s, t: f"/api/releases/{s.releases[t].pk}/publish",
        published_or_staff(ok_contact=403),
        body=fixed({}),
    ),
    "GET /api/engineering-items": Endpoint(
        ORGANIZATIONS, lambda s, t: "/api/engineering-items", staff_only()
    ),
    "POST /api/engineering-items": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/engineering-items",
        staff_only(201),
        body=fixed({"key": "ENG-2", "title": "Faster search"}),
    ),
    "POST /api/engineering-items/{key}": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/engineering-items/ENG-1",
        staff_only(),
        body=fixed({"status": "in_progress", "body": "Started"}),
    ),
    "POST /api/tickets/{ticket_id}/known-issue": Endpoint(
        TICKETS,
        ticket_path("/known-issue"),
        ticket_change(True),
        body=lambda role, s, t: {"known_issue": s.known_issues["published"].slug},
    ),
    "POST /api/tickets/{ticket_id}/known-issue/unlink": Endpoint(
        TICKETS,
        ticket_path("/known-issue/unlink"),
        # Staff reach the rule: the scene's tickets are linked to no known issue (422).
        lambda role, target: (
            422 if ticket_change(True)(role, target) == 200 else ticket_change(True)(role, target)
        ),
        body=fixed({"reason": "not this issue"}),
    ),
    "POST /api/tickets/{ticket_id}/engineering-item": Endpoint(
        TICKETS, ticket_path("/engineering-item"), ticket_change(True), body=fixed({"key": "ENG-1"})
    ),
    "POST /api/tickets/{ticket_id}/product-version": Endpoint(
        TICKETS,
        ticket_path("/product-version"),
        # Customers correct their own open tickets, with a version of their inventory
        # (Verde's contract has no senhasegura module: 422 naming the rule).
        ticket_rule(contacts=lambda target: 422 if target == "verde" else 200, staff=200),
        body=lambda role, s, t: {
            "product_version": s.catalogue.versions["4.3"].pk,
            "reason": "customer said so",
        },
    ),
    "POST /api/tickets/{ticket_id}/corrections": Endpoint(
        TICKETS,
        ticket_path("/corrections"),
        ticket_change(False),  # customers: the details of their own open tickets
        body=lambda role, s, t: {"field": "steps", "value": f"steps by {role}", "reason": "typo"},
    ),
    "POST /api/tickets/{ticket_id}/checklist": Endpoint(
        # Neither senhasegura nor secpod lists a checklist: staff get 422 naming it.
        TICKETS,
        ticket_path("/checklist"),
        ticket_rule(None, 422),
        body=fixed({"checklist": "initial-contact", "item": 0, "note": "config verified"}),
    ),
    "POST /api/tickets/{ticket_id}/resolution-plan": Endpoint(
        TICKETS,
        ticket_path("/resolution-plan"),
        ticket_rule(None, 422),
        body=fixed({"body": "Work-around: restart the node."}),
    ),
    "POST /api/tickets/{ticket_id}/third-party-cause": Endpoint(
        TICKETS,
        ticket_path("/third-party-cause"),
        ticket_rule(None, 422),
        body=fixed({"vendor": "Contoso", "why": "its driver"}),
    ),
    "POST /api/tickets/{ticket_id}/clocks/{metric}/exempt": Endpoint(
        # Managers only; neither policy exempts breaches (allure does): 422 for them.
        TICKETS,
        ticket_path("/clocks/first_response/exempt"),
        ticket_rule(None, 403, 422),
        body=fixed({"reason": "severity misassigned"}),
    ),
    "POST /api/tickets/{ticket_id}/out-of-scope": Endpoint(
        # senhasegura §5.5 lists data migration; secpod lists no categories.
        TICKETS,
        ticket_path("/out-of-scope"),
        ticket_scope_rule,
        body=fixed({"category": "data-migration", "note": "a professional service"}),
    ),
    "POST /api/inventory/{line_id}": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/inventory/{inventory_line(s, t)}",
        inventory_change,
        body=lambda role, s, t: {
            "installed_version": s.catalogue.versions["4.3" if t == "azul" else "saner"].pk
        },
    ),
    "POST /api/policies/validate": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/policies/validate",
        anyone(),
        body=lambda role, s, t: SENHASEGURA if t == "azul" else SECPOD,
        content_type="text/yaml",
    ),
    # --- availability (Banco Azul's and Verde's policies measure no availability: no probes;
    # pacto/availability/tests/test_results.py covers probes, monitor tokens and customers)
    "POST /api/availability/results": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/availability/results",
        anyone(403),  # these tokens and sessions are not of the monitor scope
        body=fixed({"probe": "none", "results": []}),
    ),
    "GET /api/availability/probes/{name}/months/{month}": Endpoint(
        ORGANIZATIONS, lambda s, t: "/api/availability/probes/none/months/2026-06", anyone(404)
    ),
    # Neither contract has hypercare or an availability commitment: a role allowed to act
    # reaches the rule (422), one that is not is refused (403), a stranger learns nothing (404).
    "POST /api/availability/probes": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/availability/probes",
        staff_rule(MANAGERS, 422),
        body=lambda role, s, t: {
            "contract": s.contracts[t].pk,
            "name": "p",
            "url": "https://p.example",
        },
    ),
    "POST /api/availability/windows": Endpoint(
        ORGANIZATIONS,
        lambda s, t: "/api/availability/windows",
        staff_rule(set(STAFF), 422),
        body=lambda role, s, t: {
            "contract": s.contracts[t].pk,
            "kind": "planned",
            "reason": "Patching",
            "starts_at": "2026-06-20T10:00:00Z",
            "ends_at": "2026-06-20T11:00:00Z",
        },
    ),
    "GET /api/availability/contracts/{contract_id}/hypercare": Endpoint(
        ORGANIZATIONS, contract_path("/hypercare"), viewers(ORGANIZATION_VIEWERS)
    ),
    "POST /api/availability/contracts/{contract_id}/hypercare/extensions": Endpoint(
        ORGANIZATIONS,
        contract_path("/hypercare/extensions"),
        staff_rule(set(STAFF), 422),
        body=fixed({"weeks": 2, "reason": "Unstable"}),
    ),
    "POST /api/availability/contracts/{contract_id}/hypercare/extensions/{extension_id}/answer": (
        Endpoint(
            ORGANIZATIONS,
            contract_path("/hypercare/extensions/999999/answer"),
            viewers(ORGANIZATION_VIEWERS, 404),
            body=fixed({"accept": True}),
        )
    ),
    "POST /api/availability/contracts/{contract_id}/hypercare/signoffs": Endpoint(
        ORGANIZATIONS,
        contract_path("/hypercare/signoffs"),
        viewers(ORGANIZATION_VIEWERS, 422),  # no hypercare to sign off
        body=fixed({"note": ""}),
    ),
    "POST /api/availability/contracts/{contract_id}/hypercare/conclusion": Endpoint(
        ORGANIZATIONS,
        contract_path("/hypercare/conclusion"),
        staff_rule(MANAGERS, 422),
        body=fixed({"note": ""}),
    ),
}


def api_routes() -> set[str]:
    """``METHOD /api/path`` of every operation the API serves (whether documented or not)."""
    routes = set()
    # ninja offers no public list of operations; its bound routers are what it serves.
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            full = normalize_path("/api/" + "/".join(p for p in (bound.prefix, path) if p))
            for operation in path_view.operations:
                routes |= {f"{method} {full.rstrip('/')}" for method in operation.methods}
    return routes


# --- the knowledge base: an article for Banco Azul's product (its contacts and the partner
# serving it read it) and one for a product no contract of Verde Energia covers (staff only).
KB_READERS = {"azul": AZUL_PEOPLE | set(STAFF), "verde": set(STAFF)}
KB_PRODUCTS = {"azul": "senhasegura PAM", "verde": "Product nobody bought"}


def kb_article(scene: Scene, target: str) -> None:
    from pacto.kb.actions import do_create_article

    do_create_article(
        scene.world.fiona, title=f"Knowledge {target} rotation", body_markdown="Rotate keys.",
        slug=f"kb-{target}", status="published", products=[KB_PRODUCTS[target]],
    )  # fmt: skip


ENDPOINTS |= {
    "GET /api/kb/search": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/kb/search?q=knowledge+{t}",
        viewers(KB_READERS),
        prepare=kb_article,
        listed=lambda body: {r["slug"] for r in body["results"]},
        target_id=lambda s, t: f"kb-{t}",
    ),
    "GET /api/kb/articles/{locale}/{slug}": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/kb/articles/en/kb-{t}",
        viewers(KB_READERS),
        prepare=kb_article,
    ),
}


# --- reports: staff see every organization's figures; an organization admin their own (another
# organization's is not found); other contacts none.
REPORT_ADMINS = {"azul": "amelia", "verde": "victor"}


def report_reader(role: str, target: str) -> int:
    if role in STAFF or role == REPORT_ADMINS[target]:
        return 200
    return 404 if role in REPORT_ADMINS.values() else 403


ENDPOINTS |= {
    "GET /api/reports/sla": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/reports/sla?month=2026-06&organization={s.organizations[t].pk}",
        report_reader,
    ),
}


# --- professional services: Banco Azul's service request and quote (senhasegura sells
# services; secpod, Verde Energia's policy, has no catalogue, so Verde's people only ever
# meet Azul's objects as strangers). Quotes are seen by the customer's authorized contacts,
# its organization admin and staff; only an authorized contact of the customer decides.
QUOTE_VIEWERS = {"azul": {"alice", "amelia", *STAFF}}
QUOTE_DECIDERS = {"alice", "amelia"}


def service_quote(scene: Scene, target: str):
    from pacto.services.actions import do_create_quote, do_request_service, do_set_rate_card

    w = scene.world
    do_set_rate_card(w.maria, w.azul_contract, day_rate="4000", now=NOW)
    ticket = do_request_service(w.alice, service="health-check", body="Please", now=NOW)
    scene.service_ticket = ticket
    scene.quote = do_create_quote(
        w.fiona, ticket, service="health-check", lines=[{"units": "1"}],
        valid_until=NOW.date().replace(day=28), now=NOW,
    )  # fmt: skip


def quote_of(scene: Scene, target: str):
    """The quote ``prepare`` made (a test reading paths without preparing gets one made)."""
    if getattr(scene, "quote", None) is None:
        service_quote(scene, target)
    return scene.quote


def decide(role: str, target: str) -> int:
    if role not in QUOTE_VIEWERS[target]:
        return 404
    return 200 if role in QUOTE_DECIDERS else 403


def create_quote(role: str, target: str) -> int:
    if role not in TICKET_VIEWERS[target]:
        return 404
    return 201 if role in STAFF else 403


def request_service(role: str, target: str) -> int:
    if role in STAFF:
        return 403
    if role not in ORGANIZATION_VIEWERS[target]:
        return 404
    return 403 if role in ("bob", "peggy") else 201


ENDPOINTS |= {
    "POST /api/services/requests": Endpoint(
        ("azul",),
        lambda s, t: "/api/services/requests",
        request_service,
        body=lambda role, s, t: {
            "service": "health-check",
            "body": "Please",
            "organization": s.organizations[t].pk,
        },
    ),
    "POST /api/services/quotes": Endpoint(
        ("azul",),
        lambda s, t: "/api/services/quotes",
        create_quote,
        prepare=service_quote,
        body=lambda role, s, t: {
            "ticket": s.service_ticket.pk,
            "service": "health-check",
            "lines": [{"units": "1"}],
            "valid_until": "2026-12-31",
        },
    ),
    "GET /api/services/quotes": Endpoint(
        ("azul",),
        lambda s, t: "/api/services/quotes",
        viewers(QUOTE_VIEWERS),
        prepare=service_quote,
        listed=ids,
        target_id=lambda s, t: quote_of(s, t).pk,
    ),
    "GET /api/services/quotes/{quote_id}": Endpoint(
        ("azul",),
        lambda s, t: f"/api/services/quotes/{quote_of(s, t).pk}",
        viewers(QUOTE_VIEWERS),
        prepare=service_quote,
    ),
    "POST /api/services/quotes/{quote_id}/decision": Endpoint(
        ("azul",),
        lambda s, t: f"/api/services/quotes/{quote_of(s, t).pk}/decision",
        decide,
        prepare=service_quote,
        body=fixed({"approve": True, "version": 1}),
    ),
    "GET /api/services/contracts/{contract_id}/entitlements": Endpoint(
        ORGANIZATIONS,
        lambda s, t: f"/api/services/contracts/{s.contracts[t].pk}/entitlements",
        viewers(CONTRACT_VIEWERS),
    ),
}


# ----------------------------------------------------------------------------- the tests


def test_every_endpoint_has_an_entry_in_the_expectation_table():
    served = api_routes()

    assert served - set(ENDPOINTS) == set(), "add these endpoints to ENDPOINTS"
    assert set(ENDPOINTS) - served == set(), "these ENDPOINTS entries are served no more"


def test_the_expectation_table_covers_every_route_of_the_openapi_schema():
    schema = api.get_openapi_schema(path_prefix="/api/")
    documented = {
        f"{method.upper()} {path.rstrip('/')}"
        for path, operations in schema["paths"].items()
        for method in operations
    }

    assert documented == set(ENDPOINTS)


def attempt(scene: Scene, route: str, role: str, target: str):
    """One request, in a savepoint rolled back afterwards."""
    endpoint = ENDPOINTS[route]
    method = route.split()[0]
    client = scene.clients[role]
    with transaction.atomic():
        if endpoint.prepare:
            endpoint.prepare(scene, target)
        body = endpoint.body(role, scene, target) if endpoint.body else None
        path = endpoint.path(scene, target)
        if endpoint.content_type != "application/json":
            response = client.client.generic(
                method, path, body, content_type=endpoint.content_type, headers=client.headers
            )
        else:
            response = client.request(method, path, body)
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("route", sorted(ENDPOINTS))
def test_each_role_reaches_exactly_what_access_allows(scene, route):
    endpoint = ENDPOINTS[route]
    wrong = []
    for role in ROLES:
        for target in endpoint.targets:
            response = attempt(scene, route, role, target)
            body = response.json()
            if role == "anonymous" and not endpoint.public:
                expected, got = 401, response.status_code
            elif endpoint.listed is not None:
                # A list never fails for a stranger: the object is just not in it.
                assert response.status_code == 200, (role, target, body)
                expected = endpoint.expect(role, target) == 200
                got = endpoint.target_id(scene, target) in endpoint.listed(body)
            else:
                expected, got = endpoint.expect(role, target), response.status_code
            if expected != got:
                wrong.append(
                    f"{role} on {target}: expected {expected}, got {got}: {str(body)[:200]}"
                )
            if response.status_code >= 400:
                assert set(body) == {"detail"}, body
                assert all(set(d) == {"field", "rule", "message"} for d in body["detail"]), body

    assert not wrong, "\n".join(wrong)


def test_no_response_to_a_contact_ever_carries_an_internal_note(scene):
    fiona = scene.clients["fiona"]
    for target in TICKETS:
        fiona.post(f"/api/tickets/{scene.tickets[target].pk}/notes", {"body": "SECRET-NOTE"})

    for role in CONTACTS:
        client = scene.clients[role]
        for route, endpoint in ENDPOINTS.items():
            if not route.startswith("GET"):
                continue
            for target in endpoint.targets:
                response = client.get(endpoint.path(scene, target))
                assert "SECRET-NOTE" not in response.content.decode(), (role, route, target)
        for target in TICKETS:
            replied = attempt(scene, "POST /api/tickets/{ticket_id}/replies", role, target)
            assert "SECRET-NOTE" not in replied.content.decode(), (role, target)
