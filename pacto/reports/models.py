"""Report runs (what a customer was sent, kept to be produced again) and satisfaction surveys.

Figures are never stored as counters: every report is a query over the stored clocks and
events (``figures.py``). A run keeps the *content* it was rendered from (period, scope,
policy versions, every figure) and its SHA-256, so the same PDF is produced again byte for
byte; a run made after a recompute that changes a figure is a new version beside the first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportRun(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Monthly customer report")

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CUSTOMER)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="report_runs"
    )
    month = models.CharField(_("month"), max_length=7, help_text="YYYY-MM")
    version = models.PositiveIntegerField(default=1)
    language = models.CharField(max_length=8, default="en")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    policy_versions = models.JSONField(default=list)
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization__name", "-month", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "organization", "month", "version"], name="one_report_version"
            ),
            models.UniqueConstraint(
                fields=["kind", "organization", "month", "content_hash"],
                name="one_report_per_content",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.month} v{self.version}"


class Survey(models.Model):
    """One satisfaction question per ticket (CSAT), answered by its requester by signed link."""

    class Rating(models.TextChoices):
        GOOD = "good", _("Good")
        BAD = "bad", _("Bad")

    class Reason(models.TextChoices):
        SLOW = "slow", _("It took too long")
        NOT_SOLVED = "not_solved", _("The problem is not solved")
        UNCLEAR = "unclear", _("The answers were unclear")
        ATTITUDE = "attitude", _("The agent's attitude")
        OTHER = "other", _("Another reason")

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="survey")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="surveys"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rated_surveys",
        help_text=_("the ticket's assignee when the survey was sent"),
    )
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    rating = models.CharField(_("rating"), max_length=8, choices=Rating.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"survey of #{self.ticket_id}: {self.rating or 'unanswered'}"
