"""Tickets for administrators: to look, not to change.

Every change to a ticket goes through ``pacto.tickets.actions`` (one transaction, an audit
event, recomputed clocks, notifications); the console is where agents make them. Here an
administrator reads a ticket whole: its messages, history and persisted clocks."""

from __future__ import annotations

from django.contrib import admin

from pacto.adminrows import ViewOnly
from pacto.tickets.models import Attachment, Message, SlaClock, Ticket, TicketEvent


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("created_at", "author", "public", "channel", "body_text")


class EventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ("at", "kind", "actor", "data", "reason")


class ClockInline(ReadOnlyInline):
    model = SlaClock
    fields = (
        "metric",
        "state",
        "target",
        "calendar",
        "due_at",
        "met_at",
        "breached_at",
        "remaining_seconds",
        "computed_at",
    )


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("name", "content_type", "size", "uploaded_by", "created_at")


@admin.register(Ticket)
class TicketAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("id", "subject", "organization", "severity", "status", "assignee", "opened_at")
    list_filter = ("status_category", "type", "channel", "support_line")
    search_fields = ("id", "subject", "organization__name", "requester__email")
    date_hierarchy = "opened_at"
    inlines = [MessageInline, AttachmentInline, EventInline, ClockInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Ticket._meta.fields]
