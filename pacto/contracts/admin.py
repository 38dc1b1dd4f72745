"""Policies (with their calendars) and contracts, for administrators.

A policy version is immutable: a ticket opened under it is computed under it forever. To
change a policy — its calendars, holidays, targets — add a new version (the YAML text is
validated by the engine) and point contracts at it."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from pacto.adminrows import ShowsRowProblems
from pacto.contracts.actions import (
    CONTRACT_FIELDS,
    check_no_overlap,
    check_plan,
    check_policy_text,
    do_set_installed_version,
    do_store_policy,
    do_update_contract,
    store_presets,
)
from pacto.contracts.models import Contract, ContractEvent, ContractProduct, PolicyVersion
from pacto.errors import ActionError
from pacto.sla.policy import PolicyError


class PolicyVersionForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = ("source_yaml",)
        widgets = {"source_yaml": forms.Textarea(attrs={"rows": 30, "cols": 100})}
        labels = {"source_yaml": _("Policy file (YAML)")}

    def clean_source_yaml(self):
        text = self.cleaned_data["source_yaml"]
        try:
            check_policy_text(text)
        except ActionError as exc:
            raise forms.ValidationError(exc.message) from None
        if PolicyVersion.objects.filter(sha256=PolicyVersion.digest(text)).exists():
            raise forms.ValidationError(_("This exact policy text is already stored."))
        return text


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ShowsRowProblems, admin.ModelAdmin):
    list_display = ("policy_id", "version", "title", "is_preset", "created_at", "short_sha")
    list_filter = ("is_preset", "policy_id")
    search_fields = ("policy_id", "title", "version")
    form = PolicyVersionForm

    @admin.display(description="sha256")
    def short_sha(self, obj) -> str:
        return obj.sha256[:12]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "policy_id",
            "version",
            "title",
            "is_preset",
            "sha256",
            "created_at",
            "calendars",
            "source_yaml",
        )

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj) if obj else ("source_yaml",)

    def row_problems(self, obj) -> list[str]:
        try:
            obj.policy  # noqa: B018 (parses the stored text)
        except PolicyError as exc:
            return [str(exc)]
        return []

    @admin.display(description=_("calendars"))
    def calendars(self, obj) -> str:
        rows = []
        try:
            calendars = obj.policy.calendars
        except PolicyError:
            return "-"  # the problem is named above the page
        for name, spec in calendars.items():
            if isinstance(spec.hours, str):
                hours = spec.hours
            else:
                hours = "; ".join(
                    f"{days} {', '.join(spans)}" for days, spans in spec.hours.items()
                )
            rows.append((name, hours, spec.timezone))
        return format_html("<ul>{}</ul>", format_html_join("", "<li><b>{}</b>: {} ({})</li>", rows))

    def save_model(self, request, obj, form, change):
        if change:
            return  # versions are immutable
        stored = do_store_policy(form.cleaned_data["source_yaml"])
        obj.pk = stored.pk
        obj.__dict__.update(stored.__dict__)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # contracts and tickets point at versions


class ContractProductForm(forms.ModelForm):
    class Meta:
        model = ContractProduct
        fields = ("product", "module", "catalog_module", "installed_version", "quantity")

    def clean(self):
        data = super().clean()
        module, version = data.get("catalog_module"), data.get("installed_version")
        if version is not None and (module is None or version.module_id != module.pk):
            self.add_error(
                "installed_version", _("Choose a version of the line's catalogue module.")
            )
        return data


class ContractProductInline(admin.TabularInline):
    """A contract's inventory. ``updated_at`` is when the installed version was last
    recorded: Pacto keeps it, nobody types it."""

    model = ContractProduct
    form = ContractProductForm
    fields = ("product", "module", "catalog_module", "installed_version", "quantity", "updated_at")
    readonly_fields = ("updated_at",)
    extra = 1
    readonly_fields = ("updated_at",)


class ContractEventInline(admin.TabularInline):
    """The contract's audit trail, read-only."""

    model = ContractEvent
    fields = ("at", "kind", "actor", "data")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def plan_choices() -> list:
    """Every plan of every stored policy version, grouped by version: the administrator picks
    one (never types it); ``clean`` checks it belongs to the chosen policy."""
    groups = []
    for version in PolicyVersion.objects.order_by("policy_id", "-created_at"):
        try:
            plans = version.policy.plans
        except PolicyError:
            continue  # shown in the policy list with its error; nothing to pick from it
        groups.append((str(version), [(p.id, f"{p.name} ({p.id})") for p in plans]))
    return [("", "---------"), *groups]


class ContractForm(forms.ModelForm):
    plan = forms.ChoiceField(
        label=_("Plan"),
        help_text=_("One of the plans of the policy chosen above."),
    )

    class Meta:
        model = Contract
        fields = "__all__"
        help_texts = {
            "policy_version": _(
                "Every shipped preset is listed (stored when the database was migrated); add "
                "another version under Policy versions."
            ),
            "ends_on": _("The last day of support, included."),
        }

    def __init__(self, *args, **kwargs):
        store_presets()  # first use: every preset can be chosen without pasting its YAML
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = plan_choices()
        current = self.initial.get("plan") or (self.instance.plan if self.instance.pk else "")
        if current and current not in dict(_flat(self.fields["plan"].choices)):
            # A plan the policy no longer defines stays visible, so the row can be fixed.
            self.fields["plan"].choices += [(current, current)]

    def clean(self):
        data = super().clean()
        version, plan = data.get("policy_version"), data.get("plan")
        if version and plan:
            try:
                check_plan(version, plan)
            except ActionError as exc:
                self.add_error("plan", exc.message)
        if data.get("organization") and data["organization"].kind != "customer":
            self.add_error("organization", _("Contracts belong to customer organizations."))
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("A contract cannot end before it starts."))
        return data

    def check_overlap(self, products: list[str]) -> None:
        """Called by the admin once the product lines are known (see ``ContractAdmin``)."""
        data = self.cleaned_data
        if not (data.get("organization") and data.get("starts_on") and data.get("ends_on")):
            return
        try:
            check_no_overlap(
                data["organization"],
                data["starts_on"],
                data["ends_on"],
                [(name, "", 1) for name in products],
                exclude=self.instance if self.instance.pk else None,
            )
        except ActionError as exc:
            self.add_error("starts_on", exc.message)


def _flat(choices):
    for value, label in choices:
        if isinstance(label, list | tuple):
            yield from label
        else:
            yield value, label


@admin.register(Contract)
class ContractAdmin(ShowsRowProblems, admin.ModelAdmin):
    form = ContractForm
    list_display = (
        "service_contract_id",
        "organization",
        "policy_version",
        "plan",
        "starts_on",
        "ends_on",
        "auto_renew",
    )
    list_filter = ("plan", "auto_renew", "policy_version")
    search_fields = ("service_contract_id", "organization__name")
    autocomplete_fields = ("organization",)
    raw_id_fields = ("renewal_of",)
    date_hierarchy = "starts_on"
    inlines = [ContractProductInline, ContractEventInline]
    readonly_fields = ("created_at",)

    def row_problems(self, contract: Contract) -> list[str]:
        problems = []
        try:
            check_plan(contract.policy_version, contract.plan)
        except PolicyError as exc:
            problems.append(str(exc))
        except ActionError as exc:
            problems.append(exc.message)
        if contract.ends_on < contract.starts_on:
            problems.append(_("A contract cannot end before it starts."))
        if contract.organization.kind != "customer":
            problems.append(_("Contracts belong to customer organizations."))
        return problems

    def _create_formsets(self, request, obj, change):
        """Refuse an overlapping contract here, where both the contract's fields and its
        product lines are known: the error is shown on the form, nothing is saved."""
        form_sets, inline_instances = super()._create_formsets(request, obj, change)
        request.contract_product_formsets = [f for f in form_sets if f.model is ContractProduct]
        return form_sets, inline_instances

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class Checked(form):
            def _post_clean(self):
                super()._post_clean()
                for formset in getattr(request, "contract_product_formsets", []):
                    if not formset.is_valid():
                        return
                    names = [
                        f.cleaned_data["product"]
                        for f in formset.forms
                        if f.cleaned_data.get("product") and not f.cleaned_data.get("DELETE")
                    ]
                    self.check_overlap(names)

        return Checked

    def save_formset(self, request, form, formset, change):
        """A new installed version on an existing catalogue line is recorded through
        ``do_set_installed_version`` (its history event and ``updated_at``)."""
        if formset.model is not ContractProduct:
            return super().save_formset(request, form, formset, change)
        for line_form in formset.forms:
            line = line_form.instance
            if (
                line.pk
                and "installed_version" in line_form.changed_data
                and line_form.cleaned_data.get("installed_version") is not None
                and not line_form.cleaned_data.get("DELETE")
            ):
                stored = ContractProduct.objects.get(pk=line.pk)
                recorded = do_set_installed_version(
                    request.user, stored, line_form.cleaned_data["installed_version"]
                )
                line.updated_at = recorded.updated_at  # the rest of the row saves below
        return super().save_formset(request, form, formset, change)

    def save_model(self, request, obj, form, change):
        """Changes to a contract's terms go through ``do_update_contract`` (audited); a new
        contract is saved here and its creation recorded, its products by the inline."""
        if change:
            original = Contract.objects.get(pk=obj.pk)
            tracked = {k: getattr(obj, k) for k in form.changed_data if k in CONTRACT_FIELDS}
            if tracked:
                do_update_contract(request.user, original, **tracked)
            if set(form.changed_data) - set(CONTRACT_FIELDS):
                super().save_model(request, obj, form, change)
                ContractEvent.objects.create(
                    contract=obj,
                    actor=request.user,
                    kind="changed_in_administration",
                    data={"fields": sorted(set(form.changed_data) - set(CONTRACT_FIELDS))},
                )
            return
        super().save_model(request, obj, form, change)
        ContractEvent.objects.create(
            contract=obj, actor=request.user, kind="created", data={"plan": obj.plan}
        )
