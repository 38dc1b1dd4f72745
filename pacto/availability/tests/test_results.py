"""Probe results: one per probe per slot whoever writes it (prober, monitor, import), the
monitor token that pushes them, and the monthly figure computed from what is stored."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pacto.accounts.actions import do_create_token
from pacto.availability.actions import do_create_probe, do_record_results
from pacto.availability.figures import month_figures, probe_figure
from pacto.availability.models import ProbeResult
from pacto.availability.prober import Measurement
from pacto.availability.sweeps import sweep_probes
from pacto.errors import ActionError, NotAllowed
from pacto.notifications.models import Outbox
from pacto.sla.availability import Month, SlotStatus

CPH = ZoneInfo("Europe/Copenhagen")
UTC = dt.UTC


@pytest.fixture
def probe(world, nordlys):
    return do_create_probe(
        world.maria, nordlys.contract, name="nordlys-portal", url="https://portal.nordlys.example/health",
        service="Self Service Management", now=dt.datetime(2026, 6, 1, tzinfo=UTC),
    )  # fmt: skip


def at(day, hour, minute=0):
    return dt.datetime(2026, 6, day, hour, minute, tzinfo=CPH)


def test_a_duplicate_result_for_a_slot_is_one_result(probe):
    now = at(2, 11)
    first = do_record_results(probe, [(at(2, 10, 0), SlotStatus.UP, 40)], source=0, now=now)
    again = do_record_results(
        probe, [(at(2, 10, 2), SlotStatus.DOWN, None), (at(2, 10, 4), SlotStatus.DOWN, None)],
        source=1, now=now,
    )  # fmt: skip

    assert (first, again) == (1, 0)
    results = ProbeResult.objects.filter(probe=probe)
    assert results.count() == 1
    assert results.get().status == SlotStatus.UP  # the first result stands


def test_an_agent_cannot_add_probes_but_a_manager_can(world, nordlys):
    with pytest.raises(NotAllowed):
        do_create_probe(world.fiona, nordlys.contract, name="x", url="https://x.example")
    with pytest.raises(ActionError) as refused:
        do_create_probe(world.maria, nordlys.contract, name="tcp-one", kind="tcp", host="db")
    assert refused.value.field == "port"


def test_a_probe_needs_a_policy_that_measures_availability(world):
    with pytest.raises(ActionError) as refused:
        do_create_probe(world.maria, world.verde_contract, name="verde", url="https://v.example")
    assert refused.value.rule == "availability"


def test_the_monthly_figure_from_stored_results_excludes_the_friday_after_ascension(world, nordlys):
    probe = do_create_probe(
        world.maria, nordlys.contract, name="nordlys-may", url="https://n.example",
        now=dt.datetime(2026, 4, 1, tzinfo=UTC),
    )  # fmt: skip
    # Down all day on the Friday after Ascension (a bank holiday): it does not count.
    rows = []
    t = dt.datetime(2026, 5, 15, 0, tzinfo=CPH)
    while t < dt.datetime(2026, 5, 16, tzinfo=CPH):
        rows.append((t, SlotStatus.DOWN, None))
        t += dt.timedelta(minutes=5)
    rows.append((dt.datetime(2026, 5, 18, 9, tzinfo=CPH), SlotStatus.UP, 30))
    do_record_results(probe, rows, source=2, now=dt.datetime(2026, 6, 1, tzinfo=UTC))

    figure = probe_figure(probe, Month(2026, 5))

    assert (figure.up, figure.down) == (1, 0)
    assert figure.availability_text == "100.000"
    assert figure.eligible_slots == 18 * 96
    assert month_figures([probe], Month(2026, 5))[probe.pk].as_json() == figure.as_json()


def test_the_import_command_loads_a_csv_and_a_second_import_adds_nothing(probe, tmp_path, capsys):
    path = tmp_path / "results.csv"
    path.write_text(
        "slot_start,status\n2026-06-02T08:00:00Z,up\n2026-06-02T08:05:00Z,down\n"
        "2026-06-02T08:05:30Z,up\n"
    )

    call_command("availability_import", "--probe", probe.name, str(path))
    call_command("availability_import", "--probe", probe.name, str(path))

    out = capsys.readouterr()
    assert "3 results read, 2 new slots" in out.out
    assert "3 results read, 0 new slots, 3 already measured" in out.out
    assert "[####################] 3/3 results" in out.err
    assert ProbeResult.objects.filter(probe=probe).count() == 2


def test_a_bad_import_line_writes_nothing_and_names_the_line(probe, tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("2026-06-02T08:00:00Z,up\n2026-06-02T08:05:00,up\n")

    with pytest.raises(CommandError, match="line 2"):
        call_command("availability_import", "--probe", probe.name, str(path))
    assert not ProbeResult.objects.filter(probe=probe).exists()


def test_a_monitor_token_pushes_results_once_per_slot(client, world, probe):
    _, secret = do_create_token(world.maria, name="blackbox", scope="monitor")
    body = {
        "probe": probe.name,
        "results": [
            {"slot": "2026-06-02T08:00:00Z", "status": "up", "latency_ms": 12},
            {"timestamp": "2026-06-02T08:01:10Z", "status": "down"},
            {"timestamp": "2026-06-02T08:05:10+00:00", "status": "down"},
        ],
    }
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    first = client.post("/api/availability/results", body, content_type="application/json", **auth)
    second = client.post("/api/availability/results", body, content_type="application/json", **auth)

    assert first.status_code == 200, first.content
    assert first.json() == {"probe": probe.name, "received": 3, "written": 2}
    assert second.json()["written"] == 0
    assert ProbeResult.objects.filter(probe=probe).count() == 2


def test_a_monitor_token_may_do_nothing_else_and_other_tokens_may_not_push(client, world, probe):
    _, monitor = do_create_token(world.maria, name="kuma", scope="monitor")
    _, write = do_create_token(world.maria, name="script", scope="write")
    body = {"probe": probe.name, "results": [{"slot": "2026-06-02T08:00:00Z", "status": "up"}]}

    tickets = client.get("/api/tickets", HTTP_AUTHORIZATION=f"Bearer {monitor}")
    pushed = client.post(
        "/api/availability/results", body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {write}",
    )  # fmt: skip

    assert tickets.status_code == 403
    assert pushed.status_code == 403
    assert not ProbeResult.objects.exists()


def test_a_customers_monitor_token_cannot_push_results(client, world, nordlys, probe):
    _, secret = do_create_token(nordlys.dagny, name="mine", scope="monitor")
    body = {"probe": probe.name, "results": [{"slot": "2026-06-02T08:00:00Z", "status": "up"}]}

    response = client.post(
        "/api/availability/results", body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )  # fmt: skip

    assert response.status_code == 403
    assert not ProbeResult.objects.exists()


def test_a_probe_failing_three_slots_in_a_row_opens_one_ticket_for_the_customer(
    client, world, nordlys, probe
):
    down = Measurement(SlotStatus.DOWN, None, "HTTP 503, expected 200")
    for minute in (0, 5, 10, 15):
        sweep_probes(at(2, 10, minute), measure=lambda p: down)

    probe.refresh_from_db()
    assert probe.consecutive_failures == 4
    ticket = probe.failure_ticket
    assert ticket is not None and ticket.organization == nordlys.organization
    assert ticket.severity == "highest"
    assert nordlys.organization.tickets.count() == 1
    alerted = Outbox.objects.filter(kind="probe_failing").values_list("recipient", flat=True)
    assert sorted(alerted) == ["maria@vendor.example", "root@vendor.example"]  # once each
    told = Outbox.objects.filter(kind="probe_ticket_opened")
    assert set(told.values_list("recipient", flat=True)) == {
        "dagny@nordlys.example", "erik@nordlys.example",
    }  # fmt: skip


def test_the_failure_ticket_is_opened_by_the_vendors_monitoring_not_as_the_customer(
    client, world, nordlys, probe
):
    from pacto.notifications.render import build_email

    down = Measurement(SlotStatus.DOWN, None, "HTTP 503, expected 200")
    for minute in (0, 5, 10):
        sweep_probes(at(2, 10, minute), measure=lambda p: down)
    ticket = nordlys.organization.tickets.get()

    opened = ticket.events.get(kind="opened")
    assert opened.actor.is_staff_member and opened.actor != nordlys.dagny
    first = ticket.messages.first()
    assert first.author == opened.actor  # the vendor speaks first, not the customer
    assert "on behalf of Nordlys Bank" in first.body_text
    assert ticket.clocks.get(metric="first_response").due_at is not None  # the policy runs
    client.force_login(nordlys.dagny)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "the vendor's availability monitoring, on behalf of Nordlys Bank" in page
    client.force_login(world.fiona)
    console = client.get(f"/console/tickets/{ticket.pk}/").content.decode()
    assert "availability monitoring, on behalf of Nordlys Bank" in console
    erik = Outbox.objects.get(kind="probe_ticket_opened", recipient="erik@nordlys.example")
    email = build_email(erik)
    assert email.subject.startswith(f"[#{ticket.pk}] Abrimos um chamado para você")
    assert "em nome da sua organização" in email.body


def test_the_worker_sweep_measures_each_slot_once(world, nordlys):
    probe = do_create_probe(
        world.maria, nordlys.contract, name="fresh", url="https://f.example", now=at(2, 10)
    )
    calls = []

    def up(p):
        calls.append(p.name)
        return Measurement(SlotStatus.UP, 5, "HTTP 200")

    sweep_probes(at(2, 10, 0), measure=up)
    sweep_probes(at(2, 10, 1), measure=up)  # the same slot: not due again
    sweep_probes(at(2, 10, 5), measure=up)

    assert len(calls) == 2
    slots = list(ProbeResult.objects.filter(probe=probe).values_list("slot_start", flat=True))
    assert slots == [at(2, 10, 0), at(2, 10, 5)]
