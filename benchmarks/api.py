"""Pacto's ticket API beside django-helpdesk and the ceiling of the stack, in one run.

    uv run python benchmarks/api.py                    # SQLite and PostgreSQL, the whole table
    uv run python benchmarks/api.py --db sqlite        # one database
    uv run python benchmarks/api.py --quick            # short windows, 10,000 tickets only

Everything runs on this machine's loopback, served the same way: gunicorn, 2 sync workers.

- Pacto in production mode: ``PACTO_DEBUG=0``, the API rate limits out of the way
  (``PACTO_API_RATE``), outgoing mail to a closed port, the doorbell on (the outbox rings a
  SQLite huey queue once per transaction, as in production; no worker runs, so no delivery
  competes for the CPU). Its own database: a fresh SQLite file under ``var/bench-api/`` or
  ``pacto_bench_api`` on PostgreSQL at 127.0.0.1:5432 (``--pg-url``).
- The peer, django-helpdesk 2.6.1, built and first measured by
  ``../shared/peers/django-helpdesk/run_peer.sh`` (its own venv, site and database), then
  served again from what that script built for the alternating runs.
- The ceiling, ``../shared/peers/limit/run_limit.sh``: a bare Django view that checks a
  token, inserts one row and answers JSON.

Every figure comes from the peer's load generator, ``../shared/peers/django-helpdesk/load.py``
(closed loop, concurrency 8), for all three. Each scenario is measured ``--rounds`` times,
alternating ceiling, Pacto, peer (A B A B), so that the machine's other work falls on all
of them alike; the table shows the median of the rounds. Scenarios:

- create: open a ticket with token auth. Pacto: a customer's authorized contact under the
  senhasegura preset, with every detail its §7.6 requires (severity, steps, version,
  expected and obtained results, circumstances). The peer: a staff token into a queue.
- create paced: the same at ``--rate`` requests/s (200), for p99 under a steady load.
- detail: one ticket with its clocks (Pacto: clocks, conversation and history; the peer:
  its ticket serializer).
- reply: a public agent reply (Pacto ``POST /api/tickets/{id}/replies``, answered with the
  ticket; the peer ``POST /api/followups/``). Each round replies to a ticket of its own.
- list: the default page (Pacto 25 newest with their clocks, the peer its default page),
  as staff, with 10,000 and with 100,000 tickets in the database.

SQL queries per request and in-process milliseconds come from a Django test client in the
same database (``profile`` below), the peer's from ``bench_data.py profile`` and the same
client for its detail and reply. The exit status is 1 when a goal of the issue is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _peers() -> Path:
    """``../shared/peers`` beside the repository (from a worktree nested one level deeper,
    the nearest such folder above it), or ``--peers``/``PACTO_BENCH_PEERS``."""
    if os.environ.get("PACTO_BENCH_PEERS"):
        return Path(os.environ["PACTO_BENCH_PEERS"])
    for folder in ROOT.parents:
        if (folder / "shared" / "peers").is_dir():
            return folder / "shared" / "peers"
    return ROOT.parent / "shared" / "peers"


PEERS = _peers()
LOAD = PEERS / "django-helpdesk" / "load.py"
RUN_PEER = PEERS / "django-helpdesk" / "run_peer.sh"
RUN_LIMIT = PEERS / "limit" / "run_limit.sh"
BENCH_DATA = PEERS / "django-helpdesk" / "bench_data.py"
# Where run_peer.sh builds the peer (fixed in that script).
PEER_VENV = Path("/tmp/dhd-venv")
PEER_SITE = Path("/tmp/dhd-site")
PYTHON = sys.executable
VAR = ROOT / "var" / "bench-api"

PACTO_PORT = 18231
PEER_PORT = 18232

CREATE_BODY = {
    "subject": "Load test ticket {{seq}}",
    "body": "The nightly export fails with error 500 since the last upgrade.\n"
    "Steps: open Reports, click Export.",
    "severity": "medium",
    "version": "4.1.2",
    "steps": "Open Reports, click Export.",
    "expected_result": "A CSV file downloads.",
    "obtained_result": "Error 500.",
    "circumstances": "Since the upgrade to 4.1.2 last night.",
}
REPLY_BODY = {"body": "Thanks: we are looking into it. Reply {{seq}}."}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="the whole comparison (the default)")
    for p in (parser, run):
        p.add_argument("--db", default="sqlite,pg", help="sqlite, pg or both (sqlite,pg)")
        p.add_argument("--seconds", type=float, default=15.0, help="window of each measurement")
        p.add_argument("--warmup", type=float, default=3.0)
        p.add_argument("--rounds", type=int, default=2, help="A B rounds of every scenario")
        p.add_argument("--rate", type=float, default=200.0, help="paced create, requests/s")
        p.add_argument("--tickets", default="10000,100000", help="list sizes")
        p.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/pacto_bench_api")
        p.add_argument("--no-peer", action="store_true", help="Pacto and the ceiling only")
        p.add_argument("--quick", action="store_true", help="5 s windows, 10,000 tickets")
        p.add_argument("--out", default=str(VAR / "results"), help="folder for the JSON")
    # Children that run inside Pacto's Django (the environment names the database).
    setup = sub.add_parser("setup", help="(child) migrate and build the benchmark world")
    setup.add_argument("--rounds", type=int, default=2)
    seed = sub.add_parser("seed", help="(child) copy tickets until there are N")
    seed.add_argument("n", type=int)
    tab = sub.add_parser("table", help="print the table again from the saved results")
    tab.add_argument("--db", default="sqlite,pg")
    tab.add_argument("--out", default=str(VAR / "results"))
    prof = sub.add_parser("profile", help="(child) SQL queries and ms per request in-process")
    prof.add_argument("--world", required=True)
    prof.add_argument("--cprofile", default="", help="scenario to run under cProfile")
    prof.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    if args.command is None:
        args.command = "run"
    return args


# ============================================================================ Django children


def _django(database_url: str | None = None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacto.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_setup(rounds: int) -> None:
    """Migrate; a vendor, a customer under senhasegura, its authorized contact and an agent
    with write tokens; the ticket read by ``detail`` and one ticket per round for ``reply``."""
    _django()
    import datetime as dt

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from pacto.accounts.actions import (
        do_create_contact,
        do_create_organization,
        do_create_staff,
        do_create_token,
    )
    from pacto.contracts.actions import do_create_contract, preset_version
    from pacto.tickets.actions import do_open_ticket

    agent = do_create_staff(email="fiona@vendor.example", full_name="Fiona", role="agent")
    organization = do_create_organization(name="Banco Azul", kind="customer")
    do_create_contract(
        organization=organization, service_contract_id="AZUL-2026",
        policy_version=preset_version("senhasegura"), plan="standard-8x5",
        starts_on=dt.date(2026, 1, 1),
    )  # fmt: skip
    contact = do_create_contact(
        organization=organization, email="alice@azul.example", full_name="Alice",
        authorized=True,
    )  # fmt: skip
    _, contact_token = do_create_token(contact, name="monitoring", scope="write")
    _, agent_token = do_create_token(agent, name="bench", scope="write")
    details = {k: v for k, v in CREATE_BODY.items() if k not in ("subject", "body", "severity")}
    version = details.pop("version")

    def open_one(subject: str) -> int:
        return do_open_ticket(
            contact, subject=subject, body=CREATE_BODY["body"], severity="medium",
            channel="api", version=version, details=details,
        ).pk  # fmt: skip

    world = {
        "contact_token": contact_token,
        "agent_token": agent_token,
        "detail_ticket": open_one("The ticket read by the detail benchmark"),
        "reply_tickets": [open_one(f"Reply benchmark, round {i + 1}") for i in range(rounds)],
    }
    print(json.dumps(world))


def child_seed(n: int) -> None:
    """Copies of a real ticket (opened by the action: its message, event and clocks) until
    the database holds ``n`` tickets, by INSERT … SELECT in the database; then ANALYZE."""
    _django()
    from django.db import connection, transaction

    from pacto.tickets.models import Message, SlaClock, Ticket, TicketEvent

    template = Ticket.objects.order_by("pk").first()
    have = Ticket.objects.count()
    if have >= n:
        return
    quote = connection.ops.quote_name

    def columns(model, skip=("id",)):
        return [quote(f.column) for f in model._meta.concrete_fields if f.column not in skip]

    last = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first()
    ticket_columns = ", ".join(columns(Ticket))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
            f"INSERT INTO {Ticket._meta.db_table} ({ticket_columns}) "
            f"SELECT {ticket_columns} FROM {Ticket._meta.db_table}, n WHERE id = %s",
            [n - have, template.pk],
        )
        for model, rows in (
            (Message, template.messages.order_by("pk")[:1]),
            (TicketEvent, template.events.order_by("pk")[:1]),
            (SlaClock, template.clocks.all()),
        ):
            cols = columns(model, skip=("id", "ticket_id"))
            for row in rows:
                cursor.execute(
                    f"INSERT INTO {model._meta.db_table} (ticket_id, {', '.join(cols)}) "
                    f"SELECT t.id, {', '.join('r.' + c for c in cols)} "
                    f"FROM {Ticket._meta.db_table} t, {model._meta.db_table} r "
                    f"WHERE t.id > %s AND r.id = %s",
                    [last, row.pk],
                )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(json.dumps({"tickets": Ticket.objects.count()}))


def child_profile(world_file: str, cprofile: str, repeat: int) -> None:
    """Each scenario through Django's test client: SQL queries and best milliseconds of
    ``repeat`` requests; with ``cprofile``, that scenario's top functions on stderr."""
    _django()
    from django.db import connection
    from django.test import Client

    from pacto.tickets.models import Ticket

    world = json.loads(Path(world_file).read_text())
    contact = Client(HTTP_AUTHORIZATION=f"Bearer {world['contact_token']}", HTTP_HOST="127.0.0.1")
    agent = Client(HTTP_AUTHORIZATION=f"Bearer {world['agent_token']}", HTTP_HOST="127.0.0.1")
    seq = iter(range(10**9))
    # A ticket of its own for the replies, so the benchmark's reply tickets stay as they are.
    reply_to = world["reply_tickets"][0]

    def body(template):
        return json.dumps(template).replace("{{seq}}", str(next(seq)))

    scenarios = {
        "create": lambda: contact.post(
            "/api/tickets", body(CREATE_BODY), content_type="application/json"
        ),
        "detail": lambda: agent.get(f"/api/tickets/{world['detail_ticket']}"),
        "reply": lambda: agent.post(
            f"/api/tickets/{reply_to}/replies", body(REPLY_BODY), content_type="application/json"
        ),
        "list": lambda: agent.get("/api/tickets"),
    }
    expected = {"create": 201, "detail": 200, "reply": 200, "list": 200}
    counter = [0, []]

    def count(execute, sql, params, many, context):
        counter[0] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            counter[1].append(((time.perf_counter() - started) * 1000, sql))

    out = {"tickets": Ticket.objects.count()}
    for name, call in scenarios.items():
        best = None
        cpu_samples = []
        for _ in range(repeat):
            counter[0], counter[1] = 0, []
            with connection.execute_wrapper(count):
                cpu = time.process_time()
                started = time.perf_counter()
                response = call()
                ms = (time.perf_counter() - started) * 1000
                cpu_ms = (time.process_time() - cpu) * 1000
            if response.status_code != expected[name]:
                raise SystemExit(f"{name}: HTTP {response.status_code} {response.content[:300]!r}")
            cpu_samples.append(cpu_ms)
            if best is None or ms < best[0]:
                sql_ms = sum(t for t, _ in counter[1])
                slowest = max(counter[1], default=(0, ""))
                best = (ms, counter[0], sql_ms, slowest)
        out[name] = {
            "queries": best[1], "ms": round(best[0], 2), "sql_ms": round(best[2], 2),
            # CPU time of this process (the database server's excluded): steadier than wall
            # time on a shared machine.
            "cpu_ms_median": round(statistics.median(cpu_samples), 2),
            "slowest_sql_ms": round(best[3][0], 2), "slowest_sql": best[3][1][:300],
        }  # fmt: skip
        if name == cprofile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(repeat):
                call()
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(25)
    print(json.dumps(out))


# ============================================================================ the orchestra


def log(message: str) -> None:
    print(f"[api-bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def wait_for(url: str, headers: dict, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except Exception:  # not up yet
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not come up")


def warm(url: str, headers: dict, times: int = 6) -> None:
    """A few requests one after the other, so that every worker has imported what it
    needs and opened its database connection before a window starts."""
    for _ in range(times):
        with contextlib.suppress(Exception):
            request = urllib.request.Request(url, headers=headers)
            urllib.request.urlopen(request, timeout=60).read()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A gunicorn master started here and stopped by its pid."""

    def __init__(self, argv, env, log_path: Path, cwd=None):
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            argv, env=env, cwd=cwd, stdout=self.log, stderr=self.log, start_new_session=False
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Side:
    """One system under load: how to reach it and what each scenario sends."""

    def __init__(self, name, base, headers, scenarios):
        self.name, self.base, self.headers, self.scenarios = name, base, headers, scenarios


def load(
    args, url, method, headers, body, label, out_dir, rate=0.0, concurrency=8, timeout=30.0,
    seconds=None,
):  # fmt: skip
    out = out_dir / f"{label}.json"
    argv = [PYTHON, str(LOAD), "--url", url, "--method", method, "--quiet",
            "--seconds", str(seconds or args.seconds), "--warmup", str(args.warmup),
            "--concurrency", str(concurrency), "--timeout", str(timeout),
            "--label", label, "--json-out", str(out)]  # fmt: skip
    for name, value in headers.items():
        argv += ["--header", f"{name}: {value}"]
    if body is not None:
        body_file = out_dir / f"{label}.body.json"
        body_file.write_text(json.dumps(body))
        argv += ["--body-file", str(body_file)]
    if rate:
        argv += ["--rate", str(rate)]
    subprocess.run(argv, check=True)
    result = json.loads(out.read_text())
    bad = {k: v for k, v in result["status"].items() if not k.startswith("2")}
    log(
        f"{label}: {result['requests_per_s']:.1f} req/s, p50 {result['latency_ms']['p50']}, "
        f"p99 {result['latency_ms']['p99']}" + (f", NOT OK {bad} {result['error_samples']}" if bad else "")
    )  # fmt: skip
    return result


def limit_run(args, mode, out_dir, label):
    env = {
        **os.environ,
        "DURATION": str(args.seconds),
        "WARMUP": str(args.warmup),
        "OUT": str(out_dir),
    }
    subprocess.run(
        ["bash", str(RUN_LIMIT), mode, PYTHON], env=env, check=True, stdout=subprocess.DEVNULL
    )
    result = json.loads((out_dir / "limit.json").read_text())
    (out_dir / "limit.json").rename(out_dir / f"{label}.json")
    log(f"{label}: {result['requests_per_s']:.1f} req/s, p99 {result['latency_ms']['p99']}")
    return result


def pacto_env(database_url: str, work: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PACTO_", "DJANGO_"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="pacto.settings",
        PACTO_DEBUG="0",
        PACTO_SECRET_KEY="api-benchmark-" + "x" * 40,
        PACTO_API_RATE="100000000/min",
        PACTO_API_ANON_RATE="100000000/min",
        PACTO_QUEUE_URL=f"sqlite://{work / 'huey.sqlite3'}",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(closed_port()),
        PACTO_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def child(args_list, env, capture=True) -> str:
    result = subprocess.run(
        [PYTHON, str(Path(__file__).resolve()), *args_list], env=env, cwd=ROOT, check=True,
        stdout=subprocess.PIPE if capture else None, text=True,
    )  # fmt: skip
    return result.stdout


def peer_env(mode: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PACTO_", "DJANGO_", "DATABASE_URL"))
    }
    env.update(PYTHONPATH=str(PEER_SITE), DJANGO_SETTINGS_MODULE="dhdsite.settings")
    if mode == "pg":
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/dhd_bench"
    return env


PEER_PROFILE = r"""
import json, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token
token, detail, reply = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
n = [0]
def count(execute, sql, params, many, context):
    n[0] += 1
    return execute(sql, params, many, context)
out = {}
calls = {
    "detail": (lambda: client.get(f"/api/tickets/{detail}/"), 200),
    "reply": (lambda: client.post("/api/followups/", data=json.dumps({"ticket": reply,
        "comment": "Thanks: we are looking into it.", "public": True}),
        content_type="application/json"), 201),
}
for name, (call, want) in calls.items():
    best = None
    for _ in range(5):
        n[0] = 0
        with connection.execute_wrapper(count):
            t = time.perf_counter(); r = call(); ms = (time.perf_counter() - t) * 1000
        if r.status_code != want:
            raise SystemExit(f"{name}: {r.status_code} {r.content[:300]!r}")
        if best is None or ms < best[0]:
            best = (ms, n[0])
    out[name] = {"queries": best[1], "ms": round(best[0], 2)}
print(json.dumps(out))
"""


def peer_post(base, token, path, body) -> dict:
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def run_database(args, mode: str, out_root: Path) -> dict:
    """Every scenario on one database; returns {scenario: {side: [results]}} and profiles."""
    out = out_root / mode
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    work = VAR / mode
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    if mode == "sqlite":
        database_url = f"sqlite:///{work / 'pacto.sqlite3'}"
    else:
        database_url = args.pg_url
        import psycopg

        name = database_url.rsplit("/", 1)[1]
        with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}"')
    env = pacto_env(database_url, work)
    log(f"{mode}: Pacto database {database_url}")
    world = json.loads(child(["setup", "--rounds", str(args.rounds)], env))
    world_file = work / "world.json"
    world_file.write_text(json.dumps(world))

    servers = []
    results: dict = {"_profile": {}}

    def record(scenario, side, result):
        results.setdefault(scenario, {}).setdefault(side, []).append(result)
        (out / "partial.json").write_text(json.dumps(results, indent=1))  # for `table`

    try:
        pacto = Server(
            [str(Path(PYTHON).parent / "gunicorn"), "pacto.wsgi:application", "--workers", "2",
             "--bind", f"127.0.0.1:{PACTO_PORT}", "--log-level", "warning", "--timeout", "120"],
            env, work / "gunicorn.log", cwd=ROOT,
        )  # fmt: skip
        servers.append(pacto)
        pbase = f"http://127.0.0.1:{PACTO_PORT}"
        wait_for(
            f"{pbase}/api/tickets?limit=1", {"Authorization": f"Bearer {world['agent_token']}"}
        )
        contact_h = {"Authorization": f"Bearer {world['contact_token']}"}
        agent_h = {"Authorization": f"Bearer {world['agent_token']}"}
        warm(f"{pbase}/api/tickets/{world['detail_ticket']}", agent_h)

        peer = None
        if not args.no_peer:
            log(f"{mode}: building and measuring the peer with run_peer.sh")
            peer_out = out / "run_peer"
            subprocess.run(
                ["bash", str(RUN_PEER), mode],
                env={**os.environ, "PORT": str(PEER_PORT), "DURATION": str(args.seconds),
                     "WARMUP": str(args.warmup), "LIST_TICKETS": "0", "BASIC_RUN": "0",
                     "OUT": str(peer_out)},
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            setup = json.loads((peer_out / "setup.json").read_text())
            penv = peer_env(mode)
            peer = Server(
                [str(PEER_VENV / "bin" / "gunicorn"), "dhdsite.wsgi:application", "--chdir",
                 str(PEER_SITE), "--workers", "2", "--bind", f"127.0.0.1:{PEER_PORT}",
                 "--log-level", "warning", "--timeout", "120"],
                penv, out / "peer-gunicorn.log", cwd=PEER_SITE,
            )  # fmt: skip
            servers.append(peer)
            qbase = f"http://127.0.0.1:{PEER_PORT}"
            peer_h = {"Authorization": f"Token {setup['token']}"}
            wait_for(f"{qbase}/api/tickets/?page_size=1", peer_h)
            warm(f"{qbase}/api/tickets/?page_size=1", peer_h)
            peer_ticket = {
                "queue": setup["queue_id"], "title": "Load test ticket {{seq}}",
                "description": CREATE_BODY["body"], "submitter_email": "customer@example.invalid",
                "priority": 3,
            }  # fmt: skip
            plain = {**peer_ticket, "title": "ticket"}
            peer_detail = peer_post(qbase, setup["token"], "/api/tickets/", plain)["id"]
            peer_replies = [
                peer_post(qbase, setup["token"], "/api/tickets/", plain)["id"]
                for _ in range(args.rounds)
            ]
            peer_profile_tickets = [
                peer_post(qbase, setup["token"], "/api/tickets/", plain)["id"] for _ in range(2)
            ]

        # -------------------------------------------------------------- create, detail, reply
        for r in range(args.rounds):
            record("create", "ceiling", limit_run(args, mode, out, f"create-ceiling-{r}"))
            record(
                "create",
                "pacto",
                load(
                    args,
                    f"{pbase}/api/tickets",
                    "POST",
                    contact_h,
                    CREATE_BODY,
                    f"create-pacto-{r}",
                    out,
                ),
            )
            if peer:
                record(
                    "create",
                    "peer",
                    load(
                        args,
                        f"{qbase}/api/tickets/",
                        "POST",
                        peer_h,
                        peer_ticket,
                        f"create-peer-{r}",
                        out,
                    ),
                )
        for r in range(args.rounds):
            record(
                "create paced",
                "pacto",
                load(
                    args,
                    f"{pbase}/api/tickets",
                    "POST",
                    contact_h,
                    CREATE_BODY,
                    f"paced-pacto-{r}",
                    out,
                    rate=args.rate,
                ),
            )
            if peer:
                record(
                    "create paced",
                    "peer",
                    load(
                        args,
                        f"{qbase}/api/tickets/",
                        "POST",
                        peer_h,
                        peer_ticket,
                        f"paced-peer-{r}",
                        out,
                        rate=args.rate,
                    ),
                )
        for r in range(args.rounds):
            record(
                "detail",
                "pacto",
                load(
                    args,
                    f"{pbase}/api/tickets/{world['detail_ticket']}",
                    "GET",
                    agent_h,
                    None,
                    f"detail-pacto-{r}",
                    out,
                ),
            )
            if peer:
                record(
                    "detail",
                    "peer",
                    load(
                        args,
                        f"{qbase}/api/tickets/{peer_detail}/",
                        "GET",
                        peer_h,
                        None,
                        f"detail-peer-{r}",
                        out,
                    ),
                )
        for r in range(args.rounds):
            record(
                "reply",
                "pacto",
                load(
                    args,
                    f"{pbase}/api/tickets/{world['reply_tickets'][r]}/replies",
                    "POST",
                    agent_h,
                    REPLY_BODY,
                    f"reply-pacto-{r}",
                    out,
                ),
            )
            if peer:
                body = {
                    "ticket": peer_replies[r],
                    "comment": "Thanks: we are looking into it. Reply {{seq}}.",
                    "public": True,
                }
                record(
                    "reply",
                    "peer",
                    load(
                        args,
                        f"{qbase}/api/followups/",
                        "POST",
                        peer_h,
                        body,
                        f"reply-peer-{r}",
                        out,
                    ),
                )

        # -------------------------------------------------------------- profiles (in-process)
        results["_profile"]["pacto_small"] = json.loads(
            child(["profile", "--world", str(world_file), "--repeat", "10"], env)
        )
        if peer:
            args_peer = [setup["token"], str(peer_profile_tickets[0]), str(peer_profile_tickets[1])]
            results["_profile"]["peer_small"] = json.loads(
                subprocess.run([str(PEER_VENV / "bin" / "python"), "-c", PEER_PROFILE, *args_peer],
                               env=penv, cwd=PEER_SITE, check=True, capture_output=True, text=True).stdout
            )  # fmt: skip

        # -------------------------------------------------------------- list at each size
        for size in [int(s) for s in args.tickets.split(",")]:
            log(f"{mode}: seeding to {size:,} tickets")
            child(["seed", str(size)], env)
            if peer:
                subprocess.run([str(PEER_VENV / "bin" / "python"), str(BENCH_DATA), "topup", str(size)],
                               env=penv, cwd=PEER_SITE, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
            scenario = f"list {size // 1000}k"
            for r in range(args.rounds):
                record(
                    scenario,
                    "pacto",
                    load(
                        args,
                        f"{pbase}/api/tickets",
                        "GET",
                        agent_h,
                        None,
                        f"list{size}-pacto-{r}",
                        out,
                    ),
                )
                if peer and (r == 0 or size < 100_000):
                    # The peer's page takes seconds at these sizes: two clients, a window of
                    # at least 30 s, one round at 100,000.
                    record(
                        scenario,
                        "peer",
                        load(
                            args,
                            f"{qbase}/api/tickets/",
                            "GET",
                            peer_h,
                            None,
                            f"list{size}-peer-{r}",
                            out,
                            concurrency=2,
                            timeout=120,
                            seconds=max(args.seconds, 30),
                        ),
                    )
            results["_profile"][f"pacto_{size}"] = json.loads(
                child(["profile", "--world", str(world_file), "--repeat", "5"], env)
            )
            if peer and size < 100_000:  # the peer's profile lists three times: minutes here
                results["_profile"][f"peer_{size}"] = json.loads(
                    subprocess.run([str(PEER_VENV / "bin" / "python"), str(BENCH_DATA), "profile"],
                                   env=penv, cwd=PEER_SITE, check=True, capture_output=True, text=True).stdout
                )  # fmt: skip
    finally:
        for server in reversed(servers):
            server.stop()
    return results


# ============================================================================ the table


def median(results, key):
    """The median over the rounds that completed requests (a server still cold, or a
    machine too busy, can finish none inside a window: that round is left out, and the
    table says so)."""
    done = [r for r in results if r["ok"]] or results
    values = [r[key] if key == "requests_per_s" else r["latency_ms"][key] for r in done]
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, spec=".0f"):
    return "-" if value is None else format(value, spec)


def table(mode: str, results: dict) -> tuple[list[str], list[str]]:
    lines, missed = [], []
    prof = results["_profile"]
    lines.append(f"\n### {'SQLite' if mode == 'sqlite' else 'PostgreSQL'}\n")
    lines.append(
        "| scenario | Pacto req/s | p50 ms | p99 ms | SQL/req | peer req/s | p50 ms | p99 ms "
        "| SQL/req | Pacto / peer | ceiling req/s | Pacto / ceiling |"
    )
    lines.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    ceiling = results.get("create", {}).get("ceiling")
    ceiling_rps = median(ceiling, "requests_per_s") if ceiling else None
    for scenario, sides in results.items():
        if scenario.startswith("_"):
            continue
        p, q = sides.get("pacto", []), sides.get("peer", [])
        kind = scenario.split()[0]
        size = scenario.split()[1] if kind == "list" else None
        pacto_profile = prof.get(f"pacto_{int(size[:-1]) * 1000}" if size else "pacto_small", {})
        peer_profile = prof.get(f"peer_{int(size[:-1]) * 1000}" if size else "peer_small", {})
        if kind == "create" or not peer_profile:  # bench_data.py's profile, at 10,000
            peer_profile = prof.get("peer_10000", {})
        p_rps, q_rps = median(p, "requests_per_s"), median(q, "requests_per_s") if q else None
        ratio = p_rps / q_rps if p_rps and q_rps else None
        of_ceiling = (
            p_rps / ceiling_rps
            if kind == "create" and ceiling_rps and scenario == "create"
            else None
        )
        lines.append(
            f"| {scenario} | {fmt(p_rps)} | {fmt(median(p, 'p50'), '.1f')} | "
            f"{fmt(median(p, 'p99'), '.1f')} | {pacto_profile.get(kind, {}).get('queries', '-')} | "
            f"{fmt(q_rps, '.1f')} | {fmt(median(q, 'p50'), '.1f') if q else '-'} | "
            f"{fmt(median(q, 'p99'), '.1f') if q else '-'} | {peer_profile.get(kind, {}).get('queries', '-')} | "
            f"{fmt(ratio, '.2f')}{'x' if ratio else ''} | "
            f"{fmt(ceiling_rps) if scenario == 'create' else ''} | "
            f"{fmt(100 * of_ceiling, '.0f') + ' %' if of_ceiling else ''} |"
        )
        if scenario == "create" and of_ceiling is not None and of_ceiling < 0.5:
            missed.append(f"{mode} create at {100 * of_ceiling:.0f} % of the ceiling (goal 50 %)")
        if scenario == "create paced" and (median(p, "p99") or 1e9) >= 100:
            missed.append(f"{mode} paced create p99 {median(p, 'p99'):.0f} ms (goal < 100)")
        if scenario == "list 100k" and (p_rps or 0) < 500:
            missed.append(f"{mode} list at 100,000 tickets {p_rps:.0f} req/s (goal 500)")
        if kind in ("detail", "reply") and ratio is not None and ratio < 2:
            missed.append(f"{mode} {kind} {ratio:.2f}x the peer (goal 2x)")
    empty = [
        f"{scenario} {side} round {i + 1}"
        for scenario, sides in results.items()
        if not scenario.startswith("_")
        for side, rounds in sides.items()
        for i, r in enumerate(rounds)
        if not r["ok"]
    ]
    if empty:
        lines.append("")
        lines.append("Rounds that completed no request inside the window: " + ", ".join(empty))
    lines.append("")
    lines.append("In-process, one request through Django's test client (best of several):")
    for key, value in prof.items():
        shown = {
            k: (v["queries"], v.get("ms", v.get("best_ms_in_process")))
            for k, v in value.items()
            if isinstance(v, dict)
        }
        parts = ", ".join(f"{k} {n} queries {ms} ms" for k, (n, ms) in shown.items())
        lines.append(
            f"- {key} ({value.get('tickets', value.get('tickets_at_start', '?'))} tickets): {parts}"
        )
    return lines, missed


def orchestrate(args) -> int:
    if args.quick:
        args.seconds, args.warmup, args.tickets = min(args.seconds, 5.0), 1.0, "10000"
    modes = [m.strip() for m in args.db.split(",") if m.strip()]
    out_root = Path(args.out).resolve()  # run_peer.sh works in its own folder
    out_root.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    all_lines = [
        f"API benchmark, {started}: gunicorn 2 sync workers each, load.py closed loop, "
        f"concurrency 8, warm-up {args.warmup:g} s, window {args.seconds:g} s, "
        f"{args.rounds} alternating rounds (median shown), paced create at {args.rate:g}/s",
        f"{os.cpu_count()} CPUs, load average at the start {', '.join(f'{x:.1f}' for x in load_before)}",
    ]
    missed = []
    for mode in modes:
        results = run_database(args, mode, out_root)
        (out_root / f"{mode}.json").write_text(json.dumps(results, indent=1))
        lines, miss = table(mode, results)
        all_lines += lines
        missed += miss
    all_lines.append(
        f"\nload average at the end {', '.join(f'{x:.1f}' for x in os.getloadavg())}; "
        "peer list with 2 clients (its page takes seconds)"
    )
    all_lines.append("goals: " + ("; ".join(missed) if missed else "all met"))
    text = "\n".join(all_lines)
    (out_root / "table.md").write_text(text + "\n")
    print(text)
    return 1 if missed else 0


def print_saved(args) -> int:
    """The tables of the last run (or of the part of it done so far) from its JSON."""
    missed = []
    for mode in [m.strip() for m in args.db.split(",") if m.strip()]:
        saved = Path(args.out) / f"{mode}.json"
        if not saved.exists():
            saved = Path(args.out) / mode / "partial.json"
        if not saved.exists():
            continue
        results = json.loads(saved.read_text())
        results.setdefault("_profile", {})
        lines, miss = table(mode, results)
        print("\n".join(lines))
        missed += miss
    print("goals: " + ("; ".join(missed) if missed else "all met"))
    return 1 if missed else 0


def main() -> int:
    args = parse_args()
    if args.command == "setup":
        child_setup(args.rounds)
    elif args.command == "seed":
        child_seed(args.n)
    elif args.command == "profile":
        child_profile(args.world, args.cprofile, args.repeat)
    elif args.command == "table":
        return print_saved(args)
    else:
        return orchestrate(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
