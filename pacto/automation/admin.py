"""On-call rotations and pages for support managers and administrators."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html_join

from pacto.automation import oncall
from pacto.automation.models import (
    ClockAlert,
    LifecycleTimer,
    OnCallOverride,
    OnCallRotation,
    Page,
    RotationMember,
)


class RotationMemberInline(admin.TabularInline):
    model = RotationMember
    extra = 1
    raw_id_fields = ("user",)


class OnCallOverrideInline(admin.TabularInline):
    model = OnCallOverride
    extra = 0
    raw_id_fields = ("user",)


@admin.register(OnCallRotation)
class OnCallRotationAdmin(admin.ModelAdmin):
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
    inlines = [RotationMemberInline, OnCallOverrideInline]
    readonly_fields = ("next_four_weeks",)

    @admin.display(description="on call now")
    def on_call_now(self, rotation: OnCallRotation) -> str:
        user_id = oncall.on_call_at(rotation.spec(), timezone.now())
        member = next((m for m in rotation.members.all() if m.user_id == user_id), None)
        return str(member.user) if member else ("-" if user_id is None else f"user {user_id}")

    @admin.display(description="next four weeks")
    def next_four_weeks(self, rotation: OnCallRotation) -> str:
        if rotation.pk is None:
            return "-"
        now = timezone.now()
        names = {m.user_id: str(m.user) for m in rotation.members.all()}
        names.update({o.user_id: str(o.user) for o in rotation.overrides.all()})
        spans = oncall.shifts(rotation.spec(), now, now + dt.timedelta(weeks=4))
        zone = rotation.spec().zone
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
