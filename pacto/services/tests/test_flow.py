"""From service request to invoice, through the actions: the issue's done-when list.

senhasegura §14: rates "for business hours in São Paulo city" (09:00-19:00), "an increase in
value for non-business hours"; &money: "Consultancy services are subject to prior approval
by Customer"; senhasegura Premier: "1 Assisted upgrade per year (24x7)"; Xecuritas: "the customer
will be required to sign a modification waiver form"; senhasegura §7.7: "remote sessions may be
limited to 30 minutes".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pacto.errors import ActionError, Conflict, NotAllowed, NotFound
from pacto.notifications.models import Outbox
from pacto.services import billing
from pacto.services.actions import (
    decision_url,
    do_accept_waiver,
    do_answer_session,
    do_decide_quote,
    do_end_session,
    do_log_service_work,
    do_log_support_work,
    do_propose_session,
    do_request_waiver,
    do_revise_quote,
    do_schedule_visit,
    do_start_session,
    entitlements,
    read_decision_token,
    sweep_remote_sessions,
)
from pacto.services.models import EntitlementUse, Quote, WorkLog
from pacto.services.tests.conftest import NOW, quote, request
from pacto.testing import SAO_PAULO
from pacto.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

FRIDAY_17 = dt.datetime(2026, 1, 23, 17, 0, tzinfo=SAO_PAULO)


def approved(agent, contact, ticket, **kw):
    q = quote(agent, ticket, **kw)
    return do_decide_quote(contact, q, approve=True, version=q.version, now=NOW)


def test_it_prices_the_quote_with_the_off_hours_share(services):
    w = services.world
    ticket = request(w.alice)
    q = quote(w.fiona, ticket, units="1", share="0.25")
    # One day at 4000: 6 h business + 2 h off hours x 1.5, at 500 an hour.
    assert q.total == Decimal("4500.00")
    line = q.lines.get()
    assert (line.unit, line.day_rate, line.included) == ("day", Decimal("4000.00"), False)
    # Each authorized contact of Banco Azul gets the quote with their own signed link.
    sent = Outbox.objects.filter(kind="quote_sent")
    assert {row.recipient for row in sent} == {"alice@azul.example", "amelia@azul.example"}
    assert all("/services/quotes/decide/" in row.payload["url"] for row in sent)


def test_a_friday_evening_log_splits_two_hours_business_and_two_off_hours(services):
    w = services.world
    q = approved(w.fiona, w.alice, request(w.alice), units="1")
    (log,) = do_log_service_work(
        w.sam, q, starts_at=FRIDAY_17, ends_at=FRIDAY_17 + dt.timedelta(hours=4),
        now=FRIDAY_17 + dt.timedelta(hours=5),
    )  # fmt: skip
    assert (log.business_minutes, log.off_hours_minutes) == (120, 120)
    # (2 h + 2 h x 1.5) x 4000 / 8
    assert log.amount == Decimal("2500.00")
    assert log.billing == WorkLog.Billing.BILLABLE


def test_a_log_on_a_holiday_is_all_off_hours(services):
    w = services.world
    q = approved(w.fiona, w.alice, request(w.alice), units="1")
    # Wednesday 25 January 2026? No: 25 January 2026 is a Sunday. Carnival is not a São
    # Paulo holiday; Good Friday is: 3 April 2026, 10:00-14:00.
    start = dt.datetime(2026, 4, 3, 10, 0, tzinfo=SAO_PAULO)
    (log,) = do_log_service_work(
        w.sam, q, starts_at=start, ends_at=start + dt.timedelta(hours=4),
        now=start + dt.timedelta(hours=5),
    )  # fmt: skip
    assert (log.business_minutes, log.off_hours_minutes) == (0, 240)
    assert log.amount == Decimal("3000.00")  # 4 h x 1.5 x 500


def test_nothing_is_scheduled_or_logged_before_approval(services):
    w = services.world
    q = quote(w.fiona, request(w.alice))
    with pytest.raises(ActionError) as refused:
        do_schedule_visit(w.fiona, q, starts_at=FRIDAY_17, minutes=480, engineer=w.sam, now=NOW)
    assert (refused.value.field, refused.value.rule) == ("quote", "approved")
    with pytest.raises(ActionError, match="not approved"):
        do_log_service_work(
            w.sam, q, starts_at=NOW, ends_at=NOW + dt.timedelta(hours=1),
            now=NOW + dt.timedelta(hours=2),
        )  # fmt: skip
    do_decide_quote(w.alice, q, approve=False, version=1, reason="Not this quarter", now=NOW)
    with pytest.raises(ActionError, match="not approved"):
        do_schedule_visit(w.fiona, q, starts_at=FRIDAY_17, minutes=480, engineer=w.sam, now=NOW)


def test_scheduling_sends_calendar_invitations(services):
    w = services.world
    q = approved(w.fiona, w.alice, request(w.alice))
    visit = do_schedule_visit(
        w.alice, q, starts_at=FRIDAY_17, minutes=480, engineer=w.sam, mode="on_site",
        location="Av. Paulista 1000", now=NOW,
    )  # fmt: skip
    rows = Outbox.objects.filter(kind="visit_scheduled")
    assert {r.recipient for r in rows} == {"sam@vendor.example", "alice@azul.example"}
    ics = rows.first().payload["ics"]
    assert "BEGIN:VEVENT" in ics and f"UID:visit-{visit.pk}@" in ics
    assert "DTSTART:20260123T200000Z" in ics.replace(";VALUE=DATE-TIME", "")
    assert "LOCATION:Av. Paulista 1000" in ics


def test_approval_records_who_when_and_the_exact_version(services):
    w = services.world
    q = quote(w.fiona, request(w.alice))
    old_link = Outbox.objects.filter(kind="quote_sent", recipient="alice@azul.example").get()
    q = do_revise_quote(w.fiona, q, lines=[{"units": "2"}], valid_until=q.valid_until, now=NOW)
    assert q.version == 2 and q.total == Decimal("8000.00")
    # The link of version 1 names version 1: deciding with it is a conflict.
    token = old_link.payload["url"].rstrip("/").rsplit("/", 1)[-1]
    linked, version, contact = read_decision_token(token)
    assert (linked.pk, version, contact) == (q.pk, 1, w.alice)
    with pytest.raises(Conflict, match="version 2 is the current one"):
        do_decide_quote(w.alice, q, approve=True, version=1, via="email", now=NOW)
    later = NOW + dt.timedelta(hours=1)
    q = do_decide_quote(w.alice, q, approve=True, version=2, via="email", now=later)
    assert (q.decided_by, q.decided_at, q.decided_version, q.decided_via) == (
        w.alice, later, 2, "email",
    )  # fmt: skip
    assert q.decided_snapshot["total"] == "8000.00"
    assert "/services/quotes/decide/" in decision_url(q, w.alice)


def test_only_authorized_contacts_of_the_customer_decide(services):
    w = services.world
    q = quote(w.fiona, request(w.alice))
    for person in (w.bob, w.carol, w.paul, w.fiona, w.maria, services.pedro):
        with pytest.raises(NotAllowed):
            do_decide_quote(person, q, approve=True, version=1, now=NOW)
    assert Quote.objects.get(pk=q.pk).status == Quote.Status.PENDING
    do_decide_quote(w.amelia, q, approve=True, version=1, now=NOW)


def test_an_overrun_needs_a_second_approval_before_it_is_billed(services):
    w = services.world
    q = approved(w.fiona, w.alice, request(w.alice), units="1")  # 8 hours approved
    monday = dt.datetime(2026, 1, 26, 9, 0, tzinfo=SAO_PAULO)
    logs = do_log_service_work(
        w.sam, q, starts_at=monday, ends_at=monday + dt.timedelta(hours=10),
        now=monday + dt.timedelta(hours=11),
    )  # fmt: skip
    within, beyond = logs
    assert within.ends_at == monday + dt.timedelta(hours=8)
    assert within.billing == WorkLog.Billing.BILLABLE and within.amount == Decimal("4000.00")
    assert beyond.billing == WorkLog.Billing.OVER_QUOTE
    # 17:00-19:00 is business time: 2 h at 500.
    assert beyond.amount == Decimal("1000.00") and not beyond.billed
    overrun = beyond.overrun
    assert overrun.status == Quote.Status.PENDING and overrun.parent == q
    assert overrun.total == Decimal("1000.00")
    month = billing.Month(2026, 1)
    assert [r["amount"] for r in billing.rows(month, w.azul)] == [Decimal("4000.00")]
    do_decide_quote(w.alice, overrun, approve=True, version=1, now=monday + dt.timedelta(hours=12))
    assert [r["amount"] for r in billing.rows(month, w.azul)] == [
        Decimal("4000.00"), Decimal("1000.00"),
    ]  # fmt: skip
    # Further work draws on the approved overrun: 10 h approved, 10 h logged, so the next
    # hour is beyond again.
    nxt = monday + dt.timedelta(days=1)
    (log,) = do_log_service_work(
        w.sam, q, starts_at=nxt, ends_at=nxt + dt.timedelta(hours=1),
        now=nxt + dt.timedelta(hours=2),
    )  # fmt: skip
    assert log.billing == WorkLog.Billing.OVER_QUOTE


def test_the_included_assisted_upgrade_is_drawn_down_once_per_contract_year(services):
    w, pedro, contract = services.world, services.pedro, services.premier_contract
    (upgrade,) = [e for e in entitlements(contract, NOW.date()) if e.service == "assisted-update"]
    assert (upgrade.count, upgrade.remaining) == (1, 1)
    first = approved(w.fiona, pedro, request(pedro, "assisted-update"), service="assisted-update")
    assert first.total == Decimal("0.00") and first.lines.get().included
    (log,) = do_log_service_work(
        w.sam, first, starts_at=FRIDAY_17, ends_at=FRIDAY_17 + dt.timedelta(hours=4),
        now=FRIDAY_17 + dt.timedelta(hours=5),
    )  # fmt: skip
    assert log.billing == WorkLog.Billing.INCLUDED and log.amount == Decimal("0.00")
    use = EntitlementUse.objects.get(quote=first)
    assert use.delivered_at is not None and use.year_starts_on == dt.date(2026, 1, 1)
    (upgrade,) = [e for e in entitlements(contract, NOW.date()) if e.service == "assisted-update"]
    assert upgrade.remaining == 0
    # A second upgrade the same contract year is quoted at the rate card's price.
    second = quote(w.fiona, request(pedro, "assisted-update"), service="assisted-update")
    assert second.total == Decimal("4000.00") and not second.lines.get().included
    # The next contract year has its own.
    next_year = dt.date(2027, 1, 10)
    (upgrade,) = [e for e in entitlements(contract, next_year) if e.service == "assisted-update"]
    assert (upgrade.year_starts_on, upgrade.remaining) == (dt.date(2027, 1, 1), 1)
    # A standard-plan customer has no included services.
    assert entitlements(w.azul_contract, NOW.date()) == []


def test_two_zero_quotes_cannot_both_take_the_last_upgrade(services):
    w, pedro = services.world, services.pedro
    a = quote(w.fiona, request(pedro, "assisted-update"), service="assisted-update")
    b = quote(w.fiona, request(pedro, "assisted-update"), service="assisted-update")
    assert a.total == b.total == Decimal("0.00")
    do_decide_quote(pedro, a, approve=True, version=1, now=NOW)
    with pytest.raises(ActionError, match="already used"):
        do_decide_quote(pedro, b, approve=True, version=1, now=NOW)


def test_the_export_totals_equal_the_approved_quotes(services):
    w = services.world
    # Quote: 1 day with a quarter off hours (6 h + 2 h), plus 350 of logistics.
    q = approved(w.fiona, w.alice, request(w.alice), share="0.25", logistics="350")
    assert q.total == Decimal("4850.00")
    thursday = dt.datetime(2026, 1, 22, 13, 0, tzinfo=SAO_PAULO)
    do_log_service_work(
        w.sam, q, starts_at=thursday, ends_at=thursday + dt.timedelta(hours=6),
        mode="on_site", logistics="350", now=thursday + dt.timedelta(hours=7),
    )  # fmt: skip
    # (13:00-19:00 is business; 19:00-21:00 Friday evening is off hours)
    do_log_service_work(
        w.sam, q, starts_at=FRIDAY_17 + dt.timedelta(hours=2),
        ends_at=FRIDAY_17 + dt.timedelta(hours=4), now=FRIDAY_17 + dt.timedelta(hours=5),
    )  # fmt: skip
    # A Premier upgrade (included, zero) in the same month, another organization.
    pedro = services.pedro
    free = approved(w.fiona, pedro, request(pedro, "assisted-update"), service="assisted-update")
    do_log_service_work(
        w.sam, free, starts_at=thursday, ends_at=thursday + dt.timedelta(hours=2),
        now=thursday + dt.timedelta(hours=3),
    )  # fmt: skip
    month = billing.Month(2026, 1)
    rows = billing.rows(month)
    exported = sum(r["amount"] + r["logistics"] for r in rows)
    approved_total = sum(
        x.total for x in Quote.objects.filter(status=Quote.Status.APPROVED, kind="service")
    )
    assert exported == approved_total == Decimal("4850.00")
    for item in billing.reconcile(month):
        assert item.difference == 0, item
    assert {r["organization"] for r in billing.rows(month, services.premier)} == {"Banco Premier"}
    text = billing.to_csv(rows)
    assert text.splitlines()[0].startswith("organization,contract,ticket,service")
    assert f"{q.reference},1,alice@azul.example" in text
    book = billing.to_xlsx(rows, month)
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(book)).active
    amounts = [row[15] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sum(Decimal(str(a)) for a in amounts) == Decimal("4500.00")


def test_a_waiver_blocks_configuration_changes_until_accepted(services):
    w, xena = services.world, services.xena
    from pacto.tickets.actions import do_open_ticket

    ticket = do_open_ticket(
        xena, subject="Change the proxy configuration", body="Please help", type="question",
        severity="sev3", now=NOW,
    )  # fmt: skip
    start = dt.datetime(2026, 1, 20, 10, 0, tzinfo=SAO_PAULO)
    kw = {
        "starts_at": start, "ends_at": start + dt.timedelta(hours=1),
        "now": start + dt.timedelta(hours=2),
    }  # fmt: skip
    with pytest.raises(ActionError) as refused:
        do_log_support_work(w.sam, ticket, activity="configuration_change", **kw)
    assert (refused.value.field, refused.value.rule) == ("activity", "waiver")
    log = do_log_support_work(w.sam, ticket, activity="work", **kw)  # other work goes on
    assert log.billing == WorkLog.Billing.SUPPORT and not log.billed
    waiver = do_request_waiver(w.sam, ticket, now=NOW)
    assert waiver.text.startswith("I authorize Xecuritas technical support engineers")
    assert Outbox.objects.filter(kind="waiver_requested", recipient=xena.email).exists()
    with pytest.raises(ActionError, match="exact text"):
        do_accept_waiver(xena, waiver, text="I agree", now=NOW)
    with pytest.raises(NotAllowed):
        do_accept_waiver(w.alice, waiver, text=waiver.text, now=NOW)
    with pytest.raises(ActionError):  # still refused while pending
        do_log_support_work(w.sam, ticket, activity="configuration_change", **kw)
    later = NOW + dt.timedelta(minutes=5)
    waiver = do_accept_waiver(xena, waiver, text=waiver.text, now=later)
    assert (waiver.accepted_by, waiver.accepted_at, waiver.accepted_text) == (
        xena, later, waiver.text,
    )  # fmt: skip
    do_log_support_work(w.sam, ticket, activity="configuration_change", **kw)


def test_a_waiver_is_refused_where_the_policy_has_none(services):
    w = services.world
    with pytest.raises(ActionError, match="no waiver"):
        do_request_waiver(w.sam, request(w.alice), now=NOW)


def test_a_remote_session_longer_than_the_limit_is_refused_and_running_over_warns(services):
    w = services.world
    ticket = request(w.alice)
    with pytest.raises(ActionError) as refused:
        do_propose_session(w.sam, ticket, starts_at=FRIDAY_17, minutes=45, tool="Zoom", now=NOW)
    assert refused.value.rule == "policy_limit" and "30" in refused.value.message
    session = do_propose_session(
        w.sam, ticket, starts_at=FRIDAY_17, minutes=30, tool="Zoom",
        link="https://meet.example/abc", now=NOW,
    )  # fmt: skip
    assert "reproduce your case" in session.prepare
    with pytest.raises(NotAllowed):
        do_answer_session(w.bob, session, accept=True, now=NOW)
    with pytest.raises(NotFound):
        do_answer_session(w.carol, session, accept=True, now=NOW)
    do_answer_session(w.alice, session, accept=True, now=NOW)
    do_start_session(w.sam, session, now=FRIDAY_17)
    assert sweep_remote_sessions(FRIDAY_17 + dt.timedelta(minutes=29)) == {"warned": 0}
    assert sweep_remote_sessions(FRIDAY_17 + dt.timedelta(minutes=31)) == {"warned": 1}
    assert sweep_remote_sessions(FRIDAY_17 + dt.timedelta(minutes=32)) == {"warned": 0}
    assert Outbox.objects.filter(kind="remote_session_over_limit", recipient=w.sam.email).exists()
    session, warning = do_end_session(
        w.sam, session, notes="Collected logs", now=FRIDAY_17 + dt.timedelta(minutes=42)
    )
    assert warning == "This remote session ran 42 minutes, over the policy's limit of 30 minutes."
    timeline = [e.data["what"] for e in TicketEvent.objects.filter(ticket=ticket, kind="service")]
    assert timeline[-4:] == [
        "remote_session_answered", "remote_session_started", "remote_session_over_limit",
        "remote_session_ended",
    ]  # fmt: skip


def test_a_customer_asks_for_another_time(services):
    w = services.world
    session = do_propose_session(
        w.sam, request(w.alice), starts_at=FRIDAY_17, minutes=30, tool="Zoom", now=NOW
    )
    with pytest.raises(ActionError, match="which time"):
        do_answer_session(w.alice, session, accept=False, now=NOW)
    session = do_answer_session(w.alice, session, accept=False, note="Monday 10:00", now=NOW)
    assert session.status == "reschedule"
    with pytest.raises(ActionError, match="not accepted"):
        do_start_session(w.sam, session, now=FRIDAY_17)


def test_bad_input_names_the_field(services):
    w = services.world
    ticket = request(w.alice)
    for lines, field in (
        ([], "lines"),
        ([{"units": "lots"}], "lines[0].units"),
        ([{"units": "0.5"}], "lines[0].units"),  # below the one-day minimum
        ([{"units": "1", "off_hours_share": "2"}], "lines[0].off_hours_share"),
        ([{"units": "1", "service": "nope"}], "service"),
    ):
        with pytest.raises(ActionError) as refused:
            from pacto.services.actions import do_create_quote

            do_create_quote(
                w.fiona, ticket, service="health-check", lines=lines,
                valid_until=dt.date(2026, 2, 1), now=NOW,
            )  # fmt: skip
        assert refused.value.field == field, lines
