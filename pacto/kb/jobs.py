"""Background work of the knowledge base: scheduled publishing.

The scheduler (``pacto worker``) enqueues ``publish_due_job`` every minute; the job reads the
clock and calls ``pacto.kb.actions.publish_due``, which is idempotent (rows claimed under a
lock and re-checked), so a duplicated or retried job publishes nothing twice.
"""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, close_db

from pacto.kb import actions


@task
def publish_due_job() -> dict:
    return actions.publish_due(timezone.now())


@HUEY.periodic_task(crontab(minute="*"), name="pacto.kb.tick")
@close_db
def tick() -> None:
    publish_due_job.enqueue()
