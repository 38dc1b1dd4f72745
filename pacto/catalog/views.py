"""Pages of the catalogue: the public product page, the customer's inventory and known
issues, and the console's catalogue, known-issue, release and engineering pages.

Each view finds what the person may see, parses one form, calls one action and renders.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from pacto.accounts.access import get_ticket_for, visible_tickets
from pacto.catalog import actions, notices
from pacto.catalog.models import (
    EngineeringItem,
    KnownIssue,
    Module,
    NoticeDelivery,
    Product,
    Release,
    SupportStatus,
    Version,
)
from pacto.contracts.actions import active_contract, do_set_installed_version
from pacto.errors import ActionError, NotFound
from pacto.portal.forms import PactoForm
from pacto.portal.web import contact_required, message_of, run_action, staff_required
from pacto.tickets.actions import (
    do_link_engineering_item,
    do_link_known_issue,
    do_set_product_version,
    do_unlink_known_issue,
)

# ----------------------------------------------------------------------------- public


def catalogue_rows(day):
    """Every product with its modules and their versions (newest first), for the public
    page: the current version, and each version's status and end of support on ``day``."""
    rows = []
    products = Product.objects.prefetch_related("modules__versions")
    for product in products:
        modules = []
        all_modules = list(product.modules.all())
        for module in all_modules:
            if module.main and len(all_modules) > 1 and not module.versions.all():
                continue  # a product versioned per module
            versions = sorted(module.versions.all(), key=lambda v: v.key, reverse=True)
            listed = [(v, v.status_on(day)) for v in versions]
            current = next(
                (
                    v
                    for v, status in listed
                    if status == SupportStatus.SUPPORTED
                    and (not v.released_on or v.released_on <= day)
                ),
                None,
            )
            modules.append({"module": module, "versions": listed, "current": current})
        rows.append({"product": product, "modules": modules})
    return rows


@require_safe
def products(request):
    """Xecuritas: "For important information regarding Xecuritas products, including current
    versions, supported products, and products with end of support dates, click here."
    Public: no sign-in."""
    day = timezone.localdate()
    return render(request, "catalog/products.html", {"rows": catalogue_rows(day), "today": day})


# ----------------------------------------------------------------------------- portal


class InstalledVersionForm(PactoForm):
    line = forms.IntegerField(widget=forms.HiddenInput)
    installed_version = forms.ModelChoiceField(
        label=gettext_lazy("Installed version"), queryset=Version.objects.none()
    )
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity (devices, users)"), min_value=1, required=False
    )


@contact_required("catalog:console_catalogue")
def inventory(request):
    """The products under the organization's contract and the versions installed; its
    authorized contacts keep them current."""
    user = request.user
    contract = (
        active_contract(user.organization, timezone.localdate()) if user.organization else None
    )
    lines = list(
        contract.products.select_related("catalog_module__product", "installed_version")
        if contract
        else []
    )
    status = 200
    form = InstalledVersionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        line = next((x for x in lines if str(x.pk) == request.POST.get("line")), None)
        if line is not None:
            form.fields["installed_version"].queryset = Version.objects.filter(
                module=line.catalog_module
            )
        if line is None:
            form.is_valid()
            form.add_error(None, _("Choose a product under your contract."))
        elif form.is_valid():
            _result, ok = run_action(
                form, do_set_installed_version, user, line,
                form.cleaned_data["installed_version"], quantity=form.cleaned_data["quantity"],
            )  # fmt: skip
            if ok:
                messages.success(request, _("The installed version is recorded."))
                return redirect("catalog:inventory")
        status = 422
    rows = [
        {
            "line": line,
            "versions": sorted(
                line.catalog_module.versions.all(), key=lambda v: v.key, reverse=True
            )
            if line.catalog_module
            else [],
            "status": line.installed_version.status_on(timezone.localdate())
            if line.installed_version
            else "",
        }
        for line in lines
    ]
    context = {"contract": contract, "rows": rows, "form": form, "may_edit": user.is_authorized}
    return render(request, "catalog/inventory.html", context, status=status)


@contact_required("catalog:console_known_issues")
@require_safe
def known_issues(request):
    """Published known issues, with the workaround and the fixing version."""
    issues = KnownIssue.objects.published().select_related("product", "fixed_in__module")
    return render(request, "catalog/known_issues.html", {"issues": issues})


# ----------------------------------------------------------------------------- console


class VersionForm(PactoForm):
    module = forms.ChoiceField(label=gettext_lazy("Module"))
    number = forms.CharField(label=gettext_lazy("Version"), max_length=60)
    released_on = forms.DateField(label=gettext_lazy("Released on"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Support status"), choices=SupportStatus.choices)
    end_of_support_on = forms.DateField(label=gettext_lazy("End of support"), required=False)
    beta_policy = forms.CharField(
        label=gettext_lazy("Policy covering it (beta)"), max_length=80, required=False
    )


class ProductForm(PactoForm):
    name = forms.CharField(label=gettext_lazy("Product"), max_length=100)
    vendor = forms.CharField(label=gettext_lazy("Vendor"), max_length=100, required=False)
    modules = forms.CharField(
        label=gettext_lazy("Modules (comma-separated)"), max_length=500, required=False
    )


@staff_required
def console_catalogue(request):
    product_form = ProductForm(request.POST if "add_product" in request.POST else None)
    version_form = VersionForm(request.POST if "add_version" in request.POST else None)
    modules = Module.objects.select_related("product")
    version_form.fields["module"].choices = [(m.pk, str(m)) for m in modules]
    status = 200
    if request.method == "POST":
        if product_form.is_bound and product_form.is_valid():
            data = product_form.cleaned_data
            names = [m.strip() for m in data["modules"].split(",") if m.strip()]
            _p, ok = run_action(
                product_form, actions.do_create_product, request.user, name=data["name"],
                vendor=data["vendor"], modules=names,
            )  # fmt: skip
            if ok:
                messages.success(request, _("Product added."))
                return redirect("catalog:console_catalogue")
        elif version_form.is_bound and version_form.is_valid():
            data = version_form.cleaned_data
            _v, ok = run_action(
                version_form, actions.do_add_version, request.user,
                modules.get(pk=data["module"]), number=data["number"],
                released_on=data["released_on"], status=data["status"],
                end_of_support_on=data["end_of_support_on"], beta_policy=data["beta_policy"],
            )  # fmt: skip
            if ok:
                messages.success(request, _("Version added."))
                return redirect("catalog:console_catalogue")
        status = 422
    context = {
        "rows": catalogue_rows(timezone.localdate()),
        "product_form": product_form,
        "version_form": version_form,
    }
    return render(request, "catalog/console_catalogue.html", context, status=status)


class KnownIssueForm(PactoForm):
    product = forms.ModelChoiceField(label=gettext_lazy("Product"), queryset=Product.objects.all())
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    symptoms = forms.CharField(
        label=gettext_lazy("Symptoms"), widget=forms.Textarea(attrs={"rows": 3})
    )
    cause = forms.CharField(
        label=gettext_lazy("Cause"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    workaround = forms.CharField(
        label=gettext_lazy("Palliative solution"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    module = forms.CharField(
        label=gettext_lazy("Affected module (slug; blank: the main module)"),
        max_length=80,
        required=False,
    )
    introduced = forms.CharField(label=gettext_lazy("Introduced in"), max_length=60, initial="0")
    fixed = forms.CharField(
        label=gettext_lazy("Fixed in (first version without it)"), max_length=60, required=False
    )
    last_affected = forms.CharField(
        label=gettext_lazy("Last affected version"), max_length=60, required=False
    )


@staff_required
def console_known_issues(request):
    form = KnownIssueForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            product = data["product"]
            module = product.modules.filter(slug=data["module"]).first() if data["module"] else None
            issue, ok = run_action(
                form, actions.do_create_known_issue, request.user, product=product,
                title=data["title"], symptoms=data["symptoms"], cause=data["cause"],
                workaround=data["workaround"],
                ranges=[{"module": module, "introduced": data["introduced"], "fixed": data["fixed"],
                         "last_affected": data["last_affected"]}],
            )  # fmt: skip
            if ok:
                return redirect("catalog:console_known_issue", slug=issue.slug)
        status = 422
    issues = KnownIssue.objects.select_related("product").prefetch_related("publications")
    context = {"issues": issues, "form": form}
    return render(request, "catalog/console_known_issues.html", context, status=status)


class KnownIssueChangeForm(PactoForm):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=KnownIssue.Status.choices)
    workaround = forms.CharField(
        label=gettext_lazy("Palliative solution"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    fix = forms.CharField(
        label=gettext_lazy("Definitive correction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    fixed_in = forms.ModelChoiceField(
        label=gettext_lazy("Fixed in"), queryset=Version.objects.none(), required=False
    )


class PublishForm(PactoForm):
    step = forms.ChoiceField(
        label=gettext_lazy("Publish"),
        choices=[("issue", gettext_lazy("The issue")), ("workaround", gettext_lazy("Its workaround")),
                 ("fix", gettext_lazy("Its fix"))],
    )  # fmt: skip


def _known_issue_page(request, issue, status=200, change_form=None, publish_form=None):
    change_form = change_form or KnownIssueChangeForm(
        initial={"status": issue.status, "workaround": issue.workaround, "fix": issue.fix,
                 "fixed_in": issue.fixed_in_id}
    )  # fmt: skip
    change_form.fields["fixed_in"].queryset = Version.objects.filter(module__product=issue.product)
    context = {
        "issue": issue,
        "ranges": issue.ranges.select_related("module"),
        "affected": notices.affected_organizations(issue, timezone.localdate()),
        "deliveries": NoticeDelivery.objects.filter(publication__known_issue=issue).select_related(
            "publication", "organization"
        ),
        "linked": visible_tickets(request.user)
        .filter(known_issue=issue)
        .select_related("organization"),
        "change_form": change_form,
        "publish_form": publish_form or PublishForm(),
    }
    return render(request, "catalog/console_known_issue.html", context, status=status)


@staff_required
@require_safe
def console_known_issue(request, slug):
    issue = get_object_or_404(KnownIssue.objects.select_related("product", "fixed_in"), slug=slug)
    return _known_issue_page(request, issue)


@staff_required
@require_POST
def console_known_issue_change(request, slug):
    issue = get_object_or_404(KnownIssue, slug=slug)
    form = KnownIssueChangeForm(request.POST)
    form.fields["fixed_in"].queryset = Version.objects.filter(module__product=issue.product)
    if form.is_valid():
        _r, ok = run_action(
            form, actions.do_update_known_issue, request.user, issue, **form.cleaned_data
        )
        if ok:
            messages.success(request, _("Known issue updated."))
            return redirect("catalog:console_known_issue", slug=slug)
    return _known_issue_page(request, issue, 422, change_form=form)


@staff_required
@require_POST
def console_known_issue_publish(request, slug):
    issue = get_object_or_404(KnownIssue, slug=slug)
    form = PublishForm(request.POST)
    if form.is_valid():
        result, ok = run_action(
            form, notices.do_publish_known_issue, request.user, issue, form.cleaned_data["step"]
        )
        if ok:
            messages.success(
                request,
                _("Published: %(orgs)d organizations and %(tickets)d linked tickets told now; "
                  "%(already)d told before.")
                % {"orgs": len(result.organizations), "tickets": len(result.tickets_replied),
                   "already": result.already_told},
            )  # fmt: skip
            return redirect("catalog:console_known_issue", slug=slug)
    return _known_issue_page(request, issue, 422, publish_form=form)


class ReleaseForm(PactoForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Release.Kind.choices)
    product = forms.ModelChoiceField(label=gettext_lazy("Product"), queryset=Product.objects.all())
    version = forms.ModelChoiceField(
        label=gettext_lazy("New version"),
        queryset=Version.objects.select_related("module__product"),
        required=False,
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    notes = forms.CharField(label=gettext_lazy("Notes"), widget=forms.Textarea(attrs={"rows": 3}))
    scheduled_for = forms.DateTimeField(
        label=gettext_lazy("Scheduled for (maintenance)"), required=False
    )


@staff_required
def console_releases(request):
    form = ReleaseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _r, ok = run_action(form, actions.do_create_release, request.user, **form.cleaned_data)
            if ok:
                messages.success(
                    request, _("Release notice drafted; publish it to tell customers.")
                )
                return redirect("catalog:console_releases")
        status = 422
    releases = Release.objects.select_related("product", "version").prefetch_related(
        "publications__deliveries__organization"
    )
    return render(
        request,
        "catalog/console_releases.html",
        {"releases": releases, "form": form},
        status=status,
    )


@staff_required
@require_POST
def console_release_publish(request, release_id):
    release = get_object_or_404(Release, pk=release_id)
    try:
        result, _ok = run_action(None, notices.do_publish_release, request.user, release)
    except ActionError as exc:
        messages.error(request, message_of(exc))
        return redirect("catalog:console_releases")
    messages.success(
        request,
        _("Published: %(orgs)d organizations told now; %(already)d told before.")
        % {"orgs": len(result.organizations), "already": result.already_told},
    )
    return redirect("catalog:console_releases")


class EngineeringItemForm(PactoForm):
    key = forms.CharField(label=gettext_lazy("Key"), max_length=60)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    tracker_url = forms.URLField(label=gettext_lazy("Tracker URL"), required=False)


class EngineeringChangeForm(PactoForm):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=EngineeringItem.Status.choices)
    body = forms.CharField(
        label=gettext_lazy("Public update"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


def _engineering_page(request, form, status=200):
    items = EngineeringItem.objects.prefetch_related("updates", "tickets")
    context = {"items": items, "form": form, "change_form": EngineeringChangeForm()}
    return render(request, "catalog/console_engineering.html", context, status=status)


@staff_required
def console_engineering(request):
    form = EngineeringItemForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            _i, ok = run_action(
                form, actions.do_create_engineering_item, request.user, **form.cleaned_data
            )
            if ok:
                return redirect("catalog:console_engineering")
        return _engineering_page(request, form, 422)
    return _engineering_page(request, form)


@staff_required
@require_POST
def console_engineering_update(request, key):
    item = get_object_or_404(EngineeringItem, key=key)
    form = EngineeringChangeForm(request.POST)
    if form.is_valid():
        _u, ok = run_action(
            form, notices.do_update_engineering_item, request.user, item, **form.cleaned_data
        )
        if ok:
            messages.success(request, _("Engineering item updated; its followers are told."))
            return redirect("catalog:console_engineering")
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return _engineering_page(request, EngineeringItemForm(), 422)


# ----------------------------------------------------------------------------- ticket links
#
# The console ticket page's catalogue forms: each names a row (a known issue, an engineering
# item, a version), makes one change of the ticket and goes back to the ticket page; a row
# that does not exist or a broken rule shows the error page (422).


def _refused(request, ticket, error: str):
    return render(
        request,
        "ticket_error.html",
        {"ticket": ticket, "error": error, "back": "console:ticket"},
        status=422,
    )


def _change_ticket(request, pk, named, missing: str, action, *args, success, **kwargs):
    """``named``: the row the form named, or None (then ``missing`` is the error)."""
    try:
        ticket = get_ticket_for(request.user, pk)
    except NotFound:
        raise Http404 from None
    if named is None:
        return _refused(request, ticket, missing)
    try:
        run_action(None, action, request.user, ticket, *args, **kwargs)
    except ActionError as exc:
        return _refused(request, ticket, message_of(exc))
    messages.success(request, success)
    return redirect("console:ticket", pk=ticket.pk)


@staff_required
@require_POST
def link_known_issue(request, pk):
    issue = KnownIssue.objects.filter(slug=request.POST.get("known_issue", "").strip()).first()
    return _change_ticket(
        request, pk, issue, _("No known issue has this reference."), do_link_known_issue,
        issue, wait_for_fix=bool(request.POST.get("wait_for_fix")),
        success=_("Linked to %(issue)s; the customer is told.") % {"issue": getattr(issue, "slug", "")},
    )  # fmt: skip


@staff_required
@require_POST
def unlink_known_issue(request, pk):
    return _change_ticket(
        request, pk, True, "", do_unlink_known_issue, reason=request.POST.get("reason", ""),
        success=_("The link to the known issue is removed; the customer is told."),
    )  # fmt: skip


@staff_required
@require_POST
def link_engineering_item(request, pk):
    item = EngineeringItem.objects.filter(key=request.POST.get("key", "").strip()).first()
    return _change_ticket(
        request, pk, item, _("No engineering item has this key."), do_link_engineering_item,
        item, success=_("The customer now follows %(key)s.") % {"key": getattr(item, "key", "")},
    )  # fmt: skip


@staff_required
@require_POST
def set_product_version(request, pk):
    version = Version.objects.filter(pk=request.POST.get("product_version") or 0).first()
    return _change_ticket(
        request, pk, version, _("Choose a catalogue version."), do_set_product_version,
        version, reason=request.POST.get("reason", ""),
        success=_("The ticket's version is corrected."),
    )  # fmt: skip
