"""The catalogue as people see it: the public page, the new-ticket form's version choice and
its support flag, the inventory, and the ticket pages' known issue and engineering item."""

from __future__ import annotations

import pytest

from pacto.catalog.tests.fixtures import ticket_with_known_issue
from pacto.testing import client_for, problem_form
from pacto.tickets.models import Ticket

# Uploads in a folder of each test, and an empty cache.
pytestmark = pytest.mark.usefixtures("media_root")

pytestmark = pytest.mark.usefixtures("clock")


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_the_public_catalogue_page_lists_current_versions_and_end_of_support(catalogue):
    page = client_for().get("/products/", HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    body = text(page)
    assert "Products and supported versions" in body
    assert "current: 4.4" in body
    assert "Discontinued" in body and "15 Jan 2027" in body  # 4.2's end of support


def test_the_public_catalogue_page_speaks_portuguese(catalogue):
    page = client_for().get("/products/", HTTP_ACCEPT_LANGUAGE="pt-BR")

    body = text(page)
    assert page.status_code == 200
    assert "Produtos e versões suportadas" in body
    assert "Descontinuada" in body and "Suportada" in body
    assert "atual: 4.4" in body


def test_the_api_serves_the_catalogue_without_signing_in(catalogue):
    response = client_for().get("/api/products")

    assert response.status_code == 200
    (pam,) = [p for p in response.json() if p["slug"] == "senhasegura-pam"]
    core = next(m for m in pam["modules"] if m["slug"] == "core")
    assert core["current_version"] == "4.4"
    statuses = {v["number"]: (v["status"], v["end_of_support_on"]) for v in core["versions"]}
    assert statuses["4.0"] == ("discontinued", "2025-01-10")
    assert statuses["4.2"] == ("supported", "2027-01-15")


def test_the_new_ticket_form_offers_the_contracts_versions(catalogue):
    page = client_for(catalogue.world.alice).get("/tickets/new/")

    body = text(page)
    assert "senhasegura PAM Core 4.2 — Supported until 2027-01-15 (installed)" in body
    assert "senhasegura PAM Core 4.0 — Discontinued" in body


def test_a_ticket_on_a_discontinued_version_is_flagged_before_it_is_sent(catalogue):
    alice = client_for(catalogue.world.alice)
    discontinued = catalogue.versions["4.0"].pk

    preview = alice.get("/tickets/new/due/", {"severity": "high", "product_version": discontinued})
    sent = alice.post("/tickets/new/", problem_form(product_version=discontinued))

    assert "This version is not covered." in text(preview)
    assert "senhasegura PAM Core 4.0 is discontinued" in text(preview)
    assert sent.status_code == 422  # senhasegura's reading: refused
    assert "is discontinued" in text(sent)
    assert not Ticket.objects.exists()


def test_a_ticket_on_an_unsupported_version_is_accepted_without_targets_and_agents_see_it(
    catalogue,
):
    w = catalogue.world
    unsupported = catalogue.versions["4.1"].pk
    alice = client_for(w.alice)

    preview = alice.get("/tickets/new/due/", {"severity": "high", "product_version": unsupported})
    sent = alice.post("/tickets/new/", problem_form(product_version=unsupported))

    assert "no response or resolution target applies" in text(preview)
    assert sent.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.product_version_id, ticket.support_status, ticket.sla_mode) == (
        unsupported,
        "unsupported",
        "without_targets",
    )
    assert ticket.clocks.count() == 0
    console = text(client_for(w.fiona).get(f"/console/tickets/{ticket.pk}/"))
    assert "Version outside normal support." in console
    assert "Accepted without SLA targets" in console


def test_the_phone_form_offers_the_callers_versions(catalogue):
    w = catalogue.world
    page = client_for(w.fiona).get("/console/new/", {"requester": w.alice.pk})

    assert "senhasegura PAM Core 4.2 — Supported" in text(page)


def test_the_customer_sees_the_known_issue_and_the_engineering_work_on_the_ticket(catalogue):
    w = catalogue.world
    ticket, issue = ticket_with_known_issue(catalogue)

    page = text(client_for(w.alice).get(f"/tickets/{ticket.pk}/"))

    assert f"{issue.slug}: Vault search fails" in page
    assert "Rebuild the index" in page
    assert "ENG-7" in page and "In review" in page and "Patch in review" in page


def test_an_authorized_contact_records_the_installed_version(catalogue):
    w = catalogue.world
    line = w.azul_contract.products.get(catalog_module=catalogue.core)

    page = client_for(w.alice).get("/inventory/")
    saved = client_for(w.alice).post(
        "/inventory/", {"line": line.pk, "installed_version": catalogue.versions["4.3"].pk,
                        "quantity": 220},
    )  # fmt: skip
    refused = client_for(w.bob).post(
        "/inventory/", {"line": line.pk, "installed_version": catalogue.versions["4.4"].pk}
    )

    assert "senhasegura PAM Core" in text(page)
    assert saved.status_code == 302
    line.refresh_from_db()
    assert (line.installed_version, line.quantity) == (catalogue.versions["4.3"], 220)
    assert refused.status_code == 403  # bob is not an authorized contact
