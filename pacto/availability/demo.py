"""Demo data for availability and hypercare, built through the actions (``pacto demo``).

- Nordlys Bank, an &money customer: a probe with last month's and this month's 5-minute
  results, a 45-minute outage inside operating hours last month, a monthly planned
  service window and an extraordinary one announced late;
- Verde Energia, in hypercare since its go-live: a status report sent to its contacts.
"""

from __future__ import annotations

import datetime as dt

from pacto.accounts.actions import do_create_contact, do_create_organization
from pacto.availability.actions import (
    do_announce_window,
    do_create_probe,
    do_record_results,
    do_send_status_report,
)
from pacto.availability.models import ProbeResult
from pacto.contracts.actions import do_create_contract, preset_version
from pacto.contracts.models import Contract
from pacto.sla.availability import Month, SlotStatus

PASSWORD = "pacto-demo"


def load(demo) -> None:
    marina = demo.people["marina"]
    felipe = demo.people["felipe"]
    now = demo.now
    nordlys = do_create_organization(name="Nordlys Bank", kind="customer", account_manager=marina)
    demo.orgs["nordlys"] = nordlys
    contract = do_create_contract(
        organization=nordlys,
        service_contract_id="DEMO-NORDLYS-ANDMONEY",
        policy_version=preset_version("andmoney"),
        plan="standard",
        starts_on=now.date() - dt.timedelta(days=120),
        go_live_on=now.date() - dt.timedelta(days=90),
        hypercare_weeks=2,
        products=[("&money Self Service Management", "", 1)],
    )
    demo.people["dagny"] = do_create_contact(
        organization=nordlys, email="dagny@nordlys.example", full_name="Dagny Holm",
        password=PASSWORD, actor=marina, authorized=True, org_admin=True, focal_point=True,
        time_zone="Europe/Copenhagen",
    )  # fmt: skip
    probe = do_create_probe(
        marina, contract, name="nordlys-self-service", service="Self Service Management",
        url="https://selfservice.nordlys.example/health", expected_text="ok", now=now,
    )  # fmt: skip
    zone = contract.policy.calendar("business").zone
    local = now.astimezone(zone)
    last = Month(local.year, local.month).previous()
    first, _ = last.bounds(contract.policy.calendar("business"))
    # The outage: the first Tuesday of last month, 10:00-10:45 Copenhagen time.
    tuesday = first + dt.timedelta(days=(1 - first.weekday()) % 7)
    outage = (tuesday.replace(hour=10), tuesday.replace(hour=10, minute=45))
    step = dt.timedelta(minutes=5)
    rows = []
    t = first.astimezone(dt.UTC)
    end = now - dt.timedelta(minutes=10)
    while t < end:
        down = outage[0] <= t < outage[1]
        rows.append((t, SlotStatus.DOWN if down else SlotStatus.UP, None if down else 42))
        t += step
    do_record_results(probe, rows, source=ProbeResult.Source.IMPORTED, now=now)
    window_day = first + dt.timedelta(days=(5 - first.weekday()) % 7 + 14)  # a Saturday
    do_announce_window(
        felipe, contract, kind="planned", reason="Monthly preventive maintenance",
        starts_at=window_day.replace(hour=7), ends_at=window_day.replace(hour=8),
        recurs_monthly=True, service="Self Service Management",
        now=first - dt.timedelta(days=10),
    )  # fmt: skip
    wednesday = tuesday + dt.timedelta(days=8)
    do_announce_window(
        felipe, contract, kind="extraordinary",
        reason="Critical security patch of the Graph API proxy",
        starts_at=wednesday.replace(hour=14), ends_at=wednesday.replace(hour=14, minute=30),
        service="Self Service Management", now=wednesday.replace(hour=13),
    )  # fmt: skip

    verde = Contract.objects.get(service_contract_id="DEMO-VERDE-SANERNOW")
    if verde.hypercare_until() and verde.go_live_on:
        report_end = dt.datetime.combine(
            verde.go_live_on + dt.timedelta(days=14), dt.time(0), verde.policy.calendar().zone
        )
        if report_end <= now:
            do_send_status_report(verde, period_end=report_end, actor=marina, now=now)
