"""Small filters for the report pages: durations in hours, dictionary lookups."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def hours(seconds) -> str:
    """Seconds as hours and minutes, e.g. ``2 h 05 min``; a dash when there is none."""
    if seconds in (None, ""):
        return "—"
    minutes = round(float(seconds) / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


@register.filter
def get(mapping, key):
    return mapping.get(key, "") if isinstance(mapping, dict) else ""


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value:g} %"


@register.filter
def local(value, zone: str = "UTC") -> str:
    """An ISO instant as ``YYYY-MM-DD HH:MM`` in ``zone``."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    if not value:
        return "—"
    try:
        instant = dt.datetime.fromisoformat(str(value)).astimezone(ZoneInfo(zone))
    except (ValueError, KeyError):
        return str(value)
    return f"{instant:%Y-%m-%d %H:%M}"
