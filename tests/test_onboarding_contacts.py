"""Contacts that look after themselves: activation emails, colleagues, training, partnerships.

senhasegura §7.2: "the access will be created automatically, and the user will receive an email
to activate their account". §7.4: "All users with access to the tool will be able to open
tickets, request and authorize services". Allure: "Your technical contacts must have, at a
minimum, initial basic product training". senhasegura §7: "Partners under a valid partnership
contract and having certified professional".
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from pacto.accounts.access import visible_tickets
from pacto.accounts.actions import (
    check_may_open_tickets,
    do_accept_invitation,
    do_create_contact,
    do_create_organization,
    do_invite_contact,
    do_record_certification,
    do_record_partnership,
    do_record_training,
    do_update_organization,
    sweep_partnerships,
)
from pacto.accounts.models import AccountEvent, Invitation
from pacto.contracts.actions import do_create_contract, preset_version
from pacto.errors import ActionError, NotAllowed
from pacto.mail.ingest import ingest_message
from pacto.notifications.delivery import deliver_due
from pacto.notifications.models import Outbox
from pacto.testing import PROBLEM_DETAILS, client_for
from pacto.tickets.actions import do_open_ticket, do_reply

# Uploads in a folder of each test, and an empty cache.
pytestmark = pytest.mark.usefixtures("media_root")

TODAY = dt.date(2026, 1, 15)
NOW = dt.datetime(2026, 1, 15, 13, 0, tzinfo=dt.UTC)


def invite_bea(world, now=NOW):
    return do_create_contact(
        organization=world.azul, email="bea@azul.example", full_name="Bea Azul",
        actor=world.maria, authorized=True, invite=True, now=now, language="pt-br",
    )  # fmt: skip


def activation_secret(contact) -> str:
    row = Outbox.objects.filter(kind="invitation", recipient_user=contact).latest("pk")
    return row.payload["url"].rstrip("/").rsplit("/", 1)[1]


# ----------------------------------------------------------------------------- invitations


def test_a_new_contact_gets_an_activation_email_in_their_language(world, smtp):
    bea = invite_bea(world)

    deliver_due(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))  # rows are due when written

    [message] = smtp.handler.messages
    assert message["To"] == "bea@azul.example"
    assert message["Subject"] == "Ative sua conta de suporte"
    parts = {part.get_content_type(): part for part in message.walk()}
    text = parts["text/plain"].get_payload(decode=True).decode()
    link = re.search(r"Ative sua conta: (\S+)", text).group(1)
    assert link.endswith(f"/activate/{activation_secret(bea)}/")
    assert not bea.has_usable_password()


def test_the_activation_link_sets_the_password_once(world, clock):
    bea = invite_bea(world, now=clock.now)
    secret = activation_secret(bea)
    page = client_for().get(f"/activate/{secret}/")
    assert page.status_code == 200
    assert "Bea Azul" in page.content.decode()

    done = client_for().post(
        f"/activate/{secret}/",
        {"password": "a long new passphrase", "confirm": "a long new passphrase"},
    )

    assert done.status_code == 302
    bea.refresh_from_db()
    assert bea.check_password("a long new passphrase")
    again = client_for().post(
        f"/activate/{secret}/",
        {"password": "another passphrase!", "confirm": "another passphrase!"},
    )
    assert again.status_code == 410
    bea.refresh_from_db()
    assert bea.check_password("a long new passphrase")


def test_an_expired_link_is_refused_and_a_resent_one_replaces_it(world):
    bea = invite_bea(world)
    old = activation_secret(bea)
    later = NOW + dt.timedelta(days=8)

    with pytest.raises(ActionError) as refused:
        do_accept_invitation(old, password="a long new passphrase", now=later)
    assert refused.value.rule == "expired"
    assert Invitation.objects.get(contact=bea).state_on(later) == "expired"

    do_invite_contact(world.fiona, bea, now=later)
    new = activation_secret(bea)
    assert new != old
    with pytest.raises(ActionError):
        do_accept_invitation(old, password="a long new passphrase", now=later)
    do_accept_invitation(new, password="a long new passphrase", now=later)
    invitation = Invitation.objects.get(contact=bea)
    assert invitation.sent_count == 2
    assert invitation.state_on(later) == "accepted"
    assert list(
        AccountEvent.objects.filter(subject=bea).order_by("pk").values_list("kind", flat=True)
    ) == ["contact_created", "invitation_sent", "invitation_sent", "invitation_accepted"]


def test_a_weak_password_is_refused_with_the_rule(world):
    bea = invite_bea(world)

    with pytest.raises(ActionError) as refused:
        do_accept_invitation(activation_secret(bea), password="123", now=NOW)

    assert refused.value.field == "password"
    assert Invitation.objects.get(contact=bea).accepted_at is None


def test_an_approved_access_request_invites_the_new_contact(world):
    from pacto.tickets.actions import do_approve_access_request

    request = do_open_ticket(
        world.alice, subject="Access for Bea", body="New analyst", type="access_request",
        access_request={"email": "bea@azul.example", "full_name": "Bea Azul"}, now=NOW,
    )  # fmt: skip

    bea = do_approve_access_request(world.fiona, request, now=NOW)

    assert Invitation.objects.get(contact=bea).state_on(NOW) == "pending"
    assert Outbox.objects.filter(kind="invitation", recipient="bea@azul.example").exists()


def test_staff_see_which_activations_never_happened(world, clock):
    invite_bea(world, now=clock.now)

    client = client_for(world.maria)
    listed = client.get("/api/invitations").json()

    assert [(i["email"], i["state"]) for i in listed] == [("bea@azul.example", "pending")]
    assert client_for(world.bob).get("/api/invitations").json() == []


def test_a_customer_cannot_invite_someone_of_another_organization(world):
    with pytest.raises(NotAllowed):
        do_invite_contact(world.victor, world.bob)


# ----------------------------------------------------------------------------- colleagues


def problem(contact, subject="Vault error"):
    return do_open_ticket(
        contact, subject=subject, body="x", severity="high", version="3.31",
        details=PROBLEM_DETAILS, now=NOW,
    )  # fmt: skip


def colleague_of_alice(world):
    return do_create_contact(
        organization=world.azul, email="dan@azul.example", full_name="Dan Azul",
        authorized=True, password="x-long-password-1",
    )  # fmt: skip


def test_on_senhasegura_authorized_colleagues_see_and_answer_each_others_tickets(world, clock):
    dan = colleague_of_alice(world)
    ticket = problem(world.alice)

    assert visible_tickets(dan).filter(pk=ticket.pk).exists()
    assert client_for(dan).get(f"/api/tickets/{ticket.pk}").status_code == 200
    assert client_for(dan).get(f"/tickets/{ticket.pk}/").status_code == 200
    reply = do_reply(dan, ticket, "I can add the logs", now=NOW)
    assert reply.author == dan
    # A contact without authorization still sees only their own.
    assert not visible_tickets(world.bob).filter(pk=ticket.pk).exists()


def test_a_colleague_answers_by_email_on_a_shared_ticket(world, settings):
    dan = colleague_of_alice(world)
    ticket = problem(world.alice)
    raw = (
        f"From: Dan <dan@azul.example>\r\nTo: support@{settings.PACTO_EMAIL_DOMAIN}\r\n"
        f"Subject: Re: [#{ticket.pk}] Vault error\r\nMessage-ID: <dan-1@azul.example>\r\n\r\n"
        "Here are the logs.\r\n"
    ).encode()

    ingest_message(raw, now=NOW + dt.timedelta(minutes=5), source="test")

    assert ticket.messages.filter(author=dan, body_text__contains="Here are the logs").exists()


def test_an_organization_can_keep_tickets_private_whatever_the_policy(world):
    dan = colleague_of_alice(world)
    ticket = problem(world.alice)
    do_update_organization(world.maria, world.azul, share_tickets=False)

    assert not visible_tickets(dan).filter(pk=ticket.pk).exists()
    assert AccountEvent.objects.filter(
        kind="organization_changed", organization=world.azul
    ).exists()


def test_on_secpod_contacts_see_only_their_own_tickets_by_default(world):
    colleague = do_create_contact(
        organization=world.verde, email="vera@verde.example", full_name="Vera", authorized=True
    )
    ticket = do_open_ticket(world.carol, subject="Scan stuck", body="x", severity="high", now=NOW)

    assert not visible_tickets(colleague).filter(pk=ticket.pk).exists()
    assert visible_tickets(world.victor).filter(pk=ticket.pk).exists()  # the org admin does


# ----------------------------------------------------------------------------- training


def allure_contact(world):
    shop = do_create_organization(name="Loja Segura", kind="customer")
    do_create_contract(
        organization=shop, service_contract_id="ALLURE-1", policy_version=preset_version("allure"),
        plan="saas", starts_on=dt.date(2026, 1, 1),
    )  # fmt: skip
    return do_create_contact(
        organization=shop, email="lia@loja.example", full_name="Lia", authorized=True
    )


def test_on_allure_an_untrained_contact_is_told_how_to_get_access(world):
    lia = allure_contact(world)

    with pytest.raises(NotAllowed) as refused:
        check_may_open_tickets(lia, lia.organization, TODAY)

    assert refused.value.rule == "trained_contact"
    assert "Allure basic product training" in refused.value.message
    assert "account manager" in refused.value.message


def test_on_allure_a_trained_contact_opens_tickets_until_the_training_expires(world):
    lia = allure_contact(world)
    do_record_training(
        world.maria, lia, course="Allure basic product training",
        completed_on=dt.date(2025, 3, 1), expires_on=dt.date(2026, 3, 1),
    )  # fmt: skip

    assert check_may_open_tickets(lia, lia.organization, TODAY)
    with pytest.raises(NotAllowed):
        check_may_open_tickets(lia, lia.organization, dt.date(2026, 3, 2))


def test_a_training_record_is_recorded_by_staff_only(world):
    with pytest.raises(NotAllowed):
        do_record_training(world.amelia, world.alice, course="x", completed_on=TODAY)


# ----------------------------------------------------------------------------- partners


def test_a_partner_contact_acts_only_while_the_partnership_is_valid(world):
    assert check_may_open_tickets(world.paul, world.azul, TODAY)

    do_record_partnership(
        world.maria, world.parceira, starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2026, 1, 10)
    )
    world.paul.organization.refresh_from_db()

    with pytest.raises(NotAllowed) as refused:
        check_may_open_tickets(world.paul, world.azul, TODAY)
    assert refused.value.rule == "partnership_valid"


def test_a_partner_with_no_recorded_agreement_is_not_a_valid_partner(world):
    other = do_create_organization(name="Nova Parceira", kind="partner")
    other.served_customers.add(world.azul)
    pia = do_create_contact(
        organization=other, email="pia@nova.example", full_name="Pia", authorized=True
    )
    do_record_certification(world.maria, pia, name="PAM Core", valid_until=dt.date(2099, 1, 1))

    with pytest.raises(NotAllowed) as refused:
        check_may_open_tickets(pia, world.azul, TODAY)
    assert refused.value.rule == "partnership_valid"


def test_partners_and_their_account_manager_are_warned_30_days_before_expiry_once(world):
    do_update_organization(world.maria, world.parceira, account_manager=world.maria)
    do_record_partnership(
        world.maria, world.parceira, starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2026, 2, 14)
    )
    do_record_certification(
        world.maria, world.paul, name="PAM Core", valid_until=dt.date(2026, 2, 1)
    )

    sweep_partnerships(dt.datetime(2026, 1, 14, 12, tzinfo=dt.UTC))  # 31 days before: nothing
    assert not Outbox.objects.filter(kind="partnership_expiring").exists()
    sweep_partnerships(NOW)
    sweep_partnerships(NOW + dt.timedelta(days=1))

    partnership = set(
        Outbox.objects.filter(kind="partnership_expiring").values_list("recipient", flat=True)
    )
    assert partnership == {
        "paul@parceira.example",
        "peggy@parceira.example",
        "maria@vendor.example",
    }
    certification = Outbox.objects.filter(kind="certification_expiring")
    assert sorted(certification.values_list("recipient", flat=True)) == [
        "maria@vendor.example", "paul@parceira.example",
    ]  # fmt: skip


def test_a_lapsed_partner_contact_reads_history_but_no_contract(world):
    client = client_for(world.peggy)  # certification expired

    assert client.get("/api/contracts").json() == []
    assert client.get(f"/api/contracts/{world.azul_contract.pk}").status_code == 404
    assert client_for(world.paul).get("/api/contracts").json()[0]["id"] == world.azul_contract.pk
    assert client_for(world.bob).get("/api/contracts").json() == []  # not authorized


def test_the_activation_page_speaks_portuguese(world, clock):
    bea = invite_bea(world, now=clock.now)

    page = client_for().get(
        f"/activate/{activation_secret(bea)}/", headers={"accept-language": "pt-BR"}
    )

    text = page.content.decode()
    assert "Ative sua conta" in text and "Boas-vindas, Bea Azul" in text
    assert "Activate your account" not in text
