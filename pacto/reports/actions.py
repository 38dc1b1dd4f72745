"""Report runs: produce (or find) the stored run of an organization's month, and send it.

A run is stored once per distinct content: asking again with the same clocks finds the same
run (same hash, same PDF); after a recompute that changes a figure, the content differs and
a new version is stored beside the earlier ones, which stay as they were sent.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from pacto.accounts.models import Organization, User
from pacto.reports.customer import (
    content_hash,
    customer_content,
    customer_period,
    organization_language,
)
from pacto.reports.models import ReportRun


def do_run_customer_report(
    organization: Organization, month: str, *, actor: User | None = None, now=None, **_
) -> ReportRun:
    now = now or timezone.now()
    period = customer_period(organization, month)
    content = customer_content(organization, period.month)
    digest = content_hash(content)
    existing = ReportRun.objects.filter(
        kind=ReportRun.Kind.CUSTOMER, organization=organization, month=period.month,
        content_hash=digest,
    ).first()  # fmt: skip
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            latest = ReportRun.objects.filter(
                kind=ReportRun.Kind.CUSTOMER, organization=organization, month=period.month
            ).aggregate(v=Max("version"))["v"]
            return ReportRun.objects.create(
                kind=ReportRun.Kind.CUSTOMER,
                organization=organization,
                month=period.month,
                version=(latest or 0) + 1,
                language=organization_language(organization),
                period_start=period.start,
                period_end=period.end,
                policy_versions=content["policy_versions"],
                content=content,
                content_hash=digest,
                created_at=now,
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
    except IntegrityError:  # a concurrent run stored the same content or version first
        return ReportRun.objects.get(
            kind=ReportRun.Kind.CUSTOMER, organization=organization, month=period.month,
            content_hash=digest,
        )  # fmt: skip


def report_url(run: ReportRun) -> str:
    return f"{settings.PACTO_BASE_URL.rstrip('/')}/reports/runs/{run.pk}.pdf"


def do_send_customer_report(run: ReportRun, now: dt.datetime) -> int:
    """E-mail the run to the organization's admins through the outbox, once per month."""
    from pacto.notifications.outbox import enqueue

    admins = list(
        User.objects.filter(organization=run.organization, is_org_admin=True, is_active=True)
    )
    with transaction.atomic():
        locked = ReportRun.objects.select_for_update().get(pk=run.pk)
        rows = enqueue(
            kind="customer_report",
            dedupe_key=f"customer_report:{run.organization_id}:{run.month}",
            recipients=admins,
            organization=run.organization,
            payload={
                "organization": run.organization.name,
                "month": run.month,
                "version": run.version,
                "url": report_url(run),
            },
        )
        if locked.sent_at is None:
            locked.sent_at = now
            locked.save(update_fields=["sent_at"])
    return len(rows)
