"""The outbox: every side effect is a row written in the transaction of the change causing it.

The worker delivers rows with retries and backoff; a row that keeps failing ends dead,
visible to admins and retryable. ``dedupe_key`` makes writing the same notification twice
(a sweep run twice, two workers at once) a no-op.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Outbox(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WEBHOOK = "webhook", _("Webhook")
        PAGER = "pager", _("Pager")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")  # claimed by a worker until next_attempt_at
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Dead")

    channel = models.CharField(max_length=8, choices=Channel.choices)
    kind = models.CharField(max_length=40, help_text=_("what happened, e.g. ticket_opened"))
    dedupe_key = models.CharField(max_length=200, unique=True)
    recipient = models.CharField(max_length=300)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="outbox"
    )
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox row")
        verbose_name_plural = _("outbox rows")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=models.Q(state__in=["pending", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} to {self.recipient} ({self.state})"


class NotificationPreference(models.Model):
    """Who gets what, on which channel: for one person, or for everyone of an organization.

    For a recipient and a kind of notification, the most specific row wins: the person's row
    for that kind, then their row for every kind (``*``), then their organization's rows in
    the same order; with no row at all, email is on and the pager off. Pages to the on-call
    engineer always go out on the pager whatever the preferences say.
    """

    ANY_KIND = "*"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(
        max_length=40, default=ANY_KIND, help_text=_("e.g. clock_warning; * for every kind")
    )
    email = models.BooleanField(_("by email"), default=True)
    pager = models.BooleanField(_("on the pager"), default=False)

    class Meta:
        ordering = ["organization", "user", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=True) ^ models.Q(organization__isnull=True),
                name="preference_for_user_or_organization",
            ),
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=models.Q(user__isnull=False),
                name="one_preference_per_user_kind",
            ),
            models.UniqueConstraint(
                fields=["organization", "kind"],
                condition=models.Q(organization__isnull=False),
                name="one_preference_per_organization_kind",
            ),
        ]

    def __str__(self) -> str:
        channels = [c for c in ("email", "pager") if getattr(self, c)] or ["off"]
        return f"{self.user or self.organization}: {self.kind} by {', '.join(channels)}"


class WebhookEndpoint(models.Model):
    """An HTTPS endpoint that receives signed JSON notifications.

    An organization's endpoint receives the events of its tickets that its contacts would
    see; an endpoint without an organization belongs to the vendor and receives everything
    (e.g. a chat channel of the support team).
    """

    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        help_text=_("blank: the vendor's own endpoint, for every event"),
    )
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=200, help_text=_("signs each delivery (HMAC-SHA256)"))
    kinds = models.JSONField(default=list, blank=True, help_text=_("kinds to send; empty: all"))
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization", "url"]

    def __str__(self) -> str:
        return f"{self.url} ({self.organization or 'vendor'})"

    def wants(self, kind: str) -> bool:
        return self.active and (not self.kinds or kind in self.kinds)
