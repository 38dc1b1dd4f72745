"""A contact chooses in the portal which events reach them by email, and the outbox obeys."""

from __future__ import annotations

from pacto.accounts.models import AccountEvent
from pacto.notifications.models import Outbox
from pacto.testing import client_for, open_ticket, text
from pacto.tickets.actions import do_change_status, do_reply

ALL_ON = {
    "ticket_opened": "on",
    "agent_reply": "on",
    "status_changed": "on",
    "severity_changed": "on",
    "ticket_reopened": "on",
    "lifecycle_reminder": "on",
    "known_issue_notice": "on",
    "release_notice": "on",
}


def _emails_to(user, kind):
    return Outbox.objects.filter(recipient=user.email, kind=kind, channel="email").count()


def test_alice_sees_every_event_ticked_until_she_chooses(world, clock):
    page = client_for(world.alice).get("/preferences/")

    assert page.status_code == 200
    assert "Send me an email when" in text(page)
    assert page.content.decode().count("checked") == len(ALL_ON)


def test_a_reply_alice_turned_off_writes_no_outbox_row_for_her(world, clock):
    ticket = open_ticket(world.alice)
    without_replies = {k: v for k, v in ALL_ON.items() if k != "agent_reply"}

    response = client_for(world.alice).post("/preferences/notifications/", without_replies)
    do_reply(world.fiona, ticket, "We are looking at the vault.")
    do_change_status(world.fiona, ticket, "waiting-on-customer", reason="need the logs")

    assert response.status_code == 302
    assert _emails_to(world.alice, "agent_reply") == 0
    assert _emails_to(world.alice, "status_changed") == 1
    event = AccountEvent.objects.get(kind="notifications_changed", subject=world.alice)
    assert event.data == {"email": {"agent_reply": False}}
    page = client_for(world.alice).get("/preferences/")
    assert 'name="agent_reply" id="id_agent_reply"' in page.content.decode()
    assert page.content.decode().count("checked") == len(ALL_ON) - 1


def test_turning_it_back_on_brings_the_email_back(world, clock):
    ticket = open_ticket(world.alice)
    client_for(world.alice).post("/preferences/notifications/", {})
    client_for(world.alice).post("/preferences/notifications/", ALL_ON)

    do_reply(world.fiona, ticket, "Fixed in 3.32.")

    assert _emails_to(world.alice, "agent_reply") == 1


def test_one_contacts_choice_does_not_silence_a_colleague(world, clock):
    client_for(world.alice).post("/preferences/notifications/", {})
    ticket = open_ticket(world.amelia)

    do_reply(world.fiona, ticket, "On it.")

    assert _emails_to(world.amelia, "agent_reply") == 1


def test_the_vendors_staff_have_no_customer_notification_choices_here(world, clock):
    page = client_for(world.fiona).get("/preferences/")
    refused = client_for(world.fiona).post("/preferences/notifications/", {})

    assert "Send me an email when" not in text(page)
    assert refused.status_code == 403


def test_carol_reads_the_choices_in_portuguese(world, clock):
    world.carol.language = "pt-br"
    world.carol.save()

    page = text(client_for(world.carol).get("/preferences/"))

    assert "Envie-me um email quando" in page
    assert "O suporte responde em um chamado" in page
