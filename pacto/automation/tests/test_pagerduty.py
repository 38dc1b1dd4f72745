"""The pager's acknowledgement read back from PagerDuty: a page goes to a stand-in for
PagerDuty (a real HTTP server on loopback, answering the Events API v2), which then sends
Pacto's live server a signed V3 webhook for the page's ``dedup_key``, as PagerDuty does when
the engineer acknowledges or resolves the incident on their phone."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import urllib.error
import urllib.request

import pytest
from django.utils import timezone

from pacto.automation.models import Page
from pacto.automation.sweeps import sweep_pages
from pacto.notifications.delivery import deliver_due
from pacto.notifications.models import Outbox
from pacto.notifications.tests.servers import HttpReceiver
from pacto.testing import SAO_PAULO

TEN_AM = dt.datetime(2026, 1, 15, 10, 0, tzinfo=SAO_PAULO)  # a Thursday: fiona is on call
SECRET = "pd-webhook-secret-0123456789"


class StandInPagerDuty(HttpReceiver):
    """Receives Pacto's Events API v2 triggers; sends V3 webhooks back, signed like
    PagerDuty's (``X-PagerDuty-Signature: v1=<HMAC-SHA256 of the body>``)."""

    def triggers(self) -> list[dict]:
        return [r.json() for r in self.requests if r.path == "/v2/enqueue"]

    def webhook(self, url: str, body: dict, secret: str = SECRET) -> tuple[int, dict]:
        raw = json.dumps(body).encode()
        signature = "v1=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        request = urllib.request.Request(
            f"{url}/pages/pagerduty", data=raw, method="POST",
            headers={"content-type": "application/json", "x-pagerduty-signature": signature,
                     "user-agent": "PagerDuty-Webhook/V3.0"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, text = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        is_json = text.startswith(b"{")
        return status, json.loads(text) if is_json else {"page": text[:80].decode()}


def v3(event_type: str, incident_key: str, agent: str = "Fiona Almeida") -> dict:
    """A V3 webhook as PagerDuty sends it (the fields Pacto reads, and some it does not)."""
    return {
        "event": {
            "id": "01DEN4HPBQAGYZZNFAM9PAFNBH",
            "event_type": event_type,
            "resource_type": "incident",
            "occurred_at": "2026-01-15T13:03:00.000Z",
            "agent": {"id": "PLH1HKV", "type": "user_reference", "summary": agent},
            "client": None,
            "data": {
                "id": "PGR0VU2",
                "type": "incident",
                "number": 2,
                "status": event_type.removeprefix("incident."),
                "incident_key": incident_key,
                "title": "PAGE urgent",
                "service": {"id": "PF9KMXH", "type": "service_reference"},
            },
        }
    }


@pytest.fixture
def pagerduty(settings):
    server = StandInPagerDuty().start()
    settings.PACTO_PAGERDUTY_ROUTING_KEY = "R0UT1NGKEY"
    settings.PACTO_PAGERDUTY_URL = f"{server.url}/v2/enqueue"
    settings.PACTO_PAGERDUTY_WEBHOOK_SECRET = SECRET
    yield server
    server.stop()


@pytest.fixture
def paged(desk, world, rotations, pagerduty):
    """An urgent ticket of alice's, paged to fiona through the stand-in PagerDuty."""
    ticket = desk.open(world.alice, "urgent", TEN_AM)
    assert deliver_due(timezone.now())["sent"] >= 1  # the page, and the email of the opening
    (trigger,) = pagerduty.triggers()
    assert trigger["event_action"] == "trigger"
    return ticket, Page.objects.get(ticket=ticket), trigger["dedup_key"]


def test_an_acknowledgement_in_pagerduty_stops_paging_in_pacto(
    paged, pagerduty, live_server, world
):
    ticket, page, dedup_key = paged
    status, answer = pagerduty.webhook(live_server.url, v3("incident.acknowledged", dedup_key))
    assert (status, answer) == (200, {"result": "acknowledged"})

    page.refresh_from_db()
    assert page.state == Page.State.ACKNOWLEDGED
    assert page.acknowledged_by == world.fiona  # the engineer it went to
    assert page.history[-1] | {"at": None} == {
        "at": None, "acknowledged_by": "fiona@vendor.example", "via": "pagerduty:acknowledge",
        "by": "Fiona Almeida",
    }  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.assignee == world.fiona  # as with Pacto's own link
    # Nobody is paged again when the acknowledgement window runs out.
    sweep_pages(TEN_AM + dt.timedelta(hours=2))
    assert Outbox.objects.filter(ticket=ticket, channel="pager").count() == 1


def test_a_resolve_stops_paging_and_a_retried_webhook_changes_nothing(
    paged, pagerduty, live_server
):
    ticket, page, dedup_key = paged
    assert pagerduty.webhook(live_server.url, v3("incident.resolved", dedup_key)) == (
        200,
        {"result": "resolved"},
    )
    # PagerDuty delivers at least once: the same webhook again is answered and ignored.
    assert pagerduty.webhook(live_server.url, v3("incident.resolved", dedup_key)) == (
        200,
        {"result": "ignored"},
    )
    page.refresh_from_db()
    assert page.state == Page.State.ACKNOWLEDGED
    assert [h.get("via") for h in page.history if "acknowledged_by" in h] == ["pagerduty:resolve"]
    ticket.refresh_from_db()
    assert ticket.status_category != "solved"  # the customer still gets a person's answer


def test_an_events_v2_acknowledge_from_a_relay_is_read_too(paged, pagerduty, live_server):
    _ticket, page, dedup_key = paged
    body = {"event_action": "acknowledge", "dedup_key": dedup_key, "client": "on-call relay"}
    assert pagerduty.webhook(live_server.url, body) == (200, {"result": "acknowledged"})
    page.refresh_from_db()
    assert page.state == Page.State.ACKNOWLEDGED
    assert page.history[-1]["by"] == "on-call relay"


def test_a_forged_signature_changes_nothing(paged, pagerduty, live_server):
    _ticket, page, dedup_key = paged
    status, answer = pagerduty.webhook(
        live_server.url, v3("incident.acknowledged", dedup_key), secret="guessed"
    )
    assert status == 401
    assert answer["error"]["rule"] == "signed"
    page.refresh_from_db()
    assert page.state == Page.State.PAGING


def test_other_incidents_and_pings_are_answered_and_ignored(paged, pagerduty, live_server):
    _ticket, page, _dedup_key = paged
    for body in (
        v3("incident.acknowledged", "another-service-incident"),
        v3("incident.acknowledged", "pacto-outbox-99999999999999999999999"),
        {"event": {"event_type": "pagey.ping", "data": {}}},
        {"event_action": "trigger", "dedup_key": "pacto-outbox-1"},
    ):
        assert pagerduty.webhook(live_server.url, body) == (200, {"result": "ignored"})
    page.refresh_from_db()
    assert page.state == Page.State.PAGING


def test_the_webhook_is_off_until_its_secret_is_set(paged, pagerduty, live_server, settings):
    _ticket, _page, dedup_key = paged
    settings.PACTO_PAGERDUTY_WEBHOOK_SECRET = ""
    status, _ = pagerduty.webhook(live_server.url, v3("incident.acknowledged", dedup_key))
    assert status == 404
