"""The portal and the console in a real browser: what a customer and an agent see."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from pacto.testing import PROBLEM_DETAILS
from pacto.tickets.actions import do_open_ticket
from pacto.tickets.models import Ticket

pytestmark = pytest.mark.browser


def open_vault_ticket(world) -> Ticket:
    return do_open_ticket(
        world.alice,
        subject="The vault does not show passwords",
        body="Error 500",
        severity="high",
        version="3.31",
        details=PROBLEM_DETAILS,
    )


def test_a_customer_opens_a_ticket_and_sees_when_the_first_response_is_due(open_session, people):
    alice = open_session()
    alice.sign_in("alice@azul.example")
    page = alice.page
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()

    page.get_by_role("link", name="New ticket").click()
    preview = page.locator("#due-preview")
    expect(preview).to_contain_text("Medium on Standard 8x5")  # the policy's default severity
    page.get_by_label("High C2").check()
    # htmx recomputes the due time with the engine as soon as the severity changes.
    expect(preview).to_contain_text(
        "High on Standard 8x5: due Monday 23 November, 13:00 São Paulo time, because Friday "
        "20 November is a holiday"
    )
    page.get_by_label("Urgent C1").check()
    expect(preview).to_contain_text("must also be reported by phone")
    page.get_by_label("High C2").check()
    expect(preview).to_contain_text("13:00")

    page.get_by_label("Subject").fill("The vault does not show passwords")
    page.get_by_label("Commands and steps that lead to the problem").fill(PROBLEM_DETAILS["steps"])
    page.get_by_label("Software version").fill("3.31")
    page.get_by_label("Expected result").fill(PROBLEM_DETAILS["expected_result"])
    page.get_by_label("Obtained result (what happens instead)").fill(
        PROBLEM_DETAILS["obtained_result"]
    )
    page.get_by_label("Circumstances of discovery").fill(PROBLEM_DETAILS["circumstances"])
    page.get_by_label("Description").fill("Since the upgrade the vault answers Error 500.")
    page.get_by_role("button", name="Open the ticket").click()

    ticket = Ticket.objects.get()
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket.pk}/$"))
    expect(page.get_by_role("status")).to_contain_text(f"Ticket #{ticket.pk} is open.")
    clock = page.locator("section.clock", has_text="First response")
    expect(clock).to_contain_text("Running")
    expect(clock).to_contain_text("Due: Mon 23 Nov 2026 13:00")
    expect(clock.locator("svg.timeline-bar rect.seg-holiday")).to_have_count(1)


def test_an_agent_replies_and_the_first_response_clock_shows_met(open_session, people):
    ticket = open_vault_ticket(people)
    fiona = open_session()
    fiona.sign_in("fiona@vendor.example")
    page = fiona.page
    expect(page.get_by_role("heading", name="Queues")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Unassigned")).click()
    expect(page.locator("#queue-table")).to_contain_text("The vault does not show passwords")

    page.get_by_role("link", name="The vault does not show passwords").click()
    clock = page.locator("section.clock", has_text="First response")
    expect(clock).to_contain_text("Running")
    # The reply's message box (the knowledge-base panel has a "Message with the link" too).
    page.get_by_role("textbox", name=re.compile(r"^Message( \*)?$")).fill(
        "Hello Alice, we are looking into it."
    )
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Reply sent.")
    expect(clock).to_contain_text("Met")
    expect(clock.locator(".badge-met")).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.clocks.get(metric="first_response").state == "met"

    alice = open_session()
    alice.sign_in("alice@azul.example")
    alice.goto(f"/tickets/{ticket.pk}/")
    expect(alice.page.locator(".conversation")).to_contain_text("we are looking into it")
    expect(alice.page.locator("section.clock .badge-met")).to_be_visible()


def test_a_customer_of_another_organization_cannot_open_the_ticket(open_session, people):
    ticket = open_vault_ticket(people)
    carol = open_session()
    carol.sign_in("carol@verde.example")

    response = carol.goto(f"/tickets/{ticket.pk}/")

    assert response.status == 404
    expect(carol.page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(carol.page.locator("main")).not_to_contain_text("vault")
    carol.goto("/tickets/")
    expect(carol.page.locator("main")).not_to_contain_text("The vault does not show passwords")


def test_the_portuguese_ui_renders(open_session, people):
    alice = open_session(locale="pt-BR")
    alice.sign_in("alice@azul.example")
    page = alice.page

    page.get_by_role("button", name="PT").click()

    expect(page.locator("html")).to_have_attribute("lang", "pt-br")
    expect(page.get_by_role("heading", name="Meus chamados")).to_be_visible()
    page.get_by_role("link", name="Novo chamado").click()
    expect(page.get_by_role("heading", name="Abrir um chamado")).to_be_visible()
    page.get_by_label("Alta C2").check()  # the policy's own names, in Portuguese
    expect(page.locator("#due-preview")).to_contain_text(
        "Alta no Standard 8x5: prazo segunda-feira, 23 de novembro, 13:00, horário de São Paulo"
    )
    expect(page.locator("#due-preview")).to_contain_text("sexta-feira, 20 de novembro é feriado")
    people.alice.refresh_from_db()
    assert people.alice.language == "pt-br"  # kept for her next visit, on any device


def test_the_new_ticket_form_works_without_javascript(open_session, people):
    alice = open_session(java_script_enabled=False)
    alice.sign_in("alice@azul.example")
    alice.goto("/tickets/new/")
    page = alice.page

    page.get_by_label("Low C4").check()
    page.get_by_role("button", name="Update the due time").click()

    expect(page.locator("#due-preview")).to_contain_text(
        "Low on Standard 8x5: due Tuesday 24 November"
    )
    assert not Ticket.objects.exists()


def test_the_dashboard_draws_its_chart_under_the_content_security_policy(open_session, people):
    ticket = open_vault_ticket(people)
    from pacto.tickets.actions import do_reply

    do_reply(people.fiona, ticket, "On it.")
    maria = open_session()
    maria.sign_in("maria@vendor.example")
    maria.goto("/console/dashboard/")

    canvas = maria.page.locator("canvas[data-chart]")
    expect(canvas).to_have_attribute("data-drawn", "1")
    assert maria.page.evaluate("typeof window.Chart") == "function"
    expect(maria.page.locator("table.data").last).to_contain_text("100")


def test_the_calculator_updates_in_place(open_session, people):
    visitor = open_session()
    visitor.goto("/calculator/")
    page = visitor.page

    page.get_by_label("Support policy").select_option("secpod")
    expect(page.get_by_label("Plan")).to_have_value("standard")
    page.get_by_label("Severity").select_option("critical")
    page.get_by_label("Opened at").fill("2026-11-19T20:00")
    page.get_by_label("Opened at").dispatch_event("change")

    expect(page.locator("#calc-result")).to_contain_text("Critical on Standard")
    expect(page).to_have_url(re.compile(r"severity=critical"))
