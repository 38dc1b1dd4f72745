"""The agents' console and the manager's dashboard, as the vendor's staff use them."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

from pacto.testing import NOW, SAO_PAULO, client_for, open_ticket, text
from pacto.tickets.actions import do_assign, do_change_status, do_open_ticket, do_reply
from pacto.tickets.models import Message, Ticket, TicketEvent


def subjects_in_order(response) -> list[str]:
    found = re.findall(r'<a href="/console/tickets/\d+/">([^<]+)</a>', response.content.decode())
    return [html.unescape(subject) for subject in found]


# ----------------------------------------------------------------------------- queues


def test_the_queue_lists_open_tickets_next_due_first(world, clock):
    later = open_ticket(world.alice, subject="Low, due later", severity="low")
    sooner = open_ticket(world.alice, subject="Urgent, due sooner", severity="urgent")
    closed = open_ticket(world.alice, subject="Already closed")
    do_change_status(world.fiona, closed, "closed", reason="duplicate")

    response = client_for(world.fiona).get("/console/?queue=all")

    assert response.status_code == 200
    assert subjects_in_order(response) == [sooner.subject, later.subject]


def test_queues_sort_tickets_into_mine_unassigned_and_my_line(world, clock):
    mine = open_ticket(world.alice, subject="Assigned to Fiona")
    do_assign(world.fiona, mine, world.fiona)
    open_ticket(world.alice, subject="Nobody's yet")
    fiona = client_for(world.fiona)

    assert subjects_in_order(fiona.get("/console/?queue=mine")) == ["Assigned to Fiona"]
    assert subjects_in_order(fiona.get("/console/?queue=unassigned")) == ["Nobody's yet"]
    assert len(subjects_in_order(fiona.get("/console/?queue=line"))) == 2  # both on first line
    assert subjects_in_order(client_for(world.sam).get("/console/?queue=line")) == []


def test_a_ticket_past_due_is_breached_and_one_past_its_warning_is_at_risk(world, clock):
    open_ticket(world.alice, subject="Past due", severity="urgent")  # 2 business hours
    clock.advance(hours=1, minutes=40)  # 83 % of the target: past senhasegura's 75 % warning
    open_ticket(world.alice, subject="Fresh", severity="low")
    fiona = client_for(world.fiona)

    assert subjects_in_order(fiona.get("/console/?queue=at_risk")) == ["Past due"]
    clock.advance(minutes=30)
    breached = fiona.get("/console/?queue=breached")
    assert subjects_in_order(breached) == ["Past due"]
    assert "Breached" in text(breached) and "10 min overdue" in text(breached)
    assert subjects_in_order(fiona.get("/console/?queue=at_risk")) == []


def test_the_queue_filters_by_organization_severity_and_text(world, clock):
    open_ticket(world.alice, subject="Azul vault")
    open_ticket(world.carol, subject="Verde agents", details={}, version="")
    fiona = client_for(world.fiona)

    assert subjects_in_order(fiona.get(f"/console/?queue=all&organization={world.verde.pk}")) == [
        "Verde agents"
    ]
    assert subjects_in_order(fiona.get("/console/?queue=all&q=vault")) == ["Azul vault"]
    assert subjects_in_order(fiona.get("/console/?queue=all&severity=critical")) == []


def test_the_filter_form_gets_only_the_table_from_htmx(world, clock):
    open_ticket(world.alice, subject="Azul vault")

    response = client_for(world.fiona).get(
        "/console/?queue=all&q=vault", headers={"HX-Request": "true"}
    )

    fragment = response.content.decode()
    assert "<html" not in fragment and 'id="queue-table"' in fragment
    assert "Azul vault" in fragment


def test_the_sla_badge_shows_business_time_left(world, clock):
    open_ticket(world.alice, severity="high")  # 4 business hours from 10:00
    clock.set(NOW.replace(hour=13, minute=30))  # 3.5 h counted

    page = text(client_for(world.fiona).get("/console/?queue=all"))

    assert "Running" in page or "At risk" in page
    assert "30 min left" in page


# ----------------------------------------------------------------------------- ticket page


def test_an_agents_reply_meets_the_first_response_and_the_page_says_so(world, clock):
    ticket = open_ticket(world.alice)
    clock.advance(minutes=25)

    response = client_for(world.fiona).post(
        f"/console/tickets/{ticket.pk}/reply/", {"body": "Looking into it.", "visibility": "public"}
    )

    assert response.status_code == 302
    page = text(client_for(world.fiona).get(f"/console/tickets/{ticket.pk}/"))
    assert "Met" in page
    assert ticket.clocks.get(metric="first_response").state == "met"


def test_an_internal_note_stays_inside_the_vendor(world, clock):
    ticket = open_ticket(world.alice)

    client_for(world.fiona).post(
        f"/console/tickets/{ticket.pk}/reply/",
        {"body": "Looks like the JVM bug", "visibility": "internal"},
    )

    note = Message.objects.get(ticket=ticket, public=False)
    assert note.body_text == "Looks like the JVM bug"
    assert ticket.clocks.get(metric="first_response").state == "running"  # a note meets nothing
    assert "JVM bug" in text(client_for(world.fiona).get(f"/console/tickets/{ticket.pk}/"))
    assert "JVM bug" not in text(client_for(world.alice).get(f"/tickets/{ticket.pk}/"))


def test_the_clock_timeline_shows_each_segment_and_why(world, clock):
    world.fiona.time_zone = "America/Sao_Paulo"
    world.fiona.save()
    ticket = open_ticket(world.alice, severity="medium")  # 8 business hours from Thu 10:00
    clock.advance(hours=1)
    do_change_status(
        world.fiona, ticket, "waiting-on-customer", reason="logs please", details_requested=True
    )
    clock.advance(hours=2)
    do_reply(world.alice, ticket, "Here are the logs.")

    page = text(client_for(world.fiona).get(f"/console/tickets/{ticket.pk}/"))

    # 10:00-11:00 counting, 11:00-13:00 paused (waiting on customer), then counting until
    # 19:00, the night outside business hours, and Friday 09:00-10:00 to reach 8 hours.
    assert "Thu 15 Jan 2026 10:00 – 11:00 counting" in page
    assert "Thu 15 Jan 2026 11:00 – 13:00 paused Waiting on customer" in page
    assert "Thu 15 Jan 2026 19:00 – Fri 16 Jan 2026 09:00 outside business hours" in page
    assert "Due: Fri 16 Jan 2026 10:00" in page


def test_an_agent_changes_status_and_severity_with_a_reason(world, clock):
    ticket = open_ticket(world.alice, severity="high")
    fiona = client_for(world.fiona)

    no_reason = fiona.post(
        f"/console/tickets/{ticket.pk}/severity/", {"severity": "urgent", "reason": ""}
    )
    assert no_reason.status_code == 422
    fiona.post(
        f"/console/tickets/{ticket.pk}/severity/",
        {"severity": "urgent", "reason": "All users down"},
    )
    fiona.post(f"/console/tickets/{ticket.pk}/status/", {"status": "pending", "reason": "lab test"})

    ticket.refresh_from_db()
    assert (ticket.severity, ticket.status) == ("urgent", "pending")
    assert ticket.events.get(kind=TicketEvent.Kind.SEVERITY).reason == "All users down"


def test_an_agent_assigns_to_self_escalates_to_second_line_and_logs_work(world, clock):
    ticket = open_ticket(world.alice)
    fiona = client_for(world.fiona)

    fiona.post(f"/console/tickets/{ticket.pk}/assign/", {"me": "1"})
    fiona.post(f"/console/tickets/{ticket.pk}/line/", {"line": "second", "reason": "needs a patch"})
    fiona.post(f"/console/tickets/{ticket.pk}/work/", {"minutes": "45", "note": "log analysis"})
    fiona.post(f"/console/tickets/{ticket.pk}/escalate/", {"reason": "customer is angry"})

    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.support_line, ticket.escalation_level) == (
        world.fiona,
        "second",
        1,
    )
    assert "45 minutes of work logged" in text(fiona.get(f"/console/tickets/{ticket.pk}/"))


def test_an_agent_approves_an_access_request(world, clock):
    request = do_open_ticket(
        world.amelia,
        subject="Access for Bruno",
        body="New DBA",
        type="access_request",
        severity="low",
        access_request={"email": "bruno@azul.example", "full_name": "Bruno Novo"},
    )

    response = client_for(world.fiona).post(f"/console/tickets/{request.pk}/approve/")

    assert response.status_code == 302
    from pacto.accounts.models import User

    bruno = User.objects.get(email="bruno@azul.example")
    assert bruno.is_authorized and bruno.organization == world.azul


# ----------------------------------------------------------------------------- phone tickets


def test_an_agent_logs_a_phone_ticket_for_alice_with_its_due_time(world, clock):
    fiona = client_for(world.fiona)
    form = fiona.get(f"/console/new/?requester={world.alice.pk}")
    assert "First response" in text(form)
    data = {
        "requester": world.alice.pk,
        "channel": "phone",
        "type": "problem",
        "severity": "urgent",
        "environment": "production",
        "subject": "Sessions down",
        "body": "Called at 10:00",
    }

    response = fiona.post("/console/new/", data)

    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/tickets/{ticket.pk}/"
    assert (ticket.requester, ticket.channel) == (world.alice, "phone")
    assert ticket.events.get(kind="opened").actor == world.fiona


def test_the_phone_ticket_preview_follows_the_channel(world, clock):
    from pacto.contracts.models import Contract

    Contract.objects.filter(pk=world.azul_contract.pk).update(plan="advanced-24x7")
    clock.set(dt.datetime(2026, 1, 17, 10, 0, tzinfo=SAO_PAULO))  # a Saturday
    fiona = client_for(world.fiona)
    query = f"requester={world.alice.pk}&severity=urgent&environment=production&type=problem"

    by_phone = text(fiona.get(f"/console/new/due/?{query}&channel=phone"))
    by_email = text(fiona.get(f"/console/new/due/?{query}&channel=email"))

    # §8/§7.3: Urgent on Advanced 24x7 by phone counts around the clock (1 hour); by email
    # it waits for Monday's business hours.
    assert "due Saturday 17 January, 11:00" in by_phone
    assert "due Monday 19 January, 10:00" in by_email


def test_a_partner_contact_needs_the_customer_named(world, clock):
    response = client_for(world.fiona).get(f"/console/new/?requester={world.paul.pk}")

    assert response.status_code == 422
    assert "Choose the customer this ticket is for." in text(response)


# ----------------------------------------------------------------------------- dashboard


def test_the_dashboard_shows_first_response_compliance_by_severity_and_plan(world, clock):
    on_time = open_ticket(world.alice, subject="on time", severity="high")
    late = open_ticket(world.alice, subject="late", severity="high")
    do_reply(world.fiona, on_time, "hi", now=NOW + dt.timedelta(hours=1))
    do_reply(world.fiona, late, "hi", now=NOW + dt.timedelta(hours=6))
    clock.set(NOW + dt.timedelta(hours=7))

    response = client_for(world.maria).get("/console/dashboard/")

    assert response.status_code == 200
    chart = json.loads(
        re.search(
            r'id="compliance-data"[^>]*>(.*?)</script>', response.content.decode(), re.S
        ).group(1)
    )
    assert chart == {"labels": ["High"], "datasets": [{"label": "Standard 8x5", "data": [50.0]}]}
    assert "50.0%" in text(response)
    assert 'src="/static/vendor/chart.umd.min.js"' in response.content.decode()


def test_only_managers_see_the_dashboard(world, clock):
    assert client_for(world.fiona).get("/console/dashboard/").status_code == 403
    assert client_for(world.root).get("/console/dashboard/").status_code == 200


def test_contacts_never_enter_the_console(world, clock):
    ticket = open_ticket(world.alice)

    assert client_for(world.alice).get("/console/").status_code == 403
    assert client_for(world.alice).get(f"/console/tickets/{ticket.pk}/").status_code == 403
    assert client_for().get("/console/")["Location"].startswith("/accounts/login/")


def test_staff_following_a_portal_link_land_in_the_console(world, clock):
    ticket = open_ticket(world.alice)

    response = client_for(world.fiona).get(f"/tickets/{ticket.pk}/")

    assert response.status_code == 302 and response["Location"] == f"/console/tickets/{ticket.pk}/"


# ----------------------------------------------------------------------------- confirmations


def confirmation(response) -> str:
    """The success message the page shows after a change's redirect."""
    found = re.search(r'class="message message-success">(.*?)</p>', response.content.decode(), re.S)
    assert found, text(response)
    return html.unescape(" ".join(found.group(1).split()))


def test_a_status_change_says_what_it_did_to_each_clock_by_the_policy(world, clock):
    # SecPod's Waiting on Customer pauses the periodic update (already paused while Open),
    # not the first response; it sets no resolution target. Senhasegura's pauses the first
    # response.
    verde = open_ticket(world.carol, severity="low", version="")
    azul = open_ticket(world.alice)

    secpod = client_for(world.sam).post(
        f"/console/tickets/{verde.pk}/status/",
        {"status": "waiting-on-customer", "reason": "need logs"},
        follow=True,
    )
    senhasegura = client_for(world.fiona).post(
        f"/console/tickets/{azul.pk}/status/",
        {"status": "waiting-on-customer", "reason": "need logs"},
        follow=True,
    )

    assert confirmation(secpod) == (
        "Status changed to Waiting on Customer: the first-response clock keeps running; the "
        "periodic-update clock stays paused, as the policy says."
    )
    assert confirmation(senhasegura) == (
        "Status changed to Waiting on customer: the first-response clock is paused, as the "
        "policy says."
    )


def test_the_one_step_reply_with_a_status_says_it_too_and_in_portuguese(world, clock):
    ticket = open_ticket(world.alice)
    world.fiona.language = "pt-br"
    world.fiona.save(update_fields=["language"])

    response = client_for(world.fiona).post(
        f"/console/tickets/{ticket.pk}/reply/",
        {"body": "Envie o log, por favor.", "visibility": "public",
         "status": "waiting-on-customer", "reason": "log", "version": ticket.lock_version},
        follow=True,
    )  # fmt: skip

    said = confirmation(response)
    assert said.startswith("Resposta enviada. Status alterado para ")
    assert "relógio de primeira resposta" in said and "conforme a política" in said


def test_the_dashboard_counts_breaches_as_the_breached_queue_does_and_picks_a_month(world, clock):
    for number in range(27):
        open_ticket(world.alice, subject=f"urgent {number}", severity="urgent")
    clock.set(NOW + dt.timedelta(days=3))
    maria = client_for(world.maria)

    page = text(maria.get("/console/dashboard/"))
    tab = text(maria.get("/console/?queue=breached"))

    assert "27 open tickets breached now" in page
    assert "The 25 due longest ago of 27." in page
    assert re.search(r"Breached\s*27", tab), tab[:400]
    assert f"First-response compliance, {NOW:%B %Y}" in page
    assert f"27 first responses breached, {NOW:%B %Y}" in page

    earlier = (NOW.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    before = maria.get("/console/dashboard/", {"month": earlier})
    assert before.status_code == 200
    assert "No ticket with a first-response target was opened in this month." in text(before)
    for bad in ("2026-13", "next month", "2999-01"):
        refused = maria.get("/console/dashboard/", {"month": bad})
        assert refused.status_code == 422
        assert "Choose a month written YYYY-MM" in text(refused)
