"""The monthly SLA report over 1,000,000 tickets with their clocks on PostgreSQL, and one
organization's customer report PDF.

    uv run python benchmarks/reports.py                   # 1,000,000 tickets, November 2025
    uv run python benchmarks/reports.py --tickets 50000   # a quick look
    uv run python benchmarks/reports.py --rebuild         # drop and load the data again

It uses its own database (``pacto_bench_reports`` on 127.0.0.1:5432 by default; ``--url``),
migrates it, builds 500 customer organizations with a senhasegura contract each (plans in
turn) through the actions, and then generates the tickets and their three clocks in bulk
with ``generate_series`` (seeded by the row number, so the same data every time): tickets
spread over 2025, 2 % of them still open; first response, resolution and periodic update
each met (about 90 %), breached (about 8 %) or still running (the open tickets), about a
third with a paused segment.

Timed (best of ``--repeat``): ``sla_figures`` for November 2025 grouped by severity × plan ×
organization (every figure of the report: groups, breaches, backlog, reopen rate and
first-contact resolution); then the customer report of one organization (content, stored
run, PDF). The query plans of the report's statements are printed (EXPLAIN ANALYZE).
Goals: under 1 s and under 3 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--organizations", type=int, default=500)
    parser.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/pacto_bench_reports")
    parser.add_argument("--rebuild", action="store_true", help="drop the database and load again")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--plans", action="store_true", help="print the query plans")
    return parser.parse_args()


ARGS = parse_args()
os.environ["DATABASE_URL"] = ARGS.url
os.environ.setdefault("PACTO_DEBUG", "1")
os.environ["PACTO_OUTBOX_DOORBELL"] = "0"
os.environ.setdefault("PACTO_LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacto.settings")

import psycopg  # noqa: E402

NOW = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)
MONTH = "2025-11"


def ensure_database(url: str, rebuild: bool) -> bool:
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
from django.db import connection, models, transaction  # noqa: E402

from pacto.accounts.actions import (  # noqa: E402
    do_create_contact,
    do_create_organization,
    do_create_staff,
)
from pacto.accounts.models import Organization  # noqa: E402
from pacto.contracts.actions import do_create_contract, preset_version  # noqa: E402
from pacto.reports.actions import do_run_customer_report  # noqa: E402
from pacto.reports.figures import Period, sla_figures  # noqa: E402
from pacto.reports.pdf import render_pdf  # noqa: E402
from pacto.tickets.models import Ticket  # noqa: E402

REPORT_INDEXES = [
    importlib.import_module(f"pacto.reports.migrations.{name}")
    for name in ("0002_report_indexes", "0003_decided_indexes", "0004_covering_indexes")
]
# Dropped before the load; the migrations' statements, in order, build them after it.
REPORT_INDEX_NAMES = [
    "reports_clock_span",
    "reports_clock_met",
    "reports_clock_breached",
    "reports_clock_undecided",
    "reports_ticket_solved",
    "reports_ticket_closed",
]

# What each generated ticket column holds (the others get their field's empty default).
TICKET_EXPRESSIONS = {
    "organization_id": "(%(orgs)s::int[])[1 + g %% %(n)s]",
    "contract_id": "(%(contracts)s::int[])[1 + g %% %(n)s]",
    "policy_version_id": "%(pv)s",
    "plan": "(%(plans)s::text[])[1 + g %% %(n)s]",
    "severity": "(%(severities)s::text[])[1 + (g / 7) %% 4]",
    "proposed_severity": "(%(severities)s::text[])[1 + (g / 7) %% 4]",
    "channel": "(ARRAY['portal','email','phone','api'])[1 + (g / 3) %% 4]",
    "type": "'problem'",
    "category": "(ARRAY['access', 'installation', 'performance', ''])[1 + (g / 5) %% 4]",
    "subject": "'Generated ticket ' || g",
    "requester_id": "%(requester)s",
    "assignee_id": "(%(agents)s::int[])[1 + (g / 11) %% 3]",
    "status": "CASE WHEN g %% 50 = 0 THEN 'open' ELSE 'closed' END",
    "status_category": "CASE WHEN g %% 50 = 0 THEN 'open' ELSE 'closed' END",
    "opened_at": "%(start)s::timestamptz + (g * %(spread)s) * interval '1 second'",
    "updated_at": "%(start)s::timestamptz + (g * %(spread)s) * interval '1 second'",
    "status_changed_at": "%(start)s::timestamptz + (g * %(spread)s) * interval '1 second'",
    "solved_at": "CASE WHEN g %% 50 = 0 THEN NULL ELSE %(start)s::timestamptz "
    "+ (g * %(spread)s + 3600 * (1 + g %% 40)) * interval '1 second' END",
    "closed_at": "CASE WHEN g %% 50 = 0 THEN NULL ELSE %(start)s::timestamptz "
    "+ (g * %(spread)s + 3600 * (1 + g %% 40) + 86400 * 7) * interval '1 second' END",
}


def default_sql(field: models.Field) -> str:
    if field.null:
        return "NULL"
    if isinstance(field, models.JSONField):
        return "'{}'::jsonb" if field.default is dict else "'[]'::jsonb"
    if isinstance(field, models.BooleanField):
        return "true" if field.default is True else "false"
    if isinstance(field, models.IntegerField | models.FloatField):
        return str(field.default if isinstance(field.default, int | float) else 0)
    if isinstance(field, models.CharField | models.TextField):
        default = field.default if isinstance(field.default, str) else ""
        return "'" + default.replace("'", "''") + "'"
    raise ValueError(f"no default for {field.name}")


def build(tickets: int, organizations: int) -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    version = preset_version("senhasegura")
    policy = version.policy
    plans = [p.id for p in policy.plans]
    severities = [s.id for s in policy.severities][:4]
    agents = [
        do_create_staff(email=f"agent{i}@vendor.example", full_name=f"Agent {i}", role="agent",
                        line="first").pk
        for i in range(3)
    ]  # fmt: skip
    orgs, contracts, org_plans = [], [], []
    for i in range(organizations):
        org = do_create_organization(name=f"Customer {i:04d}", kind="customer")
        plan = plans[i % len(plans)]
        contract = do_create_contract(
            organization=org, service_contract_id=f"BENCH-{i:04d}", policy_version=version,
            plan=plan, starts_on=dt.date(2025, 1, 1),
        )  # fmt: skip
        orgs.append(org.pk)
        contracts.append(contract.pk)
        org_plans.append(plan)
    requester = do_create_contact(
        organization=Organization.objects.get(pk=orgs[0]), email="requester@customer.example",
        full_name="Requester", authorized=True, org_admin=True,
    )  # fmt: skip
    print(f"  {organizations} organizations and contracts: {time.perf_counter() - started:.1f} s")

    fields = [f for f in Ticket._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f.column for f in fields)
    values = ", ".join(
        TICKET_EXPRESSIONS[f.column] if f.column in TICKET_EXPRESSIONS else default_sql(f)
        for f in fields
    )
    params = {
        "orgs": orgs, "contracts": contracts, "plans": org_plans, "n": organizations,
        "pv": version.pk, "severities": severities, "requester": requester.pk, "agents": agents,
        "start": dt.datetime(2025, 1, 1, tzinfo=dt.UTC), "spread": 365 * 86400 / tickets,
        "count": tickets,
    }  # fmt: skip
    calendar = policy.default_calendar
    step = time.perf_counter()
    with connection.cursor() as cursor:
        # The reports' indexes are built after the load (faster than kept during it).
        for name in REPORT_INDEX_NAMES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        cursor.execute(
            f"INSERT INTO tickets_ticket ({columns}) SELECT {values} "
            "FROM generate_series(1, %(count)s) g",
            params,
        )
        print(f"  {tickets:,} tickets: {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()
        # Three clocks per ticket. ``h``: a per-clock number in 0..99 from the ticket id.
        cursor.execute(
            """
            INSERT INTO tickets_slaclock (ticket_id, metric, state, target, calendar,
                started_at, due_at, met_at, breached_at, elapsed_seconds, remaining_seconds,
                next_check_at, warnings, segments, paused_seconds, explanation, exempt_reason,
                computed_at)
            SELECT t.id, m.metric, x.state, m.target, %(calendar)s,
                t.opened_at,
                t.opened_at + m.seconds * interval '1 second',
                CASE WHEN x.state = 'met' THEN t.opened_at + x.took * interval '1 second' END,
                CASE WHEN x.state = 'breached'
                     THEN t.opened_at + m.seconds * interval '1 second' END,
                CASE WHEN x.state = 'running' THEN m.seconds / 3 ELSE x.took END,
                m.seconds - CASE WHEN x.state = 'running' THEN m.seconds / 3 ELSE x.took END,
                NULL, '[]'::jsonb,
                CASE WHEN x.h %% 3 = 0 THEN jsonb_build_array(jsonb_build_object(
                    'start', to_char((t.opened_at + interval '10 minutes') AT TIME ZONE 'UTC',
                                     'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
                    'end', to_char((t.opened_at + interval '40 minutes') AT TIME ZONE 'UTC',
                                   'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
                    'kind', 'paused', 'reason', 'waiting on customer', 'projected', false))
                     ELSE '[]'::jsonb END,
                CASE WHEN x.h %% 3 = 0 THEN 1800 ELSE 0 END,
                '["generated"]'::jsonb,
                CASE WHEN x.state = 'breached' AND x.h = 0 THEN 'third-party cause' ELSE '' END,
                %(now)s
            FROM tickets_ticket t
            CROSS JOIN (VALUES ('first_response', '4 business hours', 14400.0),
                               ('resolution', '5 business days', 180000.0),
                               ('periodic_update', '1 business days', 36000.0))
                 AS m(metric, target, seconds)
            CROSS JOIN LATERAL (
                SELECT h,
                       CASE WHEN t.status_category = 'open' THEN 'running'
                            WHEN h < 8 THEN 'breached' ELSE 'met' END AS state,
                       CASE WHEN h < 8 THEN m.seconds * (1.1 + h / 20.0)
                            ELSE m.seconds * (h / 110.0) END AS took
                FROM (SELECT ((t.id * 2654435761 + length(m.metric)) %% 100) AS h) hh
            ) x
            """,
            {"calendar": calendar, "now": NOW},
        )
        print(f"  {3 * tickets:,} clocks: {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in (s for module in REPORT_INDEXES for s in module.CREATE):
            cursor.execute(statement)
        # What autovacuum does soon after a bulk insert: statistics, and the visibility map
        # that lets the covering indexes answer without reading the table (without it the
        # met clocks' index-only scan fetched every row from the heap).
        cursor.execute("VACUUM (ANALYZE)")
    print(f"  indexes, statistics and visibility map: {time.perf_counter() - step:.1f} s")
    print(f"  generated in {time.perf_counter() - started:.1f} s")


def server_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (utime + stime from
    /proc, when the server runs on this machine; else None). Parallel workers not included."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def best(fn, repeat: int) -> tuple[dict, object]:
    """The fastest of ``repeat`` runs: wall time, this process's CPU and the server's CPU."""
    runs, result = [], None
    for _ in range(repeat):
        server = server_cpu()
        cpu, start = time.process_time(), time.perf_counter()
        result = fn()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        after = server_cpu()
        runs.append(
            {"wall": wall, "cpu": cpu, "server": after - server if server is not None else None}
        )
    return min(runs, key=lambda r: r["wall"]), result


def timing(run: dict) -> str:
    server = f", server CPU {run['server']:.2f} s" if run["server"] is not None else ""
    return f"{run['wall']:.3f} s wall (client CPU {run['cpu']:.2f} s{server})"


def explain_statements(fn) -> None:
    statements = []

    def record(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        fn()
    # In one transaction, with the report's own settings (SET LOCAL) applied as it applies them.
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            if sql.startswith("SET LOCAL"):
                cursor.execute(sql, params)
                continue
            if "tickets_slaclock" not in sql and "solved_at" not in sql:
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            print("\n" + " ".join(sql.split())[:300] + " …")
            print(plan)


def main() -> int:
    if FRESH or not Ticket.objects.exists():
        print(f"Generating {ARGS.tickets:,} tickets for {ARGS.organizations} organizations…")
        build(ARGS.tickets, ARGS.organizations)
    count = Ticket.objects.count()
    period = Period.parse(MONTH, "UTC")
    group_by = ["severity", "plan", "organization"]

    def report():
        return sla_figures(period, group_by=group_by, now=NOW)

    timed, figures = best(report, ARGS.repeat)
    seconds = timed["wall"]
    total = figures["metrics"]["first_response"]["total"]
    groups = len(figures["metrics"]["first_response"]["groups"])
    print(f"\nTickets: {count:,}; clocks: {3 * count:,}; load average {os.getloadavg()}")
    print(
        f"SLA report {MONTH}, severity × plan × organization: {timing(timed)} "
        f"(best of {ARGS.repeat}); first response: {total['counted']:,} counted, "
        f"{total['met']:,} met, {total['breached']:,} breached, {total['running']:,} running, "
        f"attainment {total['attainment_percent']} %; {groups} groups"
    )
    organization = Organization.objects.get(name="Customer 0007")

    def customer():
        run = do_run_customer_report(organization, MONTH, now=NOW)
        return render_pdf(run)

    customer()  # the first run is stored; the timed ones find it (and render the PDF again)
    timed_pdf, pdf = best(customer, ARGS.repeat)
    pdf_seconds = timed_pdf["wall"]
    print(f"Customer report PDF of {organization.name}: {timing(timed_pdf)}, {len(pdf):,} bytes")
    print(f"Load average after: {os.getloadavg()}")
    if ARGS.plans:
        explain_statements(report)
    ok = seconds < 1.0 and pdf_seconds < 3.0
    print("Goals (< 1 s, < 3 s):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
