"""The one change the portal makes itself: a person's own language and time zone.

Everything else the portal and the console change goes through the domain's actions
(``pacto.tickets.actions``, ``pacto.accounts.actions``).
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.db import transaction

from pacto.accounts.models import AccountEvent, User
from pacto.errors import ActionError


def check_preferences(language: str | None, time_zone: str | None) -> None:
    if language is not None and language not in dict(settings.LANGUAGES):
        raise ActionError(
            "language", "choice", f"language must be one of {dict(settings.LANGUAGES)}"
        )
    if time_zone is not None and time_zone not in zoneinfo.available_timezones():
        raise ActionError("time_zone", "choice", f"{time_zone!r} is not a known time zone")


def do_set_preferences(
    user: User, *, language: str | None = None, time_zone: str | None = None
) -> User:
    """Set the language and/or time zone ``user`` reads Pacto in (and receives email in)."""
    check_preferences(language, time_zone)
    changed = {}
    if language is not None and language != user.language:
        changed["language"] = language
    if time_zone is not None and time_zone != user.time_zone:
        changed["time_zone"] = time_zone
    if not changed:
        return user
    with transaction.atomic():
        for name, value in changed.items():
            setattr(user, name, value)
        user.save(update_fields=list(changed))
        AccountEvent.objects.create(
            organization=user.organization,
            actor=user,
            subject=user,
            kind="preferences_changed",
            data=changed,
        )
    return user
