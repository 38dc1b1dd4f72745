"""Every page of the portal and the console, for every role, against tickets of both customers.

The pages are enumerated from the URL configuration (the ``portal`` and ``console``
namespaces), so a new page without an entry in ``PAGES`` fails
``test_every_page_has_an_entry_in_the_expectation_table``. Each entry says what each person
gets: 200 (the page), 302 (anonymous visitors are sent to sign in; staff following a portal
link are sent to the console; a change that worked redirects back), 403 (may not use this
page), 404 (may not see this ticket or token: nothing leaks) or 422 (allowed, but the empty form
breaks a rule). Each request runs in a savepoint that is rolled back, so every role meets
the same objects in the same state.

Who sees what (``pacto/accounts/access.py``), for the tickets used here: ``azul`` opened by
alice, ``azul-partner`` opened by paul (partner) for Banco Azul, ``verde`` opened by carol;
each seen by its requester, the customer's organization admin and the vendor's staff. The
API token is alice's: only she sees it or may revoke it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLResolver, get_resolver

from pacto.accounts.actions import do_create_token
from pacto.catalog.actions import (
    do_create_engineering_item,
    do_create_known_issue,
    do_create_release,
)
from pacto.catalog.tests.fixtures import build_catalogue
from pacto.kb.actions import do_add_article_attachment, do_create_article, do_vote
from pacto.testing import NOW, PROBLEM_DETAILS, build_world, client_for
from pacto.tickets.actions import do_add_attachment, do_open_ticket, do_reply

# Uploads in a folder of each test, and an empty cache.
pytestmark = pytest.mark.usefixtures("media_root")

CONTACTS = ("alice", "amelia", "bob", "carol", "victor", "paul", "peggy")
STAFF = ("fiona", "sam", "maria", "pete", "root")
ROLES = (*CONTACTS, *STAFF, "anonymous")
MANAGERS = {"maria", "root"}
ORG_ADMINS = {"amelia", "victor"}
MAY_OPEN_TICKETS = {"alice", "amelia", "carol", "victor", "paul"}  # bob: not authorized;
# peggy: partner contact whose certification expired
TICKET_VIEWERS = {
    "azul": {"alice", "amelia"},
    "azul-partner": {"paul", "amelia", "alice"},  # alice: senhasegura §7.4 shares tickets
    "verde": {"carol", "victor"},
}


# ----------------------------------------------------------------------------- expectations

Rule = Callable[[str, str | None], int]


@dataclass(frozen=True)
class Page:
    method: str
    rule: Rule
    per_ticket: bool = False
    data: dict | None = None


def everyone(status: int) -> Rule:
    return lambda role, ticket: status


def signed_in(status: int) -> Rule:
    return lambda role, ticket: 302 if role == "anonymous" else status


def contacts_page(allowed: set[str] | None = None, ok: int = 200, refused: int = 403) -> Rule:
    """A portal page: staff are redirected to the console (GET) or refused (a change)."""

    def rule(role, ticket):
        if role == "anonymous" or (role in STAFF and ok == 200):
            return 302
        if role in STAFF:
            return 403
        return ok if allowed is None or role in allowed else refused

    return rule


def org_admin_page(ok: int, staff: int) -> Rule:
    """A page of the organization's admins; other contacts are refused."""

    def rule(role, ticket):
        if role == "anonymous":
            return 302
        if role in STAFF:
            return staff
        return ok if role in ORG_ADMINS else 403

    return rule


def contact_ticket(ok: int) -> Rule:
    """A portal ticket page: its viewers get ``ok``, other contacts 404 (nothing leaks)."""

    def rule(role, ticket):
        if role == "anonymous" or (role in STAFF and ok == 200):
            return 302
        if role in STAFF:
            return 403
        return ok if role in TICKET_VIEWERS[ticket] else 404

    return rule


def any_viewer(ok: int) -> Rule:
    """Whoever may see the ticket, staff included."""

    def rule(role, ticket):
        if role == "anonymous":
            return 302
        return ok if role in STAFF or role in TICKET_VIEWERS[ticket] else 404

    return rule


def token_owner(owner: str, ok: int) -> Rule:
    """A page of one person's API token: its owner gets ``ok``, everyone else (managers
    too) 404, as if it did not exist."""

    def rule(role, ticket):
        if role == "anonymous":
            return 302
        return ok if role == owner else 404

    return rule


def staff_page(ok: int = 200, only: set[str] | None = None) -> Rule:
    def rule(role, ticket):
        if role == "anonymous":
            return 302
        if role in CONTACTS or (only is not None and role not in only):
            return 403
        return ok

    return rule


# Authorized contacts (peggy too: her certification lapsed, but she is authorized, so the
# empty form's rule answers first; opening the ticket would refuse her).
SERVICE_REQUESTERS = {"alice", "amelia", "carol", "victor", "paul", "peggy"}

KB_READERS = {"alice", "amelia", "bob", "paul", "peggy", *STAFF}


def kb_reader(ok: int) -> Rule:
    """A page of the knowledge base's article for Banco Azul's product."""
    return lambda role, ticket: 302 if role == "anonymous" else ok if role in KB_READERS else 404


def contacts_only(ok: int) -> Rule:
    return lambda role, ticket: 302 if role == "anonymous" else 403 if role in STAFF else ok


PAGES: dict[str, list[Page]] = {
    # Public pages.
    "portal:home": [Page("GET", everyone(200))],
    "portal:calculator": [Page("GET", everyone(200))],
    "portal:activate": [Page("GET", everyone(404)), Page("POST", everyone(404))],
    "portal:set_language": [Page("POST", everyone(302), data={"language": "en", "next": "/"})],
    # Signed-in people.
    "portal:preferences": [Page("GET", signed_in(200)), Page("POST", signed_in(422))],
    # pacto.js posts the browser's zone; sent empty, the zone is missing. Staff too.
    "portal:browser_zone": [Page("GET", signed_in(405)), Page("POST", signed_in(422))],
    "portal:notifications": [Page("POST", contacts_page(ok=302))],  # nothing ticked: all off
    "portal:tokens": [Page("GET", signed_in(200)), Page("POST", signed_in(422))],
    "portal:revoke_token": [Page("POST", token_owner("alice", 302))],  # alice's token
    # The portal: contacts.
    "portal:tickets": [Page("GET", contacts_page())],
    "portal:search": [Page("GET", contacts_page())],
    "portal:new_ticket": [
        Page("GET", contacts_page(MAY_OPEN_TICKETS)),
        Page("POST", contacts_page(MAY_OPEN_TICKETS, ok=422)),
    ],
    "portal:new_ticket_due": [Page("GET", contacts_page(MAY_OPEN_TICKETS))],
    "portal:ticket": [Page("GET", contact_ticket(200), per_ticket=True)],
    "portal:ticket_reply": [Page("POST", contact_ticket(422), per_ticket=True)],
    "portal:ticket_confirm": [Page("POST", contact_ticket(422), per_ticket=True)],  # not solved
    "portal:ticket_reopen": [Page("POST", contact_ticket(422), per_ticket=True)],
    "portal:ticket_escalate": [Page("POST", contact_ticket(422), per_ticket=True)],
    "portal:ticket_severity": [Page("POST", contact_ticket(422), per_ticket=True)],
    "portal:ticket_cc_add": [Page("POST", contact_ticket(422), per_ticket=True)],
    "portal:ticket_cc_remove": [Page("POST", contact_ticket(422), per_ticket=True)],
    "portal:attachment": [Page("GET", any_viewer(200), per_ticket=True)],
    "portal:email": [Page("GET", everyone(403)), Page("POST", everyone(403))],
    "portal:contacts": [
        Page("GET", contacts_page(ORG_ADMINS)),
        Page("POST", contacts_page(ORG_ADMINS, ok=422)),
    ],
    # The console: the vendor's staff.
    "console:queue": [Page("GET", staff_page())],
    "console:queue_live": [Page("GET", staff_page())],
    "console:save_view": [Page("POST", staff_page(302))],  # empty: back with an error
    "console:delete_view": [Page("POST", staff_page(404))],  # no such view
    "console:bulk": [Page("POST", staff_page(302))],  # nothing selected: back with an error
    "console:search": [Page("GET", staff_page())],
    "console:notifications": [Page("GET", staff_page()), Page("POST", staff_page(302))],
    "console:macros": [Page("GET", staff_page()), Page("POST", staff_page(422))],
    "console:delete_macro": [Page("POST", staff_page(404))],  # no such macro
    "console:accept_severity": [Page("POST", staff_page(302), per_ticket=True)],  # none pending
    "console:decline_severity": [Page("POST", staff_page(422), per_ticket=True)],
    "console:dashboard": [Page("GET", staff_page(only=MANAGERS))],
    "console:accounts": [Page("GET", staff_page(only=MANAGERS))],
    "console:import": [Page("POST", staff_page(422, only=MANAGERS))],
    "console:import_template": [Page("GET", staff_page(only=MANAGERS))],
    "console:resend_invitation": [Page("POST", staff_page(302, only=MANAGERS))],
    "console:renew": [Page("POST", staff_page(302, only=MANAGERS))],
    "console:terminate": [Page("POST", staff_page(302, only=MANAGERS))],
    "console:new_ticket": [Page("GET", staff_page()), Page("POST", staff_page(422))],
    "console:new_ticket_due": [Page("GET", staff_page())],
    "console:ticket": [Page("GET", staff_page(), per_ticket=True)],
    "console:reply": [Page("POST", staff_page(422), per_ticket=True)],
    "console:status": [Page("POST", staff_page(422), per_ticket=True)],
    "console:severity": [Page("POST", staff_page(422), per_ticket=True)],
    "console:assign": [Page("POST", staff_page(422), per_ticket=True, data={"assignee": "-1"})],
    "console:line": [Page("POST", staff_page(422), per_ticket=True)],
    "console:escalate": [Page("POST", staff_page(422), per_ticket=True)],
    "console:work": [Page("POST", staff_page(422), per_ticket=True)],
    "console:cc_add": [Page("POST", staff_page(422), per_ticket=True)],
    "console:cc_remove": [Page("POST", staff_page(422), per_ticket=True)],
    "console:approve": [Page("POST", staff_page(422), per_ticket=True)],  # not an access request
    # The catalogue: public page, the customer's products and known issues, the console's pages.
    "catalog:products": [Page("GET", everyone(200))],
    "catalog:inventory": [Page("GET", contacts_page()), Page("POST", contacts_page(ok=422))],
    "catalog:known_issues": [Page("GET", contacts_page())],
    "catalog:console_catalogue": [Page("GET", staff_page()), Page("POST", staff_page(422))],
    "catalog:console_known_issues": [Page("GET", staff_page()), Page("POST", staff_page(422))],
    "catalog:console_known_issue": [Page("GET", staff_page())],
    "catalog:console_known_issue_change": [Page("POST", staff_page(422))],
    "catalog:console_known_issue_publish": [Page("POST", staff_page(422))],
    "catalog:console_releases": [Page("GET", staff_page()), Page("POST", staff_page(422))],
    "catalog:console_release_publish": [Page("POST", staff_page(302))],
    "catalog:console_engineering": [Page("GET", staff_page()), Page("POST", staff_page(422))],
    "catalog:console_engineering_update": [Page("POST", staff_page(422))],
    "catalog:link_known_issue": [Page("POST", staff_page(422), per_ticket=True)],
    "catalog:unlink_known_issue": [Page("POST", staff_page(422), per_ticket=True)],
    "catalog:link_engineering_item": [Page("POST", staff_page(422), per_ticket=True)],
    "catalog:set_product_version": [Page("POST", staff_page(422), per_ticket=True)],
    # Corrections and policy rules on a ticket (empty forms: 422 naming the field).
    "casework:correct": [Page("POST", staff_page(422), per_ticket=True)],
    "casework:tick": [Page("POST", staff_page(422), per_ticket=True)],
    "casework:plan": [Page("POST", staff_page(422), per_ticket=True)],
    "casework:third_party": [Page("POST", staff_page(422), per_ticket=True)],
    "casework:arrangement": [Page("POST", staff_page(422), per_ticket=True)],
    "casework:out_of_scope": [Page("POST", staff_page(422), per_ticket=True)],
    "casework:exempt": [Page("POST", staff_page(422, only={"maria", "root"}), per_ticket=True)],
    "casework:customer_correct": [Page("POST", contact_ticket(422), per_ticket=True)],
    # Availability and hypercare (no probe, extension or contract of these ids: 404).
    "availability:portal": [Page("GET", contacts_page())],
    "availability:console": [Page("GET", staff_page())],
    "availability:csv": [Page("GET", signed_in(404))],
    "availability:answer_extension": [Page("POST", signed_in(404))],
    "availability:sign_off": [Page("POST", signed_in(404))],
    "availability:console_window": [Page("POST", staff_page(404))],
    "availability:console_extension": [Page("POST", staff_page(404))],
    "availability:console_conclude": [Page("POST", staff_page(404))],
    "availability:console_report": [Page("POST", staff_page(404))],
    # Reports: the console's for staff; the monthly customer report for organization admins
    # (staff are sent to the console's, or name an organization); a survey by signed link.
    "reports:console": [Page("GET", staff_page())],
    "reports:console_export": [Page("GET", staff_page())],
    "reports:portal": [Page("GET", org_admin_page(200, staff=302))],
    "reports:pdf": [Page("GET", org_admin_page(200, staff=404))],
    "reports:run_pdf": [Page("GET", signed_in(404))],
    "reports:survey": [Page("GET", everyone(404))],
    # The knowledge base: the article is for Banco Azul's product (its contacts, the partner
    # serving it, and staff read it); forms sent empty are refused or sent back.
    "kb:search": [Page("GET", signed_in(200))],
    "kb:article": [Page("GET", kb_reader(200))],
    "kb:vote": [Page("POST", kb_reader(422))],
    "kb:attachment": [Page("GET", kb_reader(200))],
    "kb:suggest": [Page("GET", contacts_only(200))],
    "kb:deflect": [Page("POST", contacts_only(404))],  # no article chosen
    "kb:manage": [Page("GET", staff_page())],
    "kb:new": [Page("GET", staff_page()), Page("POST", staff_page(422))],
    "kb:edit": [Page("GET", staff_page()), Page("POST", staff_page(422))],
    "kb:status": [Page("POST", staff_page(302))],
    "kb:attach": [Page("POST", staff_page(302))],
    "kb:tasks": [Page("GET", staff_page())],
    "kb:task_done": [Page("POST", staff_page(302))],
    "kb:metrics": [Page("GET", staff_page())],
    "kb:send": [Page("POST", staff_page(303), per_ticket=True)],  # no article chosen
    # Professional services: the portal's page for contacts (staff are sent to the
    # console's); a request sent empty is refused by its rule (422) for an authorized
    # contact, and by permission (403) for bob; no quote, session or waiver of these ids
    # (404); the signed link is checked before anything else (404 for a forged one).
    "services:portal": [Page("GET", contacts_page())],
    "services:portal_request": [Page("POST", contacts_page(SERVICE_REQUESTERS, ok=422))],
    "services:portal_decide": [Page("POST", signed_in(404))],
    "services:portal_schedule": [Page("POST", signed_in(404))],
    "services:session_answer": [Page("POST", signed_in(404))],
    "services:waiver_accept": [Page("POST", signed_in(404))],
    "services:decide_link": [Page("GET", everyone(404)), Page("POST", everyone(404))],
    "services:console": [Page("GET", staff_page())],
    "services:console_export": [Page("GET", staff_page())],
    # A problem ticket is no service request, Banco Azul's and Verde's policies have no
    # waiver, and an empty form names its first missing field: 422 for staff.
    "services:console_quote": [Page("POST", staff_page(422), per_ticket=True)],
    "services:console_log": [Page("POST", staff_page(422), per_ticket=True)],
    "services:console_session": [Page("POST", staff_page(422), per_ticket=True)],
    "services:console_waiver": [Page("POST", staff_page(422), per_ticket=True)],
    "services:console_schedule": [Page("POST", staff_page(404))],
    "services:console_session_step": [Page("POST", staff_page(404))],
    "services:console_rate_card": [Page("POST", staff_page(404))],
}


def page_names() -> list[str]:
    resolver = get_resolver()
    names = []
    for namespace in (
        "portal",
        "console",
        "catalog",
        "casework",
        "kb",
        "availability",
        "reports",
        "services",
    ):
        _prefix, sub_resolver = resolver.namespace_dict[namespace]
        names += [f"{namespace}:{name}" for name in named_patterns(sub_resolver.url_patterns)]
    return sorted(names)


def named_patterns(patterns) -> list[str]:
    """The names of these patterns, and of those grouped under an include() without a namespace."""
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if not pattern.namespace:
                names += named_patterns(pattern.url_patterns)
        elif pattern.name:
            names.append(pattern.name)
    return names


def test_every_page_has_an_entry_in_the_expectation_table():
    assert sorted(PAGES) == page_names()


# ----------------------------------------------------------------------------- the scene


@pytest.fixture
def scene(db, clock):
    world = build_world()
    tickets = {
        "azul": do_open_ticket(
            world.alice,
            subject="Azul",
            body="x",
            severity="high",
            version="3.31",
            details=PROBLEM_DETAILS,
        ),
        "azul-partner": do_open_ticket(
            world.paul,
            subject="Azul by partner",
            body="x",
            severity="high",
            version="3.31",
            details=PROBLEM_DETAILS,
            organization=world.azul,
        ),
        "verde": do_open_ticket(world.carol, subject="Verde", body="x", severity="high"),
    }
    attachments = {}
    for name, ticket in tickets.items():
        message = do_reply(ticket.requester, ticket, "file attached")
        upload = SimpleUploadedFile(f"{name}.log", b"log", content_type="text/plain")
        attachments[name] = do_add_attachment(ticket.requester, ticket, upload, message=message)
    people = {role: getattr(world, role) for role in CONTACTS + STAFF}
    token, _secret = do_create_token(world.alice, name="alice's script")
    catalogue = build_catalogue(world, verde_runs_pam=False)
    known_issue = do_create_known_issue(
        world.sam, product=catalogue.pam, title="Search fails", symptoms="Error 500",
        ranges=[{"module": catalogue.core, "introduced": "4.1", "fixed": "4.4"}],
    )  # fmt: skip
    release = do_create_release(
        world.maria, product=catalogue.pam, title="PAM 4.4", notes="Faster",
        version=catalogue.versions["4.4"],
    )  # fmt: skip
    do_create_engineering_item(world.sam, key="ENG-1", title="Rebuild the index")
    article = do_create_article(
        world.fiona, title="Rotate the vault keys", body_markdown="Rotate.", status="published",
        products=["senhasegura PAM"],
    )  # fmt: skip
    upload = SimpleUploadedFile("steps.pdf", b"%PDF-1.4", content_type="application/pdf")
    do_add_article_attachment(world.fiona, article, upload)
    vote = do_vote(world.alice, article, helpful=False, reason="outdated", comment="old")
    return {
        "tickets": tickets, "attachments": attachments, "people": people, "token": token,
        "known_issue": known_issue, "release": release,
        "article": article, "task": vote.tasks.get(),
    }  # fmt: skip


def url_for(name: str, scene, ticket: str | None) -> str:
    from django.urls import reverse

    kwargs = {}
    if ticket is not None:
        kwargs["pk"] = scene["tickets"][ticket].pk
    if name == "portal:attachment":
        kwargs["attachment_id"] = scene["attachments"][ticket].pk
    if name == "console:import_template":
        kwargs["kind"] = "contacts"
    if name == "console:resend_invitation":
        kwargs["contact_id"] = scene["people"]["alice"].pk
    if name in ("console:renew", "console:terminate"):
        kwargs["contract_id"] = scene["people"]["alice"].organization.contracts.get().pk
    if name == "console:delete_view":
        kwargs["view_id"] = 999_999
    if name == "console:delete_macro":
        kwargs["macro_id"] = 999_999
    if name == "portal:activate":
        kwargs["secret"] = "not-a-real-invitation"
    if name == "portal:revoke_token":
        kwargs["token_id"] = scene["token"].pk
    if name.startswith("catalog:console_known_issue_") or name == "catalog:console_known_issue":
        kwargs["slug"] = scene["known_issue"].slug
    if name == "catalog:console_release_publish":
        kwargs["release_id"] = scene["release"].pk
    if name == "catalog:console_engineering_update":
        kwargs["key"] = "ENG-1"
    article = scene["article"]
    if name in ("kb:edit", "kb:status", "kb:attach"):
        kwargs["pk"] = article.pk
    if name in ("kb:article", "kb:vote", "kb:attachment"):
        kwargs |= {"locale": article.locale, "slug": article.slug}
    if name == "kb:attachment":
        kwargs["name"] = "steps.pdf"
    if name == "kb:task_done":
        kwargs["task_id"] = scene["task"].pk
    if name == "availability:csv":
        kwargs = {"name": "no-such-probe", "month": "2026-06"}
    if name == "reports:console_export":
        kwargs = {"table": "sla", "form": "csv"}
    if name == "reports:pdf":
        kwargs = {"month": "2026-06"}
    if name == "reports:run_pdf":
        kwargs = {"run_id": 999_999}
    if name == "reports:survey":
        kwargs = {"token": "not-a-signed-link"}
    if name in ("services:portal_decide", "services:portal_schedule", "services:console_schedule"):
        kwargs = {"quote_id": 999_999}
    if name == "services:session_answer":
        kwargs = {"session_id": 999_999}
    if name == "services:console_session_step":
        kwargs = {"session_id": 999_999, "step": "start"}
    if name == "services:waiver_accept":
        kwargs = {"waiver_id": 999_999}
    if name == "services:decide_link":
        kwargs = {"token": "not-a-signed-link"}
    if name == "services:console_export":
        kwargs = {"form": "csv"}
    if name == "services:console_rate_card":
        kwargs = {"contract_id": 999_999}
    if name == "availability:answer_extension":
        kwargs = {"extension_id": 999_999}
    if name == "availability:sign_off" or name.startswith("availability:console_"):
        kwargs = {"contract_id": 999_999}
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_role_gets_what_the_table_says(scene, name):
    mismatches = []
    clients = {role: client_for(scene["people"].get(role)) for role in ROLES}
    for page in PAGES[name]:
        targets = list(TICKET_VIEWERS) if page.per_ticket else [None]
        for ticket in targets:
            url = url_for(name, scene, ticket)
            for role in ROLES:
                expected = page.rule(role, ticket)
                with transaction.atomic():
                    client = clients[role]
                    if page.method == "GET":
                        response = client.get(url)
                    else:
                        response = client.post(url, page.data or {})
                    transaction.set_rollback(True)
                got = response.status_code
                if got != expected:
                    mismatches.append(f"{page.method} {url} as {role}: {got}, expected {expected}")
    assert not mismatches, "\n".join(mismatches)


def test_the_frozen_clock_keeps_the_2026_contracts_active(scene):
    from django.utils import timezone

    assert timezone.now() == NOW
