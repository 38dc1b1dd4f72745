"""On-call paging: who is paged, when the plan covers the hour, re-pages, tiers, and the
engineer's acknowledgement by signed link or API."""

import datetime as dt
from zoneinfo import ZoneInfo

from pacto.automation.actions import ack_token
from pacto.automation.models import OnCallOverride, Page
from pacto.automation.sweeps import sweep_pages
from pacto.notifications.models import Outbox
from pacto.testing import SAO_PAULO
from pacto.tickets.actions import do_change_severity, do_change_status

THREE_AM = dt.datetime(2026, 1, 15, 3, 0, tzinfo=SAO_PAULO)  # a Thursday
TEN_AM = dt.datetime(2026, 1, 15, 10, 0, tzinfo=SAO_PAULO)
MINUTES_15 = dt.timedelta(minutes=15)


def pages(ticket=None):
    rows = Outbox.objects.filter(kind="page", channel=Outbox.Channel.PAGER).order_by("id")
    if ticket is not None:
        rows = rows.filter(ticket=ticket)
    return [(r.recipient, r.payload["tier"], r.payload["attempt"]) for r in rows]


def test_a_standard_8x5_customer_is_paged_during_business_hours(desk, world, rotations):
    ticket = desk.open(world.alice, "urgent", TEN_AM)
    assert pages(ticket) == [("fiona@vendor.example", 1, 1)]
    payload = Outbox.objects.get(kind="page").payload
    assert payload["ack_url"].startswith("http://localhost:8000/pages/ack/")
    assert payload["acknowledge_within"] == "15 min"


def test_only_the_severities_that_page_do(desk, world, rotations):
    assert pages(desk.open(world.alice, "high", TEN_AM)) == []


def test_xecuritas_pages_for_severity_1_cases_opened_online_only(desk, rotations):
    """Xecuritas: "Severity-1 level cases opened online will automatically alert the on-call
    technical staff via pager"."""
    contact = desk.customer("xecuritas")
    night = dt.datetime(2026, 1, 15, 2, 0, tzinfo=ZoneInfo("America/New_York"))
    online = desk.open(contact, "sev1", night, subject="online")
    by_email = desk.open(contact, "sev1", night, channel="email", subject="email")
    assert pages(online) == [("fiona@vendor.example", 1, 1)]
    assert pages(by_email) == []


def test_nobody_acknowledges_it_pages_again_then_the_next_tier_then_the_managers(
    desk, world, rotations
):
    ticket = desk.open(world.alice, "urgent", TEN_AM)

    assert sweep_pages(TEN_AM + MINUTES_15 - dt.timedelta(seconds=1)) == {}
    assert sweep_pages(TEN_AM + MINUTES_15) == {"repaged": 1}
    assert sweep_pages(TEN_AM + 2 * MINUTES_15) == {"next_tier": 1}
    assert sweep_pages(TEN_AM + 3 * MINUTES_15) == {"repaged": 1}
    assert sweep_pages(TEN_AM + 4 * MINUTES_15) == {"exhausted": 1}
    assert sweep_pages(TEN_AM + 9 * MINUTES_15) == {}

    assert pages(ticket) == [
        ("fiona@vendor.example", 1, 1),
        ("fiona@vendor.example", 1, 2),
        ("sam@vendor.example", 2, 1),
        ("sam@vendor.example", 2, 2),
    ]
    assert list(
        Outbox.objects.filter(kind="page_unacknowledged").values_list("recipient", flat=True)
    ) == ["maria@vendor.example"]
    page = Page.objects.get(ticket=ticket)
    assert (page.state, len(page.history)) == (Page.State.EXHAUSTED, 5)


def test_an_override_pages_whoever_took_the_pager(desk, world, rotations):
    primary, _ = rotations
    OnCallOverride.objects.create(
        rotation=primary, user=world.sam, starts_at=TEN_AM - MINUTES_15, ends_at=TEN_AM + MINUTES_15
    )
    assert pages(desk.open(world.alice, "urgent", TEN_AM)) == [("sam@vendor.example", 1, 1)]


def test_raising_the_severity_to_one_that_pages_pages_at_once(desk, world, rotations):
    ticket = desk.open(world.alice, "high", TEN_AM)
    do_change_severity(
        world.fiona, ticket, "urgent", reason="production down", now=TEN_AM + MINUTES_15
    )
    assert pages(ticket) == [("fiona@vendor.example", 1, 1)]


def test_solving_the_ticket_stops_paging(desk, world, rotations):
    ticket = desk.open(world.alice, "urgent", TEN_AM)
    do_change_status(
        world.sam, ticket, "solved", reason="restarted", now=TEN_AM + dt.timedelta(minutes=5)
    )
    assert Page.objects.get(ticket=ticket).state == Page.State.CANCELLED
    assert sweep_pages(TEN_AM + 4 * MINUTES_15) == {}


def test_without_any_rotation_nothing_is_paged(desk, world):
    assert pages(desk.open(world.alice, "urgent", TEN_AM)) == []
    assert not Page.objects.exists()


def test_the_engineer_acknowledges_with_the_signed_link(client, desk, world, rotations):
    ticket = desk.open(world.alice, "urgent", TEN_AM)
    page = Page.objects.get(ticket=ticket)
    url = f"/pages/ack/{ack_token(page)}/"

    shown = client.get(url)
    assert shown.status_code == 200
    assert "I am on it" in shown.content.decode()
    page.refresh_from_db()
    assert page.state == Page.State.PAGING  # a GET (a mail scanner) changes nothing

    done = client.post(url, headers={"accept": "application/json"})
    assert done.status_code == 200
    assert done.json()["state"] == "acknowledged"
    assert done.json()["acknowledged_by"] == "fiona@vendor.example"
    ticket.refresh_from_db()
    assert ticket.assignee == world.fiona
    assert sweep_pages(TEN_AM + 9 * MINUTES_15) == {}
    assert len(pages(ticket)) == 1

    again = client.post(url)
    assert again.status_code == 200


def test_a_forged_or_stale_link_acknowledges_nothing(client, desk, world, rotations):
    ticket = desk.open(world.alice, "urgent", TEN_AM)
    page = Page.objects.get(ticket=ticket)
    token = ack_token(page)

    assert client.post(f"/pages/ack/{token[:-2]}xx/").status_code == 404
    Page.objects.filter(pk=page.pk).update(ack_nonce="rotated")
    assert client.post(f"/pages/ack/{token}/").status_code == 404
    page.refresh_from_db()
    assert page.state == Page.State.PAGING


def test_staff_acknowledge_through_the_api(client, desk, world, rotations):
    ticket = desk.open(world.alice, "urgent", TEN_AM)
    page = Page.objects.get(ticket=ticket)
    url = f"/pages/{page.pk}/acknowledge"

    assert client.post(url).status_code == 403
    client.force_login(world.alice)
    assert client.post(url).status_code == 403
    client.force_login(world.sam)
    response = client.post(url)
    assert response.status_code == 200
    assert response.json()["acknowledged_by"] == "sam@vendor.example"
