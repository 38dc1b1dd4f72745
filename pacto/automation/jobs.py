"""Background jobs: django.tasks tasks (huey's backend runs them) and the huey schedule.

The jobs are thin: read the clock, call a sweep, return its counts. Only these wrappers
read the clock; everything below them takes ``now``.

The schedule: once a minute the scheduler (``pacto worker`` without ``--no-scheduler``;
exactly one should run) enqueues every sweep now and again every
``PACTO_SWEEP_EVERY_SECONDS`` within the minute (deferred tasks), so escalations act within
seconds of their due time. Outbox delivery is also enqueued on the commit of any
transaction that writes outbox rows (the doorbell in ``pacto.notifications.tasks``, beside the delivery task); the
sweep is the safety net for a lost doorbell and for retries.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.tasks import task
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, close_db

from pacto.accounts import ratelimit
from pacto.accounts.actions import sweep_partnerships
from pacto.automation import sweeps
from pacto.contracts.actions import sweep_contracts
from pacto.metrics import timed_job
from pacto.notifications import delivery
from pacto.notifications.tasks import deliver_outbox_job


@task
@timed_job("clocks")
def sweep_clocks_job() -> dict:
    return sweeps.sweep_clocks(timezone.now())


@task
@timed_job("lifecycle")
def sweep_lifecycle_job() -> dict:
    return sweeps.sweep_lifecycle(timezone.now())


@task
@timed_job("pages")
def sweep_pages_job() -> dict:
    return sweeps.sweep_pages(timezone.now())


SWEEP_JOBS = (sweep_clocks_job, sweep_pages_job, sweep_lifecycle_job, deliver_outbox_job)


def enqueue_sweeps(now: dt.datetime) -> int:
    """Enqueue every sweep at ``now`` and every ``PACTO_SWEEP_EVERY_SECONDS`` until the next
    minute's tick. Returns how many tasks were enqueued."""
    every = max(1, min(60, settings.PACTO_SWEEP_EVERY_SECONDS))
    count = 0
    for offset in range(0, 60, every):
        for job in SWEEP_JOBS:
            if offset:
                job.using(run_after=now + dt.timedelta(seconds=offset)).enqueue()
            else:
                job.enqueue()
            count += 1
    return count


def run_once(now: dt.datetime) -> dict[str, dict]:
    """Every sweep, then delivery, in this process (``pacto worker --once``, cron, tests)."""
    return {
        "clocks": timed_job("clocks")(sweeps.sweep_clocks)(now),
        "pages": timed_job("pages")(sweeps.sweep_pages)(now),
        "lifecycle": timed_job("lifecycle")(sweeps.sweep_lifecycle)(now),
        "accounts": timed_job("accounts")(sweep_accounts)(now),
        "outbox": timed_job("outbox")(delivery.deliver_due)(now),
    }


def sweep_accounts(now: dt.datetime) -> dict:
    """Day-grained work: contract reminders and auto-renewals, partnership and certification
    expiry warnings. Idempotent, so running it every hour is harmless."""
    return {
        "contracts": sweep_contracts(now),
        "partners": sweep_partnerships(now),
        "rate_counters_pruned": ratelimit.prune(now.timestamp()),
    }


@task
@timed_job("accounts")
def sweep_accounts_job() -> dict:
    return sweep_accounts(timezone.now())


@HUEY.periodic_task(crontab(minute="7"), name="pacto.automation.accounts")
@close_db
def hourly() -> None:
    sweep_accounts_job.enqueue()


@HUEY.periodic_task(crontab(minute="*"), name="pacto.automation.tick")
@close_db
@timed_job("tick")
def tick() -> None:
    enqueue_sweeps(timezone.now())
