"""The worker's sweeps over a million open tickets on PostgreSQL.

    uv run python benchmarks/sweeps.py                 # 1,000,000 tickets, 1,000 due
    uv run python benchmarks/sweeps.py --tickets 20000 # a quick look
    uv run python benchmarks/sweeps.py --rebuild       # drop and load the data again

It uses its own database (``pacto_bench_sweeps`` on 127.0.0.1:5432 by default; ``--url``),
migrates it and loads it with COPY: N open tickets under the secpod preset, each with its
opened event and its persisted first-response clock, a lifecycle timer for one ticket in
ten, and 100,000 delivered outbox rows, all due in the future. Then it measures:

- an idle tick: every sweep (SLA clocks, pages, lifecycle) and the outbox delivery, with
  nothing due — what a worker pays every 15 seconds;
- a tick with D tickets whose 75 % warning is due (D ``clock_warning`` notifications), one
  with D tickets whose target was just missed (D breach events, D notices), and one with D
  Allure severity-1 tickets whose hour has passed (each escalated: breach, escalation and
  line events, the ticket's level and line, two notifications): each ticket's history is
  replayed through the SLA engine, the checkpoint recorded, the audit events and outbox
  rows written and the clocks stored, one transaction per chunk of 500 tickets.

Goals: idle < 20 ms, 1,000 due < 1 s. This is a benchmark, not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/pacto_bench_sweeps")
    parser.add_argument("--rebuild", action="store_true", help="drop the database and load again")
    parser.add_argument("--repeat", type=int, default=30, help="idle ticks to time")
    return parser.parse_args()


ARGS = parse_args()
os.environ["DATABASE_URL"] = ARGS.url
os.environ.setdefault("PACTO_DEBUG", "1")
os.environ["PACTO_OUTBOX_DOORBELL"] = "0"
os.environ.setdefault("PACTO_LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacto.settings")

import psycopg  # noqa: E402

NOW = dt.datetime(2026, 3, 11, 15, 0, tzinfo=dt.UTC)  # a Wednesday


def ensure_database(url: str, rebuild: bool) -> bool:
    """Create the benchmark database; True when it is new (needs loading)."""
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return not exists


FRESH = ensure_database(ARGS.url, ARGS.rebuild)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from pacto.accounts.actions import do_create_contact, do_create_organization, do_create_staff  # noqa: E402
from pacto.automation import jobs, sweeps  # noqa: E402
from pacto.automation.models import ClockAlert, LifecycleTimer  # noqa: E402
from pacto.contracts.actions import do_create_contract, preset_version  # noqa: E402
from pacto.notifications.models import Outbox  # noqa: E402
from pacto.tickets.models import SlaClock, Ticket, TicketEvent  # noqa: E402


def copy(model, columns: list[str], rows) -> int:
    """COPY rows (tuples in ``columns`` order; other fields get their defaults) into
    ``model``'s table."""
    fields = {
        f.column: f for f in model._meta.concrete_fields if f.column != "id" or "id" in columns
    }
    defaults = {}
    for column, field in fields.items():
        if column in columns:
            continue
        value = field.get_default()
        defaults[column] = field.get_db_prep_save(value, connection)
    names = [*columns, *defaults]
    constant = tuple(defaults.values())
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        sql = f"COPY {model._meta.db_table} ({', '.join(names)}) FROM STDIN"
        with raw.copy(sql) as stream:
            for row in rows:
                stream.write_row((*row, *constant))
                count += 1
    return count


def load(n: int) -> None:
    from psycopg.types.json import Jsonb

    print(f"loading {n:,} open tickets …", flush=True)
    started = time.monotonic()
    manager = do_create_staff(email="maria@vendor.example", full_name="Maria", role="manager")
    organization = do_create_organization(name="Bench Co", kind="customer", account_manager=manager)
    version = preset_version("secpod")
    contract = do_create_contract(
        organization=organization, service_contract_id="BENCH", policy_version=version,
        plan="standard", starts_on=dt.date(2026, 1, 1),
    )  # fmt: skip
    contact = do_create_contact(
        organization=organization, email="carol@bench.example", full_name="Carol", authorized=True
    )
    first = 1_000_000_000  # leave the sequence's low ids to the rest of the application
    spread = 30 * 24 * 3600

    def opened(i: int) -> dt.datetime:
        return NOW - dt.timedelta(seconds=60 + (i * 7919) % (10 * 24 * 3600))

    with transaction.atomic():
        copy(
            Ticket,
            ["id", "organization_id", "requester_id", "contract_id", "policy_version_id", "plan",
             "type", "subject", "severity", "proposed_severity", "status", "status_category",
             "opened_at", "updated_at", "status_changed_at", "channel", "environment"],
            (
                (first + i, organization.pk, contact.pk, contract.pk, version.pk, "standard",
                 "question", f"bench ticket {i}", "low", "low", "pending", "pending",
                 opened(i), opened(i), opened(i), "portal", "production")
                for i in range(n)
            ),
        )  # fmt: skip
        print(f"  tickets {time.monotonic() - started:.0f} s", flush=True)
        copy(
            TicketEvent,
            ["ticket_id", "kind", "at", "data"],
            (
                (first + i, "opened", opened(i), Jsonb({"severity": "low", "channel": "portal",
                 "environment": "production", "type": "question", "plan": "standard"}))
                for i in range(n)
            ),
        )  # fmt: skip
        print(f"  events {time.monotonic() - started:.0f} s", flush=True)
        copy(
            SlaClock,
            ["ticket_id", "metric", "state", "target", "calendar", "started_at", "due_at",
             "next_check_at", "warnings", "segments", "explanation", "computed_at"],
            (
                (first + i, "first_response", "running", "2 business days", "weekdays",
                 opened(i), NOW + dt.timedelta(seconds=600 + (i * 104729) % spread),
                 NOW + dt.timedelta(seconds=60 + (i * 104729) % spread), Jsonb([]), Jsonb([]),
                 Jsonb([]), opened(i))
                for i in range(n)
            ),
        )  # fmt: skip
        print(f"  clocks {time.monotonic() - started:.0f} s", flush=True)
        copy(
            LifecycleTimer,
            ["ticket_id", "rule_id", "status", "entered_at", "reminders_sent", "next_at"],
            (
                (first + i, "solve-no-feedback", "waiting-on-customer", opened(i), 0,
                 NOW + dt.timedelta(seconds=120 + (i * 31) % spread))
                for i in range(0, n, 10)
            ),
        )  # fmt: skip
        copy(
            Outbox,
            ["channel", "kind", "dedupe_key", "recipient", "ticket_id", "payload", "state",
             "attempts", "next_attempt_at", "created_at", "sent_at"],
            (
                ("email", "ticket_opened", f"bench:{i}", "carol@bench.example", first + i,
                 Jsonb({"ticket": first + i}), "sent", 1, opened(i), opened(i), opened(i))
                for i in range(min(n, 100_000))
            ),
        )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  loaded in {time.monotonic() - started:.0f} s", flush=True)


def allure_contract():
    """A contract under the Allure preset: severity 1 is answered within an hour, and a miss
    escalates (level up, notify, first line to second line)."""
    from pacto.contracts.models import Contract

    contract = Contract.objects.filter(service_contract_id="BENCH-ALLURE").first()
    if contract is None:
        organization = do_create_organization(name="Bench Allure", kind="customer")
        contract = do_create_contract(
            organization=organization, service_contract_id="BENCH-ALLURE",
            policy_version=preset_version("allure"), plan="saas", starts_on=dt.date(2026, 1, 1),
        )  # fmt: skip
    return contract


def make_due(n_due: int, offset: int, *, minutes_ago: int, escalating: bool = False) -> list[int]:
    """Turn ``n_due`` tickets into secpod critical tickets (2 hours, any day) — or, with
    ``escalating``, Allure severity-1 tickets (1 hour) — opened ``minutes_ago`` minutes
    before NOW, their clock due for attention now."""
    ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True)[offset : offset + n_due])
    at = NOW - dt.timedelta(minutes=minutes_ago)
    severity, target = ("sev1", 60) if escalating else ("critical", 120)
    extra = {}
    if escalating:
        contract = allure_contract()
        extra = {
            "contract": contract,
            "policy_version_id": contract.policy_version_id,
            "plan": "saas",
        }
    with transaction.atomic():
        Ticket.objects.filter(pk__in=ids).update(
            severity=severity, proposed_severity=severity, opened_at=at, updated_at=at,
            status_changed_at=at, status="pending", status_category="pending",
            escalation_level=0, support_line="first", **extra,
        )  # fmt: skip
        TicketEvent.objects.filter(ticket__in=ids).exclude(kind="opened").delete()
        TicketEvent.objects.filter(ticket__in=ids, kind="opened").update(
            at=at, data={"severity": severity, "channel": "portal", "type": "question"}
        )
        SlaClock.objects.filter(ticket__in=ids).update(
            state="running", next_check_at=min(at + dt.timedelta(minutes=target * 0.75), NOW),
            due_at=at + dt.timedelta(minutes=target), breached_at=None, warnings=[],
        )  # fmt: skip
        ClockAlert.objects.filter(ticket__in=ids).delete()
        Outbox.objects.filter(ticket__in=ids, state="pending").delete()
    return ids


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args)
    return (time.perf_counter() - started) * 1000, result


def main() -> None:
    if FRESH:
        call_command("migrate", verbosity=0)
    if Ticket.objects.count() < ARGS.tickets:
        if not FRESH:
            sys.exit(f"{ARGS.url} holds fewer than {ARGS.tickets:,} tickets: run with --rebuild")
        load(ARGS.tickets)
    total = Ticket.objects.count()
    print(f"{total:,} open tickets, {SlaClock.objects.count():,} clocks, "
          f"{LifecycleTimer.objects.count():,} lifecycle timers, "
          f"{Outbox.objects.count():,} outbox rows")  # fmt: skip

    rows = []
    # Idle: nothing is due.
    for name, function in (
        ("sweep_clocks", sweeps.sweep_clocks),
        ("sweep_pages", sweeps.sweep_pages),
        ("sweep_lifecycle", sweeps.sweep_lifecycle),
    ):
        samples = [timed(function, NOW)[0] for _ in range(ARGS.repeat)]
        rows.append((f"idle {name}", samples, "nothing due"))
    from pacto.notifications.delivery import deliver_due

    samples = [timed(deliver_due, NOW)[0] for _ in range(ARGS.repeat)]
    rows.append(("idle deliver_due", samples, "nothing due"))
    samples = [timed(jobs.run_once, NOW)[0] for _ in range(ARGS.repeat)]
    rows.append(("idle tick (all four)", samples, "nothing due"))

    # Due: warnings (75 % of 2 hours reached), then breaches.
    for label, minutes_ago, offset, key, escalating in (
        ("warnings", 100, 0, "warnings", False),
        ("breaches (notice to managers)", 125, ARGS.due, "breaches", False),
        ("breaches escalated (Allure)", 65, 2 * ARGS.due, "escalations", True),
    ):
        samples = []
        for _ in range(3):
            make_due(ARGS.due, offset, minutes_ago=minutes_ago, escalating=escalating)
            elapsed, counts = timed(sweeps.sweep_clocks, NOW)
            assert counts.get(key) == ARGS.due, counts
            samples.append(elapsed)
        rows.append((f"{ARGS.due:,} due {label}", samples, f"{counts}"))

    load_average = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print()
    print(f"load average (1, 5, 15 min) at the end: {load_average} on {os.cpu_count()} CPUs")
    print(f"| tick ({total:,} open tickets) | median ms | min ms | max ms | result |")
    print("| --- | ---: | ---: | ---: | --- |")
    missed = []
    for name, samples, result in rows:
        median = statistics.median(samples)
        print(f"| {name} | {median:.1f} | {min(samples):.1f} | {max(samples):.1f} | {result} |")
        goal = 20 if name.startswith("idle tick") else 1000 if "due" in name else None
        if goal is not None and median > goal:
            missed.append(f"{name}: {median:.0f} ms > {goal} ms")
    print("goals: idle tick < 20 ms, 1,000 due < 1,000 ms:", "; ".join(missed) or "met")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
