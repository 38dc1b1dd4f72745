"""Two web processes on the embedded SQLite database, opening tickets for the same
organization at once: every request is answered, none with "database is locked", every 201
is a ticket in the database and no refused request left one behind."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from pacto.accounts.actions import do_create_token
from pacto.automation.tests.test_faults import shared_database
from pacto.testing import PROBLEM_DETAILS
from pacto.tickets.models import Ticket

REQUESTS = 40  # per run: 20 to each process, 8 at a time
AT_ONCE = 8


def report(name: str, **figures) -> None:
    print(f"\n[fault] {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


@pytest.mark.slow
def test_two_web_processes_open_tickets_at_once_on_sqlite_without_a_locked_database(
    world, tmp_path, web
):
    if connection.vendor != "sqlite":
        pytest.skip("about the embedded SQLite database")
    secrets = [
        do_create_token(c, name="load", scope="write")[1] for c in (world.alice, world.amelia)
    ]
    started = time.monotonic()
    with shared_database(tmp_path), web.processes(2, tmp_path) as processes:

        def open_one(i: int):
            body = {
                "subject": f"Concurrent {i}", "body": "Opened at the same time as others",
                "severity": "high", "version": "3.31", **PROBLEM_DETAILS,
            }  # fmt: skip
            url = f"{processes[i % 2].url}/api/tickets"
            return i, *web.request(url, method="POST", token=secrets[i % 2], json_body=body)

        with ThreadPoolExecutor(AT_ONCE) as pool:
            answers = list(pool.map(open_one, range(REQUESTS)))
        subjects = set(Ticket.objects.values_list("subject", flat=True))

    created = {f"Concurrent {i}" for i, status, _ in answers if status == 201}
    refused = [(status, body[:200]) for _i, status, body in answers if status != 201]
    locked = [body for _i, _s, body in answers if b"locked" in body]
    report(
        "two web processes on SQLite", requests=REQUESTS, created=len(created),
        refused=len(refused), locked=len(locked), seconds=round(time.monotonic() - started, 1),
    )  # fmt: skip
    assert locked == []
    assert refused == []
    assert created <= subjects  # every 201 is a ticket
    assert {s for s in subjects if s.startswith("Concurrent")} == created  # and only those
    assert all(json.loads(body)["id"] for _i, status, body in answers if status == 201)
