"""The inbound email log for agents and administrators: read-only, since it is history."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from pacto.adminrows import ViewOnly
from pacto.mail.models import InboundMessage

PREVIEW_BYTES = 20_000


@admin.register(InboundMessage)
class InboundMessageAdmin(ViewOnly, admin.ModelAdmin):  # rows are written by ingestion only
    list_display = ("received_at", "outcome", "sender", "subject", "ticket_link", "source")
    list_filter = ("outcome", "source")
    search_fields = ("sender", "subject", "message_id", "detail")
    date_hierarchy = "received_at"
    ordering = ("-received_at", "-id")
    readonly_fields = [f.name for f in InboundMessage._meta.fields] + ["raw_preview"]
    exclude = ("raw",)
    list_select_related = ("ticket",)

    @admin.display(description="ticket", ordering="ticket")
    def ticket_link(self, obj: InboundMessage):
        if obj.ticket_id is None:
            return "—"
        url = reverse("console:ticket", args=[obj.ticket_id])
        return format_html('<a href="{}">#{}</a>', url, obj.ticket_id)

    @admin.display(description="raw message (start)")
    def raw_preview(self, obj: InboundMessage):
        """The stored message as received (not served as a file: it is customer data)."""
        if not obj.raw:
            return "—"
        try:
            with obj.raw.open("rb") as handle:
                head = handle.read(PREVIEW_BYTES)
        except OSError as exc:
            return f"unreadable: {exc}"
        more = "\n[…]" if obj.size > PREVIEW_BYTES else ""
        text = head.decode("utf-8", errors="replace") + more
        return format_html("<pre>{}</pre>", text)
