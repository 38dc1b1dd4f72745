"""Each signed-in person reads Pacto in their own language and time zone.

``LocaleMiddleware`` has already chosen a language from the language cookie or the
browser's Accept-Language; for a signed-in user ``User.language`` wins, so a person sees the
same language on every device. ``User.time_zone`` becomes the current time zone, so every
date a template shows is in the viewer's zone. Anonymous visitors get the cookie or browser
language, and UTC.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.conf import settings
from django.utils import timezone, translation


@cache
def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def supported_language(code: str | None) -> str | None:
    """``code`` if Pacto is translated into it (``pt-BR`` and ``pt_br`` read as ``pt-br``)."""
    if not code:
        return None
    code = code.replace("_", "-").lower()
    return code if code in dict(settings.LANGUAGES) else None


class UserPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = supported_language(user.language)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
            zone = _zone(user.time_zone or "UTC")
            if zone is not None:
                timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
