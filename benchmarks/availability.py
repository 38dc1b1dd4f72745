"""The monthly availability figure of 1,000 probes over a month of 5-minute results on
PostgreSQL (about 8.9 million rows).

    uv run python benchmarks/availability.py                 # 1,000 probes, June 2026
    uv run python benchmarks/availability.py --probes 50     # a quick look
    uv run python benchmarks/availability.py --rebuild       # drop and load the data again

It uses its own database (``pacto_bench_availability`` on 127.0.0.1:5432 by default;
``--url``), migrates it and loads it with COPY: N probes on one &money contract, each with a
result for every 5-minute slot of the month (UTC grid, local month of Europe/Copenhagen),
about 0.3 % of them down and 0.1 % unknown, seeded. Then it times
``pacto.availability.figures.month_figures`` for all probes (the engine's eligible slots,
one grouped count and one fetch of the failing slots on the database, the engine's summary
per probe), and checks a sample of probes against ``probe_figure`` (each probe's rows read
and counted by the engine itself). Goal: under 5 s for 1,000 probes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--probes", type=int, default=1_000)
    parser.add_argument(
        "--url", default="postgres://postgres@127.0.0.1:5432/pacto_bench_availability"
    )
    parser.add_argument("--rebuild", action="store_true", help="drop the database and load again")
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args()


ARGS = parse_args()
os.environ["DATABASE_URL"] = ARGS.url
os.environ.setdefault("PACTO_DEBUG", "1")
os.environ["PACTO_OUTBOX_DOORBELL"] = "0"
os.environ.setdefault("PACTO_LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacto.settings")

import numpy as np  # noqa: E402
import psycopg  # noqa: E402

MONTH = (2026, 6)
NOW = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)


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
from django.db import connection  # noqa: E402

from pacto.accounts.actions import do_create_organization, do_create_staff  # noqa: E402
from pacto.availability.actions import do_create_probe  # noqa: E402
from pacto.availability.figures import month_figures, probe_figure  # noqa: E402
from pacto.availability.models import Probe, ProbeResult  # noqa: E402
from pacto.contracts.actions import do_create_contract, preset_version  # noqa: E402
from pacto.sla.availability import Month  # noqa: E402
from pacto.sla.calendar import to_us  # noqa: E402


def load(probes: int) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    manager = do_create_staff(email="bench@vendor.example", full_name="Bench", role="manager")
    organization = do_create_organization(name="Bench Bank", kind="customer")
    contract = do_create_contract(
        organization=organization, service_contract_id="BENCH-AVAIL",
        policy_version=preset_version("andmoney"), plan="standard",
        starts_on=dt.date(2026, 1, 1),
    )  # fmt: skip
    month = Month(*MONTH)
    calendar = contract.policy.calendar("business")
    first, last = (to_us(b) for b in month.bounds(calendar))
    step = 300 * 1_000_000
    slots = np.arange(-(-first // step) * step, last, step, dtype=np.int64)
    stamps = [
        dt.datetime.fromtimestamp(s / 1e6, dt.UTC).isoformat() for s in slots.tolist()
    ]  # text once
    rng = np.random.default_rng(20260601)
    table = ProbeResult._meta.db_table
    started = time.perf_counter()
    for n in range(probes):
        probe = do_create_probe(
            manager, contract, name=f"bench-{n:04d}", url=f"https://bench-{n}.example/",
            now=NOW,
        )  # fmt: skip
        draw = rng.random(len(slots))
        statuses = np.where(draw < 0.003, 0, np.where(draw < 0.004, 2, 1))
        latencies = rng.integers(5, 400, size=len(slots))
        with connection.cursor() as cursor:
            copy_sql = f"COPY {table} (probe_id, slot_start, status, latency_ms, source) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as stream:
                for stamp, status, latency in zip(
                    stamps, statuses.tolist(), latencies.tolist(), strict=True
                ):
                    stream.write_row((probe.pk, stamp, status, latency, 0))
        if (n + 1) % 100 == 0:
            print(f"  loaded {n + 1} probes ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")


def main() -> int:
    if FRESH or not Probe.objects.exists():
        print(f"Loading {ARGS.probes} probes x one month of 5-minute results (COPY)...")
        load(ARGS.probes)
    rows = ProbeResult.objects.count()
    probes = list(Probe.objects.select_related("contract__policy_version").order_by("pk"))
    month = Month(*MONTH)
    print(f"{len(probes)} probes, {rows:,} results in {month}")
    times = []
    for _ in range(ARGS.repeat):
        started = time.perf_counter()
        figures = month_figures(probes, month)
        times.append(time.perf_counter() - started)
    best = min(times)
    sample = probes[:: max(1, len(probes) // 5)][:5]
    for probe in sample:
        assert probe_figure(probe, month).as_json() == figures[probe.pk].as_json(), probe.name
    first = figures[probes[0].pk]
    print(
        f"monthly figure for all {len(probes)} probes: best {best:.2f} s of {ARGS.repeat} "
        f"(all: {', '.join(f'{t:.2f}' for t in times)} s); "
        f"{probes[0].name}: {first.availability_text} %, eligible {first.eligible_slots}, "
        f"{len(first.outages)} outages; {len(sample)} probes checked against probe_figure"
    )
    goal = 5.0 * len(probes) / 1000
    print(f"goal: < {goal:.1f} s: {'met' if best < goal else 'MISSED'}")
    return 0 if best < goal else 1


if __name__ == "__main__":
    sys.exit(main())
