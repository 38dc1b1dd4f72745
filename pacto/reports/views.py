"""Report pages: the console's SLA reports (staff) with CSV/XLSX beside every table, the
portal's monthly customer report (organization admins) and its PDF, and the satisfaction
survey answered by signed link without signing in."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
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


# ----------------------------------------------------------------------------- the survey


def _language(user) -> str:
    code = (user.language or "en").lower()
    return "pt-br" if code.startswith("pt") else "en"


def survey(request, token: str):
    """The one-question survey, by signed link: no sign-in; the link is for one ticket."""
    from django.utils import translation

    from pacto.reports.models import Survey
    from pacto.reports.surveys import (
        ANSWER_CHANGE_DAYS,
        do_answer_survey,
        may_change,
        survey_for_token,
    )

    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    try:
        found = survey_for_token(token)
    except NotFound:
        raise Http404 from None
    now = timezone.now()
    saved, error, status = False, "", 200
    with translation.override(_language(found.requester)):
        if request.method == "POST":
            try:
                found = do_answer_survey(
                    found,
                    rating=request.POST.get("rating", ""),
                    reason=request.POST.get("reason", ""),
                    comment=request.POST.get("comment", ""),
                    now=now,
                )
                saved = True
            except ActionError as exc:
                error, status = exc.message, 422
        until = (
            found.answered_at + dt.timedelta(days=ANSWER_CHANGE_DAYS) if found.answered_at else None
        )
        response = render(
            request,
            "reports/survey.html",
            {
                "survey": found,
                "reasons": Survey.Reason.choices,
                "saved": saved,
                "error": error,
                "may_change": may_change(found, now),
                "change_until": until,
            },
            status=status,
        )
    response["Referrer-Policy"] = "no-referrer"  # the signed link never leaks to other sites
    return response


# ----------------------------------------------------------------------------- customer report


@login_required
@require_safe
def portal_reports(request):
    """The organization's monthly report (organization admins; staff pick an organization)."""
    from pacto.reports.customer import customer_content, readable_breaches
    from pacto.reports.models import ReportRun

    user = request.user
    try:
        organization = report_scope(user, request.GET.get("organization") or None)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except NotFound:
        raise Http404 from None
    if organization is None:  # staff without an organization chosen
        return redirect("reports:console")
    now = timezone.localtime(timezone.now())
    last = now.replace(day=1) - dt.timedelta(days=1)
    month = request.GET.get("month") or f"{last.year:04d}-{last.month:02d}"
    try:
        content = customer_content(organization, month)
    except ActionError as exc:
        if exc.field == "month":
            return render(
                request, "reports/portal.html", {"error": exc.message, "month": month}, status=422
            )
        raise Http404 from None
    runs = ReportRun.objects.filter(organization=organization).order_by("-month", "-version")
    return render(
        request,
        "reports/portal.html",
        {
            "c": content,
            "month": content["period"]["month"],
            "zone": content["period"]["time_zone"],
            "organization": organization,
            "runs": runs,
            "breaches": readable_breaches(content),
            "metric_names": metric_labels(),
            "sla": [(metric_labels()[m], content["sla"][m]) for m in content["sla"]],
        },
    )


@login_required
@require_safe
def report_pdf(request, month: str):
    """This month's report as PDF: the stored run of this content (a new version when the
    figures changed since the last one)."""
    from pacto.reports.actions import do_run_customer_report

    try:
        organization = report_scope(request.user, request.GET.get("organization") or None)
        if organization is None:
            raise NotFound("organization")
        run = do_run_customer_report(organization, month, actor=request.user)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except ActionError:
        raise Http404 from None
    return _pdf_response(run)


@login_required
@require_safe
def run_pdf(request, run_id: int):
    """A stored run's PDF, as it was sent (byte for byte)."""
    from pacto.reports.models import ReportRun

    run = ReportRun.objects.select_related("organization").filter(pk=run_id).first()
    if run is None:
        raise Http404
    try:
        report_scope(request.user, run.organization_id)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except NotFound:
        raise Http404 from None
    return _pdf_response(run)


def _pdf_response(run) -> HttpResponse:
    from pacto.reports.pdf import render_pdf

    response = HttpResponse(render_pdf(run), content_type="application/pdf")
    name = f"{run.organization.name}-{run.month}-v{run.version}".replace(" ", "-")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["X-Content-Hash"] = run.content_hash
    return response
