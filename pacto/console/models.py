"""What an agent keeps in the console: saved queue views, macros, and when they last read
their notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """A queue's filters, sort and columns under a name, personal or shared with the team.

    ``query`` is the queue page's own query string (``status=open&sort=-opened&cols=…``), so
    a view is exactly the page its owner saw when they saved it."""

    name = models.CharField(_("name"), max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    shared = models.BooleanField(_("shared with the team"), default=False)
    query = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Macro(models.Model):
    """A canned reply that may also set the status, severity, line and assignee.

    The body may hold ``{customer_name}``, ``{ticket_number}`` and ``{due_time}``; the status
    is a category (``waiting_on_customer``…) so one macro fits every policy's own status of
    that category."""

    class Language(models.TextChoices):
        ANY = "", _("Any language")
        EN = "en", "English"
        PT_BR = "pt-br", "Português (Brasil)"

    name = models.CharField(_("name"), max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="macros"
    )
    shared = models.BooleanField(_("shared with the team"), default=False)
    language = models.CharField(_("language"), max_length=8, blank=True, choices=Language.choices)
    body = models.TextField(_("reply"))
    public = models.BooleanField(_("public reply (unset: internal note)"), default=True)
    status_category = models.CharField(_("status to set"), max_length=24, blank=True)
    severity = models.CharField(_("severity to set"), max_length=40, blank=True)
    line = models.CharField(_("support line to set"), max_length=8, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee to set"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Inbox(models.Model):
    """When an agent last opened their notifications: what came after is unread."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="console_inbox"
    )
    read_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"inbox of {self.user_id}"
