"""``pacto report``: the SLA figures of a month, and the monthly customer report.

    pacto report sla --month YYYY-MM [--organization NAME] [--group-by severity,plan]
                     [--time-zone ZONE] [--format json|csv|xlsx] [--output FILE]
    pacto report customer --month YYYY-MM --organization NAME [--output FILE.pdf]

The figures are the API's (``GET /api/reports/sla``) and the console's: one function,
``pacto.reports.figures.sla_figures``, over the stored clocks.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from pacto.accounts.models import Organization
from pacto.errors import ActionError
from pacto.reports import exports
from pacto.reports.figures import Period, sla_figures


def organization_named(name: str | None):
    if not name:
        return None
    found = Organization.objects.filter(name__iexact=name).first()
    if found is None:
        raise CommandError(f"no organization named {name!r}")
    return found


class Command(BaseCommand):
    help = "SLA figures of a month (sla) and the monthly customer report as PDF (customer)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="report", required=True)
        sla = sub.add_parser("sla", help="SLA figures of a month")
        sla.add_argument("--month", required=True, metavar="YYYY-MM")
        sla.add_argument("--organization", metavar="NAME")
        sla.add_argument("--group-by", default="severity", metavar="DIMENSIONS")
        sla.add_argument(
            "--time-zone", metavar="ZONE", help="the month's zone (default: TIME_ZONE)"
        )
        sla.add_argument("--format", choices=("json", "csv", "xlsx"), default="json")
        sla.add_argument("--output", metavar="FILE", help="write here instead of standard output")
        customer = sub.add_parser("customer", help="the monthly customer report (PDF)")
        customer.add_argument("--month", required=True, metavar="YYYY-MM")
        customer.add_argument("--organization", required=True, metavar="NAME")
        customer.add_argument("--output", required=True, metavar="FILE")
        customer.add_argument(
            "--new-version", action="store_true", help="store a new run (after a recompute)"
        )

    def handle(self, *args, report=None, **options):
        try:
            data = self.sla(**options) if report == "sla" else self.customer(**options)
        except ActionError as error:
            raise CommandError(error.message) from None
        output = options.get("output")
        if output:
            with open(output, "wb") as handle:
                handle.write(data)
            self.stderr.write(f"Wrote {output} ({len(data)} bytes).")
        elif options.get("format") == "xlsx":
            raise CommandError("--format xlsx needs --output FILE")
        else:
            sys.stdout.flush()
            self.stdout.write(data.decode(), ending="")

    def sla(self, *, month, organization, group_by, time_zone, format, **_):
        period = Period.parse(month, time_zone)
        figures = sla_figures(
            period, organization=organization_named(organization), group_by=group_by
        )
        return exports.render(figures, format)

    def customer(self, *, month, organization, new_version=False, **_):
        from pacto.reports.actions import do_run_customer_report
        from pacto.reports.pdf import render_pdf

        run = do_run_customer_report(
            organization_named(organization), month, actor=None, new_version=new_version
        )
        self.stderr.write(
            f"Report run {run.month} v{run.version} of {run.organization} "
            f"(content {run.content_hash[:12]})."
        )
        return render_pdf(run)
