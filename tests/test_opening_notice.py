"""The first minute of a contact who cannot open tickets: the home page (and their tickets
page) says why and whom to ask, and offers no button that would end in 403."""

from __future__ import annotations

import pytest

from pacto.testing import client_for, text

pytestmark = pytest.mark.django_db

OPEN_LINK = 'href="/tickets/new/"'


def page(user, path="/", language="en"):
    client = client_for(user)
    response = client.get(path, headers={"accept-language": language})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("path", ["/", "/tickets/"])
def test_an_unauthorized_contact_is_told_why_and_whom_to_ask(world, clock, path):
    response = page(world.bob, path)
    words = text(response)
    assert "You cannot open tickets at the moment." in words
    assert "Ask an authorized contact of your organization to request access for you" in words
    assert "Your account manager is Maria Manager (maria@vendor.example)." in words
    assert "Open a ticket" not in words


def test_a_partner_contact_whose_certification_expired_is_told_so(world, clock):
    words = text(page(world.peggy))
    assert "Partner contacts need a valid certification to open tickets" in words
    assert "Open a ticket" not in words


def test_a_partner_whose_agreement_expired_is_told_to_renew_it(world, clock):
    import datetime as dt

    from pacto.accounts.actions import do_record_partnership

    do_record_partnership(
        world.maria, world.parceira, starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2025, 12, 31)
    )
    words = text(page(world.paul))
    assert "Your organization's partnership agreement is not valid today" in words
    assert "Open a ticket" not in words


def test_an_authorized_contact_is_offered_the_button_and_no_notice(world, clock):
    response = page(world.alice)
    assert OPEN_LINK in response.content.decode()
    assert "You cannot open tickets" not in text(response)


def test_the_notice_is_in_portuguese_for_a_portuguese_reader(world, clock):
    from pacto.portal.actions import do_set_preferences

    do_set_preferences(world.bob, language="pt-br")
    words = text(page(world.bob, language="pt-br"))
    assert "Você não pode abrir chamados no momento." in words
    assert "Seu gerente de conta é Maria Manager (maria@vendor.example)." in words
    assert "Ask an authorized contact" not in words
    assert "Peça a um contato autorizado" in words
