"""The services pages as a customer and an agent use them: the portal shows what is left of
the included services and the quote to approve; the signed email link shows the quote on GET
and decides on POST, for the contact and version it names; the console exports the month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pacto.notifications.models import Outbox
from pacto.services.actions import do_decide_quote, do_log_service_work
from pacto.services.models import Quote
from pacto.services.tests.conftest import NOW, quote, request
from pacto.testing import SAO_PAULO, client_for

pytestmark = pytest.mark.django_db


def test_the_portal_shows_entitlements_and_the_quote_to_approve(services, clock):
    clock.set(NOW)
    pedro, w = services.pedro, services.world
    q = quote(w.fiona, request(pedro, "health-check"))
    page = client_for(pedro).get("/services/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Assisted Update: 1 of 1 left this contract year" in text
    assert q.reference in text and "Approve version 1" in text
    response = client_for(pedro).post(
        f"/services/quotes/{q.pk}/decide/", {"decision": "approve", "version": "1"}
    )
    assert response.status_code == 302
    q.refresh_from_db()
    assert (q.status, q.decided_by, q.decided_via) == ("approved", pedro, "portal")


def test_the_portal_speaks_portuguese(services, clock):
    clock.set(NOW)
    pedro = services.pedro
    pedro.language = "pt-br"
    pedro.save()
    page = client_for(pedro).get("/services/", HTTP_ACCEPT_LANGUAGE="pt-br")
    text = page.content.decode()
    assert "Serviços profissionais" in text or "Incluído no seu plano" in text


def test_the_signed_link_shows_on_get_and_decides_on_post(services, clock):
    clock.set(NOW)
    w = services.world
    q = quote(w.fiona, request(w.alice))
    row = Outbox.objects.get(kind="quote_sent", recipient="amelia@azul.example")
    path = row.payload["url"].split("://", 1)[1].split("/", 1)[1]
    anonymous = client_for(None)
    shown = anonymous.get(f"/{path}")
    assert shown.status_code == 200 and q.reference in shown.content.decode()
    assert Quote.objects.get(pk=q.pk).status == "pending"  # a GET decides nothing
    decided = anonymous.post(f"/{path}", {"decision": "decline", "reason": "Too dear"})
    assert decided.status_code == 200
    q.refresh_from_db()
    assert (q.status, q.decided_by, q.decided_via, q.decided_version) == (
        "declined", w.amelia, "email", 1,
    )  # fmt: skip
    forged = anonymous.get(f"/{path[:-5]}xxxxx/")
    assert forged.status_code == 404


def test_the_console_exports_the_month(services, clock):
    w = services.world
    q = quote(w.fiona, request(w.alice))
    do_decide_quote(w.alice, q, approve=True, version=1, now=NOW)
    friday = dt.datetime(2026, 1, 23, 17, 0, tzinfo=SAO_PAULO)
    do_log_service_work(
        w.sam, q, starts_at=friday, ends_at=friday + dt.timedelta(hours=4),
        now=friday + dt.timedelta(hours=5),
    )  # fmt: skip
    clock.set(friday + dt.timedelta(days=1))
    agent = client_for(w.fiona)
    page = agent.get("/console/services/?month=2026-01")
    assert page.status_code == 200 and q.reference in page.content.decode()
    csv = agent.get("/console/services/export/csv/?month=2026-01")
    lines = csv.content.decode().splitlines()
    assert len(lines) == 2 and ",2.00,2.00,BRL,4000.00," in lines[1]
    assert Decimal(lines[1].split(",")[15]) == Decimal("2500.00")
    xlsx = agent.get("/console/services/export/xlsx/?month=2026-01")
    assert xlsx.content[:2] == b"PK"
    assert client_for(w.alice).get("/console/services/export/csv/").status_code == 403
