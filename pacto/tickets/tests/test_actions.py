"""The ticket core's domain rules, as the actions enforce them.

Every test says who acts (the named world of ``pacto.testing``) and passes ``now``: the
world's day is Thursday 15 January 2026; Banco Azul runs senhasegura Standard 8x5 (9 am to
7 pm in São Paulo on working days), Verde Energia runs secpod (24 hours on Indian weekdays).
"""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from pacto import testing
from pacto.accounts.models import AccountEvent, User
from pacto.errors import ActionError, Conflict, NotAllowed, NotFound
from pacto.notifications.models import Outbox
from pacto.testing import (
    PROBLEM_DETAILS,
    World,
    kolkata,
    sp,
)
from pacto.tickets import actions
from pacto.tickets.actions import (
    do_add_attachment,
    do_approve_access_request,
    do_assign,
    do_change_severity,
    do_change_status,
    do_confirm_resolution,
    do_escalate,
    do_log_work,
    do_open_ticket,
    do_reopen,
    do_reply,
    do_request_severity_change,
    do_set_line,
)
from pacto.tickets.models import Attachment, Message, SlaClock, Ticket, TicketEvent

TAG_WITH_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
NEW_YORK = dt.timezone(dt.timedelta(hours=-5))  # January: EST


THURSDAY_10 = sp("2026-01-15 10:00")


def open_problem(world: World, who: User | None = None, now=THURSDAY_10, **overrides) -> Ticket:
    """A medium problem report for Banco Azul, with the details senhasegura §7.6 demands."""
    fields = {
        "subject": "Vault search returns an error",
        "body": "Searching the vault fails with **Error 500**.",
        "severity": "medium",
        "version": "3.31",
        "details": PROBLEM_DETAILS,
    }
    fields.update(overrides)
    return do_open_ticket(who or world.alice, now=now, **fields)


def open_at_verde(world: World, now: dt.datetime, severity: str = "medium") -> Ticket:
    return do_open_ticket(
        world.carol,
        subject="Agent does not report patches",
        body="The SanerNow agent on host db-01 has reported nothing since Monday.",
        severity=severity,
        now=now,
    )


def clock(ticket: Ticket, metric: str = "first_response") -> SlaClock:
    return SlaClock.objects.get(ticket=ticket, metric=metric)


def outbox(kind: str, ticket: Ticket | None = None) -> list[Outbox]:
    rows = Outbox.objects.filter(kind=kind)
    if ticket is not None:
        rows = rows.filter(ticket=ticket)
    return list(rows)


def recipients(kind: str, ticket: Ticket | None = None) -> set[str]:
    return {row.recipient for row in outbox(kind, ticket)}


def event_kinds(ticket: Ticket) -> list[str]:
    return list(ticket.events.values_list("kind", flat=True))


def counts() -> dict[str, int]:
    """How many rows every table an action writes to holds: to prove nothing was written."""
    return {
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "attachments": Attachment.objects.count(),
        "events": TicketEvent.objects.count(),
        "clocks": SlaClock.objects.count(),
        "outbox": Outbox.objects.count(),
        "users": User.objects.count(),
        "account_events": AccountEvent.objects.count(),
    }


def customer_on(preset: str, plan: str, name: str) -> User:
    slug = preset.lower()
    return testing.customer_on(preset, name, plan=plan, email=f"contact@{slug}-customer.example")


# ----------------------------------------------------------------------------- who opens


def test_an_authorized_contact_opens_a_ticket_under_the_active_contract(world):
    ticket = open_problem(world)

    assert ticket.organization == world.azul
    assert ticket.requester == world.alice
    assert ticket.contract == world.azul_contract
    assert ticket.policy_version == world.azul_contract.policy_version
    assert (ticket.status, ticket.status_category, ticket.plan) == ("new", "new", "standard-8x5")
    assert ticket.partner is None
    assert event_kinds(ticket) == ["opened"]
    assert ticket.messages.get().author == world.alice
    # Medium: 8 business hours from Thursday 10:00 in São Paulo (§8).
    assert clock(ticket).state == "running"
    assert clock(ticket).due_at == sp("2026-01-15 18:00")
    assert recipients("ticket_opened", ticket) == {"alice@azul.example"}


def test_a_contact_without_authorization_is_refused_with_a_message_saying_how_to_get_access(
    world,
):
    with pytest.raises(NotAllowed) as refused:
        open_problem(world, who=world.bob)

    assert refused.value.rule == "authorized_contact"
    assert "access request" in refused.value.message
    assert "authorized contact" in refused.value.message
    assert Ticket.objects.count() == 0


def test_a_contact_of_a_customer_whose_contract_expired_is_refused(world):
    # The 2026 contract ends on 31 December 2026 (§5.2: the day before the anniversary).
    with pytest.raises(NotAllowed) as refused:
        open_problem(world, now=sp("2027-01-04 10:00"))

    assert refused.value.rule == "active_contract"
    assert "renew" in refused.value.message
    assert Ticket.objects.count() == 0


def test_a_contact_opens_tickets_on_the_last_day_of_the_contract(world):
    ticket = open_problem(world, now=sp("2026-12-31 10:00"))

    assert ticket.contract == world.azul_contract


def test_a_certified_partner_contact_opens_a_ticket_for_a_customer_the_partner_serves(world):
    ticket = open_problem(world, who=world.paul, organization=world.azul)

    assert ticket.organization == world.azul
    assert ticket.partner == world.parceira
    assert ticket.requester == world.paul
    assert ticket.contract == world.azul_contract


def test_a_partner_contact_whose_certification_expired_is_refused(world):
    with pytest.raises(NotAllowed) as refused:
        open_problem(world, who=world.peggy, organization=world.azul)

    assert refused.value.rule == "partner_certified"
    assert "certification" in refused.value.message


def test_a_partner_contact_is_refused_for_a_customer_the_partner_does_not_serve(world):
    with pytest.raises(NotAllowed) as refused:
        open_problem(world, who=world.paul, organization=world.verde)

    assert refused.value.rule == "partner_serves"


def test_a_partner_contact_must_say_which_customer_the_ticket_is_for(world):
    with pytest.raises(ActionError) as refused:
        open_problem(world, who=world.paul)

    assert refused.value.field == "organization"


def test_a_contact_cannot_open_a_ticket_for_another_customer(world):
    with pytest.raises(NotAllowed) as refused:
        open_problem(world, organization=world.verde)

    assert refused.value.rule == "own_organization"


def test_an_agent_logs_a_phone_call_for_an_authorized_contact(world):
    ticket = open_problem(world, who=world.fiona, requester=world.alice, channel="phone")

    assert ticket.requester == world.alice
    assert ticket.channel == "phone"
    assert ticket.events.get().actor == world.fiona


def test_an_agent_cannot_log_a_ticket_for_a_contact_without_authorization(world):
    with pytest.raises(NotAllowed):
        open_problem(world, who=world.fiona, requester=world.bob, channel="phone")


def test_a_problem_report_without_the_details_the_policy_requires_is_refused(world):
    with pytest.raises(ActionError) as refused:
        open_problem(world, details={**PROBLEM_DETAILS, "circumstances": ""})

    assert (refused.value.field, refused.value.rule) == ("circumstances", "required_by_policy")


def test_an_unknown_severity_is_refused_naming_the_severities_the_policy_defines(world):
    with pytest.raises(ActionError) as refused:
        open_problem(world, severity="sev1")

    assert refused.value.rule == "defined_in_policy"
    assert "urgent, high, medium, low" in refused.value.message


def test_a_channel_the_policy_does_not_offer_is_refused(world):
    with pytest.raises(ActionError) as refused:
        do_open_ticket(
            world.fiona, requester=world.carol, subject="Call", body="Phoned in",
            severity="low", channel="phone", now=kolkata("2026-01-15 10:00"),
        )  # fmt: skip

    assert refused.value.rule == "policy_channel"


def test_a_naive_now_is_refused(world):
    with pytest.raises(ActionError) as refused:
        open_problem(world, now=dt.datetime(2026, 1, 15, 10, 0))

    assert refused.value.rule == "aware"


# ----------------------------------------------------------------------------- access requests


def access_request(world: World, now=THURSDAY_10) -> Ticket:
    return do_open_ticket(
        world.alice,
        subject="Access for our new administrator",
        body="Please authorize Diego, who now runs our PAM appliance.",
        type="access_request",
        access_request={"email": "Diego@Azul.example", "full_name": "Diego Dias"},
        now=now,
    )


def test_an_access_request_approved_by_an_agent_creates_an_authorized_contact_and_solves_it(
    world,
):
    # senhasegura §7.2/§7.4: users are added only through a ticket opened by the contractor.
    ticket = access_request(world)

    diego = do_approve_access_request(world.fiona, ticket, now=sp("2026-01-15 11:00"))

    ticket.refresh_from_db()
    assert diego.email == "diego@azul.example"
    assert diego.organization == world.azul
    assert diego.is_authorized
    assert ticket.status_category == "solved"
    assert ticket.solved_at == sp("2026-01-15 11:00")
    assert event_kinds(ticket) == ["opened", "access_granted", "status"]
    assert AccountEvent.objects.filter(subject=diego, kind="contact_created", actor=world.fiona)
    assert recipients("access_granted", ticket) == {"alice@azul.example", "diego@azul.example"}
    # The new contact may open tickets at once.
    assert open_problem(world, who=diego, now=sp("2026-01-15 12:00")).requester == diego


def test_a_contact_cannot_approve_an_access_request(world):
    ticket = access_request(world)
    before = counts()

    with pytest.raises(NotAllowed):
        do_approve_access_request(world.amelia, ticket, now=sp("2026-01-15 11:00"))

    assert counts() == before
    assert not User.objects.filter(email="diego@azul.example").exists()


def test_an_access_request_is_approved_only_once(world):
    ticket = access_request(world)
    do_approve_access_request(world.fiona, ticket, now=sp("2026-01-15 11:00"))

    with pytest.raises(ActionError) as refused:
        do_approve_access_request(world.sam, ticket, now=sp("2026-01-15 12:00"))

    assert refused.value.rule == "open"


def test_an_access_request_for_someone_who_already_has_an_account_is_refused(world):
    with pytest.raises(ActionError) as refused:
        do_open_ticket(
            world.alice, subject="Access for Bob", body="Please authorize Bob.",
            type="access_request", access_request={"email": "bob@azul.example", "full_name": "Bob"},
            now=THURSDAY_10,
        )  # fmt: skip

    assert (refused.value.field, refused.value.rule) == ("access_request.email", "unique")


def test_only_access_requests_are_approved(world):
    ticket = open_problem(world)

    with pytest.raises(ActionError) as refused:
        do_approve_access_request(world.fiona, ticket, now=sp("2026-01-15 11:00"))

    assert refused.value.rule == "access_request"


# ----------------------------------------------------------------------------- status


def test_an_unknown_status_is_refused_naming_the_statuses_the_policy_defines(world):
    ticket = open_problem(world)

    with pytest.raises(ActionError) as refused:
        do_change_status(world.fiona, ticket, "in-progress", now=sp("2026-01-15 11:00"))

    assert refused.value.rule == "defined_in_policy"
    assert (
        "new, open, pending, waiting-on-customer, waiting-on-third-party, solved, closed"
        in refused.value.message
    )


def test_a_closed_ticket_is_final(world):
    ticket = open_problem(world)
    do_change_status(world.fiona, ticket, "closed", now=sp("2026-01-15 11:00"))

    with pytest.raises(ActionError) as refused:
        do_change_status(world.fiona, ticket, "open", now=sp("2026-01-15 12:00"))

    assert refused.value.rule == "closed_is_final"
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert ticket.closed_at == sp("2026-01-15 11:00")


def test_a_ticket_never_goes_back_to_new(world):
    ticket = open_problem(world)
    do_change_status(world.fiona, ticket, "pending", now=sp("2026-01-15 11:00"))

    with pytest.raises(ActionError) as refused:
        do_change_status(world.fiona, ticket, "new", now=sp("2026-01-15 12:00"))

    assert refused.value.rule == "not_new"


def test_moving_a_ticket_to_the_status_it_has_is_refused(world):
    ticket = open_problem(world)
    do_change_status(world.fiona, ticket, "pending", now=sp("2026-01-15 11:00"))

    with pytest.raises(ActionError) as refused:
        do_change_status(world.fiona, ticket, "pending", now=sp("2026-01-15 12:00"))

    assert refused.value.rule == "changed"


def test_a_contact_cannot_change_the_status(world):
    ticket = open_problem(world)

    with pytest.raises(NotAllowed):
        do_change_status(world.alice, ticket, "solved", now=sp("2026-01-15 11:00"))


def test_a_status_change_is_recorded_with_its_reason_and_tells_the_requester(world):
    ticket = open_problem(world)

    do_change_status(
        world.fiona, ticket, "waiting-on-customer", reason="Please send the appliance logs",
        details_requested=True, now=sp("2026-01-15 11:00"),
    )  # fmt: skip

    ticket.refresh_from_db()
    event = ticket.events.get(kind="status")
    assert event.data == {"to": "waiting-on-customer", "previous": "new"}
    assert event.reason == "Please send the appliance logs"
    assert ticket.details_requested
    assert recipients("status_changed", ticket) == {"alice@azul.example"}
    # §7.7: waiting on the customer pauses the first-response clock.
    assert clock(ticket).state == "paused"


def test_the_requester_confirms_a_solved_ticket_and_it_closes(world):
    ticket = open_problem(world)
    do_change_status(world.fiona, ticket, "solved", now=sp("2026-01-15 11:00"))

    do_confirm_resolution(world.alice, ticket, now=sp("2026-01-15 12:00"))

    ticket.refresh_from_db()
    assert ticket.status_category == "closed"
    assert event_kinds(ticket)[-2:] == ["confirmed", "status"]


def test_a_ticket_that_is_not_solved_cannot_be_confirmed(world):
    ticket = open_problem(world)

    with pytest.raises(ActionError) as refused:
        do_confirm_resolution(world.alice, ticket, now=sp("2026-01-15 12:00"))

    assert refused.value.rule == "solved"


def test_a_contact_of_another_customer_does_not_see_the_ticket(world):
    ticket = open_problem(world)

    with pytest.raises(NotFound):
        do_reply(world.carol, ticket, "Hello?", now=sp("2026-01-15 11:00"))


# ----------------------------------------------------------------------------- severity


def test_an_agent_changes_the_severity_only_with_a_reason(world):
    ticket = open_problem(world)
    before = counts()

    with pytest.raises(ActionError) as refused:
        do_change_severity(world.fiona, ticket, "high", reason="  ", now=sp("2026-01-15 11:00"))

    assert (refused.value.field, refused.value.rule) == ("reason", "required")
    assert counts() == before


def test_an_agent_upgrade_keeps_the_elapsed_time_and_applies_the_new_target(world):
    ticket = open_problem(world)

    do_change_severity(
        world.fiona, ticket, "high", reason="Logins fail for every user", now=sp("2026-01-15 11:00")
    )

    ticket.refresh_from_db()
    assert ticket.severity == "high"
    assert ticket.proposed_severity == "medium"
    event = ticket.events.get(kind="severity")
    assert event.data == {"to": "high", "previous": "medium", "direction": "upgrade"}
    # High on Standard 8x5: 4 business hours, one of which has elapsed.
    assert clock(ticket).due_at == sp("2026-01-15 14:00")


def test_a_downgrade_notifies_the_customer(world):
    # senhasegura §7.6: "the criticality of the ticket may be changed ... and the Contractor
    # will be notified."
    ticket = open_problem(world)

    do_change_severity(
        world.fiona, ticket, "low", reason="A workaround restores searching",
        reason_public=True, now=sp("2026-01-15 11:00"),
    )  # fmt: skip

    [row] = outbox("severity_changed", ticket)
    assert row.recipient == "alice@azul.example"
    assert row.payload["severity"] == "low"
    assert row.payload["previous"] == "medium"
    # Fiona let the customer read her reason (unmarked, it stays with the staff).
    assert row.payload["reason"] == "A workaround restores searching"
    assert ticket.events.get(kind="severity").data["direction"] == "downgrade"


def test_a_contact_cannot_change_the_severity_directly(world):
    ticket = open_problem(world)

    with pytest.raises(NotAllowed):
        do_change_severity(world.alice, ticket, "urgent", reason="x", now=sp("2026-01-15 11:00"))


def test_on_allure_a_customer_upgrade_request_needs_a_justification(world):
    # Allure: "In requesting any assignment of a higher severity level, you must provide
    # Allure with sufficient information that demonstrates the increased impact".
    contact = customer_on("allure", "saas", "Loja Segura")
    ticket = do_open_ticket(
        contact, subject="Takedown report is slow", body="Reports take minutes to load.",
        severity="sev3", now=dt.datetime(2026, 1, 15, 10, tzinfo=NEW_YORK),
    )  # fmt: skip
    before = counts()

    with pytest.raises(ActionError) as refused:
        do_request_severity_change(
            contact,
            ticket,
            "sev2",
            justification="",
            now=dt.datetime(2026, 1, 15, 11, tzinfo=NEW_YORK),
        )

    assert (refused.value.field, refused.value.rule) == ("justification", "upgrade_justified")
    assert counts() == before

    event = do_request_severity_change(
        contact, ticket, "sev2",
        justification="Production reports now time out for every analyst on the team",
        now=dt.datetime(2026, 1, 15, 11, tzinfo=NEW_YORK),
    )  # fmt: skip

    assert event.kind == "severity_request"
    assert event.data == {"to": "sev2", "previous": "sev3"}
    ticket.refresh_from_db()
    assert ticket.severity == "sev3", "a request does not change the severity"
    assert recipients("severity_requested", ticket) == {"maria@vendor.example"}


def test_where_the_policy_asks_no_justification_an_upgrade_request_is_recorded_without_one(world):
    ticket = open_problem(world)

    event = do_request_severity_change(
        world.alice, ticket, "high", justification="", now=sp("2026-01-15 11:00")
    )

    assert event.data == {"to": "high", "previous": "medium"}


def test_a_customer_downgrade_request_needs_no_justification(world):
    contact = customer_on("allure", "saas", "Loja Segura")
    ticket = do_open_ticket(
        contact, subject="Portal down", body="Nothing loads.", severity="sev2",
        now=dt.datetime(2026, 1, 15, 10, tzinfo=NEW_YORK),
    )  # fmt: skip

    event = do_request_severity_change(
        contact, ticket, "sev4", justification="", now=dt.datetime(2026, 1, 15, 11, tzinfo=NEW_YORK)
    )

    assert event.data["to"] == "sev4"


# ----------------------------------------------------------------------------- feature requests


@pytest.mark.parametrize(
    ("preset", "plan", "severity"),
    [("senhasegura", "premier-24x7", "low"), ("xecuritas", "standard", "sev3")],
)
def test_a_feature_request_carries_no_response_target_and_goes_to_product_managers(
    world, preset, plan, severity
):
    # senhasegura §7.1; Xecuritas: "Requests for new functionality will not be considered
    # problems ... forwarded to Xecuritas product management."
    contact = customer_on(preset, plan, "Cliente Novo")

    ticket = do_open_ticket(
        contact, subject="Export sessions as video", body="We would like MP4 exports.",
        type="feature_request", severity=severity, now=THURSDAY_10,
    )  # fmt: skip

    assert ticket.support_line == "product"
    states = dict(SlaClock.objects.filter(ticket=ticket).values_list("metric", "state"))
    assert states and set(states.values()) == {"no_target"}
    assert SlaClock.objects.get(ticket=ticket, metric="first_response").due_at is None
    assert recipients("feature_request", ticket) == {"pete@vendor.example"}


# ----------------------------------------------------------------------------- conversation


def test_the_first_public_agent_reply_meets_first_response(world):
    ticket = open_problem(world)

    do_reply(world.fiona, ticket, "We are looking at it.", now=sp("2026-01-15 11:00"))

    ticket.refresh_from_db()
    assert clock(ticket).state == "met"
    assert clock(ticket).met_at == sp("2026-01-15 11:00")
    assert ticket.status == "open"
    assert event_kinds(ticket) == ["opened", "agent_reply", "status"]
    assert recipients("agent_reply", ticket) == {"alice@azul.example"}


def test_an_internal_note_does_not_meet_first_response_and_tells_no_customer(world):
    ticket = open_problem(world)

    message = do_reply(
        world.fiona, ticket, "Looks like bug PAM-123.", public=False, now=sp("2026-01-15 11:00")
    )

    ticket.refresh_from_db()
    assert not message.public
    assert clock(ticket).state == "running"
    assert ticket.status == "new"
    assert event_kinds(ticket) == ["opened", "note"]
    assert not Outbox.objects.filter(ticket=ticket).exclude(kind="ticket_opened").exists()


def test_a_contact_cannot_write_an_internal_note(world):
    ticket = open_problem(world)

    with pytest.raises(NotAllowed):
        do_reply(world.alice, ticket, "secret", public=False, now=sp("2026-01-15 11:00"))


def test_a_customer_reply_on_a_ticket_waiting_on_the_customer_reopens_it_and_resumes_the_clock(
    world,
):
    ticket = open_problem(world)
    do_change_status(
        world.fiona, ticket, "waiting-on-customer", reason="Send the logs",
        details_requested=True, now=sp("2026-01-15 11:00"),
    )  # fmt: skip
    assert clock(ticket).state == "paused"

    do_reply(world.alice, ticket, "Logs attached.", now=sp("2026-01-16 10:00"))

    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert not ticket.details_requested
    assert event_kinds(ticket) == ["opened", "status", "customer_reply", "status"]
    # One business hour counted before the pause; seven remain from Friday 10:00.
    assert clock(ticket).state == "running"
    assert clock(ticket).due_at == sp("2026-01-16 17:00")


def test_a_customer_reply_tells_the_assignee(world):
    ticket = open_problem(world)
    do_assign(world.fiona, ticket, world.sam, now=sp("2026-01-15 10:30"))

    do_reply(world.alice, ticket, "Any news?", now=sp("2026-01-15 11:00"))

    assert recipients("customer_reply", ticket) == {"sam@vendor.example"}


def test_nobody_replies_to_a_closed_ticket(world):
    ticket = open_problem(world)
    do_change_status(world.fiona, ticket, "closed", now=sp("2026-01-15 11:00"))

    with pytest.raises(ActionError) as refused:
        do_reply(world.alice, ticket, "One more thing", now=sp("2026-01-15 12:00"))

    assert refused.value.rule == "not_closed"


def test_html_in_messages_is_sanitized(world):
    ticket = open_problem(
        world,
        body=(
            "<p>Hi <b>team</b></p><script>alert('opened')</script>"
            '<img src="x" onerror="alert(1)"><p onclick="steal()">logs below</p>'
            '<a href="javascript:alert(2)">click me</a>'
        ),
        body_format="html",
    )
    reply = do_reply(
        world.fiona, ticket,
        '<a href="javascript:void(0)" onmouseover="x()">details</a><script>1</script>',
        body_format="html", now=sp("2026-01-15 11:00"),
    )  # fmt: skip

    for message in (ticket.messages.first(), reply):
        lowered = message.body_html.lower()
        for forbidden in ("<script", "onerror", "onclick", "onmouseover", "javascript:", "<img"):
            assert forbidden not in lowered, (forbidden, message.body_html)
    opening = ticket.messages.first()
    assert "<b>team</b>" in opening.body_html
    assert "click me" in opening.body_html
    assert "alert" not in opening.body_text
    assert "Hi team" in opening.body_text


def test_markup_in_markdown_is_shown_as_text_and_never_runs(world):
    ticket = open_problem(
        world,
        body=(
            "Hi <script>alert('opened')</script> and <img src=x onerror=alert(1)>\n\n"
            "[click me](javascript:alert(2)) [mail us](mailto:help@vendor.example) "
            '<a href="javascript:alert(3)">raw</a>'
        ),
    )

    message = ticket.messages.first()
    assert TAG_WITH_HANDLER.search(message.body_html) is None
    for tag in ("<script", "<img", '<a href="javascript'):
        assert tag not in message.body_html.lower(), (tag, message.body_html)
    assert "&lt;script&gt;alert('opened')&lt;/script&gt;" in message.body_html  # as written
    assert '<a href="mailto:help@vendor.example" rel="noopener noreferrer nofollow">' in (
        message.body_html
    )
    assert message.body_text.startswith("Hi <script>")  # the source, for search and text mail


def test_a_message_in_markdown_keeps_code_blocks_tables_and_makes_bare_urls_links(world):
    ticket = open_problem(
        world,
        body=(
            "Steps:\n\n1. open **Vault**\n2. search ~~twice~~ once\n\nThen:\n\n"
            "    indented code\n\n```sh\nvault search '<all>'\n```\n\n"
            "| build | result |\n|---|---|\n| 3.31 | Error 500 |\n\n"
            "Logs: https://files.azul.example/vault.log"
        ),
    )

    body = ticket.messages.first().body_html
    assert "<ol>\n<li>open <strong>Vault</strong></li>" in body
    assert "<s>twice</s>" in body
    assert "<pre><code>indented code\n</code></pre>" in body
    assert "<pre><code>vault search '&lt;all&gt;'\n</code></pre>" in body
    assert "<td>Error 500</td>" in body
    assert (
        '<a href="https://files.azul.example/vault.log" rel="noopener noreferrer nofollow">' in body
    )


def test_an_unknown_body_format_is_refused(world):
    with pytest.raises(ActionError) as refused:
        open_problem(world, body="Hi", body_format="rtf")

    assert (refused.value.field, refused.value.rule) == ("body_format", "choice")


# ----------------------------------------------------------------------------- reopening


def solved_verde_ticket(world: World) -> Ticket:
    ticket = open_at_verde(world, kolkata("2026-01-15 10:00"))
    do_reply(world.fiona, ticket, "Please restart the agent.", now=kolkata("2026-01-15 11:00"))
    do_change_status(world.fiona, ticket, "solved", now=kolkata("2026-01-15 12:00"))
    return ticket


def test_on_secpod_the_first_agent_reply_meets_first_response_and_the_ticket_is_pending(world):
    # secpod: "Open | Ticket logged but not yet reviewed or assigned for action"; once an
    # agent has answered, the ticket is "Pending | Action required from SecPod Support".
    ticket = open_at_verde(world, kolkata("2026-01-15 10:00"))

    do_reply(world.fiona, ticket, "Looking at it.", now=kolkata("2026-01-15 11:00"))

    ticket.refresh_from_db()
    assert ticket.status == "pending"
    assert event_kinds(ticket) == ["opened", "agent_reply", "status"]
    assert clock(ticket).state == "met"
    assert clock(ticket).met_at == kolkata("2026-01-15 11:00")


def test_on_secpod_a_solved_ticket_reopens_within_three_days(world):
    # secpod: "The customer has 3 days to reopen the ticket if further action is needed."
    ticket = solved_verde_ticket(world)

    do_reopen(
        world.carol, ticket, reason="The agent stopped again", now=kolkata("2026-01-18 11:59")
    )

    ticket.refresh_from_db()
    assert ticket.status == "pending"  # "Action required from SecPod Support"
    assert ticket.solved_at is None
    assert event_kinds(ticket)[-2:] == ["reopened", "status"]
    assert recipients("ticket_reopened", ticket) == {"carol@verde.example"}


def test_on_secpod_a_solved_ticket_does_not_reopen_after_three_days(world):
    ticket = solved_verde_ticket(world)
    before = counts()

    with pytest.raises(ActionError) as refused:
        do_reopen(world.carol, ticket, reason="Again", now=kolkata("2026-01-18 12:01"))

    assert refused.value.rule == "reopen_window"
    assert "3 days" in refused.value.message
    assert counts() == before


def test_a_closed_ticket_never_reopens(world):
    ticket = solved_verde_ticket(world)
    do_confirm_resolution(world.carol, ticket, now=kolkata("2026-01-15 13:00"))

    with pytest.raises(ActionError) as refused:
        do_reopen(world.carol, ticket, reason="Again", now=kolkata("2026-01-15 14:00"))

    assert refused.value.rule == "closed_is_final"


def test_on_senhasegura_a_solved_ticket_reopens_any_time(world):
    ticket = open_problem(world)
    do_change_status(world.fiona, ticket, "solved", now=sp("2026-01-15 11:00"))

    do_reopen(world.alice, ticket, reason="It came back", now=sp("2026-03-02 10:00"))

    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_reopening_needs_a_reason(world):
    ticket = solved_verde_ticket(world)

    with pytest.raises(ActionError) as refused:
        do_reopen(world.carol, ticket, reason="", now=kolkata("2026-01-16 10:00"))

    assert refused.value.field == "reason"


# ----------------------------------------------------------------------------- attachments


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PACTO_ATTACHMENT_MAX_BYTES = 1_000
    return tmp_path


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def test_an_attachment_is_stored_with_its_event(world, media):
    ticket = open_problem(world)

    attachment = do_add_attachment(
        world.alice, ticket, SimpleUploadedFile("appliance.log", b"x" * 1_000, "text/plain"),
        now=sp("2026-01-15 11:00"),
    )  # fmt: skip

    assert (attachment.name, attachment.size, attachment.uploaded_by) == (
        "appliance.log", 1_000, world.alice,
    )  # fmt: skip
    assert len(stored_files(media)) == 1
    assert ticket.events.last().kind == "attached"
    assert ticket.events.last().data == {"attachment": attachment.pk, "name": "appliance.log"}


@pytest.mark.parametrize(
    ("name", "size", "rule"),
    [
        ("appliance.log", 1_001, "max_size"),
        ("fix.exe", 10, "allowed_type"),
        ("run.sh", 10, "allowed_type"),
    ],
)
def test_an_attachment_too_large_or_of_a_disallowed_type_is_refused_and_nothing_is_written(
    world, media, name, size, rule
):
    ticket = open_problem(world)
    before = counts()

    with pytest.raises(ActionError) as refused:
        do_add_attachment(
            world.alice, ticket, SimpleUploadedFile(name, b"x" * size), now=sp("2026-01-15 11:00")
        )

    assert (refused.value.field, refused.value.rule) == ("file", rule)
    assert counts() == before
    assert stored_files(media) == []
    ticket.refresh_from_db()
    assert ticket.lock_version == 0


# ----------------------------------------------------------------------------- history


def solved(world, ticket, at):
    do_change_status(world.fiona, ticket, "solved", now=at)
    return ticket


def access(world, ticket, at):
    return do_approve_access_request(world.fiona, ticket, now=at)


ACTIONS = {
    "agent_reply": lambda w, t, at: do_reply(w.fiona, t, "On it", now=at),
    "customer_reply": lambda w, t, at: do_reply(w.alice, t, "More logs", now=at),
    "note": lambda w, t, at: do_reply(w.fiona, t, "Internal", public=False, now=at),
    "status": lambda w, t, at: do_change_status(w.fiona, t, "pending", now=at),
    "severity": lambda w, t, at: do_change_severity(w.fiona, t, "high", reason="Impact", now=at),
    "severity_request": lambda w, t, at: do_request_severity_change(
        w.alice, t, "high", justification="Every login to the vault now fails", now=at
    ),
    "assigned": lambda w, t, at: do_assign(w.fiona, t, w.sam, now=at),
    "line": lambda w, t, at: do_set_line(w.fiona, t, "second", reason="Needs a fix", now=at),
    "escalated": lambda w, t, at: do_escalate(w.alice, t, reason="No answer", now=at),
    "work_logged": lambda w, t, at: do_log_work(w.fiona, t, minutes=30, note="Reproduced", now=at),
    "confirmed": lambda w, t, at: do_confirm_resolution(
        w.alice, solved(w, t, at - dt.timedelta(minutes=1)), now=at
    ),
    "reopened": lambda w, t, at: do_reopen(
        w.alice, solved(w, t, at - dt.timedelta(minutes=1)), reason="Back", now=at
    ),
    "attached": lambda w, t, at: do_add_attachment(
        w.alice, t, SimpleUploadedFile("a.txt", b"log"), now=at
    ),
}


@pytest.mark.parametrize("kind", ACTIONS)
def test_every_action_writes_its_ticket_event_and_bumps_the_version(world, media, kind):
    ticket = open_problem(world)
    at = sp("2026-01-15 11:00")

    ACTIONS[kind](world, ticket, at)

    ticket.refresh_from_db()
    event = ticket.events.filter(kind=kind).get()
    assert event.at == at
    assert event.actor is not None
    assert ticket.lock_version >= 1
    assert ticket.updated_at == at


def test_approving_access_writes_its_ticket_event(world):
    ticket = access_request(world)

    do_approve_access_request(world.fiona, ticket, now=sp("2026-01-15 11:00"))

    assert ticket.events.filter(kind="access_granted", actor=world.fiona).exists()


def test_a_ticket_event_cannot_be_changed(world):
    ticket = open_problem(world)
    event = ticket.events.get()
    event.reason = "rewritten"

    with pytest.raises(ValueError):
        event.save()


class Boom(Exception):
    pass


def explode(*args, **kwargs):
    raise Boom("the database went away half-way")


def test_a_reply_that_fails_half_way_leaves_nothing_behind(world, monkeypatch):
    ticket = open_problem(world)
    before = counts()
    # The reply, its event and its outbox row are written before the clocks are stored.
    monkeypatch.setattr(actions, "store_clocks", explode)

    with pytest.raises(Boom):
        do_reply(world.fiona, ticket, "We are on it", now=sp("2026-01-15 11:00"))

    assert counts() == before
    ticket.refresh_from_db()
    assert (ticket.lock_version, ticket.status) == (0, "new")


def test_an_approval_that_fails_half_way_creates_no_contact(world, monkeypatch):
    ticket = access_request(world)
    before = counts()
    monkeypatch.setattr(actions, "_notify", explode)

    with pytest.raises(Boom):
        do_approve_access_request(world.fiona, ticket, now=sp("2026-01-15 11:00"))

    assert counts() == before
    assert not User.objects.filter(email="diego@azul.example").exists()
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_an_opening_that_fails_half_way_leaves_no_ticket(world, monkeypatch):
    before = counts()
    monkeypatch.setattr(actions, "store_clocks", explode)

    with pytest.raises(Boom):
        open_problem(world)

    assert counts() == before


def test_a_change_made_from_a_stale_version_is_refused_as_a_conflict(world):
    ticket = open_problem(world)
    stale = ticket.lock_version
    do_reply(world.fiona, ticket, "First look", now=sp("2026-01-15 11:00"), expected_version=stale)
    before = counts()

    with pytest.raises(Conflict) as refused:
        do_change_status(
            world.sam, ticket, "pending", now=sp("2026-01-15 11:05"), expected_version=stale
        )

    assert refused.value.status == 409
    assert refused.value.field == "lock_version"
    assert counts() == before
    ticket.refresh_from_db()
    assert (ticket.status, ticket.lock_version) == ("open", 1)

    do_change_status(world.sam, ticket, "pending", now=sp("2026-01-15 11:05"), expected_version=1)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.lock_version) == ("pending", 2)


def test_a_change_recorded_with_an_earlier_now_than_the_last_change_still_computes_clocks(world):
    # Two requests race: the one that waited for the row lock carries the earlier time.
    ticket = open_problem(world)
    do_reply(world.fiona, ticket, "Looking", now=sp("2026-01-15 11:00"))

    do_log_work(world.sam, ticket, minutes=10, now=sp("2026-01-15 10:59"))

    assert clock(ticket).state == "met"


# ----------------------------------------------------------------------------- concurrency


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_people_changing_one_ticket_at_the_same_time_lose_nothing(world):
    ticket = open_problem(world)
    rounds = 6
    start = sp("2026-01-15 11:00")
    # Each worker's times interleave with the others', so the one that waits for the lock
    # often records a time earlier than the change it waited for.
    workers = {
        "agent": lambda t, i, at: do_reply(world.fiona, t, f"agent {i}", now=at),
        "customer": lambda t, i, at: do_reply(world.alice, t, f"customer {i}", now=at),
        "note": lambda t, i, at: do_reply(world.sam, t, f"note {i}", public=False, now=at),
        "severity": lambda t, i, at: do_change_severity(
            world.maria, t, "high" if i % 2 == 0 else "medium", reason=f"round {i}", now=at
        ),
        "work": lambda t, i, at: do_log_work(world.fiona, t, minutes=5, now=at),
    }
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def work(offset: int, change) -> None:
        try:
            mine = Ticket.objects.get(pk=ticket.pk)  # each thread reads through its connection
            barrier.wait(timeout=10)
            for i in range(rounds):
                change(mine, i, start + dt.timedelta(seconds=i * len(workers) + offset))
        except BaseException as error:  # reported below, from the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=(offset, change))
        for offset, change in enumerate(workers.values())
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    ticket.refresh_from_db()
    assert ticket.lock_version == rounds * len(workers)
    bodies = set(ticket.messages.values_list("body_text", flat=True))
    for who in ("agent", "customer", "note"):
        assert {f"{who} {i}" for i in range(rounds)} <= bodies
    kinds = list(ticket.events.values_list("kind", flat=True))
    for kind in ("agent_reply", "customer_reply", "note", "severity", "work_logged"):
        assert kinds.count(kind) == rounds, kind
    assert ticket.severity == "medium"  # the last of an even number of alternating changes
    assert clock(ticket).state in ("met", "breached")
