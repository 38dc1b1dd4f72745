"""Availability's background jobs and their place in the worker's schedule.

Registered with huey when the app is ready (see ``apps.py``): the worker's scheduler runs
the probe sweep every ``PACTO_SWEEP_EVERY_SECONDS`` within each minute (a 5-minute slot is
measured early in its slot), the month alerts and the hypercare sweep once a minute.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.tasks import task
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, close_db

from pacto.availability import sweeps


@task
def sweep_probes_job() -> dict:
    return sweeps.sweep_probes(timezone.now())


@task
def sweep_month_alerts_job() -> dict:
    return sweeps.sweep_month_alerts(timezone.now())


@task
def sweep_hypercare_job() -> dict:
    return sweeps.sweep_hypercare(timezone.now())


def enqueue(now: dt.datetime) -> int:
    every = max(1, min(60, settings.PACTO_SWEEP_EVERY_SECONDS))
    count = 0
    for offset in range(0, 60, every):
        job = sweep_probes_job
        (job.using(run_after=now + dt.timedelta(seconds=offset)) if offset else job).enqueue()
        count += 1
    sweep_month_alerts_job.enqueue()
    sweep_hypercare_job.enqueue()
    return count + 2


def run_once(now: dt.datetime) -> dict:
    return {
        "probes": sweeps.sweep_probes(now),
        "month_alerts": sweeps.sweep_month_alerts(now),
        "hypercare": sweeps.sweep_hypercare(now),
    }


@HUEY.periodic_task(crontab(minute="*"), name="pacto.availability.tick")
@close_db
def tick() -> None:
    enqueue(timezone.now())
