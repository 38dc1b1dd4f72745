"""Console speed: the queue page, the ticket page, a search and the queue's live-update poll
when nothing changed, with 100,000 tickets and 1,000,000 messages; p50 and p95, end to end
through the Django test client (session, middleware, templates).

Run on the database DATABASE_URL names (it is migrated and filled first; use a scratch one):

    DATABASE_URL=sqlite:///var/bench_console.sqlite3 PACTO_DEBUG=1 uv run python benchmarks/console.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacto_bench_console PACTO_DEBUG=1 uv run python benchmarks/console.py

``CONSOLE_BENCH_TICKETS`` / ``CONSOLE_BENCH_MESSAGES`` / ``CONSOLE_BENCH_REQUESTS`` change
the size (defaults 100,000 / 1,000,000 / 200); ``CONSOLE_BENCH_CASES=queue,ticket,search,live``
picks the cases (first word of each); ``--fill-only`` fills the database and stops.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import random
import statistics
import sys
import time
from types import SimpleNamespace

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacto.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from pacto.accounts.actions import do_create_contact, do_create_organization, do_create_staff  # noqa: E402
from pacto.accounts.models import User  # noqa: E402
from pacto.contracts.actions import do_create_contract, preset_version  # noqa: E402
from pacto.tickets.actions import do_open_ticket  # noqa: E402
from pacto.tickets.clocks import SUMMARY_FIELDS, sla_summary  # noqa: E402
from pacto.tickets.models import Message, SlaClock, Ticket, TicketEvent  # noqa: E402

TICKETS = int(os.environ.get("CONSOLE_BENCH_TICKETS", "100000"))
MESSAGES = int(os.environ.get("CONSOLE_BENCH_MESSAGES", "1000000"))
REQUESTS = int(os.environ.get("CONSOLE_BENCH_REQUESTS", "200"))
WORDS = [
    "vault",
    "password",
    "error",
    "certificate",
    "login",
    "timeout",
    "proxy",
    "session",
    "rotation",
    "keystore",
    "backup",
    "agent",
    "upgrade",
    "cluster",
    "database",
    "replica",
    "network",
    "firewall",
    "license",
    "report",
    "audit",
    "token",
    "policy",
    "schedule",
    "export",
    "import",
    "dashboard",
    "alert",
    "latency",
    "memory",
    "disk",
    "index",
    "queue",
    "worker",
]
BATCH = 5000


def text(rng: random.Random, n: int) -> str:
    rare = f"code{rng.randint(0, 99999)}"
    return " ".join(rng.choices(WORDS, k=n)) + f" {rare}."


def insert(model, columns: list[str], rows) -> int:
    """Write ``rows`` (tuples in ``columns`` order; every other field gets its default) into
    ``model``'s table: COPY on PostgreSQL, ``executemany`` in chunks on SQLite (its
    full-text triggers still index every message and subject)."""
    fields = [
        f for f in model._meta.concrete_fields if f.column not in columns and not f.primary_key
    ]
    defaults = [f.get_db_prep_save(f.get_default(), connection) for f in fields]
    names = [*columns, *(f.column for f in fields)]
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {model._meta.db_table} ({', '.join(names)}) FROM STDIN"
            with cursor.cursor.copy(sql) as stream:
                for row in rows:
                    stream.write_row((*row, *defaults))
                    count += 1
            return count
        sql = (
            f"INSERT INTO {model._meta.db_table} ({', '.join(names)}) "
            f"VALUES ({', '.join(['%s'] * len(names))})"
        )
        chunk = []
        for row in rows:
            chunk.append((*row, *defaults))
            if len(chunk) >= BATCH:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def json_value(value):
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return json.dumps(value)


def fill(rng: random.Random) -> User:
    if Ticket.objects.count() >= TICKETS:
        return User.objects.get(email="bench-agent@vendor.example")
    agent = do_create_staff(
        email="bench-agent@vendor.example", full_name="Bench Agent", role="agent", password="x"
    )
    org = do_create_organization(name="Bench Azul", kind="customer")
    do_create_contract(
        organization=org, service_contract_id="BENCH-1", policy_version=preset_version("senhasegura"),
        plan="standard-8x5", starts_on=dt.date.today() - dt.timedelta(days=30),
        products=[("senhasegura PAM", "Core", 1)],
    )  # fmt: skip
    contact = do_create_contact(
        organization=org, email="bench@azul.example", full_name="Bench", password="x",
        authorized=True,
    )  # fmt: skip
    model = do_open_ticket(
        contact, subject="Template", body="x", severity="high", version="1",
        details={k: "x" for k in ("steps", "expected_result", "obtained_result", "circumstances")},
    )  # fmt: skip
    now = timezone.now()
    categories = ["open"] * 5 + ["pending", "waiting_on_customer", "solved", "closed", "closed"]
    statuses = {"open": "open", "pending": "pending", "waiting_on_customer": "waiting-on-customer",
                "solved": "solved", "closed": "closed"}  # fmt: skip
    severities = ["urgent", "high", "medium", "low"]
    opened_data = model.events.get(kind="opened").data
    warnings = [{"label": "75%", "threshold_seconds": 3600.0, "reached_at": None,
                 "expected_at": now.isoformat()}]  # fmt: skip
    # Generated rows go in as bulk COPY / executemany with explicit ids (the sequence is moved
    # past them after): a benchmark fixture, not a change any agent or customer could make.
    first = Ticket.objects.order_by("-id").values_list("id", flat=True).first() + 1
    tickets, clocks, events = [], [], []
    for tid in range(first, first + TICKETS - 1):
        category = rng.choice(categories)
        opened = now - dt.timedelta(minutes=rng.randint(10, 400 * 24 * 60))
        severity = rng.choice(severities)
        summary = (None, None, False, False)
        if category not in ("solved", "closed"):
            # A running first-response clock: due from two days ago to three weeks ahead,
            # its warning expected before that (or all reached: the next check is the due).
            due = now + dt.timedelta(minutes=rng.randint(-3000, 30000))
            check = due if rng.random() < 0.2 else due - dt.timedelta(minutes=rng.randint(60, 6000))
            clock = SimpleNamespace(
                state="running", due_at=due, next_check_at=check, warnings=warnings,
                met_at=None, exempt_reason="", computed_at=now,
            )  # fmt: skip
            clocks.append((tid, "first_response", "running", due, check, json_value(warnings), now))
            summary = tuple(sla_summary([clock]).values())
        tickets.append((
            tid, org.pk, contact.pk, model.contract_id, model.policy_version_id, model.plan,
            text(rng, 5), severity, "high", statuses[category], category, opened, opened,
            agent.pk if tid % 3 == 0 else None, "senhasegura PAM", *summary,
        ))  # fmt: skip
        # Every ticket's history starts with its "opened" event (the ticket page replays it).
        events.append((tid, "opened", contact.pk, opened,
                       json_value({**opened_data, "severity": severity})))  # fmt: skip
    insert(Ticket, ["id", "organization_id", "requester_id", "contract_id", "policy_version_id",
                    "plan", "subject", "severity", "proposed_severity", "status",
                    "status_category", "opened_at", "updated_at", "assignee_id", "product",
                    *SUMMARY_FIELDS], tickets)  # fmt: skip
    insert(SlaClock, ["ticket_id", "metric", "state", "due_at", "next_check_at", "warnings",
                      "computed_at"], clocks)  # fmt: skip
    insert(TicketEvent, ["ticket_id", "kind", "actor_id", "at", "data"], events)
    print(f"  {len(tickets)} tickets, {len(clocks)} clocks", file=sys.stderr)
    ids = range(first, first + TICKETS - 1)
    made = Message.objects.count()

    def messages():
        for k in range(MESSAGES - made):
            author = agent.pk if k % 2 else contact.pk
            body = text(rng, rng.randint(20, 60))
            yield (rng.choice(ids), author, k % 5 != 0, "", body, now)

    insert(Message, ["ticket_id", "author_id", "public", "body_html", "body_text",
                     "created_at"], messages())  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("tickets_ticket", "tickets_slaclock", "tickets_ticketevent",
                          "tickets_message"):  # fmt: skip
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
    return agent


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def timed(client: Client, url: str, expect: int) -> float:
    start = time.perf_counter()
    response = client.get(url)
    took = (time.perf_counter() - start) * 1000
    assert response.status_code == expect, (url, response.status_code)
    return took


def main() -> int:
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(20261202)
    with transaction.atomic():
        agent = fill(rng)
    with connection.cursor() as cursor:
        # Statistics for the planners, and PostgreSQL's visibility map for index-only scans
        # (autovacuum's work on a live database).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"setup {time.perf_counter() - started:.1f} s (cpu {time.process_time():.1f} s)",
        file=sys.stderr,
    )
    if "--fill-only" in sys.argv:
        return 0
    client = Client(HTTP_HOST="localhost")
    client.force_login(agent)
    ids = list(Ticket.objects.values_list("id", flat=True)[:5000])
    queue_urls = ["/console/?queue=all", "/console/?queue=mine", "/console/?queue=breached",
                  "/console/?queue=all&sort=-opened", "/console/?queue=all&state=closed"]  # fmt: skip
    stamp = client.get("/console/").content.decode().split('data-stamp="')[1].split('"')[0]
    cases = {
        "queue page": lambda i: timed(client, queue_urls[i % len(queue_urls)], 200),
        "ticket page": lambda i: timed(client, f"/console/tickets/{rng.choice(ids)}/", 200),
        "search": lambda i: timed(
            client, f"/console/search/?q={rng.choice(WORDS)}+code{rng.randint(0, 99999)}", 200
        ),
        "live (no change)": lambda i: timed(client, f"/console/live/?since={stamp}", 204),
    }
    goals = {"queue page": 150, "ticket page": 150, "search": 150, "live (no change)": 20}
    print(
        f"database: {connection.vendor}; {Ticket.objects.count()} tickets, "
        f"{Message.objects.count()} messages, {REQUESTS} requests each"
    )
    met = True
    logging.disable(logging.INFO)  # one log line per request would be timed too
    chosen = os.environ.get("CONSOLE_BENCH_CASES", "")
    for name, run in cases.items():
        if chosen and name.split()[0] not in chosen.split(","):
            continue
        for i in range(5):
            run(i)  # warm caches
        cpu = time.process_time()
        samples = [run(i) for i in range(REQUESTS)]
        cpu_ms = (time.process_time() - cpu) * 1000 / REQUESTS
        p50, p95 = percentiles(samples)
        met &= p95 < goals[name]
        print(
            f"{name:<17} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  cpu/request {cpu_ms:6.1f} ms"
            f"   (goal p95 < {goals[name]} ms)"
        )
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
