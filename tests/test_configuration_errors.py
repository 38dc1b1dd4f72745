"""A misconfigured installation says what is wrong in one line, whatever `pacto` subcommand
is run: no traceback to read through."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# The settings are read (and refused) in pacto/cli.py before any subcommand starts, so a
# few kinds of subcommand stand for all of them: a Django command, the worker, a mapped
# engine command, the mail poller and the backup.
SUBCOMMANDS = [
    ["migrate"],
    ["worker", "--once"],
    ["sla", "recompute"],
    ["mail", "poll", "--once"],
    ["backup", "backup.json"],
]
BROKEN = {
    "no secret key": ({"PACTO_SECRET_KEY": ""}, "Set PACTO_SECRET_KEY"),
    "a database URL of an unknown kind": (
        {"PACTO_SECRET_KEY": "k" * 50, "DATABASE_URL": "mongodb://db.internal/pacto"},
        "DATABASE_URL: Scheme 'mongodb://' is unknown",
    ),
    "a yes/no setting with a typo": (
        {"PACTO_SECRET_KEY": "k" * 50, "PACTO_SSL_REDIRECT": "ture"},
        "PACTO_SSL_REDIRECT='ture': use one of 1, true, yes, on, 0, false, no, off",
    ),
    "a number that is not one": (
        {"PACTO_SECRET_KEY": "k" * 50, "PACTO_SWEEP_EVERY_SECONDS": "fast"},
        "PACTO_SWEEP_EVERY_SECONDS='fast': a whole number is needed",
    ),
    "a number out of range": (
        {"PACTO_SECRET_KEY": "k" * 50, "PACTO_OUTBOX_MAX_ATTEMPTS": "0"},
        "PACTO_OUTBOX_MAX_ATTEMPTS='0': must be at least 1",
    ),
    "a database nobody answers at": (
        {"PACTO_SECRET_KEY": "k" * 50, "DATABASE_URL": "postgres://pacto@127.0.0.1:1/pacto"},
        "the database cannot be reached",
    ),
}


def run_pacto(args: list[str], env: dict[str, str], cwd) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PACTO_", "DATABASE"))}
    environment.update(env, PACTO_VAR_DIR=str(cwd))
    return subprocess.run(
        [sys.executable, "-m", "pacto", *args], env=environment, cwd=cwd,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("broken", list(BROKEN))
def test_every_subcommand_names_the_configuration_error_in_one_line(broken, tmp_path):
    env, expected = BROKEN[broken]
    commands = SUBCOMMANDS if broken == "no secret key" else SUBCOMMANDS[1:2]
    for args in commands:
        result = run_pacto(args, env, tmp_path)

        assert result.returncode == 2, (args, result.stderr)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, (args, result.stderr)
        assert lines[0].startswith("pacto: ") and expected in lines[0], (args, lines)
        assert "Traceback" not in result.stderr
