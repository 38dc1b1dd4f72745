"""Contracts that look after themselves: renewal, reminders, termination, bulk onboarding.

senhasegura §5.3: "The renewal of the support contract will be performed at the end of the
current agreement, for the same day and month", and it "may be renegotiated in the purchase
of more senhasegura modules".
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from pacto.accounts.models import AccountEvent, Organization, User
from pacto.contracts import onboarding
from pacto.contracts.actions import (
    active_contract,
    do_renew_contract,
    do_terminate_contract,
    do_update_contract,
    sweep_contracts,
)
from pacto.contracts.models import Contract, ContractEvent
from pacto.errors import ActionError, NotAllowed
from pacto.notifications.models import Outbox
from pacto.testing import client_for


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


# ----------------------------------------------------------------------------- renewal


def test_a_manager_renews_with_more_modules_and_another_plan(world):
    renewed = do_renew_contract(
        world.azul_contract, years=2, plan="premier-24x7",
        products=[("senhasegura PAM", "Core", 200), ("senhasegura PAM", "DevOps", 20)],
        actor=world.maria,
    )  # fmt: skip

    assert renewed.starts_on == dt.date(2027, 1, 1)
    assert renewed.ends_on == dt.date(2028, 12, 31)
    assert renewed.plan == "premier-24x7"
    assert renewed.products.count() == 2
    assert ContractEvent.objects.filter(contract=world.azul_contract, kind="renewed").exists()
    with pytest.raises(ActionError) as twice:
        do_renew_contract(world.azul_contract, actor=world.maria)
    assert twice.value.rule == "not_renewed"


def test_an_agent_may_not_renew(world):
    with pytest.raises(NotAllowed):
        do_renew_contract(world.azul_contract, actor=world.fiona)


def test_the_worker_reminds_60_and_30_days_before_the_end_once_each(world):
    for day in (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 2),
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 2),
    ):
        sweep_contracts(at(day))

    reminders = Outbox.objects.filter(kind="contract_ending", organization=world.azul)
    assert sorted({(r.recipient, r.payload["days"]) for r in reminders}) == [
        ("amelia@azul.example", 30), ("amelia@azul.example", 60),
        ("maria@vendor.example", 30), ("maria@vendor.example", 60),
    ]  # fmt: skip
    kinds = ContractEvent.objects.filter(contract=world.azul_contract, kind="reminded")
    assert sorted(e.data["days"] for e in kinds) == [30, 60]


def test_auto_renew_is_honoured_on_the_end_date_and_only_once(world):
    do_update_contract(world.maria, world.azul_contract, auto_renew=True)

    assert sweep_contracts(at(dt.date(2026, 12, 30)))["renewed"] == 0
    assert sweep_contracts(at(dt.date(2026, 12, 31)))["renewed"] == 1
    assert sweep_contracts(at(dt.date(2027, 1, 1)))["renewed"] == 0

    renewal = world.azul_contract.renewals.get()
    assert (renewal.starts_on, renewal.ends_on) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert active_contract(world.azul, dt.date(2027, 1, 1)) == renewal
    assert ContractEvent.objects.filter(kind="renewed_automatically").count() == 1


def test_a_terminated_contract_stops_accepting_tickets_after_its_last_day(world):
    do_terminate_contract(world.maria, world.azul_contract, on=dt.date(2026, 6, 30), reason="sold")

    assert active_contract(world.azul, dt.date(2026, 6, 30)) == world.azul_contract
    assert active_contract(world.azul, dt.date(2026, 7, 1)) is None
    assert not world.azul_contract.auto_renew
    assert Outbox.objects.filter(kind="contract_terminated", recipient="amelia@azul.example")
    with pytest.raises(ActionError):
        do_renew_contract(world.azul_contract, actor=world.maria)


def test_termination_needs_a_reason_and_a_day_inside_the_contract(world):
    with pytest.raises(ActionError) as no_reason:
        do_terminate_contract(world.maria, world.azul_contract, on=dt.date(2026, 6, 30), reason=" ")
    assert no_reason.value.field == "reason"
    with pytest.raises(ActionError) as outside:
        do_terminate_contract(world.maria, world.azul_contract, on=dt.date(2030, 1, 1), reason="x")
    assert outside.value.rule == "within_contract"


def test_the_api_renews_and_terminates_for_managers_only(world):
    manager, agent = client_for(world.maria), client_for(world.fiona)
    url = f"/api/contracts/{world.azul_contract.pk}"

    assert agent.post(f"{url}/renew", {}, content_type="application/json").status_code == 403
    renewed = manager.post(
        f"{url}/renew", {"years": 1, "plan": "advanced-24x7"}, content_type="application/json"
    )
    assert renewed.status_code == 201, renewed.json()
    assert renewed.json()["plan"] == "advanced-24x7"
    assert manager.get(url).json()["renewed_by"] == renewed.json()["service_contract_id"]
    ended = manager.post(
        f"{url}/terminate", {"on": "2026-09-30", "reason": "merger"},
        content_type="application/json",
    )  # fmt: skip
    assert ended.json()["terminated_on"] == "2026-09-30"
    bad = manager.post(
        f"{url}/terminate", {"on": "2026-09-30", "reason": ""}, content_type="application/json"
    )
    assert bad.status_code == 422


# ----------------------------------------------------------------------------- onboarding

CONTACTS_CSV = """email,full_name,organization,authorized,focal_point,language,time_zone
nina@azul.example,Nina Azul,Banco Azul,yes,no,pt-br,America/Sao_Paulo
otto@verde.example,Otto Verde,Verde Energia,no,no,en,Europe/Berlin
"""


def import_csv(world, kind: str, text: str, **options):
    rows = onboarding.read_rows(text.encode(), f"{kind}.csv")
    return onboarding.run_import(world.maria, kind, rows, **options)


def test_an_import_creates_contacts_with_invitations_and_a_second_run_changes_nothing(world):
    first = import_csv(world, "contacts", CONTACTS_CSV)

    assert (first.created, first.problems, first.written) == (2, [], True)
    nina = User.objects.get(email="nina@azul.example")
    assert (nina.is_authorized, nina.language, nina.time_zone) == (
        True,
        "pt-br",
        "America/Sao_Paulo",
    )
    assert Outbox.objects.filter(kind="invitation", recipient="nina@azul.example").count() == 1
    events = AccountEvent.objects.count()

    second = import_csv(world, "contacts", CONTACTS_CSV)

    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert AccountEvent.objects.count() == events
    assert Outbox.objects.filter(kind="invitation").count() == 2


def test_a_file_with_one_bad_row_writes_nothing_and_names_line_field_and_rule(world):
    text = CONTACTS_CSV + "zed@verde.example,Zed,Verde Energia,maybe,no,en,Mars/Olympus\n"

    report = import_csv(world, "contacts", text)

    assert not report.written
    assert [(p.line, p.field, p.rule) for p in report.problems] == [(4, "authorized", "yes_or_no")]
    assert not User.objects.filter(email__in=["nina@azul.example", "zed@verde.example"]).exists()
    zone = import_csv(world, "contacts", CONTACTS_CSV.replace("Europe/Berlin", "Mars/Olympus"))
    assert [(p.line, p.field, p.rule) for p in zone.problems] == [(3, "time_zone", "iana_zone")]


def test_skip_invalid_writes_the_valid_rows_and_reports_the_others(world):
    text = CONTACTS_CSV + "zed@nowhere.example,Zed,No Such Org,yes,no,en,UTC\n"

    report = import_csv(world, "contacts", text, skip_invalid=True)

    assert report.written and report.created == 2
    assert [(p.line, p.field, p.rule) for p in report.problems] == [
        (4, "organization", "existing_organization")
    ]


def test_contracts_import_creates_the_focal_point_from_the_purchase_order(world):
    text = (
        "service_contract_id,organization,policy,plan,starts_on,products,focal_point_email,"
        "focal_point_name\n"
        "VERDE-2027,Verde Energia,secpod,standard,2027-01-01,SanerNow x500,"
        "ivo@verde.example,Ivo Verde\n"
    )

    report = import_csv(world, "contracts", text)

    assert report.created == 1, report.problems
    contract = Contract.objects.get(service_contract_id="VERDE-2027")
    assert contract.ends_on == dt.date(2027, 12, 31)
    assert [(p.product, p.quantity) for p in contract.products.all()] == [("SanerNow", 500)]
    ivo = User.objects.get(email="ivo@verde.example")
    assert ivo.is_authorized and ivo.is_focal_point
    assert Outbox.objects.filter(kind="invitation", recipient="ivo@verde.example").exists()
    assert import_csv(world, "contracts", text).unchanged == 1


def test_organizations_round_trip_through_export_and_import_in_xlsx(world):
    data = onboarding.write_rows(
        "organizations", onboarding.export_rows("organizations"), "orgs.xlsx"
    )
    rows = onboarding.read_rows(data, "orgs.xlsx")

    report = onboarding.run_import(world.maria, "organizations", rows)

    assert report.problems == []
    assert report.unchanged == Organization.objects.count()


def test_the_command_prints_each_bad_row_and_exits_1(world, tmp_path, capsys):
    path = tmp_path / "contacts.csv"
    path.write_text(CONTACTS_CSV.replace("pt-br", "klingon"))

    with pytest.raises(SystemExit) as exit_:
        call_command("import", "contacts", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    assert exit_.value.code == 1
    assert not User.objects.filter(email="nina@azul.example").exists()


def test_the_template_command_writes_columns_an_import_reads(world, tmp_path):
    out = io.StringIO()
    call_command("import", "template", "organizations", stdout=out)

    header = out.getvalue().splitlines()[0].split(",")
    assert header == list(onboarding.COLUMNS["organizations"])
