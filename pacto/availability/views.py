"""Availability pages: the customer's month (portal), every customer's month (console), the
month's slots as CSV, and the hypercare steps a customer's admin takes (accept an
extension, sign off). Each view finds what the person may see, parses, calls one action."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from pacto.availability import actions
from pacto.availability.figures import daily_chart, month_figures, probe_figure, windows_for
from pacto.availability.models import HypercareReport, Probe
from pacto.contracts.models import Contract, HypercareExtension, HypercareSignoff
from pacto.errors import ActionError
from pacto.sla.availability import AvailabilityError, Month


def _month(request) -> Month:
    text = request.GET.get("month")
    now = timezone.now()
    if not text:
        return Month(now.year, now.month)
    try:
        return Month.parse(text)
    except AvailabilityError:
        raise Http404("month") from None


# What each hypercare step is called on the page (``HypercareEvent.kind``).
EVENT_LABELS = {
    "extension_proposed": gettext_lazy("Extension proposed by the vendor"),
    "extension_accepted": gettext_lazy("Extension accepted by the customer"),
    "extension_declined": gettext_lazy("Extension declined by the customer"),
    "signed_off": gettext_lazy("Signed off as stable"),
    "status_report_sent": gettext_lazy("Status report sent"),
    "concluded": gettext_lazy("Transition to standard support recorded"),
}


def _contract_context(contract: Contract, month: Month) -> dict:
    measures = contract.policy.availability is not None
    probes = list(contract.probes.filter(is_active=True).select_related("contract"))
    rows = []
    for probe in probes if measures else []:
        figure = probe_figure(probe, month)
        rows.append({"probe": probe, "figure": figure, "chart": daily_chart(probe, month, figure)})
    until = contract.hypercare_until()
    signoffs = {s.side: s for s in contract.hypercare_signoffs.select_related("signed_by")}
    return {
        "contract": contract,
        "measures": measures,
        "rows": rows,
        "windows": windows_for(contract, "", month) if measures else [],
        "hypercare_until": until,
        "extensions": list(contract.hypercare_extensions.select_related("proposed_by")),
        "vendor_signoff": signoffs.get(HypercareSignoff.Side.VENDOR),
        "customer_signoff": signoffs.get(HypercareSignoff.Side.CUSTOMER),
        "checks": actions.conclusion_checks(contract, timezone.now()) if until else None,
        "events": [
            {"event": e, "label": EVENT_LABELS.get(e.kind, e.kind)}
            for e in contract.hypercare_events.select_related("actor")
        ],
        "reports": list(HypercareReport.objects.filter(contract=contract)),
        "transition": getattr(contract, "hypercare_transition", None),
    }


def _portal_sections(user, month: Month) -> list[dict]:
    """The organization's contracts that measure availability or have hypercare."""
    contracts = Contract.objects.filter(organization_id=user.organization_id)
    return [
        _contract_context(c, month)
        for c in contracts
        if c.policy.availability is not None or c.hypercare_until()
    ]


def _portal_page(request, month: Month, status: int = 200, error: str = ""):
    return render(
        request,
        "availability/month.html",
        {"sections": _portal_sections(request.user, month), "month": month,
         "previous": month.previous(), "next": month.next(), "error": error},
        status=status,
    )  # fmt: skip


@login_required
@require_safe
def portal_month(request):
    user = request.user
    if user.is_staff_member:
        return redirect("availability:console")
    return _portal_page(request, _month(request))


@login_required
@require_safe
def console_month(request):
    if not request.user.is_staff_member:
        raise PermissionDenied
    contract = None
    contract_id = request.GET.get("contract")
    if contract_id and contract_id.isdigit():
        try:
            contract = actions.contract_for(request.user, int(contract_id))
        except ActionError:
            raise Http404("contract") from None
    return _console_page(request, _month(request), contract)


def _console_page(request, month: Month, contract: Contract | None, status=200, error=""):
    probes = list(Probe.objects.select_related("contract__organization").filter(is_active=True))
    figures = month_figures(probes, month)
    rows = [{"probe": p, "figure": figures[p.pk]} for p in probes if p.pk in figures]
    in_hypercare = [
        c for c in Contract.objects.select_related("organization").filter(
            go_live_on__isnull=False, hypercare_weeks__gt=0, hypercare_concluded_on__isnull=True
        )
        if c.in_hypercare_on(timezone.localdate())
    ]  # fmt: skip
    return render(
        request,
        "availability/console.html",
        {"rows": rows, "month": month, "previous": month.previous(), "next": month.next(),
         "section": _contract_context(contract, month) if contract else None,
         "in_hypercare": in_hypercare, "error": error},
        status=status,
    )  # fmt: skip


@login_required
@require_safe
def month_csv(request, name: str, month: str):
    try:
        probe = actions.probe_for(request.user, name)
        the_month = Month.parse(month)
    except (ActionError, AvailabilityError):
        raise Http404("probe") from None
    figure = probe_figure(probe, the_month)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{probe.name}-{the_month}.csv"'
    writer = csv.writer(response)
    writer.writerow(["probe", "month", "availability", "target", "met", "eligible_slots", "up",
                     "down", "unknown", "excluded_by_windows"])  # fmt: skip
    writer.writerow([probe.name, str(the_month), figure.availability_text, f"{figure.target:.3f}",
                     figure.met, figure.eligible_slots, figure.up, figure.down, figure.unknown,
                     figure.excluded_by_windows])  # fmt: skip
    writer.writerow([])
    writer.writerow(["outage_start", "outage_end", "slots", "business_minutes"])
    for outage in figure.outages:
        writer.writerow([outage.start.isoformat(), outage.end.isoformat(), outage.slots,
                         outage.business_minutes])  # fmt: skip
    return response


def _back(request, contract: Contract):
    """Back to the page the form was on: the console's customer page for staff, else the
    portal's availability page (never an address from the request)."""
    if request.user.is_staff_member:
        return redirect(f"{reverse('availability:console')}?contract={contract.pk}")
    return redirect("availability:portal")


def _refused(request, contract: Contract, exc: ActionError):
    """A broken rule: the page again, with the rule's words, as 422 (403 for who may not)."""
    if exc.status == 403:
        raise PermissionDenied(exc.message) from None
    month = _month(request)
    if request.user.is_staff_member:
        return _console_page(request, month, contract, exc.status, exc.message)
    return _portal_page(request, month, exc.status, exc.message)


@login_required
@require_POST
def answer_extension(request, extension_id: int):
    extension = (
        HypercareExtension.objects.select_related("contract").filter(pk=extension_id).first()
    )
    if extension is None or not actions.may_see_contract(request.user, extension.contract):
        raise Http404("extension")
    try:
        actions.do_answer_extension(
            request.user, extension, accept=request.POST.get("answer") == "accept"
        )
    except ActionError as exc:
        return _refused(request, extension.contract, exc)
    messages.success(request, _("Your answer is recorded; the vendor is told."))
    return _back(request, extension.contract)


@login_required
@require_POST
def sign_off(request, contract_id: int):
    try:
        contract = actions.contract_for(request.user, contract_id)
    except ActionError:
        raise Http404("contract") from None
    try:
        actions.do_sign_off(request.user, contract, note=request.POST.get("note", ""))
    except ActionError as exc:
        return _refused(request, contract, exc)
    messages.success(request, _("Your sign-off is recorded; the other side sees it."))
    return _back(request, contract)


# ----------------------------------------------------------------------------- console actions


def _staff_contract(request, contract_id: int) -> Contract:
    if not request.user.is_staff_member:
        raise PermissionDenied
    try:
        return actions.contract_for(request.user, contract_id)
    except ActionError:
        raise Http404("contract") from None


def _run(request, contract: Contract, change, done: str):
    try:
        change()
    except ActionError as exc:
        return _refused(request, contract, exc)
    messages.success(request, done)
    return _back(request, contract)


def _instant(text: str, field: str):
    from django.utils.dateparse import parse_datetime

    value = parse_datetime(text or "")
    if value is None:
        raise ActionError(field, "datetime", f"{field}: an instant such as 2026-06-20T10:00+02:00")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@login_required
@require_POST
def console_window(request, contract_id: int):
    contract = _staff_contract(request, contract_id)
    post = request.POST
    return _run(
        request,
        contract,
        lambda: actions.do_announce_window(
            request.user, contract, kind=post.get("kind", ""),
            starts_at=_instant(post.get("starts_at"), "starts_at"),
            ends_at=_instant(post.get("ends_at"), "ends_at"),
            reason=post.get("reason", ""), service=post.get("service", ""),
            recurs_monthly=post.get("recurs_monthly") == "on",
        ),
        _("The window is announced; the customer's contacts are told."),
    )  # fmt: skip


@login_required
@require_POST
def console_extension(request, contract_id: int):
    contract = _staff_contract(request, contract_id)
    weeks = request.POST.get("weeks", "")
    return _run(
        request,
        contract,
        lambda: actions.do_propose_extension(
            request.user, contract, weeks=int(weeks) if weeks.isdigit() else 0,
            reason=request.POST.get("reason", ""),
        ),
        _("The extension is proposed; the customer's admin is asked to accept it."),
    )  # fmt: skip


@login_required
@require_POST
def console_conclude(request, contract_id: int):
    contract = _staff_contract(request, contract_id)
    return _run(
        request,
        contract,
        lambda: actions.do_conclude_hypercare(
            request.user, contract, notes=request.POST.get("notes", "")
        ),
        _("Hypercare is concluded; standard support applies from tomorrow."),
    )


@login_required
@require_POST
def console_report(request, contract_id: int):
    """Send a status report now (the worker sends them on the policy's cadence)."""
    contract = _staff_contract(request, contract_id)
    now = timezone.now().replace(second=0, microsecond=0)
    return _run(
        request,
        contract,
        lambda: actions.do_send_status_report(
            contract, period_end=now, actor=request.user, now=now
        ),
        _("The status report is sent to the customer's contacts."),
    )
