"""``pacto availability import --probe NAME FILE``: load probe results from CSV.

Lines are ``slot_start,status`` (ISO 8601 with a UTC offset; ``up``, ``down`` or
``unknown``), an optional header line first. Each result lands on its slot insert-or-ignore,
so importing a file twice, or over results the prober wrote, changes nothing already there.
A bad line stops the import before anything is written, naming the line.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pacto.availability.actions import do_record_results
from pacto.availability.models import Probe, ProbeResult
from pacto.errors import ActionError
from pacto.sla.availability import AvailabilityError, SlotStatus
from pacto.tickets.management.commands.sla_recompute import Progress

BATCH = 5000


class Command(BaseCommand):
    help = "Load probe results (slot_start,status lines) from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("--probe", required=True, help="the probe's name")
        parser.add_argument("file", help="CSV file: slot_start,status")

    def handle(self, *args, **options):
        probe = Probe.objects.filter(name=options["probe"]).first()
        if probe is None:
            raise CommandError(f"--probe: no probe named {options['probe']!r}")
        rows = []
        try:
            with open(options["file"], encoding="utf-8") as stream:
                for number, line in enumerate(stream, start=1):
                    text = line.strip()
                    if not text or (number == 1 and text.lower().startswith("slot_start")):
                        continue
                    parts = [p.strip() for p in text.split(",")]
                    if len(parts) != 2:
                        raise CommandError(f"line {number}: expected slot_start,status")
                    try:
                        at = dt.datetime.fromisoformat(parts[0])
                        status = SlotStatus.parse(parts[1])
                    except (ValueError, AvailabilityError) as exc:
                        raise CommandError(f"line {number}: {exc}") from None
                    if at.tzinfo is None:
                        raise CommandError(f"line {number}: {parts[0]!r} has no UTC offset")
                    rows.append((at, status, None))
        except OSError as exc:
            raise CommandError(str(exc)) from None
        progress = Progress(self.stderr, len(rows), "results")
        written = 0
        now = timezone.now()
        try:
            for i in range(0, len(rows), BATCH):
                chunk = rows[i : i + BATCH]
                written += do_record_results(
                    probe, chunk, source=ProbeResult.Source.IMPORTED, now=now
                )
                progress.done = i + len(chunk) - 1
                progress.advance()
        except ActionError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from None
        progress.finish()
        self.stdout.write(
            f"{probe.name}: {len(rows)} results read, {written} new slots, "
            f"{len(rows) - written} already measured"
        )
