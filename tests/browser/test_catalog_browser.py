"""The catalogue and availability pages in a real browser: the public catalogue in
Portuguese, a discontinued version flagged before the ticket is sent, an agent taking back
a wrong known-issue link, and a customer's availability chart under the Content Security
Policy."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from pacto.catalog.tests.fixtures import build_catalogue
from pacto.tickets.models import Ticket

pytestmark = pytest.mark.browser


def test_the_public_catalogue_lists_versions_and_end_of_support_in_portuguese(open_session, people):
    build_catalogue(people)
    visitor = open_session(locale="pt-BR")

    visitor.goto("/products/")

    page = visitor.page
    expect(page.locator("html")).to_have_attribute("lang", "pt-br")
    expect(page.locator("main")).to_contain_text("senhasegura PAM")
    expect(page.locator("main")).to_contain_text("Descontinuada")


def test_a_discontinued_version_is_flagged_on_the_form_before_the_ticket_is_sent(
    open_session, people
):
    catalogue = build_catalogue(people)
    alice = open_session()
    alice.sign_in("alice@azul.example")
    alice.goto("/tickets/new/")
    page = alice.page

    page.locator("select[name=product_version]").select_option(str(catalogue.versions["4.0"].pk))

    expect(page.locator("#due-preview")).to_contain_text("This version is not covered.")
    expect(page.locator("#due-preview")).to_contain_text("is discontinued")
    assert not Ticket.objects.exists()


def test_an_agent_takes_back_a_wrong_known_issue_link_from_the_ticket_page(open_session, people):
    from pacto.catalog.tests.test_notices import linked_ticket, vault_issue
    from pacto.tickets.actions import do_link_known_issue

    catalogue = build_catalogue(people)
    issue = vault_issue(catalogue, workaround="Rebuild the index from the console.")
    ticket = linked_ticket(catalogue)
    do_link_known_issue(people.fiona, ticket, issue)
    fiona = open_session()
    fiona.sign_in("fiona@vendor.example")
    fiona.goto(f"/console/tickets/{ticket.pk}/")
    page = fiona.page

    page.get_by_text("Not this known issue? Remove the link").click()
    page.get_by_label("Why the link was wrong (kept in the history)").fill("Disk quota, not this")
    page.get_by_role("button", name="Remove the link and tell the customer").click()

    expect(page.locator("main")).to_contain_text("The link to the known issue is removed")
    expect(page.locator("main")).to_contain_text(f"No longer linked to known issue {issue.slug}")
    ticket.refresh_from_db()
    assert ticket.known_issue is None


def test_a_customer_sees_the_availability_chart_drawn_under_the_content_security_policy(
    open_session, people, server_clock
):
    from pacto.accounts.actions import do_create_contact, do_create_organization
    from pacto.availability.actions import do_create_probe, do_record_results
    from pacto.contracts.actions import do_create_contract, preset_version
    from pacto.sla.availability import SlotStatus

    now = server_clock.now
    organization = do_create_organization(name="Casa Andina Varejo", kind="customer")
    contract = do_create_contract(
        organization=organization, service_contract_id="AM-B", plan="standard",
        policy_version=preset_version("andmoney"), starts_on=now.date() - dt.timedelta(days=90),
    )  # fmt: skip
    do_create_contact(
        organization=organization, email="valeria@casaandina.example", full_name="Valéria",
        password="pacto-test", authorized=True, time_zone="Europe/Copenhagen",  # andmoney's
    )  # fmt: skip
    probe = do_create_probe(
        people.maria, contract, name="andina-web", url="https://a.example",
        service="Self Service Management", now=now - dt.timedelta(days=3),
    )  # fmt: skip
    start = (now - dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    rows = [(start + dt.timedelta(minutes=5 * i), SlotStatus.DOWN if i < 6 else SlotStatus.UP,
             None) for i in range(200)]  # fmt: skip
    do_record_results(probe, [r for r in rows if r[0] < now], source=2, now=now)
    valeria = open_session()
    valeria.sign_in("valeria@casaandina.example", "pacto-test")

    valeria.goto(f"/availability/?month={now:%Y-%m}")

    page = valeria.page
    # Its own attribute: the dashboard's chart script must not take this canvas for its own.
    expect(page.locator("canvas[data-availability-chart]")).to_have_attribute("data-drawn", "1")
    expect(page.locator("main")).to_contain_text("Self Service Management")
