"""Report pages: the console's SLA reports (staff) with CSV/XLSX beside every table, the
portal's monthly customer report (organization admins) and its PDF, and the satisfaction
survey answered by signed link without signing in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from pacto.accounts.models import Organization
from pacto.errors import ActionError, NotAllowed, NotFound
from pacto.reports import charts, exports
from pacto.reports.access import report_scope
from pacto.reports.figures import DIMENSIONS, Period, sla_figures, tables

TABLES = ("sla", "breaches", "backlog", "tickets", "csat", "policy_versions")


def metric_labels() -> dict[str, str]:
    return {
        "first_response": _("First response"),
        "resolution": _("Resolution"),
        "periodic_update": _("Periodic update"),
    }


def _filters(request) -> dict:
    now = timezone.localtime(timezone.now())
    default_month = f"{now.year:04d}-{now.month:02d}"
    group_by = request.GET.getlist("group_by") or ["severity"]
    if len(group_by) == 1 and "," in group_by[0]:
        group_by = group_by[0].split(",")
    return {
        "month": request.GET.get("month") or default_month,
        "organization": request.GET.get("organization", ""),
        "group_by": [g for g in group_by if g],
        "time_zone": request.GET.get("time_zone", ""),
    }


def _figures(request) -> tuple[dict, dict, Organization | None, Period]:
    filters = _filters(request)
    try:
        scope = report_scope(request.user, filters["organization"] or None)
        period = Period.parse(filters["month"], filters["time_zone"] or None)
        figures = sla_figures(period, organization=scope, group_by=filters["group_by"])
    except NotFound:
        raise Http404 from None
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None
    except ActionError as error:
        raise BadFilter(error) from None
    from pacto.reports.surveys import csat_figures

    figures["csat"] = csat_figures(period, organization=scope)
    return filters, figures, scope, period


class BadFilter(Exception):
    def __init__(self, error: ActionError):
        self.error = error


@login_required
@require_safe
def console_reports(request):
    if not request.user.is_staff_member:
        raise PermissionDenied(_("The reports are for the vendor's support staff."))
    try:
        filters, figures, scope, period = _figures(request)
    except BadFilter as bad:
        filters = _filters(request)
        return render(
            request,
            "reports/console.html",
            {"filters": filters, "error": bad.error.message, **_choices()},
            status=422,
        )
    labels = metric_labels()
    by_plan = sla_figures(period, organization=scope, group_by=["severity", "plan"])
    query = request.GET.urlencode()
    context = {
        "filters": filters,
        "figures": figures,
        "metrics": [(m, labels[m], figures["metrics"][m]) for m in figures["metrics"]],
        "dims": figures["group_by"],
        "trend": charts.trend(period, scope, labels),
        "by_plan": charts.severity_by_plan(by_plan),
        "query": query,
        **_choices(),
    }
    return render(request, "reports/console.html", context)


def _choices() -> dict:
    return {
        "organizations": Organization.objects.filter(kind=Organization.Kind.CUSTOMER),
        "dimensions": list(DIMENSIONS),
    }


@login_required
@require_safe
def console_export(request, table: str, form: str):
    if not request.user.is_staff_member:
        raise PermissionDenied
    if table not in TABLES or form not in ("csv", "xlsx"):
        raise Http404
    try:
        _, figures, _, period = _figures(request)
    except BadFilter as bad:
        return HttpResponse(bad.error.message, status=422, content_type="text/plain")
    return export_response(figures, table, form, f"sla-{period.month}-{table}")


def export_response(figures: dict, table: str, form: str, name: str) -> HttpResponse:
    if table not in tables(figures):
        raise Http404
    body = exports.render(figures, form, only=table)
    content_type = (
        "text/csv; charset=utf-8"
        if form == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{form}"'
    return response
