"""Rate limits hold across web processes: two gunicorn processes share one count (the
database cache on the embedded default), so together they allow the limit, not twice it."""

from __future__ import annotations

import pytest

from pacto.accounts.actions import do_create_token
from pacto.automation.tests.test_faults import shared_database

pytestmark = pytest.mark.slow  # real processes: run once in CI, on SQLite

LIMIT = 6


def test_two_web_processes_together_allow_the_api_rate_once(world, tmp_path, web, rate_window):
    _token, secret = do_create_token(world.alice, name="script", scope="read")
    with (
        shared_database(tmp_path),
        web.processes(2, tmp_path, PACTO_API_RATE=f"{LIMIT}/{rate_window}") as (
            first,
            second,
        ),
    ):
        statuses = [
            web.request(f"{process.url}/api/me", token=secret)[0]
            for process in [first, second] * LIMIT  # alternating: each process sees every other
        ]

    assert statuses[:LIMIT] == [200] * LIMIT
    assert statuses[LIMIT:] == [429] * LIMIT
