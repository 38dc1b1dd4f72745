"""Demo data for availability and hypercare, built through the actions (``pacto demo``).

- Casa Andina Varejo, the &money customer, went live on the first day of last month and is
  in hypercare: a probe with every 5-minute result since go-live, a 45-minute outage inside
  operating hours last month (its third failing slot opened a ticket on the customer's
  behalf, which an agent answered and solved), a monthly planned service window and an
  extraordinary one announced late, a weekly status report for each week since go-live,
  and an extension the vendor proposed for its organization admin to accept;
- Verde Energia (SecPod), in hypercare since its go-live 20 days ago: its status reports,
  and the vendor's sign-off, waiting for the customer's.
"""

from __future__ import annotations

import datetime as dt

from pacto.accounts.actions import do_create_contact
from pacto.availability.actions import (
    do_announce_window,
    do_create_probe,
    do_propose_extension,
    do_record_results,
    do_send_status_report,
    do_sign_off,
)
from pacto.availability.models import Probe, ProbeResult
from pacto.contracts.models import Contract
from pacto.sla.availability import Month, SlotStatus
from pacto.tickets.actions import do_change_status, do_reply

PASSWORD = "pacto-demo"
INES = ("ines@casaandina.example", "Inês Duarte")


def logins() -> list[tuple[str, str, str, str]]:
    """(email, name, what the login shows, organization) of this module's contacts."""
    return [
        (*INES, "organization admin (&money): availability, hypercare extension and sign-off",
         "Casa Andina Varejo"),
    ]  # fmt: skip


def load(demo) -> None:
    _andina(demo)
    _verde(demo)


def _weekly_reports(contract: Contract, now: dt.datetime, actor) -> None:
    """The status reports the worker sends on the policy's cadence (weekly), since go-live."""
    zone = contract.policy.calendar().zone
    end = dt.datetime.combine(contract.go_live_on, dt.time(0), zone) + dt.timedelta(days=7)
    while end <= now:
        do_send_status_report(contract, period_end=end, actor=actor, now=end)
        end += dt.timedelta(days=7)


def _andina(demo) -> None:
    marina, felipe = demo.people["marina"], demo.people["felipe"]
    now = demo.now
    andina = demo.orgs["andina"]
    contract = andina.contracts.get()
    demo.people["ines"] = do_create_contact(
        organization=andina, email=INES[0], full_name=INES[1], password=PASSWORD, actor=marina,
        authorized=True, org_admin=True, language="pt-br", time_zone="America/Sao_Paulo",
    )  # fmt: skip
    business = contract.policy.calendar("business")
    zone = business.zone
    go_live = dt.datetime.combine(contract.go_live_on, dt.time(0), zone)
    probe = do_create_probe(
        marina, contract, name="andina-self-service", service="Self Service Management",
        url="https://selfservice.casaandina.example/health", expected_text="ok", now=go_live,
    )  # fmt: skip
    last = Month(go_live.year, go_live.month)
    first, _ = last.bounds(business)
    # The outage: the first Tuesday after the first week of last month, 10:00-10:45
    # Copenhagen time (nine slots down, inside operating hours).
    tuesday = first + dt.timedelta(days=(1 - first.weekday()) % 7 + 7)
    outage = (tuesday.replace(hour=10), tuesday.replace(hour=10, minute=45))
    step = dt.timedelta(minutes=5)

    def results(start: dt.datetime, end: dt.datetime) -> list:
        rows, t = [], start.astimezone(dt.UTC)
        while t < end:
            down = outage[0] <= t < outage[1]
            rows.append((t, SlotStatus.DOWN if down else SlotStatus.UP, None if down else 42))
            t += step
        return rows

    # Measured as the prober does, so the third failing slot in a row opens the ticket.
    do_record_results(probe, results(first, outage[1]), source=ProbeResult.Source.PROBER,
                      now=outage[1])  # fmt: skip
    do_record_results(
        probe, results(outage[1], now - dt.timedelta(minutes=10)),
        source=ProbeResult.Source.PROBER, now=now,
    )  # fmt: skip
    ticket = Probe.objects.get(pk=probe.pk).failure_ticket
    do_reply(
        felipe, ticket, "We see it too: the self-service API's database failed over. We are "
        "restoring it. / Também vemos: o banco da API de autoatendimento trocou de nó; estamos "
        "restaurando.", now=outage[1] + dt.timedelta(minutes=5),
    )  # fmt: skip
    do_change_status(
        felipe, ticket, "solved", reason="Database failover completed; the service answers "
        "again since 10:45.", now=outage[1] + dt.timedelta(minutes=40),
    )  # fmt: skip
    window_day = first + dt.timedelta(days=(5 - first.weekday()) % 7 + 14)  # a Saturday
    do_announce_window(
        felipe, contract, kind="planned", reason="Monthly preventive maintenance",
        starts_at=window_day.replace(hour=7), ends_at=window_day.replace(hour=8),
        recurs_monthly=True, service="Self Service Management",
        now=go_live - dt.timedelta(days=3),
    )  # fmt: skip
    wednesday = tuesday + dt.timedelta(days=8)
    do_announce_window(
        felipe, contract, kind="extraordinary",
        reason="Critical security patch of the Graph API proxy",
        starts_at=wednesday.replace(hour=14), ends_at=wednesday.replace(hour=14, minute=30),
        service="Self Service Management", now=wednesday.replace(hour=13),
    )  # fmt: skip
    _weekly_reports(contract, now, None)
    do_propose_extension(
        marina, contract, weeks=2, now=now - dt.timedelta(hours=3),
        reason="The Salesforce segment sync failed again this week; two more weeks of "
        "heightened support until it runs a full week without errors.",
    )  # fmt: skip


def _verde(demo) -> None:
    verde = Contract.objects.get(service_contract_id="DEMO-VERDE-SANERNOW")
    if not (verde.hypercare_until() and verde.go_live_on):
        return
    _weekly_reports(verde, demo.now, demo.people["marina"])
    do_sign_off(
        demo.people["marina"], verde, now=demo.now - dt.timedelta(days=1),
        note="Three weeks without a critical incident; patch deployment stable.",
    )  # fmt: skip
