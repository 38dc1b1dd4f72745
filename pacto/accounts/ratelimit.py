"""Rate limits counted in the database, in fixed windows: one statement per request.

A limit such as ``600/min`` allows 600 requests per key in each whole minute (by the epoch
clock); the 601st of the minute is refused until the next one starts. Every web process
counts in the same row (``RateCounter``, one per key and window), bumped by a single
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` on SQLite (3.35 and later) and PostgreSQL
alike. A fixed window lets a client send up to twice the limit across a window's edge; that
is the price of one statement instead of the five a cached list of timestamps cost (read,
count for culling, lock, re-read, write) and of a history that grows with the limit.
"""

from __future__ import annotations

from django.db import connection

from pacto.accounts.models import RateCounter

# Rows of windows older than this are dropped by the worker's hourly account sweep.
KEEP_SECONDS = 24 * 60 * 60


def hit(key: str, limit: int, period: int, now: float) -> tuple[bool, float]:
    """Count one request for ``key`` in the window of ``period`` seconds holding ``now``
    (seconds since 1970). Returns whether it is within ``limit``, and the seconds until the
    window ends (a refused client's ``Retry-After``)."""
    window = int(now // period) * period
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ("key", "window", "hits") VALUES (%s, %s, 1) '
            f'ON CONFLICT ("key", "window") DO UPDATE SET "hits" = {table}."hits" + 1 '
            'RETURNING "hits"',
            [key[:120], window],
        )
        (hits,) = cursor.fetchone()
    return hits <= limit, window + period - now


def prune(now: float) -> int:
    """Forget windows that ended more than a day ago; returns how many rows went."""
    deleted, _ = RateCounter.objects.filter(window__lt=int(now) - KEEP_SECONDS).delete()
    return deleted
