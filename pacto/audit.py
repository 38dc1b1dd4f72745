"""What every audit trail holds: a row per thing that happened, written once by the action
that did it and never changed."""

from __future__ import annotations

import datetime as dt

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


def saved_changes(row: models.Model, changed: dict) -> dict:
    """Set and save ``changed`` on ``row``; returns ``{field: [before, after]}`` for its audit
    row, dates as ISO text and rows by name."""
    before = {name: _plain(getattr(row, name)) for name in changed}
    for name, value in changed.items():
        setattr(row, name, value)
    row.save(update_fields=list(changed))
    return {name: [before[name], _plain(value)] for name, value in changed.items()}


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return value
