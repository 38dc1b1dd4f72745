"""PostgreSQL restarted while tickets are opened through the API and the worker delivers
their notifications. The test runs its own PostgreSQL cluster (``initdb`` and ``pg_ctl`` in
a temporary directory, on a free loopback port; as the ``postgres`` user when run as root),
a gunicorn web process and a ``pacto worker`` on it, and a real SMTP server recording each
accepted Message-ID. The cluster is restarted twice mid-run.

What must hold: every request is answered 201 or 503 (with ``Retry-After``; never a 500 or
a traceback); every 201 is a ticket in the database and no 503 left one behind; the worker
carries on by itself after each restart; every outbox row ends sent, none lost, and a
row's email is accepted twice only inside the at-least-once window (docs/worker.md).
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pacto.notifications.tests.servers import SmtpServer, free_port
from pacto.testing import PROBLEM_DETAILS

pytestmark = pytest.mark.slow  # real processes and a cluster of its own

REQUESTS, AT_ONCE, RESTART_AFTER = 90, 3, (25, 55)


def report(name: str, **figures) -> None:
    print(f"\n[fault] {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


class Cluster:
    """A PostgreSQL cluster of the test's own; nothing of the machine's clusters is touched."""

    def __init__(self):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries:
            pytest.skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
        self.bin = Path(binaries[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="pacto-pg-"))
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to postgres
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.data = self.root / "data"
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin / tool), *args], check=True, capture_output=True,
            timeout=120,
        )  # fmt: skip

    def pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options,
            "-w", "-t", "60", *args,
        )  # fmt: skip

    def start(self) -> Cluster:
        self.pg_ctl("start")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "pacto")
        return self

    def restart(self) -> None:
        self.pg_ctl("-m", "fast", "restart")  # every connection dropped, as in a failover

    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/pacto"

    def query(self, sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url().replace("postgres://", "postgresql://")) as connection:
            return connection.execute(sql).fetchall()

    def cleanup(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


SETUP = """
import os
os.environ["DJANGO_SETTINGS_MODULE"] = "pacto.settings"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from pacto.accounts.actions import do_create_token
from pacto.testing import build_world
world = build_world()
print(do_create_token(world.alice, name="load", scope="write")[1])
"""


def test_postgres_restarted_while_tickets_are_opened_loses_nothing(tmp_path, web):
    cluster = Cluster().start()
    smtp = SmtpServer(record_to=str(tmp_path / "accepted.txt")).start()
    env = {
        "DATABASE_URL": cluster.url(),
        "PACTO_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}?starttls=0",
        "PACTO_OUTBOX_BACKOFF_SECONDS": "1",
        "PACTO_SWEEP_EVERY_SECONDS": "2",
        "PACTO_QUEUE_URL": f"sqlite:///{tmp_path / 'huey.sqlite3'}",
    }
    worker = None
    try:
        setup = subprocess.run(
            [sys.executable, "-c", SETUP], capture_output=True, text=True, timeout=600,
            env=web.environment(PACTO_VAR_DIR=str(tmp_path / "var"), **env),
        )  # fmt: skip
        assert setup.returncode == 0, setup.stderr[-1500:]
        secret = setup.stdout.strip().splitlines()[-1]
        worker = subprocess.Popen(
            [sys.executable, "-m", "pacto", "worker", "--workers", "2"],
            env=web.environment(PACTO_VAR_DIR=str(tmp_path / "var"), **env),
            stdout=(tmp_path / "worker.log").open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        with web.processes(1, tmp_path, **env) as (site,):
            restarts, answered = [], [0]

            def restarter():
                for after in RESTART_AFTER:
                    while len(restarts) < len(RESTART_AFTER) and answered[0] < after:
                        time.sleep(0.05)
                    cluster.restart()
                    restarts.append(time.monotonic())

            def open_one(i: int):
                body = {
                    "subject": f"Restart {i}", "body": "Opened while the database restarts",
                    "severity": "high", "version": "3.31", **PROBLEM_DETAILS,
                }  # fmt: skip
                status, answer = web.request(
                    f"{site.url}/api/tickets", method="POST", token=secret, json_body=body
                )
                answered[0] += 1
                return i, status, answer

            thread = threading.Thread(target=restarter, daemon=True)
            thread.start()
            with ThreadPoolExecutor(AT_ONCE) as pool:
                answers = list(pool.map(open_one, range(REQUESTS)))
            thread.join(120)

            # The worker must carry on by itself: wait for every row to be sent.
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                try:
                    (waiting,) = cluster.query(
                        "SELECT count(*) FROM notifications_outbox WHERE state <> 'sent'"
                    )[0]
                except Exception:
                    waiting = -1
                if waiting == 0:
                    break
                assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
                time.sleep(1)
            web_log = (tmp_path / "web0.log").read_text(errors="replace")

        statuses = Counter(status for _i, status, _a in answers)
        created = {f"Restart {i}" for i, status, _a in answers if status == 201}
        refused = {f"Restart {i}" for i, status, _a in answers if status != 201}
        in_database = {s for (s,) in cluster.query("SELECT subject FROM tickets_ticket")}
        rows = cluster.query("SELECT id, channel, state FROM notifications_outbox")
        accepted = Counter((tmp_path / "accepted.txt").read_text().split())
        emailed = {f"<outbox-{i}@pacto.localhost>" for i, channel, _s in rows if channel == "email"}
        unavailable = [json.loads(a) for _i, s, a in answers if s == 503]
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        smtp.stop()
        cluster.cleanup()

    lost = emailed - set(accepted)
    twice = [m for m in emailed if accepted[m] > 1]
    report(
        "PostgreSQL restarted while opening tickets", requests=REQUESTS, restarts=len(restarts),
        answered_201=statuses[201], answered_503=statuses[503],
        other=sum(n for s, n in statuses.items() if s not in (201, 503)),
        tickets=len(in_database & (created | refused)), outbox_rows=len(rows),
        emails_lost=len(lost), emails_twice=len(twice),
    )  # fmt: skip
    assert len(restarts) == len(RESTART_AFTER)
    assert set(statuses) <= {201, 503}, statuses
    assert all(u["detail"][0]["rule"] == "database_unavailable" for u in unavailable)
    assert "Traceback" not in web_log and '"exception"' not in web_log
    assert created <= in_database  # every 201 is a ticket
    assert not (refused & in_database)  # and no refused request left one behind
    assert {state for _i, _c, state in rows} == {"sent"}  # the worker resumed: all delivered
    assert lost == set()
    assert len(twice) <= 2 * len(RESTART_AFTER)  # at most the rows in flight at a restart
