"""The outbox for administrators: what was sent, what is failing, what is dead; retry."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone

from pacto.notifications.delivery import do_retry
from pacto.notifications.models import NotificationPreference, Outbox, WebhookEndpoint


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = (
        "id", "created_at", "channel", "kind", "recipient", "state", "attempts",
        "next_attempt_at", "sent_at",
    )  # fmt: skip
    list_filter = ("state", "channel", "kind")
    search_fields = ("recipient", "dedupe_key", "last_error")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    actions = ["retry"]
    readonly_fields = [f.name for f in Outbox._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # rows are written by actions, in the transaction of their change

    @admin.action(description="Retry the selected notifications now", permissions=["change"])
    def retry(self, request, queryset):
        count = do_retry(queryset, timezone.now())
        self.message_user(request, f"{count} notification(s) will be sent again.", messages.SUCCESS)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "organization", "kind", "email", "pager")
    list_filter = ("kind", "email", "pager")
    raw_id_fields = ("user", "organization")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "organization", "active", "kinds", "created_at")
    list_filter = ("active",)
    raw_id_fields = ("organization",)
