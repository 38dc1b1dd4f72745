"""``pacto services export --month YYYY-MM [--organization NAME] [--format csv|xlsx] FILE``:
the month's billed professional services, one row per work log, with the quote and approval
each rests on; ``-`` writes CSV to standard output. The reconciliation against the approved
quotes is printed on standard error."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from pacto.accounts.models import Organization
from pacto.services import billing


class Command(BaseCommand):
    help = "Export a month's billed professional services (CSV or XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write; '-' for standard output (CSV)")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--organization", help="one customer, by name")
        parser.add_argument("--format", choices=("csv", "xlsx"), help="default: by the suffix")

    def handle(self, *args, file, month, organization=None, format=None, **options):
        try:
            the_month = billing.Month.parse(month)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        org = None
        if organization:
            org = Organization.objects.filter(name=organization).first()
            if org is None:
                raise CommandError(f"--organization: no organization named {organization!r}")
        form = format or ("xlsx" if file.endswith(".xlsx") else "csv")
        rows = billing.rows(the_month, org)
        if file == "-":
            if form == "xlsx":
                raise CommandError("--format xlsx needs a file, not standard output")
            self.stdout.write(billing.to_csv(rows), ending="")
        elif form == "xlsx":
            with open(file, "wb") as out:
                out.write(billing.to_xlsx(rows, the_month))
        else:
            with open(file, "w", encoding="utf-8", newline="") as out:
                out.write(billing.to_csv(rows))
        for item in billing.reconcile(the_month, org):
            print(
                f"{item.quote}: approved {item.approved}, billed {item.billed}, "
                f"difference {item.difference}",
                file=sys.stderr,
            )
        print(f"{len(rows)} rows for {the_month}", file=sys.stderr)
