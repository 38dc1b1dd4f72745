"""`pacto backup FILE`: every table and every uploaded file in one zip archive."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from pacto.portal.backup import write_backup


class Command(BaseCommand):
    help = (
        "Write every table and every uploaded file (attachments, raw emails) to FILE, a zip "
        "archive that `pacto restore FILE` loads into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the archive, e.g. pacto-2026-12-01.zip")

    def handle(self, *args, file: str, **options):
        summary = write_backup(file, progress=self.stderr if options["verbosity"] else None)
        self.stdout.write(
            f"{file}: {summary['rows']} rows of {summary['tables']} tables, "
            f"{summary['files']} files"
        )
