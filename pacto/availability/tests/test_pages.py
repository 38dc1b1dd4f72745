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
    assert "Under hypercare until June 14, 2026." in page.content.decode()
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


@pytest.fixture
def live(world):
    """An &money customer in hypercare today: live for 15 days of 4 agreed weeks."""
    from pacto.accounts.actions import do_create_contact, do_create_organization
    from pacto.contracts.actions import do_create_contract, preset_version

    today = dt.date.today()
    organization = do_create_organization(name="Casa Andina Varejo", kind="customer")
    contract = do_create_contract(
        organization=organization, service_contract_id="AM-LIVE", plan="standard",
        policy_version=preset_version("andmoney"), starts_on=today - dt.timedelta(days=60),
        go_live_on=today - dt.timedelta(days=15), hypercare_weeks=4,
    )  # fmt: skip
    admin = do_create_contact(
        organization=organization, email="ines@casaandina.example", full_name="Inês Duarte",
        authorized=True, org_admin=True, language="pt-br",
    )  # fmt: skip
    valeria = do_create_contact(
        organization=organization, email="valeria@casaandina.example", full_name="Valéria",
        authorized=True, focal_point=True,
    )  # fmt: skip
    return contract, admin, valeria


def test_hypercare_runs_from_the_portal_and_the_console_from_extension_to_transition(world, live):
    contract, ines, valeria = live
    vendor, customer = client_for(world.maria), client_for(ines)
    base = f"/console/availability/contracts/{contract.pk}"
    console = f"/console/availability/?contract={contract.pk}"

    # The vendor proposes two more weeks; the customer's admin accepts them in the portal.
    proposed = vendor.post(f"{base}/extensions/", {"weeks": "2", "reason": "Sync unstable"})
    assert proposed.status_code == 302 and proposed["Location"] == console
    extension = contract.hypercare_extensions.get()
    portal = customer.get("/availability/").content.decode()
    assert (
        "Sync unstable" in portal and f"/availability/extensions/{extension.pk}/answer/" in portal
    )
    accepted = customer.post(
        f"/availability/extensions/{extension.pk}/answer/", {"answer": "accept"}
    )
    assert accepted.status_code == 302 and accepted["Location"] == "/availability/"
    contract.refresh_from_db()
    until = contract.hypercare_until()
    assert until == contract.go_live_on + dt.timedelta(weeks=6, days=-1)

    # A status report from the console stays in the customer's portal.
    assert vendor.post(f"{base}/reports/").status_code == 302
    assert "Relatórios de status" in customer.get("/availability/").content.decode()

    # The transition needs both sign-offs: refused on the page, naming what is missing.
    early = vendor.post(f"{base}/conclusion/", {"notes": "Stable"})
    assert early.status_code == 422
    assert "the vendor has not signed off" in early.content.decode()
    signed = vendor.post(f"/availability/contracts/{contract.pk}/sign-off/", {"note": "Stable"})
    assert signed.status_code == 302 and signed["Location"] == console
    refused = client_for(valeria).post(f"/availability/contracts/{contract.pk}/sign-off/")
    assert refused.status_code == 403  # an authorized contact, not the organization's admin
    portal = customer.get("/availability/").content.decode()
    assert "O fornecedor aprovou" in portal  # the vendor's sign-off, seen by the customer
    assert customer.post(f"/availability/contracts/{contract.pk}/sign-off/").status_code == 302
    again = customer.post(f"/availability/contracts/{contract.pk}/sign-off/")
    assert again.status_code == 422 and "signed off already" in again.content.decode()

    concluded = vendor.post(f"{base}/conclusion/", {"notes": "Formal handover done"})
    assert concluded.status_code == 302
    contract.refresh_from_db()
    assert contract.hypercare_concluded_on == dt.date.today()
    seen_by_customer = customer.get("/availability/").content.decode()
    seen_by_vendor = vendor.get(console).content.decode()
    assert "Formal handover done" in seen_by_customer and "Formal handover done" in seen_by_vendor
    assert "Transição para o suporte padrão registrada" in seen_by_customer
    assert "Transition to standard support recorded" in seen_by_vendor
    for step in (
        "Extension accepted by the customer",
        "Signed off as stable",
        "Status report sent",
    ):
        assert step in seen_by_vendor


def test_another_organizations_admin_cannot_answer_sign_off_or_see_the_hypercare(world, live):
    contract, _ines, _valeria = live
    extension_owner = client_for(world.maria)
    extension_owner.post(
        f"/console/availability/contracts/{contract.pk}/extensions/", {"weeks": "1", "reason": "x"}
    )
    extension = contract.hypercare_extensions.get()
    outsider = client_for(world.alice)

    assert outsider.post(f"/availability/extensions/{extension.pk}/answer/").status_code == 404
    assert outsider.post(f"/availability/contracts/{contract.pk}/sign-off/").status_code == 404
    assert b"AM-LIVE" not in outsider.get("/availability/").content
    assert (
        client_for(world.fiona)
        .post(f"/console/availability/contracts/{contract.pk}/conclusion/")
        .status_code
        == 403
    )  # an agent: only a manager records the transition


def test_a_window_without_a_start_is_shown_again_with_the_field_named(world, nordlys):
    url = f"/console/availability/contracts/{nordlys.contract.pk}/windows/"

    response = client_for(world.fiona).post(url, {"kind": "planned", "reason": "Patching"})

    assert response.status_code == 422
    assert "starts_at: an instant such as" in response.content.decode()
    assert not nordlys.contract.service_windows.exists()


def test_a_customer_in_hypercare_sees_its_reports_even_without_an_availability_figure(world):
    """A policy that measures no availability (the demo's Verde Energia on SecPod): its
    hypercare is a contract state all the same, and its status reports are on the page."""
    from pacto.availability.actions import do_send_status_report
    from pacto.contracts.actions import do_update_contract

    contract = world.alice.organization.contracts.get()
    do_update_contract(
        world.maria, contract, go_live_on=dt.date.today() - dt.timedelta(days=10),
        hypercare_weeks=4,
    )  # fmt: skip
    do_send_status_report(contract, period_end=dt.datetime.now(dt.UTC), actor=world.maria)

    page = client_for(world.alice).get("/availability/").content.decode()

    assert "Under hypercare until" in page and "open incident" in page
    assert "No probes measure this contract yet." not in page
