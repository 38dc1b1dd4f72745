"""The API's rate limit counts in the database: every web process sees the same count."""

from __future__ import annotations

import pytest

from pacto.accounts import ratelimit
from pacto.accounts.models import RateCounter

MINUTE = 60
T = 1_800_000_000.0  # 15 January 2027 08:00 UTC, the start of a minute


@pytest.mark.django_db
def test_the_limit_allows_that_many_requests_in_a_minute_and_refuses_the_next():
    results = [ratelimit.hit("user:1", 3, MINUTE, T + i) for i in range(4)]

    assert [allowed for allowed, _ in results] == [True, True, True, False]
    assert results[-1][1] == pytest.approx(MINUTE - 3)  # Retry-After: until the minute ends


@pytest.mark.django_db
def test_a_new_minute_starts_a_new_count_and_keys_count_apart():
    for i in range(3):
        ratelimit.hit("user:1", 3, MINUTE, T + i)

    assert ratelimit.hit("user:2", 3, MINUTE, T + 5) == (True, pytest.approx(MINUTE - 5))
    assert ratelimit.hit("user:1", 3, MINUTE, T + MINUTE)[0]
    assert RateCounter.objects.get(key="user:1", window=T).hits == 3


@pytest.mark.django_db
def test_the_worker_forgets_windows_older_than_a_day():
    ratelimit.hit("user:1", 3, MINUTE, T)
    ratelimit.hit("user:1", 3, MINUTE, T + 2 * 24 * 3600)

    assert ratelimit.prune(T + 2 * 24 * 3600) == 1
    assert list(RateCounter.objects.values_list("window", flat=True)) == [T + 2 * 24 * 3600]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_requests_counted_from_two_threads_at_once_are_all_counted():
    """Two web processes at once: the UPSERT counts each request once, none lost.

    On PostgreSQL only: SQLite's test database is shared-cache memory, where a second writer
    is refused at once ("database table is locked") instead of waiting as it does on the
    file database a deployment runs on, whose single writer lock already serialises them."""
    import threading

    from django.db import connections

    def burst():
        for i in range(20):
            ratelimit.hit("user:9", 1000, MINUTE, T + i % 30)
        connections.close_all()

    threads = [threading.Thread(target=burst) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert RateCounter.objects.get(key="user:9").hits == 40
