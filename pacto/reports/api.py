"""``GET /api/reports/sla``: the SLA figures of a month (the same as ``pacto report sla``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from pacto.reports.access import report_scope
from pacto.reports.figures import Period, sla_figures
from pacto.tickets.schemas import error_responses

router = Router()


@router.get(
    "/sla",
    response={200: dict[str, Any], **error_responses(403, 404, 422)},
    summary="SLA figures of a month per metric and group (staff; an organization admin: own)",
)
def sla(
    request: HttpRequest,
    month: str,
    organization: str | None = None,
    group_by: str = "severity",
    time_zone: str | None = None,
):
    scope = report_scope(request.auth, organization)
    period = Period.parse(month, time_zone)
    return sla_figures(period, organization=scope, group_by=group_by)
