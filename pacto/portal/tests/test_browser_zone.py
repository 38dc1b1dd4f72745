"""A person whose time zone is a guess (their organization's, or the installation's) gets
their browser's at their first page; a zone somebody chose is never overwritten.

In the named world every zone is a guess: contacts got their organization's policy calendar
(Banco Azul: São Paulo), staff the installation's (UTC).
"""

from __future__ import annotations

from django.test import Client

from pacto.accounts.actions import do_update_contact
from pacto.accounts.models import AccountEvent
from pacto.portal.actions import do_set_preferences, do_take_browser_zone
from pacto.testing import client_for, open_ticket, text

URL = "/preferences/browser-zone/"
ZONE_ATTRIBUTE = f'data-browser-zone-url="{URL}"'


def zone_of(person) -> tuple[str, bool]:
    person.refresh_from_db()
    return person.time_zone, person.time_zone_guessed


# ----------------------------------------------------------------------------- the action


def test_alices_guessed_zone_becomes_her_browsers(world, clock):
    assert zone_of(world.alice) == ("America/Sao_Paulo", True)

    assert do_take_browser_zone(world.alice, "Asia/Tokyo") is True

    assert zone_of(world.alice) == ("Asia/Tokyo", False)
    event = AccountEvent.objects.get(kind="browser_zone_taken")
    assert (event.subject, event.data) == (
        world.alice,
        {"time_zone": ["America/Sao_Paulo", "Asia/Tokyo"]},
    )


def test_a_zone_alice_chose_is_never_overwritten_by_her_browser(world, clock):
    do_set_preferences(world.alice, time_zone="Europe/Lisbon")

    assert do_take_browser_zone(world.alice, "Asia/Tokyo") is False

    assert zone_of(world.alice) == ("Europe/Lisbon", False)


def test_only_the_first_browser_zone_is_taken(world, clock):
    do_take_browser_zone(world.alice, "Asia/Tokyo")

    # Her laptop, then her phone in another zone: the first one is hers now.
    assert do_take_browser_zone(world.alice, "America/New_York") is False

    assert zone_of(world.alice) == ("Asia/Tokyo", False)


def test_saving_the_preferences_page_makes_the_zone_chosen_even_unchanged(world, clock):
    response = client_for(world.alice).post(
        "/preferences/", {"language": "en", "time_zone": "America/Sao_Paulo"}
    )

    assert response.status_code == 302
    assert zone_of(world.alice) == ("America/Sao_Paulo", False)
    assert do_take_browser_zone(world.alice, "Asia/Tokyo") is False
    assert zone_of(world.alice) == ("America/Sao_Paulo", False)


def test_switching_the_language_leaves_the_zone_a_guess(world, clock):
    client_for(world.alice).post("/language/", {"language": "pt-br", "next": "/"})

    assert zone_of(world.alice) == ("America/Sao_Paulo", True)


def test_a_zone_the_organizations_admin_sets_counts_as_chosen(world, clock):
    do_update_contact(world.amelia, world.alice, time_zone="Europe/Lisbon")

    assert do_take_browser_zone(world.alice, "Asia/Tokyo") is False
    assert zone_of(world.alice) == ("Europe/Lisbon", False)


# ----------------------------------------------------------------------------- the endpoint


def test_alices_browser_posts_its_zone_and_the_next_page_shows_tokyo_time(world, clock):
    ticket = open_ticket(world.alice)  # at 10:00 in São Paulo, 22:00 in Tokyo
    client = client_for(world.alice)
    assert ZONE_ATTRIBUTE in client.get("/tickets/").content.decode()

    response = client.post(URL, {"time_zone": "Asia/Tokyo"})

    assert response.status_code == 204
    assert zone_of(world.alice) == ("Asia/Tokyo", False)
    page = client.get(f"/tickets/{ticket.pk}/")
    assert ZONE_ATTRIBUTE not in page.content.decode()  # no page asks again
    assert "Thu 15 Jan 2026 22:00" in text(page)
    assert "Times in Asia/Tokyo." in text(page)


def test_a_chosen_zone_answers_204_and_stays(world, clock):
    do_set_preferences(world.carol, time_zone="Asia/Kolkata")
    client = client_for(world.carol)
    assert "data-browser-zone-url" not in client.get("/tickets/").content.decode()

    response = client.post(URL, {"time_zone": "Asia/Tokyo"})

    assert response.status_code == 204
    assert zone_of(world.carol) == ("Asia/Kolkata", False)


def test_a_zone_outside_the_iana_database_is_422_naming_time_zone_and_changes_nothing(world, clock):
    client = client_for(world.alice)

    for zone in ("Mars/Olympus", "../../etc/passwd", ""):
        response = client.post(URL, {"time_zone": zone})

        assert response.status_code == 422, zone
        [error] = response.json()["detail"]
        assert error["field"] == "time_zone", zone
    assert zone_of(world.alice) == ("America/Sao_Paulo", True)
    assert not AccountEvent.objects.filter(kind="browser_zone_taken").exists()


def test_staff_get_their_browsers_zone_too(world, clock):
    assert zone_of(world.fiona) == ("UTC", True)  # the installation's: a guess
    client = client_for(world.fiona)
    assert ZONE_ATTRIBUTE in client.get("/console/").content.decode()

    assert client.post(URL, {"time_zone": "America/Sao_Paulo"}).status_code == 204

    assert zone_of(world.fiona) == ("America/Sao_Paulo", False)
    assert ZONE_ATTRIBUTE not in client.get("/console/").content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_changes(world, clock):
    response = client_for().post(URL, {"time_zone": "Asia/Tokyo"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not AccountEvent.objects.filter(kind="browser_zone_taken").exists()


def test_a_post_without_the_csrf_token_is_refused(world, clock):
    client = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    client.force_login(world.alice)

    response = client.post(URL, {"time_zone": "Asia/Tokyo"})

    assert response.status_code == 403
    assert zone_of(world.alice) == ("America/Sao_Paulo", True)


def test_the_address_takes_only_posts(world, clock):
    assert client_for(world.alice).get(URL).status_code == 405
