"""``pacto availability probe [--loop]``: run the due probes now (the worker's scheduler does
this on its own; this command is for cron, tests and a prober on its own machine)."""

from __future__ import annotations

import json
import signal
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from pacto.availability.sweeps import sweep_probes


class Command(BaseCommand):
    help = "Measure every due probe once (or, with --loop, every second until stopped)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep probing until SIGTERM")
        parser.add_argument("--every", type=float, default=1.0, help="seconds between sweeps")

    def handle(self, *args, **options):
        if not options["loop"]:
            self.stdout.write(json.dumps(sweep_probes(timezone.now())))
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while not stopping:
            sweep_probes(timezone.now())
            time.sleep(options["every"])
