"""On-call paging follows the ticket's first-response clock, not the severity alone.

senhasegura §7.9: "Tickets opened through the support portal are monitored only during
senhasegura business hours ... the service time counts from the first hour of the business
day following receipt of the ticket, if it occurs outside business hours, even for the
S-24x7 support mode." A page goes out when the first-response clock is running, and never
before; the worker pages when the clock starts.
"""

import datetime as dt

from pacto.automation.models import Page
from pacto.automation.sweeps import sweep_pages
from pacto.notifications.models import Outbox
from pacto.testing import SAO_PAULO
from pacto.tickets.actions import do_change_status, do_open_ticket, do_reply

THREE_AM = dt.datetime(2026, 1, 15, 3, 0, tzinfo=SAO_PAULO)  # a Thursday
NINE_AM = dt.datetime(2026, 1, 15, 9, 0, tzinfo=SAO_PAULO)
SECOND = dt.timedelta(seconds=1)


def pages(ticket):
    rows = Outbox.objects.filter(kind="page", channel=Outbox.Channel.PAGER, ticket=ticket)
    return [(r.recipient, r.payload["tier"], r.payload["attempt"]) for r in rows.order_by("id")]


def phoned_in(world, contact, at):
    return do_open_ticket(
        world.fiona, requester=contact, subject="Vault down", body="Nobody can log in.",
        severity="urgent", type="question", channel="phone", now=at,
    )  # fmt: skip


def test_nobody_is_paged_at_3am_for_a_portal_urgent_whose_clock_starts_at_9(desk, world, rotations):
    contact = desk.customer("senhasegura", "advanced-24x7")
    ticket = desk.open(contact, "urgent", THREE_AM)

    assert pages(ticket) == []
    page = Page.objects.get(ticket=ticket)
    assert (page.state, page.next_check_at) == (Page.State.WAITING, NINE_AM)
    assert sweep_pages(NINE_AM - SECOND) == {}
    assert pages(ticket) == []

    assert sweep_pages(NINE_AM) == {"paged": 1}
    assert pages(ticket) == [("fiona@vendor.example", 1, 1)]
    page.refresh_from_db()
    assert (page.state, page.next_check_at) == (
        Page.State.PAGING,
        NINE_AM + dt.timedelta(minutes=15),
    )


def test_a_phoned_in_urgent_on_advanced_24x7_pages_at_3am_at_once(desk, world, rotations):
    """§7.3: urgent response times are guaranteed with a call; its clock runs 24x7."""
    contact = desk.customer("senhasegura", "advanced-24x7")
    ticket = phoned_in(world, contact, THREE_AM)
    assert pages(ticket) == [("fiona@vendor.example", 1, 1)]


def test_a_standard_8x5_urgent_at_3am_pages_when_business_hours_start(desk, world, rotations):
    ticket = desk.open(world.alice, "urgent", THREE_AM)
    assert pages(ticket) == []
    assert sweep_pages(NINE_AM) == {"paged": 1}
    assert pages(ticket) == [("fiona@vendor.example", 1, 1)]


def test_an_email_urgent_after_hours_waits_for_the_clock_too(desk, world, rotations):
    contact = desk.customer("senhasegura", "premier-24x7")
    ticket = do_open_ticket(
        world.fiona, requester=contact, subject="Vault down", body="Nobody can log in.",
        severity="urgent", type="question", channel="email", now=THREE_AM,
    )  # fmt: skip
    assert pages(ticket) == []
    assert Page.objects.get(ticket=ticket).next_check_at == NINE_AM


def test_a_waiting_page_is_dropped_when_the_ticket_is_answered_or_solved_before_9(
    desk, world, rotations
):
    contact = desk.customer("senhasegura", "advanced-24x7")
    answered = desk.open(contact, "urgent", THREE_AM, subject="answered")
    solved = desk.open(contact, "urgent", THREE_AM, subject="solved")
    do_reply(world.fiona, answered, "Looking at it now.", now=THREE_AM + dt.timedelta(hours=1))
    do_change_status(world.fiona, solved, "solved", reason="Duplicate", now=THREE_AM + SECOND)

    assert sweep_pages(NINE_AM) == {"cancelled": 1}
    assert pages(answered) == [] and pages(solved) == []
    assert set(Page.objects.values_list("state", flat=True)) == {Page.State.CANCELLED}


def test_a_waiting_page_reads_in_portuguese_too():
    from django.utils import translation

    with translation.override("pt-br"):
        assert str(Page.State.WAITING.label) == "Aguardando o início do prazo de resposta"
