"""Demo data for the policy-fidelity rules: a customer on Allure and one on &money (so each
of the five presets has one), and tickets that show the rules running as the documents say.

- &money: an API ticket counted as a portal ticket (the API is the support system's door);
- Allure: a Severity 1 whose missed hour escalates but stays on first line, and one an
  agent moved to Second Line because first line could not diagnose it;
- SecPod: a ticket solved after three unanswered follow-ups, one the customer answered
  (now Pending), one waiting on a third party with its update cadence, and a solved one the
  customer's follow-up reopened;
- senhasegura: a solved ticket whose 10-business-day close stopped when the customer
  replied (the emailed "URGENTE" ticket is in ``pacto/mail/demo.py``);
- Xecuritas: a case opened on Thanksgiving, not counted until Monday.

Built through the actions, with times in the past, like the rest of ``pacto demo``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from pacto.accounts.actions import do_create_contact, do_create_organization, do_record_training
from pacto.automation import actions as automation
from pacto.automation import lifecycle
from pacto.automation.models import LifecycleTimer
from pacto.contracts.actions import do_create_contract, preset_version
from pacto.sla.holiday_rules import WeekdayRule
from pacto.tickets.actions import (
    do_assign,
    do_change_status,
    do_open_ticket,
    do_reply,
    do_set_line,
)

KOLKATA = ZoneInfo("Asia/Kolkata")
NEW_YORK = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class Customer:
    key: str
    name: str
    preset: str
    plan: str
    contract_id: str
    contact: tuple[str, str]  # email, name


CUSTOMERS = [
    Customer("lumen", "Lumen Seguros", "allure", "saas", "DEMO-LUMEN-SAAS",
             ("lucia@lumenseguros.example", "Lúcia Prado")),
    Customer("andina", "Casa Andina Varejo", "andmoney", "standard", "DEMO-ANDINA-CRM",
             ("valeria@casaandina.example", "Valéria Souto")),
]  # fmt: skip


def logins() -> list[tuple[str, str, str, str]]:
    """(email, name, what the login shows, organization) of this module's contacts."""
    return [
        (c.contact[0], c.contact[1], f"authorized contact ({c.preset})", c.name) for c in CUSTOMERS
    ]


def andmoney_go_live(today: dt.date) -> dict:
    """Casa Andina went live on the first day of last month and is still in hypercare (the
    agreed weeks run one to two weeks past today), so a whole month of its availability
    measurements lies inside hypercare (&money: it "will commence on the Go-Live date")."""
    go_live = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return {"go_live_on": go_live, "hypercare_weeks": (today - go_live).days // 7 + 2}


def load(demo: Any) -> None:
    """Add the two customers and the tickets above to ``demo`` (``pacto demo``'s ``Demo``)."""
    for customer in CUSTOMERS:
        organization = do_create_organization(
            name=customer.name, kind="customer", account_manager=demo.people["marina"]
        )
        demo.orgs[customer.key] = organization
        do_create_contract(
            organization=organization,
            service_contract_id=customer.contract_id,
            policy_version=preset_version(customer.preset),
            plan=customer.plan,
            starts_on=demo.now.date() - dt.timedelta(days=90),
            **(andmoney_go_live(demo.now.date()) if customer.preset == "andmoney" else {}),
        )
        email, name = customer.contact
        demo.people[customer.key] = do_create_contact(
            organization=organization, email=email, full_name=name, password="pacto-demo",
            actor=demo.people["marina"], authorized=True, focal_point=True,
        )  # fmt: skip
        if course := preset_version(customer.preset).policy.contacts.required_training:
            # allure: "Your technical contacts must have, at a minimum, initial basic
            # product training".
            do_record_training(
                demo.people["marina"], demo.people[customer.key], course=course,
                completed_on=demo.now.date() - dt.timedelta(days=120),
            )  # fmt: skip
    _andina(demo)
    _lumen(demo)
    _secpod(demo)
    _senhasegura(demo)
    _xecuritas(demo)


def _open(who, subject: str, at: dt.datetime, severity: str, **extra):
    return do_open_ticket(
        who, subject=subject, body=f"{subject}.", severity=severity,
        type=extra.pop("type", "question"), now=at, **extra,
    )  # fmt: skip


def _andina(demo) -> None:
    valeria, felipe = demo.people["andina"], demo.people["felipe"]
    # Through the REST API: recorded as an API ticket, due exactly like a portal ticket.
    ticket = _open(valeria, "Segment sync from Salesforce stopped", demo.ago(hours=5), "high",
                   channel="api")  # fmt: skip
    do_assign(felipe, ticket, felipe, now=demo.ago(hours=4, minutes=50))
    do_reply(felipe, ticket, "We see the sync job failing on a field mapping; fixing it now.",
             now=demo.ago(hours=4))  # fmt: skip
    _open(valeria, "User and segment mismatch after the import", demo.ago(hours=1), "medium")


def _lumen(demo) -> None:
    lucia, felipe, sara = demo.people["lumen"], demo.people["felipe"], demo.people["sara"]
    # Severity 1 nobody answered within the hour: the worker escalates it to the managers,
    # and it stays on first line (Second Line follows "unable to diagnose or resolve").
    ticket = _open(lucia, "Phishing takedown console unreachable", demo.ago(hours=3), "sev1")
    do_assign(felipe, ticket, felipe, now=demo.ago(hours=2, minutes=55))
    # Moved to Second Line by an agent, with the document's reason.
    ticket = _open(lucia, "Brand alerts arrive twice", demo.ago(days=2), "sev3")
    do_assign(felipe, ticket, felipe, now=demo.ago(days=2, hours=-1))
    do_reply(felipe, ticket, "Looking into the duplicate alerts.", now=demo.ago(days=2, hours=-1))
    do_set_line(felipe, ticket, "second", now=demo.ago(days=1),
                reason="First line is unable to diagnose the duplicates after reasonable "
                       "efforts")  # fmt: skip
    do_assign(felipe, ticket, sara, now=demo.ago(days=1))


def _working_day_before(instant: dt.datetime, days: int) -> dt.datetime:
    day = instant - dt.timedelta(days=days)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day.replace(hour=10, minute=0, second=0, microsecond=0)


def _secpod(demo) -> None:
    helena, felipe = demo.people["helena"], demo.people["felipe"]
    policy = preset_version("secpod").policy
    rule = policy.lifecycle_rule("solve-no-feedback")
    now_kolkata = demo.now.astimezone(KOLKATA)

    # Solved after three unanswered follow-ups: a wait that entered on a working day such
    # that the follow-ups (not the 7 days) ended it, within the last three days.
    for back in range(4, 30):
        entered = _working_day_before(now_kolkata, back)
        fires = lifecycle.fires_at(policy, rule, entered)
        if fires < entered + dt.timedelta(days=7) and fires <= demo.now - dt.timedelta(hours=2):
            break
    ticket = _open(helena, "Patch scan skips three endpoints", entered - dt.timedelta(hours=2),
                   "medium")  # fmt: skip
    do_reply(felipe, ticket, "Please send the agent logs of the three endpoints.",
             now=entered - dt.timedelta(hours=1))  # fmt: skip
    do_change_status(felipe, ticket, "waiting-on-customer", reason="Asked for agent logs",
                     now=entered)  # fmt: skip
    for _ in range(rule.followups + 1):
        timer = LifecycleTimer.objects.get(ticket=ticket)
        automation.do_lifecycle_step(ticket, timer.next_at)
        ticket.refresh_from_db()
        if ticket.status == "solved":
            break

    # The customer answered: Pending, "Action required from SecPod Support".
    ticket = _open(helena, "Compliance report misses last week", demo.ago(days=1), "medium")
    do_reply(felipe, ticket, "Which site's report?", now=demo.ago(hours=20))
    do_change_status(felipe, ticket, "waiting-on-customer", reason="Asked which site",
                     now=demo.ago(hours=20))  # fmt: skip
    do_reply(helena, ticket, "The Recife plant.", now=demo.ago(hours=3))

    # Waiting on a third party: the customer is updated each SecPod working day.
    ticket = _open(helena, "Vendor patch for the VPN client fails", demo.ago(hours=10), "high")
    do_assign(felipe, ticket, felipe, now=demo.ago(hours=9, minutes=50))
    do_reply(felipe, ticket, "The VPN vendor is reviewing its patch; we will update you.",
             now=demo.ago(hours=9))  # fmt: skip
    do_change_status(felipe, ticket, "waiting-on-third-party", reason="VPN vendor reviewing",
                     now=demo.ago(hours=9))  # fmt: skip

    # Solved, then the customer's follow-up inside the 3 days reopened it.
    ticket = _open(helena, "Dashboard widgets blank", demo.ago(days=2), "low")
    do_reply(felipe, ticket, "Cleared the widget cache.", now=demo.ago(days=2, hours=-1))
    do_change_status(felipe, ticket, "solved", reason="Widget cache cleared",
                     now=demo.ago(days=2, hours=-1))  # fmt: skip
    do_reply(helena, ticket, "They are blank again this morning.", now=demo.ago(hours=6))


def _senhasegura(demo) -> None:
    rafael, felipe = demo.people["rafael"], demo.people["felipe"]
    # Solved; the customer's question stopped the 10-business-day close.
    ticket = _open(rafael, "Session recording export is slow", demo.ago(days=4), "low",
                   type="problem", version="3.31", details={
                       "steps": "Export a recording", "expected_result": "A file in minutes",
                       "obtained_result": "It takes an hour", "circumstances": "Since 3.31",
                   })  # fmt: skip
    do_reply(felipe, ticket, "Fixed by the export index in 3.31.2.", now=demo.ago(days=3))
    do_change_status(felipe, ticket, "solved", reason="Fixed in 3.31.2", now=demo.ago(days=3))
    do_reply(rafael, ticket, "Does 3.31.2 also fix the audit export?", now=demo.ago(days=1))


def _xecuritas(demo) -> None:
    james = demo.people["james"]
    thanksgiving = WeekdayRule(11, 3, 4, "Thanksgiving Day")
    year = demo.now.year
    day = thanksgiving.on(year)
    if dt.datetime.combine(day, dt.time(10), NEW_YORK) > demo.now - dt.timedelta(days=5):
        day = thanksgiving.on(year - 1)
    opened = dt.datetime.combine(day, dt.time(10), NEW_YORK)
    # Thanksgiving and the day after are observed holidays: the 6 business hours start
    # Monday 08:00, and an answer Monday at 09:00 is on time.
    ticket = _open(james, "Scanner license check fails on Thanksgiving", opened, "sev2")
    monday = dt.datetime.combine(day + dt.timedelta(days=4), dt.time(9), NEW_YORK)
    do_reply(demo.people["felipe"], ticket, "The license server's certificate expired; "
             "renewed.", now=monday)  # fmt: skip
