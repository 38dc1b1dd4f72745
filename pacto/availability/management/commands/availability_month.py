"""``pacto availability month [--month YYYY-MM] [--probe NAME]``: stored monthly figures."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pacto.availability.figures import month_figures
from pacto.availability.models import Probe
from pacto.sla.availability import AvailabilityError, Month


class Command(BaseCommand):
    help = "Print the monthly availability figure of every probe (JSON lines)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: this month)")
        parser.add_argument("--probe", help="one probe's name")

    def handle(self, *args, **options):
        try:
            now = timezone.now()
            month = (
                Month.parse(options["month"]) if options["month"] else Month(now.year, now.month)
            )
        except AvailabilityError as exc:
            raise CommandError(f"--month: {exc}") from None
        probes = Probe.objects.select_related("contract__policy_version")
        if options["probe"]:
            probes = probes.filter(name=options["probe"])
        figures = month_figures(list(probes), month)
        names = {p.pk: p.name for p in probes}
        for probe_id, figure in figures.items():
            document = figure.as_json()
            document.pop("failing_slots")
            self.stdout.write(json.dumps({"probe": names[probe_id], **document}))
