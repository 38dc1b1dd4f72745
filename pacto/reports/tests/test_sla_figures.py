"""SLA figures of a month, from the stored clocks: the counts a manager can redo by hand."""

from __future__ import annotations

import datetime as dt
import io
import json
from functools import partial

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from pacto.contracts.actions import do_store_policy
from pacto.contracts.models import Contract
from pacto.reports.figures import Period, sla_figures
from pacto.reports.tests.conftest import ApiClient, sp
from pacto.sla.policy import PRESETS
from pacto.testing import customer_on
from pacto.tickets.actions import do_change_status, do_exempt_breach, do_open_ticket, do_reply
from pacto.tickets.clocks import store_clocks
from pacto.tickets.models import Ticket

JANUARY = Period.parse("2026-01", "America/Sao_Paulo")


def first_response(figures: dict) -> dict:
    return figures["metrics"]["first_response"]["total"]


def test_attainment_matches_a_count_made_from_the_api_clocks(world, january):
    manager = ApiClient(world.maria)
    counted = {"met": 0, "breached": 0}
    for ticket in Ticket.objects.filter(organization=world.azul):
        clocks = manager.get(f"/api/tickets/{ticket.pk}").json()["clocks"]
        clock = next(c for c in clocks if c["metric"] == "first_response")
        if clock["state"] == "met" and clock["met_at"].startswith("2026-01"):
            counted["met"] += 1
        elif clock["state"] == "breached" and clock["breached_at"].startswith("2026-01"):
            counted["breached"] += 1

    response = manager.get(
        "/api/reports/sla", month="2026-01", organization="Banco Azul",
        time_zone="America/Sao_Paulo",
    )  # fmt: skip

    assert response.status_code == 200, response.content
    total = first_response(response.json())
    # The silent low ticket was due Monday 19 January 16:00 and never answered: breached.
    assert counted == {"met": 2, "breached": 1}
    assert (total["met"], total["breached"] + 0) == (2, 2)
    assert total["attainment_percent"] == 50.0
    assert response.json()["organization"] == "Banco Azul"


def test_a_running_clock_past_due_counts_as_breached_and_one_not_yet_due_as_running(world, january):
    december = sla_figures(JANUARY.previous(), organization=world.azul)
    figures = sla_figures(JANUARY, organization=world.azul)

    assert first_response(december)["counted"] == 0
    assert first_response(figures)["breached"] == 2
    # senhasegura promises no resolution time: no resolution clock is counted.
    assert figures["metrics"]["resolution"]["total"]["counted"] == 0


def test_breaches_are_listed_with_a_link_to_their_clock_explanation(world, january):
    figures = sla_figures(JANUARY, organization=world.azul)

    late = [b for b in figures["breaches"] if b["ticket"] == january["late"].pk]
    assert late and late[0]["metric"] == "first_response"
    assert late[0]["explanation_url"] == f"/console/tickets/{january['late'].pk}/#clocks-title"
    assert late[0]["over_target_seconds"] == 3600.0  # replied 1 business hour after due


def test_figures_group_by_severity_with_their_policy_and_give_the_time_to_meet(world, january):
    figures = sla_figures(JANUARY, organization=world.azul, group_by="severity")

    groups = {g["severity"]: g for g in figures["metrics"]["first_response"]["groups"]}
    assert figures["group_by"] == ["policy", "severity"]
    assert groups["medium"]["policy"] == "senhasegura"
    assert (groups["medium"]["met"], groups["medium"]["breached"]) == (2, 1)
    assert (groups["low"]["met"], groups["low"]["breached"]) == (0, 1)
    # Met after 30 minutes twice (and the late one met after 9 business hours).
    assert groups["medium"]["median_to_meet_seconds"] == 1800.0
    assert figures["policy_versions"][0]["policy"] == "senhasegura"


def test_tickets_of_the_month_first_contact_resolution_and_backlog(world, january):
    figures = sla_figures(JANUARY, organization=world.azul)

    assert figures["opened"] == 4
    assert figures["solved"] == 1
    assert figures["first_contact_resolution"]["percent"] == 100.0
    assert figures["reopen_rate"]["percent"] == 0.0
    assert figures["backlog"]["open"] == 3
    assert sum(figures["backlog"]["by_age"].values()) == 3


def test_the_report_of_one_organization_never_contains_another_s_tickets(world, january):
    figures = sla_figures(JANUARY, organization=world.azul, group_by="organization")

    organizations = {g["organization"] for m in figures["metrics"].values() for g in m["groups"]}
    assert organizations == {"Banco Azul"}
    assert january["verde"].pk not in {b["ticket"] for b in figures["breaches"]}


def test_an_unknown_group_or_a_bad_month_is_a_clear_422(world):
    manager = ApiClient(world.maria)

    bad_group = manager.get("/api/reports/sla", month="2026-01", group_by="colour")
    bad_month = manager.get("/api/reports/sla", month="January")

    assert bad_group.status_code == 422
    assert bad_group.json()["detail"][0]["field"] == "group_by"
    assert bad_month.status_code == 422
    assert bad_month.json()["detail"][0]["field"] == "month"


def test_customers_see_only_their_own_organization_and_plain_contacts_nothing(world, january):
    amelia = ApiClient(world.amelia)  # Banco Azul's admin
    own = amelia.get("/api/reports/sla", month="2026-01")
    other = amelia.get("/api/reports/sla", month="2026-01", organization="Verde Energia")
    alice = ApiClient(world.alice).get("/api/reports/sla", month="2026-01")
    anonymous = ApiClient().get("/api/reports/sla", month="2026-01")

    assert own.status_code == 200
    assert own.json()["organization"] == "Banco Azul"
    assert other.status_code == 404
    assert alice.status_code == 403
    assert anonymous.status_code == 401


# ----------------------------------------------------------------------------- recompute


def with_friday_closure(text: str) -> str:
    anchor = "      subdivision: São Paulo Capital\n"
    closure = '      dates: {2026-01-16: "Vendor closure (office move)"}\n'
    return text.replace(anchor, anchor + closure).replace('version: "7.0"', 'version: "7.0.1"')


def test_a_holiday_added_then_recomputed_changes_last_month_s_figures(world, january):
    """The late ticket was due Friday 16 January 15:00 and answered at 16:00. With Friday a
    holiday, the engine counts Thursday's 2 hours only by the reply: first response met."""
    before = sla_figures(JANUARY, organization=world.azul)
    text = with_friday_closure((PRESETS / "senhasegura.yaml").read_text(encoding="utf-8"))
    version = do_store_policy(text, source="senhasegura.yaml")
    Contract.objects.filter(pk=world.azul_contract.pk).update(policy_version=version)
    Ticket.objects.filter(contract=world.azul_contract).update(policy_version=version)

    call_command("sla_recompute", "--policy", "senhasegura", stdout=io.StringIO(),
                 stderr=io.StringIO())  # fmt: skip
    after = sla_figures(JANUARY, organization=world.azul)

    assert (first_response(before)["met"], first_response(before)["breached"]) == (2, 2)
    assert (first_response(after)["met"], first_response(after)["breached"]) == (3, 1)
    assert first_response(after)["attainment_percent"] == 75.0
    assert [p["version"] for p in after["policy_versions"]] == ["7.0.1"]
    late = next(c for c in january["late"].clocks.all() if c.metric == "first_response")
    assert late.state == "met"
    holidays = [s for s in late.segments if s["kind"] == "holiday"]
    assert holidays and "Vendor closure" in holidays[0]["reason"]


def test_closed_tickets_follow_the_holiday_when_recompute_includes_them(world, january):
    closed = world.azul_contract.policy.status_for("closed").id
    do_change_status(world.fiona, january["late"], closed, now=sp("2026-01-30 10:00"))
    text = with_friday_closure((PRESETS / "senhasegura.yaml").read_text(encoding="utf-8"))
    version = do_store_policy(text, source="senhasegura.yaml")
    Ticket.objects.filter(contract=world.azul_contract).update(policy_version=version)

    call_command("sla_recompute", stdout=io.StringIO(), stderr=io.StringIO())
    open_only = first_response(sla_figures(JANUARY, organization=world.azul))
    out = io.StringIO()
    call_command("sla_recompute", "--include-closed", stdout=out, stderr=io.StringIO())
    every = first_response(sla_figures(JANUARY, organization=world.azul))

    assert (open_only["met"], open_only["breached"]) == (2, 2)  # the closed one kept its breach
    assert (every["met"], every["breached"]) == (3, 1)
    assert "closed ones included" in out.getvalue()


# ----------------------------------------------------------------------------- command line


@pytest.mark.parametrize("form", ["json", "csv", "xlsx"])
def test_pacto_report_sla_gives_the_api_figures_in_each_format(world, january, tmp_path, form):
    path = tmp_path / f"sla.{form}"
    call_command(
        "report", "sla", "--month", "2026-01", "--organization", "banco azul",
        "--time-zone", "America/Sao_Paulo", "--format", form, "--output", str(path),
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    api = ApiClient(world.maria).get(
        "/api/reports/sla", month="2026-01", organization="Banco Azul",
        time_zone="America/Sao_Paulo",
    ).json()  # fmt: skip

    if form == "json":
        assert json.loads(path.read_text()) == api
    elif form == "csv":
        text = path.read_text()
        total = first_response(api)
        assert f"first_response,(all),(all),{total['counted']},{total['met']}," in text
        assert "# breaches" in text
    else:
        book = load_workbook(path)
        assert {"sla", "breaches", "backlog", "tickets", "policy_versions"} <= set(book.sheetnames)
        tickets = [row[0].value for row in book["breaches"].iter_rows(min_row=2)]
        assert sorted(tickets) == sorted(b["ticket"] for b in api["breaches"])


# ----------------------------------------------------------------------------- exempt breaches


def exempt_lumen_breach(world):
    """Lumen Seguros (Allure SaaS): a Severity 1 ticket opened 15 January 2026, unanswered two
    days later (breached), which a manager marks exempt (severity misassigned)."""
    contact = customer_on("allure", "Lumen Seguros", plan="saas", account_manager=world.maria)
    opened = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)
    ticket = do_open_ticket(contact, subject="Down", body="All down.", severity="sev1",
                            category="", now=opened)  # fmt: skip
    later = opened + dt.timedelta(days=2)
    store_clocks(ticket, later)
    do_exempt_breach(world.maria, ticket, "first_response", reason="severity misassigned",
                     now=later)  # fmt: skip
    return contact.organization, ticket


def test_an_exempt_breach_is_counted_apart_and_listed_with_its_reason(world):
    organization, ticket = exempt_lumen_breach(world)

    figures = sla_figures(JANUARY, organization=organization, group_by=["severity", "category"])

    total = first_response(figures)
    assert (total["breached"], total["exempt_breaches"], total["met"]) == (0, 1, 0)
    assert total["attainment_percent"] is None  # nothing counted as met or breached
    (group,) = figures["metrics"]["first_response"]["groups"]
    assert (group["severity"], group["category"], group["exempt_breaches"]) == ("sev1", "", 1)
    (breach,) = [b for b in figures["breaches"] if b["metric"] == "first_response"]
    assert breach["ticket"] == ticket.pk
    assert breach["exempt_reason"].endswith("severity misassigned")
    assert breach["explanation_url"] == f"/console/tickets/{ticket.pk}/#clocks-title"
    assert [p["policy"] for p in figures["policy_versions"]] == ["allure"]


def test_paused_time_is_what_the_decided_clocks_spent_waiting_on_the_customer(world):
    """Allure pauses the first response while "Allure is waiting for the customer's
    information": thirty minutes waiting, then answered, is thirty minutes of paused time."""
    contact = customer_on("allure", "Lumen Seguros", plan="saas", account_manager=world.maria)
    opened = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)
    ticket = do_open_ticket(contact, subject="Down", body="All down.", severity="sev1",
                            category="", now=opened)  # fmt: skip
    minutes = partial(dt.timedelta, minutes=1)
    do_change_status(world.maria, ticket, "waiting-on-customer", now=opened + 10 * minutes())
    do_change_status(world.maria, ticket, "open", now=opened + 40 * minutes())
    do_reply(world.maria, ticket, "Fixed.", now=opened + 50 * minutes())

    figures = sla_figures(JANUARY, organization=contact.organization)

    total = first_response(figures)
    assert (total["met"], total["paused_seconds"]) == (1, 30 * 60)
    # The stored clock says the same as the segments the console explains.
    clock = ticket.clocks.get(metric="first_response")
    (paused,) = [s for s in clock.segments if s["kind"] == "paused" and not s["projected"]]
    took = dt.datetime.fromisoformat(paused["end"]) - dt.datetime.fromisoformat(paused["start"])
    assert clock.paused_seconds == took.total_seconds() == 30 * 60
