"""``pacto kb import DIR`` and ``pacto kb export DIR``: articles as Markdown files with YAML
front matter (see ``pacto/kb/files.py``), with a progress bar on stderr."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pacto.accounts.models import User
from pacto.kb.files import export_directory, import_directory
from pacto.tickets.management.commands.sla_recompute import Progress


class Command(BaseCommand):
    help = "Import or export knowledge-base articles as Markdown files with YAML front matter."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        importing = sub.add_parser("import", help="create or update articles by slug and locale")
        importing.add_argument("directory")
        importing.add_argument(
            "--as", dest="actor", default="",
            help="email of the staff member the changes are recorded for (default: an administrator)",
        )  # fmt: skip
        exporting = sub.add_parser("export", help="write every article as DIR/<locale>/<slug>.md")
        exporting.add_argument("directory")

    def handle(self, *args, **options):
        directory = Path(options["directory"])
        if options["action"] == "export":
            directory.mkdir(parents=True, exist_ok=True)
            progress = Progress(self.stderr, 0, noun="articles")
            count = export_directory(directory, progress=self._bar(progress))
            progress.finish()
            self.stdout.write(json.dumps({"exported": count}))
            return
        if not directory.is_dir():
            raise CommandError(f"{directory}: not a directory")
        actor = self._actor(options["actor"])
        progress = Progress(self.stderr, 0, noun="articles")
        result = import_directory(actor, directory, progress=self._bar(progress))
        if progress.total:
            progress.finish()
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(
            json.dumps({"created": result.created, "updated": result.updated,
                        "unchanged": result.unchanged, "errors": len(result.errors)})
        )  # fmt: skip
        if result.errors:
            raise CommandError(f"{len(result.errors)} file(s) were not imported")

    @staticmethod
    def _bar(progress: Progress):
        def advance(done: int, total: int) -> None:
            progress.total = total
            progress.advance()

        return advance

    @staticmethod
    def _actor(email: str) -> User:
        staff = User.objects.filter(is_active=True).exclude(role=User.Role.CONTACT)
        if email:
            actor = staff.filter(email__iexact=email).first()
            if actor is None:
                raise CommandError(f"--as {email}: no active staff member has this address")
            return actor
        actor = (
            staff.filter(role=User.Role.ADMIN).order_by("pk").first()
            or staff.order_by("pk").first()
        )
        if actor is None:
            raise CommandError("no staff member exists yet: create one, or pass --as EMAIL")
        return actor
