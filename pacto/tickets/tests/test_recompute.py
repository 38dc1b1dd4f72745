"""``pacto sla recompute``: stored clocks follow a corrected policy or calendar.

The world's Banco Azul runs senhasegura Standard 8x5 (9 am to 7 pm in São Paulo on working
days). Its tickets are opened on Thursday 15 January 2026; then the vendor announces a
closure on Friday 16 January, a new version of the policy is stored with that date as a
holiday, and the contract's tickets are moved to it.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from pacto import cli
from pacto.contracts.actions import do_store_policy
from pacto.contracts.models import Contract
from pacto.sla.policy import PRESETS
from pacto.testing import KOLKATA, PROBLEM_DETAILS, sp
from pacto.tickets.actions import do_open_ticket, do_reply
from pacto.tickets.models import SlaClock, Ticket

SIX_PM = "2026-01-15T18:00:00-03:00"  # after the last opening, before any due time


def open_at_azul(world, at: str, severity: str = "medium", subject: str = "Vault") -> Ticket:
    return do_open_ticket(
        world.alice, subject=subject, body="It fails.", severity=severity, version="3.31",
        details=PROBLEM_DETAILS, now=sp(at),
    )  # fmt: skip


def due(ticket: Ticket, metric: str = "first_response") -> dt.datetime | None:
    return SlaClock.objects.get(ticket=ticket, metric=metric).due_at


def state(ticket: Ticket, metric: str = "first_response") -> str:
    return SlaClock.objects.get(ticket=ticket, metric=metric).state


def senhasegura_text() -> str:
    return (PRESETS / "senhasegura.yaml").read_text(encoding="utf-8")


def with_friday_closure(text: str) -> str:
    anchor = "      subdivision: São Paulo Capital\n"
    assert text.count(anchor) == 1
    closure = '      dates: {2026-01-16: "Vendor closure (office move)"}\n'
    return text.replace(anchor, anchor + closure).replace('version: "7.0"', 'version: "7.0.1"')


def move_contract_to(contract: Contract, text: str) -> None:
    """What an administrator's policy migration does: pin the contract and its tickets."""
    version = do_store_policy(text, source="senhasegura.yaml")
    Contract.objects.filter(pk=contract.pk).update(policy_version=version)
    Ticket.objects.filter(contract=contract).update(policy_version=version)


def recompute(*args: str, stderr: io.StringIO | None = None) -> str:
    out = io.StringIO()
    call_command("sla_recompute", *args, stdout=out, stderr=stderr or io.StringIO())
    return out.getvalue()


@pytest.fixture
def azul_tickets(world):
    """Three Banco Azul tickets opened on Thursday and one of Verde Energia's."""
    morning = open_at_azul(world, "2026-01-15 10:30", subject="Morning")
    late = open_at_azul(world, "2026-01-15 17:00", subject="Late")
    low = open_at_azul(world, "2026-01-15 18:00", severity="low", subject="Low")
    verde = do_open_ticket(
        world.carol, subject="Agent silent", body="No reports.", severity="medium",
        now=dt.datetime(2026, 1, 15, 20, tzinfo=KOLKATA),
    )  # fmt: skip
    return morning, late, low, verde


def test_recomputing_without_a_change_moves_nothing(world, azul_tickets):
    output = recompute("--now", SIX_PM)

    assert "Recomputed 4 open tickets as of 2026-01-15 21:00 UTC." in output
    assert "Due times moved: 0" in output
    assert "Newly breached: 0" in output
    assert "Biggest moves" not in output


def test_a_holiday_added_to_the_calendar_moves_the_due_times_it_falls_on(world, azul_tickets):
    morning, late, low, verde = azul_tickets
    assert due(late) == sp("2026-01-16 15:00")  # 2 h on Thursday, 6 h on Friday
    assert due(low) == sp("2026-01-19 16:00")  # 1 h Thursday, 10 h Friday, 7 h Monday
    verde_due = due(verde)
    move_contract_to(world.azul_contract, with_friday_closure(senhasegura_text()))

    output = recompute("--policy", "senhasegura", "--now", SIX_PM)

    # Friday no longer counts: the late ticket's 6 hours fall on Monday, the low one's on
    # Monday and Tuesday. The morning ticket was due on Thursday and does not move.
    assert due(late) == sp("2026-01-19 15:00")
    assert due(low) == sp("2026-01-20 16:00")
    assert due(morning) == sp("2026-01-15 18:30")
    assert due(verde) == verde_due
    assert "Recomputed 3 open tickets as of 2026-01-15 21:00 UTC (policy senhasegura)." in output
    assert "Due times moved: 2" in output
    assert "Newly breached: 0" in output
    lines = output.splitlines()
    biggest = lines[lines.index("Biggest moves (of 2):") + 1 :]
    assert biggest == [
        f"  #{late.pk:<6} first_response   2026-01-16 18:00 UTC → 2026-01-19 18:00 UTC (+3 d)",
        f"  #{low.pk:<6} first_response   2026-01-19 19:00 UTC → 2026-01-20 19:00 UTC (+1 d)",
    ]
    segments = SlaClock.objects.get(ticket=late, metric="first_response").segments
    assert any("Vendor closure" in s["reason"] for s in segments if s["kind"] == "holiday")


def test_a_shorter_target_breaches_the_clocks_already_past_it(world, azul_tickets):
    morning, late, *_ = azul_tickets
    do_reply(world.fiona, late, "Looking", now=sp("2026-01-15 17:30"))
    stricter = senhasegura_text().replace(
        "    when: {severity: medium}\n    target: 8 business hours",
        "    when: {severity: medium}\n    target: 2 business hours",
    )
    move_contract_to(world.azul_contract, stricter)

    output = recompute("--now", "2026-01-15T13:00:00-03:00", "--organization", "banco azul")

    # Two and a half business hours have passed since 10:30: two was the promise. (The
    # tickets opened later are computed as of their own latest event.)
    assert state(morning) == "breached"
    assert due(morning) == sp("2026-01-15 12:30")
    assert state(late) == "met"  # answered within 30 minutes: still met
    assert "(organization Banco Azul)" in output
    assert "Newly breached: 1" in output
    moved = f"#{morning.pk:<6} first_response   2026-01-15 21:30 UTC → 2026-01-15 15:30 UTC (-6 h)"
    assert moved in output


def test_the_calendar_filter_takes_tickets_whose_policy_has_that_calendar(world, azul_tickets):
    output = recompute("--calendar", "weekdays", "--now", SIX_PM)  # secpod's calendar

    assert "Recomputed 1 open tickets" in output
    assert "(calendar weekdays)" in output


def test_closed_tickets_are_left_as_they_were(world, azul_tickets):
    morning, *_ = azul_tickets
    Ticket.objects.exclude(pk=morning.pk).update(status="closed", status_category="closed")

    output = recompute("--now", SIX_PM)

    assert "Recomputed 1 open tickets" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--policy", "zendesk"], "no stored policy 'zendesk'"),
        (["--calendar", "lunar"], "no stored policy defines a calendar named 'lunar'"),
        (["--organization", "Nobody Inc"], "no organization named 'Nobody Inc'"),
        (["--now", "2026-01-15T20:00"], "needs a UTC offset"),
        (["--now", "yesterday"], "is not an ISO 8601"),
    ],
)
def test_a_filter_that_matches_nothing_is_an_error_that_says_why(world, args, message):
    with pytest.raises(CommandError, match=message):
        recompute(*args)


def test_progress_is_one_line_every_tenth_of_the_way_when_stderr_is_not_a_terminal(
    world, azul_tickets
):
    stderr = io.StringIO()

    recompute("--now", SIX_PM, stderr=stderr)

    assert stderr.getvalue().splitlines() == [
        "[#####---------------] 1/4 tickets",
        "[##########----------] 2/4 tickets",
        "[###############-----] 3/4 tickets",
        "[####################] 4/4 tickets",
    ]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_redrawn_in_place_on_a_terminal(world, azul_tickets):
    stderr = Terminal()

    recompute("--now", SIX_PM, stderr=stderr)

    drawn = stderr.getvalue()
    assert drawn.startswith("\r[")
    assert drawn.endswith("\r[####################] 4/4 tickets\n")
    assert drawn.count("\n") == 1


def test_pacto_sla_recompute_reaches_the_django_command(world, azul_tickets, capsys):
    assert cli.main(["pacto", "sla", "recompute", "--now", SIX_PM]) == 0

    assert "Recomputed 4 open tickets" in capsys.readouterr().out
