"""The console a team works in all day: queue order and sorting, saved views, the one-step
reply, macros, bulk actions, search, live updates, notifications and severity requests."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile

from pacto.automation.sweeps import sweep_clocks
from pacto.console.actions import do_save_macro, do_save_view
from pacto.testing import client_for, open_ticket, text
from pacto.tickets.actions import (
    do_assign,
    do_change_status,
    do_reply,
    do_request_severity_change,
)
from pacto.tickets.clocks import SUMMARY_FIELDS, sla_summary
from pacto.tickets.models import Attachment, Message, Ticket, TicketEvent


def numbers_in_order(response) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-ticket="(\d+)">', response.content.decode())]


# ----------------------------------------------------------------------------- queues


def test_breached_tickets_come_first_then_at_risk_then_by_next_due(world, clock):
    breached = open_ticket(world.alice, subject="Urgent, overdue", severity="urgent")
    clock.advance(hours=3)  # urgent: 2 business hours, now past due
    low = open_ticket(world.alice, subject="Low, due later", severity="low")
    high = open_ticket(world.alice, subject="High, due sooner", severity="high")

    response = client_for(world.fiona).get("/console/?queue=all")

    assert numbers_in_order(response) == [breached.pk, high.pk, low.pk]
    assert "Breached first, then at risk" in text(response)


def test_the_queue_order_follows_the_clocks_through_the_sweep_and_a_reply(world, clock):
    """The queue orders by each ticket's summary of its clocks: the sweep recording a breach
    and an agent's reply meeting the first response both keep it current."""
    overdue = open_ticket(world.alice, subject="Urgent, overdue", severity="urgent")
    clock.advance(hours=3)
    later = open_ticket(world.alice, subject="Low, due later", severity="low")
    sweep_clocks(clock())
    overdue.refresh_from_db()
    fiona = client_for(world.fiona)

    assert overdue.sla_breached
    assert numbers_in_order(fiona.get("/console/?queue=breached")) == [overdue.pk]
    assert numbers_in_order(fiona.get("/console/?queue=all"))[0] == overdue.pk

    first_response = later.clocks.get(metric="first_response")
    assert later.sla_due_at == first_response.due_at
    do_reply(world.fiona, later, "Looking at it now.")
    later.refresh_from_db()
    assert later.sla_due_at != first_response.due_at  # met: the next running clock leads
    assert {f: getattr(later, f) for f in SUMMARY_FIELDS} == sla_summary(later.clocks.all())
    assert numbers_in_order(fiona.get("/console/?queue=breached")) == [overdue.pk]


def test_any_column_sorts_and_closed_tickets_can_be_listed(world, clock):
    first = open_ticket(world.alice, subject="Alpha")
    second = open_ticket(world.alice, subject="Bravo")
    done = open_ticket(world.alice, subject="Charlie, closed")
    do_change_status(world.fiona, done, "closed", reason="duplicate")
    fiona = client_for(world.fiona)

    assert numbers_in_order(fiona.get("/console/?queue=all&sort=-number")) == [second.pk, first.pk]
    assert numbers_in_order(fiona.get("/console/?queue=all&sort=subject")) == [first.pk, second.pk]
    assert numbers_in_order(fiona.get("/console/?queue=all&state=closed")) == [done.pk]
    assert numbers_in_order(fiona.get("/console/?queue=all&status=closed")) == [done.pk]
    assert len(numbers_in_order(fiona.get("/console/?queue=all&state=all"))) == 3


def test_a_shared_view_is_a_tab_with_its_count_for_colleagues_and_a_personal_one_is_not(
    world, clock
):
    open_ticket(world.carol, subject="Verde agents", details={}, version="")
    open_ticket(world.alice, subject="Azul vault")
    fiona = client_for(world.fiona)
    response = fiona.post(
        "/console/views/",
        {"name": "Verde, by number", "query": f"queue=all&organization={world.verde.pk}&sort=-number",
         "shared": "1"},
    )  # fmt: skip
    shared = world.fiona.saved_views.get()
    assert response.status_code == 302
    do_save_view(world.fiona, name="Fiona's own", query="queue=mine")

    page = text(client_for(world.sam).get("/console/"))
    assert re.search(r"Verde, by number \(shared\) 👥 1 ", page)
    assert "Fiona's own" not in page
    seen = client_for(world.sam).get(f"/console/?view={shared.pk}")
    assert [t.subject for t in Ticket.objects.filter(pk__in=numbers_in_order(seen))] == [
        "Verde agents"
    ]


def test_the_queue_shows_the_columns_an_agent_chose(world, clock):
    ticket = open_ticket(world.alice, subject="Azul vault", product="senhasegura PAM")

    page = text(client_for(world.fiona).get("/console/?queue=all&cols=product&cols=line"))

    row = f"Select # Subject Product Line {ticket.pk} Azul vault Alice Azul senhasegura PAM first"
    assert row in page


# ----------------------------------------------------------------------------- one-step reply


def test_a_reply_a_status_change_and_files_go_in_one_request(world, clock):
    ticket = open_ticket(world.alice)
    files = [
        SimpleUploadedFile("trace.log", b"ERROR 1", content_type="text/plain"),
        SimpleUploadedFile("screen.png", b"\x89PNG", content_type="image/png"),
    ]

    response = client_for(world.fiona).post(
        f"/console/tickets/{ticket.pk}/reply/",
        {"body": "Please send the full log.", "visibility": "public",
         "status": "waiting-on-customer", "reason": "Waiting for the log",
         "version": ticket.lock_version, "attachment": files},
    )  # fmt: skip

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "waiting-on-customer"
    message = Message.objects.get(ticket=ticket, author=world.fiona)
    assert sorted(a.name for a in message.attachments.all()) == ["screen.png", "trace.log"]
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds.count("agent_reply") == 1 and kinds.count("status") >= 1
    assert ticket.events.filter(kind="status", reason="Waiting for the log").exists()


def test_a_refused_change_keeps_the_ticket_as_it_was_and_the_text_typed(world, clock):
    ticket = open_ticket(world.alice)

    response = client_for(world.fiona).post(
        f"/console/tickets/{ticket.pk}/reply/",
        {"body": "Raising this.", "visibility": "public", "severity": "urgent",
         "version": ticket.lock_version},
    )  # fmt: skip

    assert response.status_code == 422
    assert "Raising this." in response.content.decode()
    assert not Message.objects.filter(ticket=ticket, author=world.fiona).exists()
    assert Ticket.objects.get(pk=ticket.pk).severity == "high"


def test_a_reply_on_a_ticket_that_changed_meanwhile_warns_instead_of_sending(world, clock):
    ticket = open_ticket(world.alice)
    seen_version = ticket.lock_version
    do_reply(world.alice, ticket, "Any news?")  # the customer writes while Fiona types

    response = client_for(world.fiona).post(
        f"/console/tickets/{ticket.pk}/reply/",
        {"body": "Fixed in 3.32.", "visibility": "public", "version": seen_version},
    )

    assert response.status_code == 422
    assert "This ticket changed while you were writing" in text(response)
    assert not Message.objects.filter(ticket=ticket, author=world.fiona).exists()
    # The form now carries the current version: sending again goes through.
    version = re.search(r'name="version" value="(\d+)"', response.content.decode())[1]
    again = client_for(world.fiona).post(
        f"/console/tickets/{ticket.pk}/reply/",
        {"body": "Fixed in 3.32.", "visibility": "public", "version": version},
    )
    assert again.status_code == 302


# ----------------------------------------------------------------------------- macros


def test_a_macro_fills_the_reply_with_its_placeholders_and_sets_the_status(world, clock):
    ticket = open_ticket(world.alice)
    macro = do_save_macro(
        world.maria, name="Pedir logs", language="pt-br", shared=True, public=True,
        body="Olá {customer_name}, envie os logs do chamado {ticket_number} até {due_time}.",
        status_category="waiting_on_customer", severity="", line="", assignee=world.fiona,
    )  # fmt: skip
    fiona = client_for(world.fiona)

    page = fiona.get(f"/console/tickets/{ticket.pk}/?macro={macro.pk}").content.decode()

    assert f"Olá Alice Azul, envie os logs do chamado #{ticket.pk} até" in page
    assert re.search(r'<option value="waiting-on-customer" selected>', page)
    assert re.search(rf'<option value="{world.fiona.pk}" selected>', page)
    body = re.search(r"<textarea[^>]*>\s*(.*?)</textarea>", page, re.S)[1]
    response = fiona.post(
        f"/console/tickets/{ticket.pk}/reply/",
        {"body": body, "visibility": "public", "status": "waiting-on-customer",
         "assignee": str(world.fiona.pk), "version": ticket.lock_version},
    )  # fmt: skip
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == ("waiting-on-customer", world.fiona)
    assert {"agent_reply", "status", "assigned"} <= set(
        ticket.events.values_list("kind", flat=True)
    )


def test_personal_macros_are_their_owners_only(world, clock):
    do_save_macro(world.fiona, name="Fiona's greeting", body="Hi", shared=False)
    response = client_for(world.sam).get("/console/macros/")
    assert "Fiona's greeting" not in text(response)
    assert "Fiona's greeting" in text(client_for(world.fiona).get("/console/macros/"))


# ----------------------------------------------------------------------------- bulk


def test_a_bulk_assign_runs_each_ticket_through_its_action(world, clock):
    tickets = [open_ticket(world.alice, subject=f"Bulk {n}") for n in range(3)]

    response = client_for(world.fiona).post(
        "/console/bulk/",
        {"tickets": [t.pk for t in tickets], "action": "assign", "assignee": str(world.sam.pk)},
    )

    assert response.status_code == 200
    assert "3 of 3 tickets done" in text(response)
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.assignee == world.sam
        assert ticket.events.filter(kind="assigned").count() == 1


def test_a_bulk_status_change_says_which_tickets_were_refused_and_why(world, clock):
    working = open_ticket(world.alice, subject="Working")
    closed = open_ticket(world.alice, subject="Archived")
    do_change_status(world.fiona, closed, "closed", reason="duplicate")

    response = client_for(world.fiona).post(
        "/console/bulk/",
        {"tickets": [working.pk, closed.pk], "action": "status", "status": "pending",
         "reason": "On it"},
    )  # fmt: skip

    page = text(response)
    assert "1 of 2 tickets done" in page
    assert "Refused: Closed tickets are archived" in page
    assert Ticket.objects.get(pk=working.pk).status == "pending"


# ----------------------------------------------------------------------------- search


def test_an_internal_note_is_found_by_agents_and_never_by_the_customer(world, clock):
    ticket = open_ticket(world.alice, subject="Vault error")
    do_reply(world.fiona, ticket, "Suspect the keystore rotation job.", public=False)
    do_reply(world.fiona, ticket, "We are looking at the certificates.")

    agent = client_for(world.fiona).get("/console/search/?q=keystore")
    customer = client_for(world.alice).get("/tickets/search/?q=keystore")
    public = client_for(world.alice).get("/tickets/search/?q=certificates")

    assert f"#{ticket.pk}" in text(agent)
    assert "<mark>keystore</mark>" in agent.content.decode()
    assert "No ticket matches" in text(customer)
    assert f"#{ticket.pk}" in text(public)
    assert "rotation job" not in customer.content.decode()


def test_search_finds_closed_tickets_and_takes_field_operators(world, clock):
    azul = open_ticket(world.alice, subject="Certificate expired")
    do_change_status(world.fiona, azul, "closed", reason="done")
    verde = open_ticket(world.carol, subject="Certificate warning", details={}, version="")
    fiona = client_for(world.fiona)

    everything = text(fiona.get("/console/search/?q=certificate"))
    closed = text(fiona.get("/console/search/?q=certificate+status:closed"))
    by_org = text(fiona.get("/console/search/?q=certificat+org:verde"))

    assert f"#{azul.pk}" in everything and f"#{verde.pk}" in everything
    assert f"#{azul.pk}" in closed and f"#{verde.pk}" not in closed
    assert f"#{verde.pk}" in by_org and f"#{azul.pk}" not in by_org
    assert "before: use a date" in text(fiona.get("/console/search/?q=before:yesterday"))


def test_a_customer_searches_only_tickets_they_may_see(world, clock):
    open_ticket(world.carol, subject="Verde certificate", details={}, version="")

    assert "No ticket matches" in text(client_for(world.alice).get("/tickets/search/?q=verde"))


# ----------------------------------------------------------------------------- live


def test_the_queue_poll_is_empty_until_something_changes(world, clock):
    ticket = open_ticket(world.alice)
    fiona = client_for(world.fiona)
    page = fiona.get("/console/").content.decode()
    stamp = re.search(r'data-stamp="([^"]+)"', page)[1]

    assert fiona.get("/console/live/", {"since": stamp}).status_code == 204
    clock.advance(minutes=1)
    do_reply(world.alice, ticket, "More details")
    changed = fiona.get("/console/live/", {"since": stamp})
    assert changed.status_code == 200
    assert changed["HX-Trigger"] == "pacto:changed"


def test_an_agent_sees_who_else_is_viewing_or_replying(world, clock):
    ticket = open_ticket(world.alice)
    client_for(world.fiona).get(
        f"/console/tickets/{ticket.pk}/",
        {"part": "live", "activity": "replying", "version": ticket.lock_version},
        headers={"HX-Request": "true"},
    )

    page = text(client_for(world.sam).get(f"/console/tickets/{ticket.pk}/"))

    assert "Fiona First is replying" in page


def test_the_ticket_poll_says_when_the_ticket_changed(world, clock):
    ticket = open_ticket(world.alice)
    seen = ticket.lock_version
    do_reply(world.alice, ticket, "Still failing")

    response = client_for(world.fiona).get(
        f"/console/tickets/{ticket.pk}/", {"part": "live", "version": seen, "seen": seen},
        headers={"HX-Request": "true"},
    )  # fmt: skip

    assert response["HX-Trigger"] == "pacto:ticket-changed"
    assert "This ticket changed since you opened it" in text(response)


def test_the_bell_counts_customer_replies_on_my_tickets_until_read(world, clock):
    ticket = open_ticket(world.alice)
    do_assign(world.maria, ticket, world.fiona)
    clock.advance(minutes=1)
    do_reply(world.alice, ticket, "Any news?")
    fiona = client_for(world.fiona)

    assert re.search(
        r'id="bell-count" class="count count-alert">2<', fiona.get("/console/").content.decode()
    )
    listing = text(fiona.get("/console/notifications/"))
    assert "Customer replied" in listing and "Assigned to Fiona First" in listing
    clock.advance(minutes=1)
    fiona.post("/console/notifications/")
    assert re.search(r'id="bell-count" class="count">0<', fiona.get("/console/").content.decode())


# ----------------------------------------------------------------------------- requests


def test_a_severity_request_is_a_banner_and_accepting_it_changes_the_severity(world, clock):
    ticket = open_ticket(world.alice)
    do_request_severity_change(
        world.alice, ticket, "urgent", justification="Production is down for every branch."
    )
    fiona = client_for(world.fiona)

    assert f'data-ticket="{ticket.pk}"' in fiona.get("/console/?queue=requests").content.decode()
    page = text(fiona.get(f"/console/tickets/{ticket.pk}/"))
    assert "Alice Azul asks for severity Urgent" in page
    assert "Production is down for every branch." in page

    response = fiona.post(f"/console/tickets/{ticket.pk}/severity/accept/", {"reason": ""})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.severity == "urgent"
    assert ticket.events.filter(kind=TicketEvent.Kind.SEVERITY, actor=world.fiona).exists()
    assert "asks for severity" not in text(fiona.get(f"/console/tickets/{ticket.pk}/"))
    assert (
        f'data-ticket="{ticket.pk}"' not in fiona.get("/console/?queue=requests").content.decode()
    )


def test_declining_a_severity_request_needs_a_reason_and_the_customer_sees_it(world, clock):
    ticket = open_ticket(world.alice)
    do_request_severity_change(
        world.alice, ticket, "urgent", justification="Production is down for all."
    )
    fiona = client_for(world.fiona)

    assert fiona.post(f"/console/tickets/{ticket.pk}/severity/decline/", {}).status_code == 422
    response = fiona.post(
        f"/console/tickets/{ticket.pk}/severity/decline/", {"reason": "One branch only"}
    )

    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).severity == "high"
    assert "Request for severity Urgent declined" in text(
        client_for(world.alice).get(f"/tickets/{ticket.pk}/")
    )


def test_attachments_of_the_one_step_reply_are_checked_before_anything_is_saved(world, clock):
    ticket = open_ticket(world.alice)
    bad = SimpleUploadedFile("tool.exe", b"MZ", content_type="application/octet-stream")

    response = client_for(world.fiona).post(
        f"/console/tickets/{ticket.pk}/reply/",
        {"body": "See the tool.", "visibility": "public", "version": ticket.lock_version,
         "attachment": [bad]},
    )  # fmt: skip

    assert response.status_code == 422
    assert not Attachment.objects.filter(ticket=ticket).exists()
