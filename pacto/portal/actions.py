"""The changes the portal makes itself: a person's own language and time zone, and which
events reach them by email.

Everything else the portal and the console change goes through the domain's actions
(``pacto.tickets.actions``, ``pacto.accounts.actions``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import transaction

from pacto.accounts.actions import check_contact_fields
from pacto.accounts.models import AccountEvent, User
from pacto.errors import ActionError
from pacto.notifications.models import NotificationPreference
from pacto.times import aware_now

# The events a contact may turn off by email, in the order the preferences page lists them.
# Invitations, access decisions and security notices are not among them: those always go out.
CONTACT_EMAIL_KINDS = (
    "ticket_opened",
    "agent_reply",
    "status_changed",
    "severity_changed",
    "ticket_reopened",
    "lifecycle_reminder",
    "known_issue_notice",
    "release_notice",
)


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
    """Set the language and/or time zone ``user`` reads Pacto in (and receives email in). A
    zone saved here is the person's choice, even the one they were given: the browser's no
    longer replaces it (``do_take_browser_zone``)."""
    check_preferences(language, time_zone)
    changed = {}
    if language is not None and language != user.language:
        changed["language"] = language
    if time_zone is not None and time_zone != user.time_zone:
        changed["time_zone"] = time_zone
    if time_zone is not None and user.time_zone_guessed:
        changed["time_zone_guessed"] = False
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


def do_take_browser_zone(user: User, zone: str, now: dt.datetime | None = None) -> bool:
    """The zone ``user``'s browser reports (``Intl.DateTimeFormat().resolvedOptions()``),
    taken only while their own zone is a guess (their organization's or the installation's):
    a zone someone chose is never overwritten. Returns whether it changed anything."""
    now = aware_now(now)
    if not zone:
        raise ActionError("time_zone", "required", "the browser sent no time zone")
    check_contact_fields(time_zone=zone)
    with transaction.atomic():
        # Locked: two tabs of a first sign-in each post the zone; the second finds it chosen.
        current = User.objects.select_for_update().get(pk=user.pk)
        if not current.time_zone_guessed:
            return False
        guess = current.time_zone
        current.time_zone, current.time_zone_guessed = zone, False
        current.save(update_fields=["time_zone", "time_zone_guessed"])
        AccountEvent.objects.create(
            organization=current.organization,
            actor=current,
            subject=current,
            kind="browser_zone_taken",
            data={"time_zone": [guess, zone]},
            at=now,
        )
    user.time_zone, user.time_zone_guessed = zone, False
    return True


def email_choices(user: User) -> dict[str, bool]:
    """For each of ``CONTACT_EMAIL_KINDS``, whether ``user`` gets it by email now: their own
    row for the kind, else their row for every kind, else their organization's, else on (the
    order ``pacto.notifications.outbox`` reads them in)."""
    rows = NotificationPreference.objects.filter(
        kind__in=[*CONTACT_EMAIL_KINDS, NotificationPreference.ANY_KIND]
    )
    own = {p.kind: p.email for p in rows.filter(user=user)}
    organization = (
        {p.kind: p.email for p in rows.filter(organization=user.organization_id)}
        if user.organization_id
        else {}
    )
    choices = {}
    for kind in CONTACT_EMAIL_KINDS:
        for scope in (own, organization):
            if kind in scope or NotificationPreference.ANY_KIND in scope:
                choices[kind] = scope.get(kind, scope.get(NotificationPreference.ANY_KIND))
                break
        else:
            choices[kind] = True
    return choices


def do_set_email_notifications(user: User, email: dict[str, bool]) -> dict[str, bool]:
    """Which of ``CONTACT_EMAIL_KINDS`` ``user`` gets by email: one preference row per kind
    that changes (the person's own, which wins over their organization's), and one audit
    event naming what changed. Returns the changes."""
    unknown = sorted(set(email) - set(CONTACT_EMAIL_KINDS))
    if unknown:
        raise ActionError(
            "notifications",
            "choice",
            f"unknown notifications {unknown}; one of {CONTACT_EMAIL_KINDS}",
        )
    current = email_choices(user)
    changed = {kind: bool(on) for kind, on in email.items() if current[kind] != bool(on)}
    if not changed:
        return {}
    with transaction.atomic():
        for kind, on in changed.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"email": on}
            )
        AccountEvent.objects.create(
            organization=user.organization,
            actor=user,
            subject=user,
            kind="notifications_changed",
            data={"email": changed},
        )
    return changed
