"""``pacto worker``: run the background work.

    pacto worker                  # consumers + the scheduler (one of these per installation)
    pacto worker --no-scheduler   # more consumers (any number, on any machine, with Redis)
    pacto worker --once           # every sweep and the outbox once, in this process, then exit

With SQLite queue storage (the default) every worker must run on the machine that holds
var/; with ``PACTO_QUEUE_URL=redis://…`` they may run anywhere that reaches Redis and the
database. See docs/worker.md.
"""

from __future__ import annotations

import json
import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "Run the background worker: huey consumers and the periodic sweeps."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2, help="consumer threads or processes")
        parser.add_argument(
            "--worker-type", choices=["thread", "process"], default="thread",
            help="threads (default) or processes (CPU-bound clock recomputation at scale)",
        )  # fmt: skip
        parser.add_argument(
            "--no-scheduler", action="store_true",
            help="only consume; another worker runs the periodic sweeps",
        )  # fmt: skip
        parser.add_argument(
            "--once", action="store_true",
            help="run every sweep and deliver the outbox once in this process, then exit",
        )  # fmt: skip
        parser.add_argument(
            "--reschedule", action="store_true",
            help="plan lifecycle timers for tickets without one (after an upgrade), then go on",
        )  # fmt: skip

    def handle(self, *args, **options):
        from huey.consumer_options import ConsumerConfig
        from huey.contrib.djhuey import HUEY

        from pacto.automation import jobs, sweeps

        if options["reschedule"]:
            self.stdout.write(json.dumps(sweeps.reschedule_all(timezone.now())))
        if options["once"]:
            self.stdout.write(json.dumps(jobs.run_once(timezone.now()), sort_keys=True))
            return
        if HUEY.immediate:
            raise CommandError(
                "PACTO_QUEUE_IMMEDIATE is on: tasks run where they are enqueued and there is "
                "nothing to consume. Unset it, or use --once."
            )
        if options["workers"] < 1:
            raise CommandError("--workers: at least 1")
        config = ConsumerConfig(
            workers=options["workers"],
            worker_type=options["worker_type"],
            periodic=not options["no_scheduler"],
            check_worker_health=True,
            scheduler_interval=1,
        )
        config.validate()
        logger = logging.getLogger("huey")
        if not logger.handlers and not logging.getLogger().handlers:
            config.setup_logger(logger)
        self.stdout.write(
            f"pacto worker: {options['workers']} {options['worker_type']} consumer(s) on "
            f"{type(HUEY).__name__}, scheduler {'off' if options['no_scheduler'] else 'on'}"
        )
        HUEY.create_consumer(**config.values).run()
