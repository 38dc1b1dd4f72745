"""Tickets opened through the REST API: the ticketing system's own door.

A policy that takes portal tickets takes API tickets, counted exactly like portal tickets
(SecPod: "Customers or Partners may log a support request via the web-based ticketing
system or through email"); the ticket records channel api.
"""

from __future__ import annotations

import datetime as dt

import pytest

from pacto.errors import ActionError
from pacto.tickets.tests.test_api import (  # noqa: F401 - frozen_now pins the clock
    NOW,
    ApiClient,
    frozen_now,
    open_ticket,
    problem,
)


def test_carol_opens_a_secpod_ticket_through_the_api_and_it_is_due_like_a_portal_ticket(world):
    response = ApiClient(world.carol).post("/api/tickets", problem(severity="high"))

    assert response.status_code == 201, response.json()
    ticket = response.json()
    assert ticket["channel"] == "api"
    portal = open_ticket(world.carol, severity="high", channel="portal")
    (by_api,) = [c for c in ticket["clocks"] if c["metric"] == "first_response"]
    by_portal = portal.clocks.get(metric="first_response")
    assert by_api["target"] == "6 hours" == by_portal.target
    assert dt.datetime.fromisoformat(by_api["due_at"]) == by_portal.due_at


def test_a_contact_cannot_claim_another_channel_for_an_api_ticket(world):
    response = ApiClient(world.carol).post("/api/tickets", problem(channel="portal"))

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["field"], error["rule"]) == ("channel", "api_channel")


def test_an_agent_cannot_log_a_phone_ticket_for_secpod_which_has_no_phone_line(world):
    with pytest.raises(ActionError) as caught:
        open_ticket(world.fiona, requester=world.carol, severity="high", channel="phone", at=NOW)
    assert caught.value.field == "channel"
    assert "takes no tickets by phone" in str(caught.value)
