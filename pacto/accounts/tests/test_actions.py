"""Who may ask for support, and how access changes are recorded and announced.

senhasegura §2: "Only customers under a valid support contract are authorized to work with
Technical Support. For partners/distributors providing services to customers certification
is required". Allure: "you must notify Allure whenever technical contact responsibilities
are transferred to another individual".
"""

from __future__ import annotations

import datetime as dt

import pytest

from pacto.accounts.actions import (
    check_may_open_tickets,
    do_authorize_contact,
    do_create_contact,
    do_create_organization,
    do_create_token,
    do_record_certification,
    do_revoke_contact,
    do_revoke_token,
    do_set_focal_point,
)
from pacto.accounts.models import AccountEvent, ApiToken, PartnerCertification, User
from pacto.errors import ActionError, NotAllowed
from pacto.notifications.models import Outbox

TODAY = dt.date(2026, 1, 15)


def notified(kind: str) -> set[str]:
    return set(Outbox.objects.filter(kind=kind).values_list("recipient", flat=True))


# ----------------------------------------------------------------------------- who may open


def test_an_authorized_contact_may_open_tickets_under_the_active_contract(world):
    assert check_may_open_tickets(world.alice, world.azul, TODAY) == world.azul_contract


def test_a_contact_without_authorization_is_told_how_to_get_access(world):
    with pytest.raises(NotAllowed) as refused:
        check_may_open_tickets(world.bob, world.azul, TODAY)

    assert refused.value.rule == "authorized_contact"
    assert "access request" in refused.value.message
    assert "account manager" in refused.value.message


def test_a_deactivated_contact_may_not_open_tickets(world):
    world.alice.is_active = False

    with pytest.raises(NotAllowed):
        check_may_open_tickets(world.alice, world.azul, TODAY)


def test_nobody_opens_tickets_for_a_customer_whose_contract_expired(world):
    the_day_after = world.azul_contract.ends_on + dt.timedelta(days=1)

    with pytest.raises(NotAllowed) as refused:
        check_may_open_tickets(world.alice, world.azul, the_day_after)

    assert refused.value.rule == "active_contract"


def test_nobody_opens_tickets_before_the_contract_starts(world):
    with pytest.raises(NotAllowed) as refused:
        check_may_open_tickets(world.alice, world.azul, dt.date(2025, 12, 31))

    assert refused.value.rule == "active_contract"


def test_a_certified_partner_contact_may_open_tickets_for_a_customer_the_partner_serves(world):
    assert check_may_open_tickets(world.paul, world.azul, TODAY) == world.azul_contract


def test_a_partner_contact_may_open_tickets_on_the_last_day_of_the_certification(world):
    PartnerCertification.objects.filter(holder=world.paul).update(valid_until=TODAY)

    assert check_may_open_tickets(world.paul, world.azul, TODAY) == world.azul_contract
    with pytest.raises(NotAllowed) as refused:
        check_may_open_tickets(world.paul, world.azul, TODAY + dt.timedelta(days=1))
    assert refused.value.rule == "partner_certified"


def test_a_partner_contact_whose_certification_expired_is_refused(world):
    with pytest.raises(NotAllowed) as refused:
        check_may_open_tickets(world.peggy, world.azul, TODAY)

    assert refused.value.rule == "partner_certified"
    assert "expired" in refused.value.message


def test_a_partner_contact_is_refused_for_a_customer_the_partner_does_not_serve(world):
    with pytest.raises(NotAllowed) as refused:
        check_may_open_tickets(world.paul, world.verde, TODAY)

    assert refused.value.rule == "partner_serves"
    assert "does not serve Verde Energia" in refused.value.message


def test_a_contact_may_not_open_tickets_for_another_customer(world):
    with pytest.raises(NotAllowed) as refused:
        check_may_open_tickets(world.alice, world.verde, TODAY)

    assert refused.value.rule == "own_organization"


def test_an_agent_may_log_tickets_for_any_customer_with_an_active_contract(world):
    assert check_may_open_tickets(world.fiona, world.verde, TODAY) == world.verde_contract


def test_an_agent_is_told_when_a_customer_has_no_active_contract(world):
    nameless = do_create_organization(name="Sem Contrato", kind="customer")

    with pytest.raises(ActionError) as refused:
        check_may_open_tickets(world.fiona, nameless, TODAY)

    assert refused.value.rule == "active_contract"


# ----------------------------------------------------------------------------- organizations


def test_organization_names_are_unique_whatever_the_case(world):
    with pytest.raises(ActionError) as refused:
        do_create_organization(name="banco azul", kind="customer")

    assert refused.value.rule == "unique"


def test_an_organization_is_a_customer_or_a_partner(db):
    with pytest.raises(ActionError) as refused:
        do_create_organization(name="Distribuidora", kind="distributor")

    assert refused.value.rule == "choice"


def test_a_contact_is_created_with_its_audit_event(world):
    diego = do_create_contact(
        organization=world.azul, email="Diego@Azul.example", full_name="Diego Dias",
        actor=world.fiona,
    )  # fmt: skip

    assert diego.email == "diego@azul.example"
    assert not diego.is_authorized
    event = AccountEvent.objects.get(subject=diego)
    assert (event.kind, event.actor, event.organization) == (
        "contact_created",
        world.fiona,
        world.azul,
    )


def test_an_email_address_has_one_account_whatever_the_case(world):
    with pytest.raises(ActionError) as refused:
        do_create_contact(organization=world.verde, email="ALICE@azul.example", full_name="Alice")

    assert refused.value.rule == "unique"


# ----------------------------------------------------------------------------- authorizing


def test_an_agent_authorizes_a_contact_and_the_organization_is_told(world):
    do_authorize_contact(world.fiona, world.bob, reason="Access request #12")

    world.bob.refresh_from_db()
    assert world.bob.is_authorized
    event = AccountEvent.objects.get(kind="contact_authorized")
    assert (event.actor, event.subject, event.data) == (
        world.fiona, world.bob, {"reason": "Access request #12"},
    )  # fmt: skip
    assert notified("technical_contacts_changed") == {
        "alice@azul.example", "amelia@azul.example", "bob@azul.example", "maria@vendor.example",
    }  # fmt: skip


def test_a_contact_may_not_authorize_another_contact(world):
    with pytest.raises(NotAllowed):
        do_authorize_contact(world.amelia, world.bob)

    world.bob.refresh_from_db()
    assert not world.bob.is_authorized
    assert not AccountEvent.objects.filter(kind="contact_authorized").exists()


def test_authorizing_an_authorized_contact_again_changes_nothing(world):
    do_authorize_contact(world.fiona, world.alice)

    assert not AccountEvent.objects.filter(kind="contact_authorized").exists()
    assert not Outbox.objects.exists()


def test_an_organization_admin_revokes_a_contact_of_their_organization(world):
    do_revoke_contact(world.amelia, world.alice, reason="Left the company")

    world.alice.refresh_from_db()
    assert not world.alice.is_authorized
    assert not world.alice.is_focal_point
    assert AccountEvent.objects.get(kind="contact_revoked").actor == world.amelia
    assert "alice@azul.example" not in notified("technical_contacts_changed")
    assert "amelia@azul.example" in notified("technical_contacts_changed")


def test_an_organization_admin_may_not_revoke_contacts_of_another_organization(world):
    with pytest.raises(NotAllowed):
        do_revoke_contact(world.victor, world.alice)


def test_a_contact_who_is_not_an_admin_may_not_revoke_others(world):
    with pytest.raises(NotAllowed):
        do_revoke_contact(world.alice, world.amelia)


# ----------------------------------------------------------------------------- focal point


def test_changing_the_focal_point_is_recorded_and_announced_to_both_sides(world):
    # Allure: technical contact responsibilities transferred to another individual.
    do_set_focal_point(world.amelia, world.amelia)

    world.alice.refresh_from_db()
    world.amelia.refresh_from_db()
    assert world.amelia.is_focal_point
    assert not world.alice.is_focal_point
    event = AccountEvent.objects.get(kind="focal_point_changed")
    assert (event.organization, event.actor, event.subject) == (
        world.azul,
        world.amelia,
        world.amelia,
    )
    assert event.data == {"previous": ["alice@azul.example"]}
    rows = Outbox.objects.filter(kind="technical_contacts_changed")
    # The organization's authorized contacts and its account manager; never bob.
    assert {row.recipient for row in rows} == {
        "alice@azul.example", "amelia@azul.example", "maria@vendor.example",
    }  # fmt: skip
    assert all(row.organization == world.azul for row in rows)
    assert "was Alice Azul" in rows[0].payload["message"]


def test_an_agent_may_change_the_focal_point(world):
    do_set_focal_point(world.fiona, world.victor)

    assert User.objects.get(pk=world.victor.pk).is_focal_point
    assert AccountEvent.objects.get(kind="focal_point_changed").data == {"previous": []}


def test_a_contact_who_is_not_an_admin_may_not_change_the_focal_point(world):
    with pytest.raises(NotAllowed):
        do_set_focal_point(world.alice, world.amelia)

    assert not AccountEvent.objects.filter(kind="focal_point_changed").exists()
    assert not Outbox.objects.exists()


def test_the_focal_point_must_be_an_authorized_contact(world):
    with pytest.raises(ActionError) as refused:
        do_set_focal_point(world.amelia, world.bob)

    assert refused.value.rule == "authorized"
    assert User.objects.get(pk=world.alice.pk).is_focal_point


# ----------------------------------------------------------------------------- API tokens


def test_a_token_secret_is_shown_once_and_only_its_digest_is_stored(world):
    token, secret = do_create_token(world.alice, name="CI", scope="write")

    assert secret.startswith("pacto_")
    assert token.token_hash == ApiToken.digest(secret)
    assert secret not in {token.token_hash, token.hint}
    assert secret.startswith(token.hint)


def test_a_token_needs_a_name_and_a_known_scope(world):
    with pytest.raises(ActionError):
        do_create_token(world.alice, name="  ")
    with pytest.raises(ActionError):
        do_create_token(world.alice, name="CI", scope="admin")


def test_a_user_revokes_only_their_own_tokens_and_a_manager_any(world):
    token, _ = do_create_token(world.alice, name="CI")

    with pytest.raises(NotAllowed):
        do_revoke_token(world.amelia, token)
    do_revoke_token(world.maria, token)

    token.refresh_from_db()
    assert token.revoked_at is not None


def test_recording_a_certification_is_audited_and_only_for_partner_contacts(world):
    until = dt.date(2027, 6, 30)
    do_record_certification(world.maria, world.peggy, name="PAM Core", valid_until=until)

    assert world.peggy.certifications.filter(name="PAM Core", valid_until=until).exists()
    event = AccountEvent.objects.get(
        kind="certification_recorded", subject=world.peggy, data__name="PAM Core"
    )
    assert (event.actor, event.data["valid_until"]) == (world.maria, "2027-06-30")
    with pytest.raises(ActionError) as refused:
        do_record_certification(world.maria, world.alice, name="PAM Core", valid_until=until)
    assert (refused.value.field, refused.value.rule) == ("holder", "partner_contact")
    with pytest.raises(NotAllowed):
        do_record_certification(world.paul, world.peggy, name="PAM Core", valid_until=until)
