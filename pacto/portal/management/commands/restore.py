"""`pacto restore FILE`: load a `pacto backup` archive into an empty, migrated database."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from pacto.portal.backup import RestoreError, read_backup


class Command(BaseCommand):
    help = (
        "Load FILE, written by `pacto backup`, into this installation's database (run "
        "`pacto migrate` first; the database must hold no data yet) and media directory."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="an archive written by `pacto backup`")

    def handle(self, *args, file: str, **options):
        try:
            summary = read_backup(file, progress=self.stderr if options["verbosity"] else None)
        except RestoreError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{file}: restored {summary['rows']} rows of {summary['tables']} tables, "
            f"{summary['files']} files"
        )
