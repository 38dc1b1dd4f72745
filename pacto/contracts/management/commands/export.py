"""``pacto export organizations|contacts|contracts FILE``: the same columns an import reads,
as CSV or XLSX by the file's name (``-`` writes CSV to stdout)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from pacto.contracts import onboarding


class Command(BaseCommand):
    help = "Export organizations, contacts or contracts as CSV or XLSX (importable again)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=tuple(onboarding.COLUMNS))
        parser.add_argument("file", help="a .csv or .xlsx file, or - for CSV on stdout")

    def handle(self, *args, kind, file, **options):
        rows = onboarding.export_rows(kind)
        if file == "-":
            self.stdout.write(onboarding.write_rows(kind, rows, "out.csv").decode(), ending="")
            return
        Path(file).write_bytes(onboarding.write_rows(kind, rows, file))
        self.stderr.write(f"Wrote {len(rows)} {kind} to {file}.")
