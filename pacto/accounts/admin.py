"""Organizations, contacts and the vendor's staff, for administrators.

Authorizing or revoking a contact from here goes through the same actions as the rest of
Pacto (``do_authorize_contact`` / ``do_revoke_contact``), so it is audited and the
organization's technical contacts are told (seed 002)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from pacto.accounts.actions import do_authorize_contact, do_revoke_contact
from pacto.accounts.models import AccountEvent, ApiToken, Organization, PartnerCertification, User


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


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "account_manager", "email_domains", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "email_domains")
    filter_horizontal = ("served_customers",)
    autocomplete_fields = ("account_manager",)
    inlines = [ContactInline]


class CertificationInline(admin.TabularInline):
    model = PartnerCertification
    extra = 0


class PactoUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "role")


class PactoUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Contacts and staff. People sign in with their email address; there is no username."""

    form = PactoUserChangeForm
    add_form = PactoUserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "role", "organization", "is_authorized", "is_active")
    list_filter = ("role", "is_authorized", "is_org_admin", "is_active", "support_line")
    search_fields = ("email", "full_name", "organization__name")
    autocomplete_fields = ("organization",)
    inlines = [CertificationInline]
    actions = ["authorize", "revoke"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "phone", "language", "time_zone")}),
        (_("Role"), {"fields": ("role", "support_line", "organization")}),
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
class AccountEventAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "organization", "actor", "subject")
    list_filter = ("kind",)
    search_fields = ("subject__email", "actor__email", "organization__name")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
