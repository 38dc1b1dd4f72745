"""Professional services' background job: warn the engineer of a remote session running
over the policy's limit (senhasegura §7.7: "remote sessions may be limited to 30 minutes").

Registered with huey when the app is ready (see ``apps.py``); the worker's scheduler runs
it once a minute. The sweep is idempotent: a session is warned once.
"""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, close_db


@task
def sweep_remote_sessions_job() -> dict:
    from pacto.services.actions import sweep_remote_sessions

    return sweep_remote_sessions(timezone.now())


@HUEY.periodic_task(crontab(minute="*"), name="pacto.services.tick")
@close_db
def tick() -> None:
    sweep_remote_sessions_job.enqueue()
