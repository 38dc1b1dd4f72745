"""The first minute of a new user, in Chromium: sign in, their browser's time zone, the
calculator, the links of emails.

The browser fixture fails a test on any console error, so each of these also checks that no
page broke the content security policy (htmx swaps included).
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from pacto.accounts.actions import do_create_contact
from pacto.notifications.delivery import deliver_due
from pacto.testing import PASSWORD, open_ticket

pytestmark = pytest.mark.browser


def test_the_sign_in_page_offers_one_password_reset_and_a_tidy_remember_me(open_session, people):
    visitor = open_session()
    visitor.goto("/accounts/login/")
    page = visitor.page

    expect(page.get_by_role("link", name="Forgot your password?")).to_have_count(1)
    remember = page.get_by_label("Remember me on this device")
    expect(remember).to_be_visible()
    label_box = page.locator("label[for=id_remember]").bounding_box()
    box = remember.bounding_box()
    assert abs(box["y"] + box["height"] / 2 - (label_box["y"] + label_box["height"] / 2)) < 12
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(visitor.base_url + icon).ok
    favicon = page.request.get(visitor.base_url + "/favicon.ico")
    assert favicon.ok and "svg" in favicon.headers["content-type"]


def test_a_new_contact_in_tokyo_reads_the_next_page_in_tokyo_time(open_session, people):
    # Bia was given Banco Azul's zone (its senhasegura calendar: São Paulo), a guess.
    bia = do_create_contact(
        organization=people.azul, email="bia@azul.example", full_name="Bia Azul",
        password=PASSWORD, authorized=True,
    )  # fmt: skip
    ticket = open_ticket(bia)  # the server's now: Thursday 19 November, 20:00 in São Paulo
    session = open_session(timezone_id="Asia/Tokyo")

    with session.page.expect_response(lambda r: "/preferences/browser-zone/" in r.url) as sent:
        session.sign_in("bia@azul.example")

    assert sent.value.status == 204
    bia.refresh_from_db()
    assert (bia.time_zone, bia.time_zone_guessed) == ("Asia/Tokyo", False)
    session.goto(f"/tickets/{ticket.pk}/")
    page = session.page
    opened = page.locator("dl.ticket-meta time")
    expect(opened).to_have_text("Fri 20 Nov 2026 08:00")  # the next morning in Tokyo
    expect(opened).to_have_attribute("datetime", "2026-11-20T08:00:00+09:00")
    expect(page.locator("footer")).to_contain_text("Times in Asia/Tokyo.")
    expect(page.locator("body[data-browser-zone-url]")).to_have_count(0)  # sent once


def test_a_contact_who_chose_a_zone_keeps_it_wherever_their_browser_is(open_session, people):
    ticket = open_ticket(people.alice)  # Alice chose São Paulo (see conftest.py)
    session = open_session(timezone_id="Asia/Tokyo")
    sent = []
    session.page.on("request", lambda r: sent.append(r.url))

    session.sign_in("alice@azul.example")
    session.goto(f"/tickets/{ticket.pk}/")

    expect(session.page.locator("dl.ticket-meta time")).to_have_text("Thu 19 Nov 2026 20:00")
    expect(session.page.locator("footer")).to_contain_text("Times in America/Sao_Paulo.")
    assert not [url for url in sent if "/preferences/browser-zone/" in url]
    people.alice.refresh_from_db()
    assert people.alice.time_zone == "America/Sao_Paulo"


def test_the_calculator_keeps_the_opening_instant_when_the_policy_changes_zone(
    open_session, people, server_clock
):
    visitor = open_session()
    visitor.goto("/calculator/")
    page = visitor.page
    opened = page.get_by_label("Opened at")
    # The server's now, Thursday 19 November 2026 20:00 in São Paulo, in the first policy's
    # zone (Allure's, New York).
    expect(page.get_by_label("Support policy")).to_have_value("allure")
    expect(opened).to_have_value("2026-11-19T18:00")

    page.get_by_label("Support policy").select_option("senhasegura")

    # The same instant, in São Paulo; the help text names the zone.
    expect(page.get_by_label("Opened at")).to_have_value("2026-11-19T20:00")
    expect(page.locator("#calculator form")).to_contain_text("America/Sao_Paulo")
    page.get_by_label("Support policy").select_option("allure")
    expect(page.get_by_label("Opened at")).to_have_value("2026-11-19T18:00")
    expect(page.locator("#calc-result")).to_contain_text("Allure Security Support Policy 2024")
    expect(page.locator("#calc-result")).not_to_contain_text("2024 2024")


def test_the_calculator_measures_what_is_left_from_now_and_names_the_weekend(
    open_session, people, server_clock
):
    visitor = open_session()
    # senhasegura Standard 8x5, low: opened on the holiday eve, after hours.
    visitor.goto(
        "/calculator/?policy=senhasegura&plan=standard-8x5&severity=low&channel=portal"
        "&environment=production&type=problem&opened=2026-11-19T19:00"
        "&opened_zone=America/Sao_Paulo"
    )
    result = visitor.page.locator("#calc-result")

    segments = result.locator("table.segments tbody tr")
    reasons = [" ".join(text.split()) for text in segments.all_inner_texts()]
    # Friday 20 November is the holiday; Saturday and Sunday are outside business hours.
    assert any("Fri 20 Nov 2026 00:00" in r and "holiday" in r for r in reasons), reasons
    assert any("Sat 21 Nov 2026 00:00" in r and "outside business hours" in r for r in reasons), (
        reasons
    )
    # Opened an hour before now: what is left is counted from now (the whole target, as no
    # business hour has passed since), never from the opening.
    expect(result).to_contain_text("left")


def test_email_links_point_at_the_port_the_server_really_runs_on(
    open_session, people, settings, smtp, live_server
):
    """`make run PORT=...` sets PACTO_BASE_URL to that address; here the live server runs on
    a random port, and the activation link of a real email opens in the browser."""
    settings.PACTO_BASE_URL = live_server.url
    do_create_contact(
        organization=people.azul, email="bea@azul.example", full_name="Bea Azul",
        actor=people.maria, authorized=True, invite=True,
    )  # fmt: skip
    deliver_due(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))

    [message] = [m for m in smtp.handler.messages if m["To"] == "bea@azul.example"]
    parts = {part.get_content_type(): part for part in message.walk()}
    text = parts["text/plain"].get_payload(decode=True).decode()
    link = re.search(r"https?://\S+/activate/\S+/", text).group(0)
    assert link.startswith(live_server.url)
    assert urllib.request.urlopen(link).status == 200

    bea = open_session()
    bea.page.goto(link)
    expect(bea.page.locator("main")).to_contain_text("Bea Azul")
