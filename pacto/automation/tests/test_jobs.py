"""The django.tasks jobs on huey's backend, the schedule, and ``pacto worker``."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.tasks import TaskResultStatus
from huey.contrib.djhuey import HUEY

from pacto.automation import jobs


def test_each_sweep_is_a_django_task_run_by_huey(db):
    assert HUEY.immediate  # tests run tasks where they are enqueued
    for job in jobs.SWEEP_JOBS:
        result = job.enqueue()
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert result.return_value == {}


def test_the_scheduler_tick_enqueues_every_sweep_every_15_seconds(db, settings):
    settings.PACTO_SWEEP_EVERY_SECONDS = 15
    HUEY.storage.flush_all()
    from django.utils import timezone

    assert jobs.enqueue_sweeps(timezone.now()) == 16  # 4 sweeps x 4 times a minute
    assert len(HUEY.scheduled()) == 12  # the deferred ones; the first 4 ran at once


def test_the_tick_is_a_huey_periodic_task_every_minute():
    import datetime as dt

    for minute in (dt.datetime(2026, 1, 15, 10, 0), dt.datetime(2026, 1, 15, 10, 1)):
        due = [task.name for task in HUEY.read_periodic(minute)]
        assert "pacto.automation.tick" in due


def test_worker_once_runs_every_sweep_and_the_outbox(db):
    out = io.StringIO()
    call_command("worker", "--once", "--reschedule", stdout=out)
    lines = out.getvalue().splitlines()
    assert json.loads(lines[0]) == {}
    assert set(json.loads(lines[1])) == {"clocks", "pages", "lifecycle", "accounts", "outbox"}


def test_worker_refuses_to_consume_when_tasks_run_immediately(db):
    with pytest.raises(CommandError, match="PACTO_QUEUE_IMMEDIATE"):
        call_command("worker", stdout=io.StringIO())
