"""The availability pages: a customer sees its own month, never another customer's; the
console shows every customer; the CSV holds the month's figure and outages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from pacto.availability.actions import do_announce_window, do_create_probe, do_record_results
from pacto.notifications.models import Outbox
from pacto.sla.availability import SlotStatus

CPH = ZoneInfo("Europe/Copenhagen")


def client_for(user) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


@pytest.fixture
def measured(world, nordlys):
    probe = do_create_probe(
        world.maria, nordlys.contract, name="nordlys-web", url="https://n.example",
        service="Self Service Management", now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    rows = [(dt.datetime(2026, 6, 2, 9, m, tzinfo=CPH), SlotStatus.DOWN, None) for m in (0, 5)]
    rows.append((dt.datetime(2026, 6, 2, 9, 10, tzinfo=CPH), SlotStatus.UP, 20))
    do_record_results(probe, rows, source=2, now=dt.datetime(2026, 6, 3, tzinfo=dt.UTC))
    return probe


def test_the_customer_sees_its_month_with_outages_and_the_csv(nordlys, measured):
    client = client_for(nordlys.dagny)

    page = client.get("/availability/?month=2026-06")
    csv = client.get("/availability/nordlys-web/2026-06.csv")

    assert page.status_code == 200
    assert b"Self Service Management" in page.content
    assert b"Under hypercare until 2026-06-14" in page.content or b"hypercare" in page.content
    assert csv.status_code == 200
    assert b"nordlys-web,2026-06,33.333" in csv.content
    assert b"outage_start" in csv.content


def test_another_customer_sees_neither_the_page_section_nor_the_csv(world, measured):
    client = client_for(world.alice)

    page = client.get("/availability/?month=2026-06")
    csv = client.get("/availability/nordlys-web/2026-06.csv")

    assert b"nordlys-web" not in page.content
    assert csv.status_code == 404


def test_the_console_shows_every_customers_month_to_staff_only(world, nordlys, measured):
    staff = client_for(world.fiona).get("/console/availability/?month=2026-06")
    contact = client_for(nordlys.dagny).get("/console/availability/?month=2026-06")

    assert staff.status_code == 200 and b"Nordlys Bank" in staff.content
    assert contact.status_code == 403


def test_an_announced_window_notifies_the_contacts_and_a_late_one_is_marked(world, nordlys):
    early = do_announce_window(
        world.fiona, nordlys.contract, kind="planned", reason="Monthly patching",
        starts_at=dt.datetime(2026, 6, 20, 10, tzinfo=CPH), ends_at=dt.datetime(2026, 6, 20, 11, tzinfo=CPH),
        recurs_monthly=True, now=dt.datetime(2026, 6, 2, 9, tzinfo=CPH),
    )  # fmt: skip
    late = do_announce_window(
        world.fiona, nordlys.contract, kind="extraordinary", reason="Critical security patch",
        starts_at=dt.datetime(2026, 6, 3, 10, tzinfo=CPH), ends_at=dt.datetime(2026, 6, 3, 10, 30, tzinfo=CPH),
        now=dt.datetime(2026, 6, 3, 9, tzinfo=CPH),
    )  # fmt: skip

    assert not early.notice_late and late.notice_late
    rows = Outbox.objects.filter(kind__startswith="service_window")
    assert {r.recipient_user for r in rows} == {nordlys.dagny, nordlys.erik}
    assert rows.filter(kind="service_window_extraordinary_late").count() == 2
    # The monthly window recurs in July too.
    july = early.occurrences(
        dt.datetime(2026, 7, 1, tzinfo=CPH), dt.datetime(2026, 8, 1, tzinfo=CPH)
    )
    assert july == [
        (dt.datetime(2026, 7, 20, 10, tzinfo=CPH), dt.datetime(2026, 7, 20, 11, tzinfo=CPH))
    ]


def test_an_agent_announces_a_window_from_the_console_and_a_contact_cannot(world, nordlys):
    form = {
        "kind": "planned", "starts_at": "2027-01-20T10:00+01:00",
        "ends_at": "2027-01-20T11:00+01:00", "reason": "Monthly patching",
        "recurs_monthly": "on",
    }  # fmt: skip
    url = f"/console/availability/contracts/{nordlys.contract.pk}/windows/"

    refused = client_for(nordlys.dagny).post(url, form)
    done = client_for(world.fiona).post(url, form)

    assert refused.status_code == 403
    assert done.status_code == 302
    window = nordlys.contract.service_windows.get()
    assert window.recurs_monthly and window.reason == "Monthly patching"


def test_a_manager_sends_a_hypercare_status_report_from_the_console(world, nordlys):
    url = f"/console/availability/contracts/{nordlys.contract.pk}/reports/"

    response = client_for(world.maria).post(url)

    assert response.status_code == 302
    assert nordlys.contract.hypercare_reports.count() == 1
