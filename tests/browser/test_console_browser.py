"""The console workbench in a real browser: one-step reply, macros, bulk actions, shared
views, search, live updates and severity requests."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from pacto.console.actions import do_read_notifications, do_save_macro
from pacto.testing import PROBLEM_DETAILS
from pacto.tickets.actions import do_assign, do_open_ticket, do_reply, do_request_severity_change
from pacto.tickets.models import Ticket

pytestmark = pytest.mark.browser


def vault_ticket(world, subject="The vault does not show passwords") -> Ticket:
    return do_open_ticket(
        world.alice, subject=subject, body="Error 500", severity="high", version="3.31",
        details=PROBLEM_DETAILS,
    )  # fmt: skip


def agent(open_session, email="fiona@vendor.example"):
    session = open_session()
    session.sign_in(email)
    return session


def test_a_reply_and_a_status_change_go_in_one_submit(open_session, people):
    ticket = vault_ticket(people)
    page = agent(open_session).page
    page.goto(page.url.split("/console")[0] + f"/console/tickets/{ticket.pk}/")

    page.locator("#reply-form textarea[name=body]").fill("Please send the vault log.")
    page.locator("#reply-form select[name=status]").select_option("waiting-on-customer")
    page.locator("#reply-form input[name=reason]").fill("Waiting for the log")
    page.locator("#reply-form").get_by_role("button", name="Send", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Reply sent.")
    ticket.refresh_from_db()
    assert ticket.status == "waiting-on-customer"
    expect(page.locator(".conversation")).to_contain_text("Please send the vault log.")


def test_a_macro_fills_the_reply_and_its_changes(open_session, people):
    ticket = vault_ticket(people)
    do_save_macro(
        people.maria, name="Ask for logs", body="Hello {customer_name}, logs of {ticket_number}?",
        shared=True, public=True, status_category="waiting_on_customer",
    )  # fmt: skip
    session = agent(open_session)
    page = session.page
    session.goto(f"/console/tickets/{ticket.pk}/")

    page.locator("#macro-choice").select_option(label="Ask for logs 👥")
    page.get_by_role("button", name="Apply the macro").click()
    expect(page.locator("#reply-form textarea[name=body]")).to_have_value(
        f"Hello Alice Azul, logs of #{ticket.pk}?"
    )
    page.locator("#reply-form").get_by_role("button", name="Send", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Reply sent.")
    ticket.refresh_from_db()
    assert ticket.status == "waiting-on-customer"


def test_a_bulk_assign_of_three_tickets(open_session, people):
    tickets = [vault_ticket(people, f"Bulk ticket {n}") for n in range(3)]
    session = agent(open_session)
    page = session.page
    session.goto("/console/?queue=all")
    for ticket in tickets:
        page.get_by_label(f"Select ticket #{ticket.pk}").check()
    page.locator("#bulk-form select[name=action]").select_option("assign")
    page.locator("#bulk-form select[name=assignee]").select_option(label="Sam Second")
    page.get_by_role("button", name="Apply to the selected tickets").click()

    expect(page.get_by_role("status")).to_contain_text("3 of 3 tickets done.")
    assert {t.assignee.email for t in Ticket.objects.filter(pk__in=[t.pk for t in tickets])} == {
        "sam@vendor.example"
    }


def test_a_shared_view_is_seen_by_a_colleague(open_session, people):
    vault_ticket(people)
    fiona = agent(open_session)
    fiona.goto("/console/?queue=all&sort=-number")
    fiona.page.locator("#view-name").fill("Newest first")
    fiona.page.get_by_label("Share with the team").check()
    fiona.page.get_by_role("button", name="Save the view").click()
    expect(fiona.page.get_by_role("status")).to_contain_text("Newest first")

    sam = agent(open_session, "sam@vendor.example")
    sam.goto("/console/")
    sam.page.get_by_role("link", name=re.compile("^Newest first")).click()
    expect(sam.page.locator("#queue-table")).to_contain_text("The vault does not show passwords")


def test_a_word_of_an_internal_note_is_found_by_the_agent_not_the_customer(open_session, people):
    ticket = vault_ticket(people)
    do_reply(people.fiona, ticket, "The keystore rotation broke it.", public=False)
    fiona = agent(open_session)
    fiona.page.keyboard.press("/")
    fiona.goto("/console/search/?q=keystore")
    expect(fiona.page.locator(".search-results")).to_contain_text(f"#{ticket.pk}")
    expect(fiona.page.locator(".search-results mark").first).to_have_text("keystore")

    alice = open_session()
    alice.sign_in("alice@azul.example")
    alice.goto("/tickets/search/?q=keystore")
    expect(alice.page.locator("main")).to_contain_text("No ticket matches.")


def test_the_queue_updates_when_another_session_replies(open_session, people):
    ticket = vault_ticket(people)
    fiona = agent(open_session)
    fiona.goto("/console/?queue=all")
    row = fiona.page.locator(f'tr[data-ticket="{ticket.pk}"]')
    expect(row).to_contain_text("New")

    sam = agent(open_session, "sam@vendor.example")
    sam.goto(f"/console/tickets/{ticket.pk}/")
    sam.page.locator("#reply-form textarea[name=body]").fill("Looking into it.")
    sam.page.locator("#reply-form").get_by_role("button", name="Send", exact=True).click()
    expect(sam.page.get_by_role("status")).to_contain_text("Reply sent.")

    # No reload: the poll sees the change and htmx fetches the table again.
    expect(row).to_contain_text("Open", timeout=20_000)


def test_a_severity_request_is_accepted_from_the_banner(open_session, people):
    ticket = vault_ticket(people)
    do_request_severity_change(
        people.alice, ticket, "urgent", justification="Every branch is down since 9:00."
    )
    session = agent(open_session)
    session.goto(f"/console/tickets/{ticket.pk}/")
    banner = session.page.locator(".severity-banner")
    expect(banner).to_contain_text("Alice Azul asks for severity Urgent")
    banner.get_by_role("button", name="Accept").click()

    expect(session.page.get_by_role("status")).to_contain_text("Severity changed")
    ticket.refresh_from_db()
    assert ticket.severity == "urgent"


# What the page asked of the browser's notifications: the real API, recorded as it is used.
RECORD_NOTIFICATIONS = """
window.__shown = [];
window.__asked = 0;
const Real = window.Notification;
class Recorded extends Real {
  constructor(title, options) {
    super(title, options);
    window.__shown.push([title, (options || {}).body]);
  }
}
Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
Recorded.requestPermission = (...args) => { window.__asked += 1; return Real.requestPermission(...args); };
window.Notification = Recorded;
"""


def bell_session(open_session, **context):
    session = open_session(**context)
    session.page.add_init_script(RECORD_NOTIFICATIONS)
    session.sign_in("fiona@vendor.example")
    return session


def test_an_agent_who_allowed_notifications_gets_one_for_a_customer_reply(
    open_session, people, server_clock
):
    ticket = vault_ticket(people)
    do_assign(people.fiona, ticket, people.fiona)
    do_read_notifications(people.fiona)
    server_clock.advance(minutes=1)
    allowed = bell_session(open_session, permissions=["notifications"])
    allowed.goto("/console/?queue=all")
    bell = allowed.page.locator("#bell-count")
    expect(bell).to_have_text("0")
    allowed.page.wait_for_timeout(6_000)  # one poll with nothing new: no notification
    assert allowed.page.evaluate("window.__shown") == []

    do_reply(people.alice, ticket, "Here is the log you asked for.")

    expect(bell).to_have_text("1", timeout=20_000)
    assert allowed.page.evaluate("window.__shown") == [["Pacto", "Notifications: 1"]]


def test_without_the_agent_s_permission_the_bell_only_asks(open_session, people, server_clock):
    ticket = vault_ticket(people)
    do_assign(people.fiona, ticket, people.fiona)
    do_read_notifications(people.fiona)
    server_clock.advance(minutes=1)
    session = bell_session(open_session)
    session.goto("/console/?queue=all")
    bell = session.page.locator("#bell-count")

    do_reply(people.alice, ticket, "Here is the log you asked for.")
    expect(bell).to_have_text("1", timeout=20_000)

    assert session.page.evaluate("window.__shown") == []
    session.page.locator(".bell").click(modifiers=["Control"])  # ask, without leaving the page
    assert session.page.evaluate("window.__asked") == 1
