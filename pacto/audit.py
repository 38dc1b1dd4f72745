"""What every audit trail holds: a row per thing that happened, written once by the action
that did it and never changed."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """An audit row: ``kind`` says what happened, ``data`` its particulars, ``at`` when. Each
    trail adds what the row is about and who did it; the newest comes first."""

    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class TimelineEvent(AuditEvent):
    """An audit row told as a story, oldest first; ``at`` is the moment the action names."""

    at = models.DateTimeField(db_index=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]
