"""On-call rotations and pages for support managers and administrators."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from pacto.accounts.models import User
from pacto.adminrows import ShowsRowProblems, zone_problem
from pacto.automation import oncall
from pacto.automation.models import (
    ClockAlert,
    LifecycleTimer,
    OnCallOverride,
    OnCallRotation,
    Page,
    RotationMember,
)
from pacto.contracts.actions import store_presets
from pacto.contracts.models import PolicyVersion


def time_zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones())]


def policy_choices() -> list[tuple[str, str]]:
    """The policies contracts can run (every stored version's id, presets included)."""
    store_presets()
    ids = PolicyVersion.objects.order_by("policy_id").values_list("policy_id", "title")
    seen = dict(ids)
    return [("", _("Every policy")), *((pid, f"{title} ({pid})") for pid, title in seen.items())]


class StaffChoiceField(forms.ModelChoiceField):
    """A member of the vendor's staff, chosen by name (never typed as a user id)."""

    def label_from_instance(self, user) -> str:
        return f"{user.full_name or user.email} <{user.email}>"


def _staff_field(**kwargs) -> StaffChoiceField:
    staff = (
        User.objects.exclude(role=User.Role.CONTACT).filter(is_active=True).order_by("full_name")
    )
    return StaffChoiceField(queryset=staff, label=_("engineer"), **kwargs)


class RotationMemberForm(forms.ModelForm):
    class Meta:
        model = RotationMember
        fields = ("user", "position")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"] = _staff_field()


class OnCallOverrideForm(forms.ModelForm):
    class Meta:
        model = OnCallOverride
        fields = ("user", "starts_at", "ends_at", "reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"] = _staff_field()
        zone = timezone.get_current_timezone_name()
        for name in ("starts_at", "ends_at"):
            self.fields[name].help_text = _("In %(zone)s.") % {"zone": zone}

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("An override ends after it starts."))
        return data


class RotationMemberInline(admin.TabularInline):
    model = RotationMember
    form = RotationMemberForm
    extra = 1
    verbose_name = _("member")
    verbose_name_plural = _("members, in turn order")


class OnCallOverrideInline(admin.TabularInline):
    model = OnCallOverride
    form = OnCallOverrideForm
    extra = 0
    verbose_name = _("override")
    verbose_name_plural = _("overrides (someone else takes the pager for a while)")


class OnCallRotationForm(forms.ModelForm):
    """Every field checked before it is saved: the zone is an IANA zone, the policy one that
    contracts run, the handoff a wall-clock time that exists."""

    time_zone = forms.ChoiceField(
        label=_("time zone"), help_text=_("The handoff time is wall-clock time in this zone.")
    )
    policy_id = forms.ChoiceField(label=_("policy"), required=False)

    class Meta:
        model = OnCallRotation
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()
        self.fields["policy_id"].choices = policy_choices()
        # A row saved before this check keeps its value on the form, with the error shown.
        for name in ("time_zone", "policy_id"):
            current = self.initial.get(name)
            if current and current not in dict(self.fields[name].choices):
                self.fields[name].choices += [(current, current)]

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"]
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(
                _("%(zone)s is not a time zone (use an IANA name such as America/Sao_Paulo).")
                % {"zone": value}
            ) from None
        return value

    def clean_policy_id(self):
        value = self.cleaned_data["policy_id"]
        if value and not PolicyVersion.objects.filter(policy_id=value).exists():
            raise forms.ValidationError(_("No stored policy is called %(id)s.") % {"id": value})
        return value


@admin.register(OnCallRotation)
class OnCallRotationAdmin(ShowsRowProblems, admin.ModelAdmin):
    list_display = (
        "name",
        "tier",
        "policy_id",
        "time_zone",
        "handoff_weekday",
        "handoff_time",
        "active",
        "on_call_now",
    )
    list_filter = ("active", "tier")
    form = OnCallRotationForm
    inlines = [RotationMemberInline, OnCallOverrideInline]
    readonly_fields = ("next_four_weeks",)

    def row_problems(self, rotation: OnCallRotation) -> list[str]:
        problems = [zone_problem(rotation.time_zone)]
        if (
            rotation.policy_id
            and not PolicyVersion.objects.filter(policy_id=rotation.policy_id).exists()
        ):
            problems.append(_("No stored policy is called %(id)s.") % {"id": rotation.policy_id})
        return [p for p in problems if p]

    @admin.display(description=_("on call now"))
    def on_call_now(self, rotation: OnCallRotation) -> str:
        try:
            user_id = oncall.on_call_at(rotation.spec(), timezone.now())
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            # A row saved before validation existed: shown with its error, so it can be fixed.
            return _("cannot be computed: %(error)s") % {"error": exc}
        member = next((m for m in rotation.members.all() if m.user_id == user_id), None)
        return str(member.user) if member else ("-" if user_id is None else f"user {user_id}")

    @admin.display(description=_("next four weeks"))
    def next_four_weeks(self, rotation: OnCallRotation) -> str:
        if rotation.pk is None:
            return "-"
        now = timezone.now()
        names = {m.user_id: str(m.user) for m in rotation.members.all()}
        names.update({o.user_id: str(o.user) for o in rotation.overrides.all()})
        try:
            spans = oncall.shifts(rotation.spec(), now, now + dt.timedelta(weeks=4))
            zone = rotation.spec().zone
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            return _("cannot be computed until the rotation is corrected: %(error)s") % {
                "error": exc
            }
        return format_html_join(
            "",
            "<div>{} → {}: {}</div>",
            (
                (f"{lo.astimezone(zone):%a %d %b %H:%M}", f"{hi.astimezone(zone):%a %d %b %H:%M}",
                 names.get(user, "nobody"))
                for lo, hi, user in spans
            ),
        )  # fmt: skip


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "ticket",
        "severity",
        "state",
        "tier",
        "attempt",
        "engineer",
        "created_at",
        "acknowledged_by",
    )
    list_filter = ("state",)
    raw_id_fields = ("ticket", "engineer", "acknowledged_by")
    readonly_fields = ("ack_nonce", "history")


@admin.register(ClockAlert)
class ClockAlertAdmin(admin.ModelAdmin):
    list_display = ("ticket", "metric", "label", "reached_at", "acted_at", "rule")
    list_filter = ("metric", "label")
    raw_id_fields = ("ticket",)


@admin.register(LifecycleTimer)
class LifecycleTimerAdmin(admin.ModelAdmin):
    list_display = ("ticket", "rule_id", "status", "entered_at", "reminders_sent", "next_at")
    list_filter = ("rule_id",)
    raw_id_fields = ("ticket",)
