"""The support manager's accounts page: activations that never happened, contracts coming
to an end (renew or terminate), partnerships expiring, and bulk onboarding from a file.

Every change goes through the accounts and contracts actions, as in the API."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from pacto.accounts.actions import do_invite_contact
from pacto.accounts.models import Invitation, Organization, User
from pacto.contracts import onboarding
from pacto.contracts.actions import do_renew_contract, do_terminate_contract
from pacto.contracts.models import Contract
from pacto.errors import ActionError
from pacto.portal.web import manager_required, message_of, run_action

HORIZON_DAYS = 60
MAX_UPLOAD = 5 * 1024 * 1024


class RenewForm(forms.Form):
    years = forms.IntegerField(label=gettext_lazy("Years"), min_value=1, max_value=10, initial=1)
    plan = forms.CharField(label=gettext_lazy("Plan"), required=False, max_length=60)


class TerminateForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Last day of support"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=[
            ("organizations", gettext_lazy("Organizations")),
            ("contacts", gettext_lazy("Contacts")),
            ("contracts", gettext_lazy("Contracts")),
        ],
    )
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Write the valid rows even if some are not"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is too large (at most 5 MB)."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


def _context(now: dt.datetime, **extra) -> dict:
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=HORIZON_DAYS)
    ending = (
        Contract.objects.filter(ends_on__gte=today, ends_on__lte=horizon, terminated_on=None)
        .filter(renewals=None)
        .select_related("organization", "policy_version")
        .order_by("ends_on")
    )
    invitations = (
        Invitation.objects.filter(accepted_at=None)
        .select_related("contact", "contact__organization")
        .order_by("expires_at")
    )
    partners = Organization.objects.filter(
        kind=Organization.Kind.PARTNER, partnership_ends_on__lte=horizon
    ).order_by("partnership_ends_on")
    contracts = [
        {
            "contract": c,
            "plans": [p.id for p in c.policy_version.policy.plans],
            "days": (c.ends_on - today).days,
        }
        for c in ending
    ]
    return {
        "now": now,
        "today": today,
        "invitations": [(i, i.state_on(now)) for i in invitations],
        "contracts": contracts,
        "partners": partners,
        "import_form": ImportForm(),
        "kinds": list(onboarding.COLUMNS),
        **extra,
    }


@manager_required
@require_safe
def accounts(request):
    return render(request, "console/accounts.html", _context(timezone.now()))


@manager_required
@require_POST
def resend_invitation(request, contact_id: int):
    contact = get_object_or_404(User, pk=contact_id, role=User.Role.CONTACT)
    try:
        do_invite_contact(request.user, contact)
    except ActionError as error:
        messages.error(request, message_of(error))
    else:
        messages.success(request, _("Activation email sent again to %s.") % contact.email)
    return redirect("console:accounts")


@manager_required
@require_POST
def renew_contract(request, contract_id: int):
    contract = get_object_or_404(Contract, pk=contract_id)
    form = RenewForm(request.POST)
    if form.is_valid():
        renewed, ok = run_action(
            form, do_renew_contract, contract, years=form.cleaned_data["years"],
            plan=form.cleaned_data["plan"] or None, actor=request.user,
        )  # fmt: skip
        if ok:
            messages.success(
                request,
                _("%(contract)s renewed as %(renewal)s, until %(end)s.")
                % {"contract": contract, "renewal": renewed.service_contract_id,
                   "end": renewed.ends_on},
            )  # fmt: skip
            return redirect("console:accounts")
    messages.error(request, " ".join(str(e) for e in form.errors.values()) or _("Not renewed."))
    return redirect("console:accounts")


@manager_required
@require_POST
def terminate_contract(request, contract_id: int):
    contract = get_object_or_404(Contract, pk=contract_id)
    form = TerminateForm(request.POST)
    if form.is_valid():
        _result, ok = run_action(
            form, do_terminate_contract, request.user, contract,
            on=form.cleaned_data["on"], reason=form.cleaned_data["reason"],
        )  # fmt: skip
        if ok:
            messages.success(request, _("%s terminated.") % contract)
            return redirect("console:accounts")
    errors = [str(e) for errors in form.errors.values() for e in errors]
    messages.error(request, " ".join(errors) or _("Not terminated."))
    return redirect("console:accounts")


@manager_required
@require_POST
def import_file(request):
    """Upload a file: every row is checked; nothing is written unless all are valid (or the
    manager asked to skip invalid rows). The report names each bad row's line and field."""
    form = ImportForm(request.POST, request.FILES)
    report = None
    status = 422
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = onboarding.read_rows(upload.read(), upload.name)
        except ActionError as error:
            form.add_error("file", message_of(error))
        else:
            report = onboarding.run_import(
                request.user, form.cleaned_data["kind"], rows,
                skip_invalid=form.cleaned_data["skip_invalid"],
            )  # fmt: skip
            status = 200 if not report.problems else 422
    context = _context(timezone.now(), import_form=form, report=report)
    return render(request, "console/accounts.html", context, status=status)


@manager_required
@require_safe
def import_template(request, kind: str):
    from django.http import HttpResponse

    if kind not in onboarding.COLUMNS:
        from django.http import Http404

        raise Http404
    response = HttpResponse(onboarding.template(kind, f"{kind}.csv"), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response
