"""The instant an action happens at, shared by every app's actions."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pacto.errors import ActionError


def aware_now(now: dt.datetime | None) -> dt.datetime:
    """``now`` as given (it must carry a time zone), or the current time when None."""
    if now is None:
        return timezone.now()
    if timezone.is_naive(now):
        raise ActionError("now", "aware", "times must carry a time zone")
    return now
