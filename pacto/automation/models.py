"""What the worker keeps to act on time: on-call rotations, pages, lifecycle timers and the
record of which SLA checkpoints were already acted on.

Everything that must happen at a time is a row with an indexed due timestamp
(``Page.next_check_at``, ``LifecycleTimer.next_at``, and the tickets app's
``SlaClock.next_check_at``), so a sweep reads only what is due.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pacto.automation import oncall


class OnCallRotation(models.Model):
    """Engineers taking turns, one week each, handing off at a local wall-clock time.

    Tier 1 is paged first; when nobody acknowledges in time the policy's ``paging.then``
    moves the page to the next tier. A rotation may be limited to one policy (``policy_id``)
    or serve every policy (blank).
    """

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    name = models.CharField(_("name"), max_length=100)
    tier = models.PositiveSmallIntegerField(_("tier"), default=1, help_text=_("1 is paged first"))
    policy_id = models.CharField(
        _("policy"), max_length=80, blank=True, help_text=_("blank: tickets of every policy")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    handoff_weekday = models.PositiveSmallIntegerField(
        _("handoff weekday"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    handoff_time = models.TimeField(_("handoff time"), default=dt.time(9, 0))
    starts_on = models.DateField(
        _("starts on"), help_text=_("the first handoff is on the handoff weekday on or after it")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("on-call rotation")
        verbose_name_plural = _("on-call rotations")
        ordering = ["tier", "name"]

    def __str__(self) -> str:
        return f"{self.name} (tier {self.tier})"

    def spec(self) -> oncall.Rotation:
        """The rotation as the pure ``oncall`` module sees it."""
        return oncall.Rotation(
            members=tuple(m.user_id for m in self.members.all()),
            time_zone=self.time_zone,
            handoff_weekday=self.handoff_weekday,
            handoff_time=self.handoff_time,
            starts_on=self.starts_on,
            overrides=tuple(
                oncall.Override(o.user_id, o.starts_at, o.ends_at, o.pk)
                for o in self.overrides.all()
            ),
        )


class RotationMember(models.Model):
    rotation = models.ForeignKey(OnCallRotation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(help_text=_("turn order, from 0"))

    class Meta:
        verbose_name = _("rotation member")
        verbose_name_plural = _("rotation members")
        ordering = ["rotation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rotation", "position"], name="one_member_per_turn")
        ]

    def __str__(self) -> str:
        return f"{self.user} #{self.position} in {self.rotation}"


class OnCallOverride(models.Model):
    """Someone else takes the pager for a while (a swap, a holiday). The latest wins."""

    rotation = models.ForeignKey(OnCallRotation, on_delete=models.CASCADE, related_name="overrides")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("on-call override")
        verbose_name_plural = _("on-call overrides")
        ordering = ["rotation", "starts_at"]
        indexes = [models.Index(fields=["rotation", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="override_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.user} on {self.rotation} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"
        )


def _nonce() -> str:
    return secrets.token_urlsafe(16)


class Page(models.Model):
    """One severity-1 alert to the on-call engineers of a ticket, until someone acknowledges.

    ``attempt`` counts the pages sent at the current tier; ``next_check_at`` is when the
    worker re-pages or moves on if nobody has acknowledged (null once settled), or, while
    ``waiting``, when the ticket's first-response clock starts and the first page goes out.
    """

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for the response clock to start")
        PAGING = "paging", _("Paging")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        EXHAUSTED = "exhausted", _("Nobody acknowledged: support managers notified")
        CANCELLED = "cancelled", _("Cancelled (ticket solved)")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="pages")
    trigger = models.CharField(
        max_length=60, help_text=_("what started it: 'opened' or 'severity:<event id>'")
    )
    severity = models.CharField(max_length=40)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PAGING)
    tier = models.PositiveSmallIntegerField(default=1)
    attempt = models.PositiveSmallIntegerField(default=1)
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ack_nonce = models.CharField(max_length=32, default=_nonce)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    history = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "trigger"], name="one_page_per_trigger")
        ]

    def __str__(self) -> str:
        return f"page {self.pk} for #{self.ticket_id} ({self.state})"


class ClockAlert(models.Model):
    """An SLA checkpoint (a warning or the breach) the worker has acted on, once.

    The unique constraint is what makes the escalation sweep exactly-once: two workers that
    both see the same checkpoint cannot both insert this row.
    """

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=24)
    label = models.CharField(max_length=60, help_text=_("'breach' or 'warning at 75%'"))
    reached_at = models.DateTimeField()
    acted_at = models.DateTimeField(default=timezone.now)
    rule = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["reached_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "metric", "label", "reached_at"], name="one_alert_per_checkpoint"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.metric} {self.label} at {self.reached_at:%Y-%m-%d %H:%M}"


class LifecycleTimer(models.Model):
    """The next automatic step of a ticket under its policy's ``lifecycle`` rules: a
    follow-up reminder or the status change itself. Rescheduled on every status change."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="lifecycle_timer"
    )
    rule_id = models.CharField(max_length=80)
    status = models.CharField(max_length=40, help_text=_("the status the rule moves away from"))
    entered_at = models.DateTimeField(help_text=_("when the ticket entered that status"))
    reminders_sent = models.PositiveSmallIntegerField(
        default=0, help_text=_("follow-ups sent so far, automatic or by an agent")
    )
    last_followup_at = models.DateTimeField(null=True, blank=True)
    next_at = models.DateTimeField(null=True, db_index=True)

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.rule_id} next {self.next_at}"
