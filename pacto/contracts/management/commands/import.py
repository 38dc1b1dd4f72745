"""``pacto import organizations|contacts|contracts FILE``: onboard customers in bulk.

    pacto import template KIND [--output FILE]   write a template (CSV, or XLSX by name)
    pacto import KIND FILE [--skip-invalid] [--actor EMAIL]

Every row is checked by the same actions as the console and the API. By default nothing is
written unless every row is valid; ``--skip-invalid`` writes the valid rows and reports the
others. Rows are matched by name / email / service contract ID, so a second run changes
nothing. Exit status 1 when a row has a problem.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pacto.accounts.models import User
from pacto.contracts import onboarding
from pacto.errors import ActionError
from pacto.progress import Progress

KINDS = tuple(onboarding.COLUMNS)


def actor_for(email: str | None) -> User:
    staff = User.objects.filter(is_active=True, role__in=[User.Role.MANAGER, User.Role.ADMIN])
    actor = staff.filter(email__iexact=email).first() if email else staff.order_by("pk").first()
    if actor is None:
        raise CommandError(
            f"--actor {email}: no active support manager with that email"
            if email
            else "no active support manager or administrator: create one, or pass --actor"
        )
    return actor


class Command(BaseCommand):
    help = "Import organizations, contacts or contracts from CSV or XLSX (or write a template)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=(*KINDS, "template"))
        parser.add_argument("file", nargs="?", help="the CSV or XLSX file (for template: KIND)")
        parser.add_argument("--skip-invalid", action="store_true", help="write the valid rows")
        parser.add_argument("--actor", help="the support manager recorded as making the changes")
        parser.add_argument("--output", help="template: where to write it (default: stdout, CSV)")

    def handle(self, *args, kind, file, skip_invalid, actor, output, **options):
        if kind == "template":
            return self.template(file, output)
        if not file:
            raise CommandError(f"pacto import {kind} FILE: name the file to import")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            rows = onboarding.read_rows(path.read_bytes(), path.name)
        except ActionError as error:
            raise CommandError(f"{file}: {error.message}") from None
        progress = Progress(self.stderr, len(rows), noun="rows")
        report = onboarding.run_import(
            actor_for(actor), kind, rows, skip_invalid=skip_invalid, progress=progress.advance
        )
        progress.finish()
        for problem in report.problems:
            self.stderr.write(f"{file}: {problem}")
        self.stdout.write(report.summary())
        if report.problems:
            if not report.written:
                self.stderr.write("Nothing was written. Fix the rows above, or --skip-invalid.")
            raise SystemExit(1)

    def template(self, kind: str | None, output: str | None) -> None:
        if kind not in KINDS:
            raise CommandError(f"pacto import template KIND: KIND is one of {', '.join(KINDS)}")
        data = onboarding.template(kind, output or f"{kind}.csv")
        if output:
            Path(output).write_bytes(data)
            self.stdout.write(f"Wrote {output}: the columns of {kind}, with an example row.")
        else:
            self.stdout.write(data.decode(), ending="")
