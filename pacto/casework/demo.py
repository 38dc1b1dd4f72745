"""Demo data for corrections and the policy rules that act on a ticket, on the demo's
existing customers (``pacto demo``):

- Banco Azul (senhasegura, Premier 24x7): an urgent reported in the portal at night and then
  phoned in (channel corrected from the call's time: the phone clock runs), which pages the
  on-call engineer once its clock runs; a solved high ticket and the medium root cause
  analysis it opened; an answer "out of scope" referring to professional services; the
  senior engineer who is offered urgent and high Premier tickets first;
- Xisto Logística (Xecuritas): a case whose troubleshooting checklist is in progress, one
  whose cause is another vendor's product (resolution clock exempt), one with a work-around
  delivered, and a Severity-1 opened online, which pages at once (24x7 clock);
- Lumen Seguros (Allure): a Severity 1 breach a manager marked exempt (severity
  misassigned);
- Casa Andina Varejo (&money): a ticket filed under a "2nd level support includes" category.

Built through the actions, with times in the past, like the rest of ``pacto demo``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from pacto.accounts.actions import do_create_staff
from pacto.automation.models import OnCallRotation, RotationMember
from pacto.tickets.actions import (
    do_answer_out_of_scope,
    do_assign,
    do_change_status,
    do_correct_ticket,
    do_deliver_resolution_plan,
    do_exempt_breach,
    do_open_ticket,
    do_record_third_party_cause,
    do_reply,
    do_tick_checklist_item,
)
from pacto.tickets.clocks import store_clocks

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
SENIOR = ("silvia@vendor.example", "Sílvia Ramos")
SENHASEGURA_DETAILS = {
    "steps": "Open Credentials, search 'core-db', click Show password",
    "expected_result": "The password is shown",
    "obtained_result": "Every vault node answers 503",
    "circumstances": "Since the storage failover at 02:40",
}
XECURITAS_DETAILS = {
    "hardware_os": "2 x VM, 8 vCPU, 32 GB, Red Hat Enterprise Linux 9.4",
    "obtained_result": "Outbound mail queues grow; no delivery",
    "circumstances": "Since the relay's certificate renewal on Monday",
}


def logins() -> list[tuple[str, str, str, str]]:
    return [(SENIOR[0], SENIOR[1], "agent, senior engineer (senhasegura Premier)", "")]


def load(demo: Any) -> None:
    p = demo.people
    marina, felipe, sara = p["marina"], p["felipe"], p["sara"]
    senior = do_create_staff(email=SENIOR[0], full_name=SENIOR[1], role="agent", line="second",
                             time_zone="America/Sao_Paulo",  # the demo vendor's office
                             password="pacto-demo", senior=True)  # fmt: skip
    p["silvia"] = senior
    _on_call(demo, [felipe, sara])
    _azul(demo, felipe, senior)
    _xisto(demo, felipe)
    _lumen(demo, marina)
    _andina(demo)


def _on_call(demo, members) -> None:
    """A weekly on-call rotation (the admin's, normally), so a severity-1 ticket pages."""
    rotation = OnCallRotation.objects.create(
        name="Support on call", tier=1, time_zone="America/Sao_Paulo",
        starts_on=demo.now.date() - dt.timedelta(days=30),
    )  # fmt: skip
    for position, user in enumerate(members):
        RotationMember.objects.create(rotation=rotation, user=user, position=position)


def _azul(demo, felipe, senior) -> None:
    rafael, ago = demo.people["rafael"], demo.ago
    local = demo.now.astimezone(SAO_PAULO)
    # Reported in the portal at 03:00 (the portal is watched in business hours, §7.9), then
    # phoned in at 03:10: from the call on, the 24x7 phone clock runs and the page goes out.
    opened = (local - dt.timedelta(days=1)).replace(hour=3, minute=0)
    ticket = do_open_ticket(
        rafael, subject="All vault nodes answer 503 after the storage failover",
        body="Nobody can check out passwords.", severity="urgent", version="3.31",
        details=SENHASEGURA_DETAILS, now=opened,
    )  # fmt: skip
    call = opened + dt.timedelta(minutes=10)
    do_correct_ticket(senior, ticket, "channel", "phone", reason="customer called", at=call,
                      now=call + dt.timedelta(minutes=2))  # fmt: skip
    do_assign(senior, ticket, senior, now=call + dt.timedelta(minutes=3))
    do_reply(senior, ticket, "Senior engineer on the line; failing the vault back now.",
             now=call + dt.timedelta(minutes=20))  # fmt: skip

    # A high ticket solved: its root cause analysis follows at medium (§6).
    ticket = do_open_ticket(
        rafael, subject="Session recordings stop after 10 minutes",
        body="Recordings are cut.", severity="high", version="3.31",
        details=SENHASEGURA_DETAILS, now=ago(days=3),
    )  # fmt: skip
    do_assign(senior, ticket, senior, now=ago(days=3, hours=-0.2))
    do_reply(senior, ticket, "Raise the recording buffer; a fix ships in 3.31.2.",
             now=ago(days=3, hours=-0.5))  # fmt: skip
    do_change_status(senior, ticket, "solved", reason="Buffer raised", now=ago(days=2))

    # Out of scope (§5.5), with the referral the document offers.
    ticket = do_open_ticket(
        rafael, subject="Please migrate our old password vault into senhasegura",
        body="About 4,000 entries in a spreadsheet.", severity="low", type="question",
        now=ago(days=1),
    )  # fmt: skip
    do_answer_out_of_scope(felipe, ticket, "data-migration",
                           note="Data migration is a professional service.",
                           now=ago(hours=20))  # fmt: skip


def _xisto(demo, felipe) -> None:
    james, ago = demo.people["james"], demo.ago

    def case(subject, at, severity="sev2"):
        return do_open_ticket(
            james, subject=subject, body="See the details.", severity=severity,
            product="Xecuritas Scanner", version="10.4", details=XECURITAS_DETAILS, now=at,
        )  # fmt: skip

    # The troubleshooting steps, two ticked so far.
    ticket = case("Mail relay rejects outbound messages", ago(hours=3))
    do_assign(felipe, ticket, felipe, now=ago(hours=2, minutes=50))
    do_tick_checklist_item(felipe, ticket, "initial-contact", 0,
                           note="Two MTAs behind one relay; configuration as documented",
                           now=ago(hours=2, minutes=40))  # fmt: skip
    do_tick_checklist_item(felipe, ticket, "initial-contact", 1,
                           note="10.4.0 on both nodes; patch 10.4.1 missing",
                           now=ago(hours=2, minutes=30))  # fmt: skip

    # Another vendor's product is the cause: the resolution clock is exempt.
    ticket = case("Scans fail against the new firewall", ago(days=1))
    do_assign(felipe, ticket, felipe, now=ago(days=1, hours=-0.2))
    do_reply(felipe, ticket, "Looking at the firewall logs you sent.", now=ago(days=1, hours=-1))
    do_record_third_party_cause(felipe, ticket, vendor="Contoso Firewall",
                                why="its IPS drops the scanner's probes (vendor case 88812)",
                                now=ago(hours=6))  # fmt: skip

    # A work-around delivered: resolution met, the case stays open for the fix.
    ticket = case("Dashboard times out with more than 50 assets", ago(days=1, hours=2))
    do_assign(felipe, ticket, felipe, now=ago(days=1, hours=1.8))
    do_deliver_resolution_plan(
        felipe, ticket, "Work-around: filter the dashboard by site; the fix is planned for 10.5.",
        now=ago(days=1),
    )  # fmt: skip

    # Severity 1 opened online: "will automatically alert the on-call technical staff".
    case("Scanner engine crashed on every node", ago(minutes=25), severity="sev1")


def _lumen(demo, marina) -> None:
    lucia, felipe, ago = demo.people["lumen"], demo.people["felipe"], demo.ago
    ticket = do_open_ticket(
        lucia, subject="Report layout shifted in the monthly PDF",
        body="The logo overlaps the title.", severity="sev1", type="question",
        now=ago(days=2),
    )  # fmt: skip
    do_reply(felipe, ticket, "This is a layout question; we lower it to Severity 4.",
             now=ago(days=1, hours=20))  # fmt: skip
    store_clocks(ticket, ago(days=1, hours=19))
    do_exempt_breach(marina, ticket, "first_response", reason="severity misassigned",
                     note="a report layout question filed as Severity 1",
                     now=ago(days=1, hours=19))  # fmt: skip


def _andina(demo) -> None:
    valeria, ago = demo.people["andina"], demo.ago
    do_open_ticket(
        valeria, subject="Orders violate the discount business rule", body="Discounts over "
        "30% pass validation.", severity="medium", type="question", category="business-rules",
        now=ago(hours=3),
    )  # fmt: skip
