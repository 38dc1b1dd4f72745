"""Demo data for professional services, built through the actions (``pacto demo``).

- Banco Azul (senhasegura Premier): a rate card; the included assisted upgrade of this
  contract year used (quoted at zero, delivered); a health check delivered on a weekday
  evening, part of it off hours; an HA test quote waiting for approval; a remote session of
  the policy's 30 minutes, accepted and scheduled;
- Casa Andina Varejo (&money): a consultancy quote waiting for the customer's prior
  approval;
- Xisto Logística (xecuritas): the modification waiver asked on a ticket and accepted,
  then a configuration change logged.

Secpod (Verde Energia) and allure (Lumen Seguros) sell no professional services; their
policies say so, and the portal shows an empty catalogue.
"""

from __future__ import annotations

import datetime as dt

from pacto.accounts.models import Organization
from pacto.contracts.models import Contract
from pacto.services import actions
from pacto.tickets.models import Ticket


def _business_evening(calendar, now: dt.datetime, days_back: int) -> dt.datetime:
    """17:00 (the calendar's zone) on the latest working weekday at least ``days_back``
    days ago: two hours before São Paulo's close, so work running to 21:00 is half off."""
    day = (now - dt.timedelta(days=days_back)).astimezone(calendar.zone).date()
    while day.weekday() >= 5 or calendar.is_holiday(day):
        day -= dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, 17, 0, tzinfo=calendar.zone)


def load(demo) -> None:
    p, now = demo.people, demo.now
    marina, felipe, sara = p["marina"], p["felipe"], p["sara"]
    rafael = p["rafael"]
    azul = demo.orgs["azul"]
    contract = Contract.objects.get(organization=azul)
    calendar = contract.policy.services_calendar()
    week_ago = now - dt.timedelta(days=8)
    actions.do_set_rate_card(
        marina, contract, day_rate="4800", currency="BRL", off_hours_multiplier="1.5",
        service_rates={"deployment": "5200"}, now=week_ago,
    )  # fmt: skip

    # The included assisted upgrade, used.
    upgrade = actions.do_request_service(
        rafael, service="assisted-update", body="Upgrade our cluster to 3.32 in our change "
        "window, please.", now=week_ago,
    )  # fmt: skip
    quote = actions.do_create_quote(
        felipe, upgrade, service="assisted-update", lines=[{"units": "1"}],
        valid_until=(week_ago + dt.timedelta(days=30)).date(), now=week_ago,
    )  # fmt: skip
    actions.do_decide_quote(rafael, quote, approve=True, version=1, now=week_ago)
    morning = _business_evening(calendar, now, 6) - dt.timedelta(hours=8)
    actions.do_schedule_visit(
        rafael, quote, starts_at=morning, minutes=240, engineer=sara,
        location="Remote: customer's VPN", now=week_ago,
    )  # fmt: skip
    actions.do_log_service_work(
        sara, quote, starts_at=morning, ends_at=morning + dt.timedelta(hours=4),
        description="Upgrade to 3.32 on both nodes; HA checked after the upgrade",
        now=morning + dt.timedelta(hours=5),
    )  # fmt: skip

    # A health check delivered on a weekday evening: two hours in business time, two after.
    check = actions.do_request_service(
        rafael, service="health-check", body="A health check before the audit.", now=week_ago
    )
    quote = actions.do_create_quote(
        felipe, check, service="health-check", lines=[{"units": "1", "off_hours_share": "0.25"}],
        valid_until=(week_ago + dt.timedelta(days=30)).date(), now=week_ago,
    )  # fmt: skip
    actions.do_decide_quote(rafael, quote, approve=True, version=1, via="email", now=week_ago)
    evening = _business_evening(calendar, now, 2)
    actions.do_log_service_work(
        sara, quote, starts_at=evening, ends_at=evening + dt.timedelta(hours=4),
        description="Best-practice review of vault, sessions and password policies",
        now=evening + dt.timedelta(hours=5),
    )  # fmt: skip
    # The report the next working morning: 6 h business and 2 h off hours in all, as quoted.
    day = evening.date() + dt.timedelta(days=1)
    while day.weekday() >= 5 or calendar.is_holiday(day):
        day += dt.timedelta(days=1)
    morning_after = dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=calendar.zone)
    if morning_after + dt.timedelta(hours=4) <= now:
        actions.do_log_service_work(
            sara, quote, starts_at=morning_after, ends_at=morning_after + dt.timedelta(hours=4),
            description="Report and recommendations", now=now,
        )  # fmt: skip

    # An HA test quote waiting for approval.
    ha = actions.do_request_service(
        rafael, service="ha-testing", body="We need the yearly HA test before December.",
        now=now - dt.timedelta(days=1),
    )  # fmt: skip
    actions.do_create_quote(
        felipe, ha, service="ha-testing", lines=[{"units": "1", "off_hours_share": "0.25"}],
        valid_until=(now + dt.timedelta(days=20)).date(), note="Shutdown of node 2 after 19:00",
        now=now - dt.timedelta(hours=20),
    )  # fmt: skip

    # A remote session on the HA ticket, accepted, tomorrow at 10:00 São Paulo.
    tomorrow = (now + dt.timedelta(days=1)).astimezone(calendar.zone)
    session = actions.do_propose_session(
        sara, ha, starts_at=tomorrow.replace(hour=10, minute=0), minutes=30,
        tool="Microsoft Teams", link="https://teams.example/l/meetup/azul-ha",
        now=now - dt.timedelta(hours=3),
    )  # fmt: skip
    actions.do_answer_session(rafael, session, accept=True, now=now - dt.timedelta(hours=2))

    # &money: a consultancy quote waiting for the customer's prior approval.
    andina = Organization.objects.filter(name="Casa Andina Varejo").first()
    if andina is not None:
        valeria = p.get("andina")
        andina_contract = Contract.objects.get(organization=andina)
        actions.do_set_rate_card(
            marina, andina_contract, day_rate="9600", currency="DKK", off_hours_multiplier="1.5",
            logistics_pass_through=False, now=week_ago,
        )  # fmt: skip
        if valeria is not None:
            crm = actions.do_request_service(
                valeria, service="crm-flows", body="Two approval flows for the new stores.",
                now=now - dt.timedelta(days=2),
            )  # fmt: skip
            actions.do_create_quote(
                felipe, crm, service="crm-flows", lines=[{"units": "6"}],
                valid_until=(now + dt.timedelta(days=14)).date(), now=now - dt.timedelta(days=1),
            )  # fmt: skip

    # xecuritas: the modification waiver, asked and accepted, then the change logged.
    xisto = demo.orgs.get("xisto")
    ticket = Ticket.objects.filter(organization=xisto).order_by("opened_at").first()
    if ticket is not None:
        james = p["james"]
        asked = min(max(ticket.opened_at, now - dt.timedelta(days=1)), now - dt.timedelta(hours=3))
        waiver = actions.do_request_waiver(sara, ticket, now=asked)
        actions.do_accept_waiver(james, waiver, text=waiver.text, now=asked + dt.timedelta(hours=1))
        start = asked + dt.timedelta(hours=2)
        actions.do_log_support_work(
            sara, ticket, starts_at=start, ends_at=start + dt.timedelta(minutes=45),
            activity="configuration_change", description="Raised the engine timeout to 900 s",
            now=now,
        )  # fmt: skip
