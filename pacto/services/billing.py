"""The billing export: per month and organization, one row per billed work log, CSV or
XLSX, with the quote and approval each row rests on; and the reconciliation of what was
billed against what was approved.

A work log counts in the month its start falls in, in the contract's services calendar's
time zone. Included services appear at zero; time beyond a quote appears only once its
overrun quote is approved.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from pacto.services.models import Quote, WorkLog
from pacto.sla.availability import Month

COLUMNS = [
    "organization", "contract", "ticket", "service", "activity", "mode", "start", "end",
    "business_hours", "off_hours_hours", "currency", "day_rate", "hours_per_day",
    "off_hours_multiplier", "logistics", "amount", "billing", "quote", "quote_version",
    "approved_by", "approved_at", "overrun_quote",
]  # fmt: skip


def _hours(minutes: Decimal) -> Decimal:
    return (minutes / 60).quantize(Decimal("0.01"))


def billed_logs(month: Month, organization=None) -> list[WorkLog]:
    logs = WorkLog.objects.select_related(
        "quote", "quote__decided_by", "quote__contract__policy_version", "organization",
        "overrun", "overrun__decided_by",
    ).filter(quote__isnull=False).order_by("organization__name", "starts_at", "id")  # fmt: skip
    if organization is not None:
        logs = logs.filter(organization=organization)
    out = []
    for log in logs:
        first, nxt = month.bounds(log.quote.contract.policy.services_calendar())
        if first <= log.starts_at < nxt and log.billed:
            out.append(log)
    return out


def rows(month: Month, organization=None) -> list[dict]:
    out = []
    for log in billed_logs(month, organization):
        quote = log.overrun if log.overrun is not None else log.quote
        out.append(
            {
                "organization": log.organization.name,
                "contract": log.quote.contract.service_contract_id,
                "ticket": log.ticket_id,
                "service": log.quote.service,
                "activity": log.activity,
                "mode": log.mode,
                "start": log.starts_at.isoformat(),
                "end": log.ends_at.isoformat(),
                "business_hours": _hours(log.business_minutes),
                "off_hours_hours": _hours(log.off_hours_minutes),
                "currency": log.quote.currency,
                "day_rate": log.day_rate,
                "hours_per_day": log.hours_per_day,
                "off_hours_multiplier": log.off_hours_multiplier,
                "logistics": log.logistics,
                "amount": log.amount,
                "billing": log.billing,
                "quote": log.quote.reference,
                "quote_version": quote.decided_version,
                "approved_by": quote.decided_by.email if quote.decided_by else "",
                "approved_at": quote.decided_at.isoformat() if quote.decided_at else "",
                "overrun_quote": log.overrun.reference if log.overrun else "",
            }
        )
    return out


@dataclass(frozen=True)
class Reconciliation:
    quote: str
    approved: Decimal  # the quote's total plus its approved overruns
    billed: Decimal  # work-log amounts plus logistics, in the export

    @property
    def difference(self) -> Decimal:
        return self.billed - self.approved


def reconcile(month: Month, organization=None) -> list[Reconciliation]:
    """Per quote billed this month: the approved total (with approved overruns) against the
    amounts billed."""
    by_quote: dict[int, list[WorkLog]] = {}
    for log in billed_logs(month, organization):
        by_quote.setdefault(log.quote_id, []).append(log)
    out = []
    for quote in Quote.objects.filter(pk__in=by_quote).order_by("pk"):
        approved = quote.total + sum(
            (o.total for o in quote.overruns.filter(status=Quote.Status.APPROVED)), Decimal(0)
        )
        billed = sum((log.amount + log.logistics for log in by_quote[quote.pk]), Decimal(0))
        out.append(Reconciliation(quote.reference, approved, billed))
    return out


def to_csv(data: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in data:
        writer.writerow({k: str(v) for k, v in row.items()})
    return buffer.getvalue()


def to_xlsx(data: list[dict], month: Month) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = f"Services {month}"
    sheet.append(COLUMNS)
    for row in data:
        sheet.append(list(row.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
