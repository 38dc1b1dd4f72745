"""The `pacto` command.

Engine subcommands (`sla`, `calendar`, `policy`) go straight to `pacto.sla.cli` and never
import Django, so they start in a fraction of a second and work without a database. Every
other subcommand is a Django management command, and so is `sla recompute`, which replays
stored tickets' clocks (the `sla_recompute` command).
"""

import os
import sys

ENGINE_COMMANDS = ("sla", "calendar", "policy", "availability", "services")
# Subcommands of engine groups that read or write the database, hence Django management
# commands: ``pacto availability compute`` is the engine, ``pacto availability import`` is not.
DJANGO_SUBCOMMANDS = {
    ("sla", "recompute"): "sla_recompute",
    ("availability", "import"): "availability_import",
    ("availability", "probe"): "availability_probe",
    ("availability", "month"): "availability_month",
    ("services", "export"): "services_export",
}

HELP = """\
usage: pacto <command> [options]

SLA engine (pure computation: no Django, no database):
  sla          SLA clocks: due times and elapsed business time
  calendar     business calendars, working hours and holidays
  policy       support policy files
  availability compute  the monthly availability figure from probe results (a file)
  services price  split work into business and off-hours time and price it

Support desk (Django; uses the database):
  sla recompute  recompute open tickets' clocks after a policy or calendar change
  availability import --probe NAME FILE   load probe results from CSV
  availability probe     run the due probes once
  availability month     the stored monthly figures of every probe
  services export --month YYYY-MM [--organization NAME] [--format csv|xlsx] FILE
                 the month's billable professional services
  worker         background work: SLA sweeps, escalations, paging, notifications
  mail           email in: ingest a message, poll IMAP mailboxes
  demo           load the demo data
  backup FILE    every table and uploaded file in one archive; restore FILE loads it
  migrate, runserver, createsuperuser, shell, collectstatic, ...
  Any Django management command works; `pacto help` lists them all.

`pacto <command> --help` describes one command.
"""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv if argv is None else argv
    command = argv[1] if len(argv) > 1 else None

    if command in (None, "-h", "--help"):
        print(HELP, end="")
        return 0

    if django_command := DJANGO_SUBCOMMANDS.get(tuple(argv[1:3])):
        argv = [argv[0], django_command, *argv[3:]]
    elif command in ENGINE_COMMANDS:
        return run_engine_command(argv[1:])

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacto.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 (reads the settings: errors show here, once)
    except ImproperlyConfigured as error:
        return _fail(f"configuration error: {error}")
    try:
        execute_from_command_line(["pacto", *argv[1:]])
    except OperationalError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return _fail(f"the database cannot be reached ({reason}); check DATABASE_URL")
    return 0


def _fail(message: str) -> int:
    """One clear line on standard error, no traceback: what is wrong and what to set."""
    print(f"pacto: {message}", file=sys.stderr)
    return 2


def run_engine_command(args: list[str]) -> int:
    try:
        from pacto.sla import cli as engine_cli
    except ModuleNotFoundError as error:
        if error.name != "pacto.sla.cli":
            raise
        print(
            f"pacto {args[0]}: the SLA engine's command line (pacto/sla/cli.py) "
            "is not part of this installation yet.",
            file=sys.stderr,
        )
        return 2
    return engine_cli.main(args) or 0
