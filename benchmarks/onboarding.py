"""Importing 1,000 contacts from one file, on SQLite (the embedded default).

    uv run python benchmarks/onboarding.py                # 1,000 contacts, 3 runs
    uv run python benchmarks/onboarding.py --contacts 5000

Each run starts from a fresh, migrated SQLite file under a temporary folder, with ten
customer organizations, and imports one CSV of N contacts through ``pacto import``'s own
code (``pacto.contracts.onboarding``): every row is checked and written by the actions, with
its audit event, its activation invitation and its outbox row, in one transaction. A second
import of the same file (nothing changes) is timed too. Goal: under 10 s for 1,000 contacts.
This is a benchmark, not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--contacts", type=int, default=1000)
parser.add_argument("--runs", type=int, default=3)
ARGS = parser.parse_args()

FOLDER = Path(tempfile.mkdtemp(prefix="pacto-bench-onboarding-"))
os.environ["DATABASE_URL"] = f"sqlite:///{FOLDER / 'bench.sqlite3'}"
os.environ["PACTO_VAR_DIR"] = str(FOLDER)
os.environ.setdefault("PACTO_SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("PACTO_DEBUG", "0")  # production mode: no SQL logging
os.environ["PACTO_OUTBOX_DOORBELL"] = "0"
os.environ.setdefault("PACTO_LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacto.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from pacto.accounts.actions import do_create_organization, do_create_staff  # noqa: E402
from pacto.accounts.models import User  # noqa: E402
from pacto.contracts import onboarding  # noqa: E402

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def csv_text(n: int) -> bytes:
    lines = ["email,full_name,organization,authorized,language,time_zone,invite"]
    for i in range(n):
        lines.append(
            f"contact{i}@customer{i % 10}.example,Contact {i},Customer {i % 10},"
            f"{'yes' if i % 3 else 'no'},{'pt-br' if i % 2 else 'en'},America/Sao_Paulo,yes"
        )
    return ("\n".join(lines) + "\n").encode()


def one_run(n: int) -> tuple[float, float]:
    call_command("flush", interactive=False, verbosity=0)
    manager = do_create_staff(email="bench@vendor.example", full_name="Bench", role="manager")
    for i in range(10):
        do_create_organization(name=f"Customer {i}", kind="customer")
    data = csv_text(n)
    start = time.perf_counter()
    rows = onboarding.read_rows(data, "contacts.csv")
    report = onboarding.run_import(manager, "contacts", rows)
    first = time.perf_counter() - start
    assert report.created == n and not report.problems, report.summary()
    start = time.perf_counter()
    again = onboarding.run_import(manager, "contacts", onboarding.read_rows(data, "contacts.csv"))
    second = time.perf_counter() - start
    assert again.unchanged == n, again.summary()
    assert User.objects.filter(role=User.Role.CONTACT).count() == n
    return first, second


def main() -> None:
    call_command("migrate", interactive=False, verbosity=0)
    print(
        f"SQLite {connection.Database.sqlite_version}, {ARGS.contacts} contacts, {ARGS.runs} runs"
    )
    results = [one_run(ARGS.contacts) for _ in range(ARGS.runs)]
    print("| run | first import (created) | second import (unchanged) | per row |")
    print("| --- | --- | --- | --- |")
    for index, (first, second) in enumerate(results, start=1):
        print(
            f"| {index} | {first:.2f} s | {second:.2f} s | {first / ARGS.contacts * 1000:.1f} ms |"
        )
    best = min(first for first, _ in results)
    print(f"best first import: {best:.2f} s (goal < 10 s: {'met' if best < 10 else 'MISSED'})")


if __name__ == "__main__":
    main()
