"""The worker's task that delivers the outbox, and the doorbell that wakes it.

The task lives here, beside the delivery code, so that writing outbox rows (any action, in
any app) never imports the worker's schedule (``pacto.automation.jobs`` lists this task
with the sweeps).

The doorbell: when a transaction that wrote outbox rows commits, ``ring`` enqueues the
delivery task, unless a ring is already waiting for a worker. A waiting ring delivers every
row committed before the worker takes it, because the worker answers the door (clears the
mark) before it reads the due rows: a row committed while the mark is set is committed
before the worker looks. So a burst of a thousand tickets costs one queue write, not a
thousand, and nothing waits longer than it would have. A mark older than
``STALE_SECONDS`` (a worker that died holding it, a flushed queue) is ignored and rung again;
the periodic sweep delivers whatever a lost ring would have.
"""

from __future__ import annotations

import logging
import time

from django.tasks import task
from django.utils import timezone
from huey.constants import EmptyData
from huey.contrib.djhuey import HUEY

from pacto.metrics import timed_job
from pacto.notifications import delivery

log = logging.getLogger(__name__)

MARK = "pacto.outbox.doorbell"  # key in the queue's own storage, shared by every process
STALE_SECONDS = 60
BATCH = 500  # rows per turn of the task


@task
@timed_job("outbox")
def deliver_outbox_job() -> dict:
    answer()
    counts = delivery.deliver_due(timezone.now(), limit=BATCH)
    if sum(counts.values()) >= BATCH:
        ring()  # more are due: another turn, after whatever else is queued
    return counts


def ring() -> None:
    """Wake a worker to deliver now, unless one is already on its way. Never raises: the
    database holds the truth, and the next sweep delivers if the queue is down."""
    try:
        storage = HUEY.storage
        waiting = storage.peek_data(MARK)
        if waiting is not EmptyData and time.time() - float(bytes(waiting)) < STALE_SECONDS:
            return
        storage.put_data(MARK, str(time.time()).encode())
        deliver_outbox_job.enqueue()
    except Exception:
        log.warning("could not wake the worker; the next sweep delivers", exc_info=True)


def answer() -> None:
    """The worker is at the door: later rows need a new ring. Called before it reads."""
    try:
        HUEY.storage.pop_data(MARK)
    except Exception:
        log.warning("could not clear the doorbell mark", exc_info=True)
