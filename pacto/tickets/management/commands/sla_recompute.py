"""``pacto sla recompute``: replay open tickets' clocks after a policy or calendar change.

A clock is a pure function of its ticket's policy version and history (``pacto.sla.clock``),
so when a calendar gains a holiday, or tickets are moved to a corrected policy version, the
stored due times are simply recomputed. This prints what moved: the number of tickets
recomputed, of due times moved and of clocks newly breached, and the biggest moves.

    pacto sla recompute [--policy ID] [--calendar NAME] [--organization NAME]
                        [--include-closed] [--now ISO]

``--include-closed`` replays closed tickets too: their clocks are what past months' reports
count, so after a calendar change it makes those reports follow.

(``pacto sla …`` is otherwise the pure engine's command line; ``pacto/cli.py`` sends only
``recompute`` here, because it reads and writes the database.)
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pacto.accounts.models import Organization
from pacto.contracts.models import PolicyVersion
from pacto.progress import Progress
from pacto.sla.units import describe
from pacto.tickets.clocks import DueMove, recompute_open_tickets
from pacto.tickets.models import Ticket

BIGGEST = 10


def parse_now(text: str) -> dt.datetime:
    try:
        now = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--now {text!r} is not an ISO 8601 date and time") from None
    if timezone.is_naive(now):
        raise CommandError(f"--now {text!r} needs a UTC offset, e.g. {text}Z or {text}-03:00")
    return now


def fmt(instant: dt.datetime | None) -> str:
    if instant is None:
        return "no due time"
    return f"{instant.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def biggest(moves: list[DueMove], count: int = BIGGEST) -> list[DueMove]:
    """The largest shifts first; a due time that appeared or vanished ranks after them."""
    timed = sorted((m for m in moves if m.shift is not None), key=lambda m: -abs(m.shift))
    untimed = [m for m in moves if m.shift is None]
    return (timed + untimed)[:count]


class Command(BaseCommand):
    help = "Recompute the SLA clocks of open tickets after a policy or calendar change."

    def add_arguments(self, parser):
        parser.add_argument("--policy", metavar="ID", help="only tickets under this policy id")
        parser.add_argument(
            "--calendar",
            metavar="NAME",
            help="only tickets whose policy defines a calendar of this name",
        )
        parser.add_argument(
            "--organization", metavar="NAME", help="only this customer organization's tickets"
        )
        parser.add_argument(
            "--include-closed",
            action="store_true",
            help="closed tickets too, so past months' reports follow the change",
        )
        parser.add_argument(
            "--now",
            metavar="ISO",
            help="compute as of this instant (ISO 8601 with an offset); default: the clock",
        )

    def handle(self, *args, policy=None, calendar=None, organization=None, now=None, **options):
        now = parse_now(now) if now else timezone.now()
        tickets = Ticket.objects.all()
        if not options.get("include_closed"):
            tickets = tickets.exclude(status_category="closed")
        scope = []
        if policy:
            versions = PolicyVersion.objects.filter(policy_id=policy)
            if not versions.exists():
                known = sorted(set(PolicyVersion.objects.values_list("policy_id", flat=True)))
                raise CommandError(
                    f"no stored policy {policy!r} (stored: {', '.join(known) or 'none'})"
                )
            tickets = tickets.filter(policy_version__in=versions)
            scope.append(f"policy {policy}")
        if calendar:
            with_calendar = [
                version.pk
                for version in PolicyVersion.objects.all()
                if calendar in version.policy.calendars
            ]
            if not with_calendar:
                raise CommandError(f"no stored policy defines a calendar named {calendar!r}")
            tickets = tickets.filter(policy_version__in=with_calendar)
            scope.append(f"calendar {calendar}")
        if organization:
            found = Organization.objects.filter(name__iexact=organization).first()
            if found is None:
                raise CommandError(f"no organization named {organization!r}")
            tickets = tickets.filter(organization=found)
            scope.append(f"organization {found.name}")

        progress = Progress(self.stderr, tickets.count())
        summary = recompute_open_tickets(now, tickets, progress=progress.advance)
        progress.finish()

        where = f" ({', '.join(scope)})" if scope else ""
        which = (
            "tickets, closed ones included," if options.get("include_closed") else "open tickets"
        )
        self.stdout.write(f"Recomputed {summary['tickets']} {which} as of {fmt(now)}{where}.")
        self.stdout.write(f"Due times moved: {summary['moved']}")
        self.stdout.write(f"Newly breached: {summary['newly_breached']}")
        moves = biggest(summary["moves"])
        if moves:
            self.stdout.write(f"Biggest moves (of {len(summary['moves'])}):")
            for move in moves:
                shift = ""
                if move.shift is not None:
                    sign = "+" if move.shift >= dt.timedelta(0) else ""
                    shift = f" ({sign}{describe(move.shift)})"
                self.stdout.write(
                    f"  #{move.ticket:<6} {move.metric:<16} "
                    f"{fmt(move.old_due)} → {fmt(move.new_due)}{shift}"
                )
