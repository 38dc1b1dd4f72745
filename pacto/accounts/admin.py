"""Organizations, contacts and the vendor's staff, for administrators.

Authorizing or revoking a contact from here goes through the same actions as the rest of
Pacto (``do_authorize_contact`` / ``do_revoke_contact``), so it is audited and the
organization's technical contacts are told (Allure)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from pacto.accounts.actions import (
    CONTACT_FIELDS,
    ORGANIZATION_FIELDS,
    check_contact_fields,
    do_authorize_contact,
    do_record_certification,
    do_record_training,
    do_revoke_contact,
    do_update_contact,
    do_update_organization,
)
from pacto.accounts.models import (
    AccountEvent,
    ApiToken,
    Invitation,
    Organization,
    PartnerCertification,
    TrainingRecord,
    User,
)
from pacto.adminrows import ShowsRowProblems, ViewOnly
from pacto.errors import ActionError


class ContactInline(admin.TabularInline):
    model = User
    fk_name = "organization"
    fields = ("email", "full_name", "is_authorized", "is_org_admin", "is_focal_point", "is_active")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("contact")
    verbose_name_plural = _("contacts")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = "__all__"

    def clean(self):
        data = super().clean()
        starts, ends = data.get("partnership_starts_on"), data.get("partnership_ends_on")
        if starts and ends and ends < starts:
            self.add_error("partnership_ends_on", _("A partnership cannot end before it starts."))
        if (starts or ends) and data.get("kind") != Organization.Kind.PARTNER:
            self.add_error("partnership_starts_on", _("Only partners have partnerships."))
        return data


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Changes go through ``do_update_organization``, so each one is an audit event."""

    form = OrganizationForm
    list_display = (
        "name", "kind", "account_manager", "email_domains", "partnership_ends_on", "created_at"
    )  # fmt: skip
    list_filter = ("kind",)
    search_fields = ("name", "email_domains")
    filter_horizontal = ("served_customers",)
    autocomplete_fields = ("account_manager",)
    readonly_fields = ("created_at",)
    inlines = [ContactInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.time_zone_guessed = True  # the add form asks for no zone: UTC is a default
            super().save_model(request, obj, form, change)
            AccountEvent.objects.create(
                organization=obj, actor=request.user, kind="organization_created"
            )
            return
        original = Organization.objects.get(pk=obj.pk)
        tracked = {k: getattr(obj, k) for k in form.changed_data if k in ORGANIZATION_FIELDS}
        if tracked:
            do_update_organization(request.user, original, **tracked)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and "served_customers" in form.changed_data:
            AccountEvent.objects.create(
                organization=form.instance,
                actor=request.user,
                kind="served_customers_changed",
                data={"customers": [str(c) for c in form.instance.served_customers.all()]},
            )


class AddedThroughActionInline(admin.TabularInline):
    """Rows added here are recorded by their action (with its audit event); existing rows
    are history and stay as they are."""

    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class CertificationInline(AddedThroughActionInline):
    model = PartnerCertification
    fields = ("name", "valid_until")


class TrainingInline(AddedThroughActionInline):
    model = TrainingRecord
    fk_name = "contact"
    fields = ("course", "completed_on", "expires_on")


class InvitationInline(admin.TabularInline):
    model = Invitation
    fk_name = "contact"
    fields = ("sent_at", "sent_count", "expires_at", "accepted_at")
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class PactoUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "role")


def _keep_current(field, current) -> None:
    """A stored value outside the choices stays on the form (with its error), so the row can
    be corrected rather than silently changed."""
    if current and current not in dict(field.choices):
        field.choices = [*field.choices, (current, current)]


class PactoUserChangeForm(UserChangeForm):
    """Language and time zone are chosen from lists, never typed."""

    language = forms.ChoiceField(label=_("language"))
    time_zone = forms.ChoiceField(label=_("time zone"))

    class Meta:
        model = User
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        import zoneinfo

        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = list(settings.LANGUAGES)
        self.fields["time_zone"].choices = [
            (zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones())
        ]
        for name in ("language", "time_zone"):
            _keep_current(self.fields[name], self.initial.get(name))

    def clean(self):
        data = super().clean()
        try:
            check_contact_fields(language=data.get("language"), time_zone=data.get("time_zone"))
        except ActionError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return data


@admin.register(User)
class UserAdmin(ShowsRowProblems, DjangoUserAdmin):
    """Contacts and staff. People sign in with their email address; there is no username."""

    form = PactoUserChangeForm
    add_form = PactoUserCreationForm

    def row_problems(self, user: User) -> list[str]:
        problems = []
        for field in ("language", "time_zone"):
            try:
                check_contact_fields(**{field: getattr(user, field)})
            except ActionError as error:
                problems.append(error.message)
        return problems

    ordering = ("email",)
    list_display = ("email", "full_name", "role", "organization", "is_authorized", "is_active")
    list_filter = ("role", "is_authorized", "is_org_admin", "is_active", "support_line")
    search_fields = ("email", "full_name", "organization__name")
    autocomplete_fields = ("organization",)
    inlines = [CertificationInline, TrainingInline, InvitationInline]
    actions = ["authorize", "revoke"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "phone", "language", "time_zone")}),
        (_("Role"), {"fields": ("role", "support_line", "is_senior", "organization")}),
        (
            _("Contact access"),
            {"fields": ("is_authorized", "is_org_admin", "is_focal_point")},
        ),
        (
            _("Administration"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_readonly_fields(self, request, obj=None):
        # Authorization changes go through the actions below (audited, notified).
        if obj is not None:
            return (*self.readonly_fields, "is_authorized")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        """A contact's own fields change through ``do_update_contact`` (audited); the rest
        (role, staff flags, groups) as Django saves them, with an audit event naming them."""
        if not change:
            obj.time_zone_guessed = True  # the add form asks for no zone: UTC is a default
            super().save_model(request, obj, form, change)
            AccountEvent.objects.create(
                organization=obj.organization, actor=request.user, subject=obj,
                kind="account_created", data={"role": obj.role},
            )  # fmt: skip
            return
        original = User.objects.get(pk=obj.pk)
        tracked = {k: getattr(obj, k) for k in form.changed_data if k in CONTACT_FIELDS}
        if tracked:
            do_update_contact(request.user, original, **tracked)
        rest = sorted(set(form.changed_data) - set(CONTACT_FIELDS))
        if rest:
            super().save_model(request, obj, form, change)
            AccountEvent.objects.create(
                organization=obj.organization, actor=request.user, subject=obj,
                kind="account_changed", data={"fields": rest},
            )  # fmt: skip

    def save_formset(self, request, form, formset, change):
        """New certifications and training records are recorded through their actions."""
        if formset.model not in (PartnerCertification, TrainingRecord):
            return super().save_formset(request, form, formset, change)
        for row in formset.save(commit=False):
            if row.pk:
                continue
            holder = form.instance
            if formset.model is PartnerCertification:
                do_record_certification(
                    request.user, holder, name=row.name, valid_until=row.valid_until
                )
            else:
                do_record_training(
                    request.user, holder, course=row.course, completed_on=row.completed_on,
                    expires_on=row.expires_on,
                )  # fmt: skip

    @admin.action(description=_("Authorize the selected contacts"))
    def authorize(self, request, queryset):
        for contact in queryset.filter(role=User.Role.CONTACT):
            do_authorize_contact(request.user, contact, reason="administration")
        self.message_user(request, _("Contacts authorized."), messages.SUCCESS)

    @admin.action(description=_("Revoke the selected contacts' authorization"))
    def revoke(self, request, queryset):
        for contact in queryset.filter(role=User.Role.CONTACT):
            do_revoke_contact(request.user, contact, reason="administration")
        self.message_user(request, _("Authorizations revoked."), messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "scope", "hint", "created_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    search_fields = ("name", "user__email", "hint")
    readonly_fields = ("user", "name", "scope", "token_hash", "hint", "created_at", "last_used_at")

    def has_add_permission(self, request) -> bool:
        return False  # tokens are created by their owner (the secret is shown once)


@admin.register(AccountEvent)
class AccountEventAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("at", "kind", "organization", "actor", "subject")
    list_filter = ("kind",)
    search_fields = ("subject__email", "actor__email", "organization__name")
    date_hierarchy = "at"
