"""Counters and histograms every Pacto process records for ``/metrics`` (Prometheus).

Processes count in prometheus-client's multi-process mode: each process (every gunicorn
worker, ``pacto worker``, ``pacto mail poll``) writes its samples to memory-mapped files in
``PACTO_METRICS_DIR``, and ``/metrics`` adds them up, so four web processes and two workers
on one machine are one set of series. The settings point ``PROMETHEUS_MULTIPROC_DIR`` there
before this module is imported.

Only what happens is counted here. What *is* (open tickets, clocks at risk, the outbox
backlog) is read from the database when ``/metrics`` is scraped (``pacto.observability``),
so it is right whichever process did the work and whether or not it is still alive.

This module imports nothing of Pacto or Django: every layer may record into it.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from prometheus_client import Counter, Histogram

# Request latencies: a support desk's pages and API answer in tens of milliseconds; the
# buckets reach 30 s so that a request stuck on a lock is seen for what it is.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300)

HTTP_REQUESTS = Counter(
    "pacto_http_requests",
    "HTTP requests answered, by route (the URL pattern, not the path), method and status.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "pacto_http_request_duration_seconds",
    "Time to answer an HTTP request, by route and method.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
HTTP_DATABASE_UNAVAILABLE = Counter(
    "pacto_http_database_unavailable",
    "Requests answered 503 because the database could not be reached.",
)
JOB_RUNS = Counter(
    "pacto_worker_job_runs",
    "Worker jobs run (sweeps, delivery, the scheduler's tick), by job and outcome (ok, failed).",
    ["job", "outcome"],
)
JOB_DURATION = Histogram(
    "pacto_worker_job_duration_seconds",
    "Time a worker job took, by job.",
    ["job"],
    buckets=JOB_BUCKETS,
)
DELIVERIES = Counter(
    "pacto_outbox_deliveries",
    "Outbox delivery tries, by channel (email, webhook, pager) and outcome (sent, retried, dead).",
    ["channel", "outcome"],
)
MAIL_MESSAGES = Counter(
    "pacto_mail_messages",
    "Inbound email recorded, by outcome (ticket_opened, reply, duplicate, refused…).",
    ["outcome"],
)
PAGER_CALLBACKS = Counter(
    "pacto_pager_callbacks",
    "Acknowledgements read back from the pager service, by action (acknowledged, resolved, "
    "ignored, refused).",
    ["action"],
)


def timed_job(name: str) -> Callable:
    """Count a worker job's runs and failures and time it, under ``name``."""

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                result = function(*args, **kwargs)
            except BaseException:
                JOB_RUNS.labels(name, "failed").inc()
                raise
            finally:
                JOB_DURATION.labels(name).observe(time.perf_counter() - started)
            JOB_RUNS.labels(name, "ok").inc()
            return result

        return run

    return decorate
