"""The monthly customer reports: sent on the first business day of the next month.

Registered with huey when the app is ready: every hour the worker's scheduler runs
``sweep_customer_reports``. For each customer organization with a contract, the sweep
looks at the month before ``now`` in the time zone of the contract's policy calendar (the
vendor's business hours for that customer); once ``now`` has reached the first working
instant of the current month on that calendar (the first business day's opening, holidays
skipped), it stores the run of the previous month and e-mails it to the organization's
admins through the outbox. It is idempotent: a month already sent is skipped, and the
outbox row's key is the organization and month, so a second worker sends nothing twice.
"""

from __future__ import annotations

import datetime as dt

from django.tasks import task
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, close_db

from pacto.accounts.models import Organization
from pacto.contracts.models import Contract
from pacto.reports.actions import do_run_customer_report, do_send_customer_report
from pacto.reports.models import ReportRun


def first_business_instant(contract: Contract, now: dt.datetime) -> tuple[dt.datetime, str]:
    """The first working instant of ``now``'s month on the contract's calendar, and the
    previous month (YYYY-MM) it reports on."""
    calendar = contract.policy.calendar()
    local = now.astimezone(calendar.zone)
    start = dt.datetime(local.year, local.month, 1, tzinfo=calendar.zone)
    previous = start - dt.timedelta(days=1)
    return calendar.next_open(start), f"{previous.year:04d}-{previous.month:02d}"


def sweep_customer_reports(now: dt.datetime) -> dict:
    sent = runs = 0
    organizations = Organization.objects.filter(kind=Organization.Kind.CUSTOMER)
    for organization in organizations.order_by("pk"):
        contract = (
            Contract.objects.filter(organization=organization)
            .select_related("policy_version")
            .order_by("-starts_on")
            .first()
        )
        if contract is None:
            continue
        due, month = first_business_instant(contract, now)
        if now < due or contract.starts_on.strftime("%Y-%m") > month:
            continue
        if ReportRun.objects.filter(
            organization=organization, month=month, sent_at__isnull=False
        ).exists():
            continue
        run = do_run_customer_report(organization, month, now=now)
        runs += 1
        sent += do_send_customer_report(run, now)
    return {"runs": runs, "emails": sent}


@task
def sweep_customer_reports_job() -> dict:
    return sweep_customer_reports(timezone.now())


def run_once(now: dt.datetime) -> dict:
    return {"customer_reports": sweep_customer_reports(now)}


@HUEY.periodic_task(crontab(minute="17"), name="pacto.reports.monthly")
@close_db
def hourly() -> None:
    sweep_customer_reports_job.enqueue()
