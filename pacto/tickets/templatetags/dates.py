"""The two ways a page shows time, available in every template (a built-in library):
``{{ instant|when }}`` (``Mon 23 Nov 2026 13:00``, ``|when:"zone"`` adds the zone's
abbreviation) and ``{{ date|day }}`` (``Mon 23 Nov 2026``), in the reader's language and
zone. One format of each per page, whatever the page: machine-readable values (``datetime``
attributes, form inputs) keep ``|date:"c"`` and ISO dates."""

from __future__ import annotations

import datetime as dt

from django import template

from pacto.tickets import words

register = template.Library()


# ``expects_localtime``: the template engine has already read an instant in the viewer's
# zone, or kept the zone a ``|timezone:zone`` before chose.
@register.filter(expects_localtime=True)
def when(value, option: str = ""):
    if not isinstance(value, dt.datetime):
        return value if value not in (None, "") else "—"
    return words.when(value, value.tzinfo, with_zone=option == "zone")


@register.filter(expects_localtime=True)
def day(value):
    if not isinstance(value, dt.date):
        return value if value not in (None, "") else "—"
    return words.day(value, value.tzinfo if isinstance(value, dt.datetime) else None)
