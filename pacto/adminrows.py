"""Rows that are somehow invalid, in the admin: listed and opened like any other, with what is
wrong with them, so an administrator can correct them.

Every admin form validates before saving, but a row can still be wrong: written before a
check existed, by a data migration, a restore or ``.update()``. Such a row must never take a
list or form page down (a 500 leaves no way back to fix it). An admin that uses
``ShowsRowProblems`` says what it checks in ``row_problems``; the list gets a "problems"
column and the change page names each problem above the form.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pacto.errors import ActionError


class ShowsRowProblems:
    """ModelAdmin mixin; ``row_problems(obj)`` returns the row's problems as sentences."""

    def row_problems(self, obj) -> list[str]:
        return []

    def problems_of(self, obj) -> list[str]:
        try:
            return [str(problem) for problem in self.row_problems(obj)]
        except (ActionError, ValueError, LookupError) as exc:
            return [getattr(exc, "message", None) or str(exc)]

    @admin.display(description=_("problems"))
    def problems(self, obj):
        found = self.problems_of(obj)
        if not found:
            return "-"
        return format_html(
            '<ul class="errorlist">{}</ul>',
            format_html_join("", "<li>{}</li>", ((p,) for p in found)),
        )

    def get_list_display(self, request):
        return (*super().get_list_display(request), "problems")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, unquote(object_id))
            for problem in self.problems_of(obj) if obj is not None else ():
                messages.error(
                    request,
                    gettext("This row needs correcting: %(problem)s") % {"problem": problem},
                )
        return super().change_view(request, object_id, form_url, extra_context)


def zone_problem(value: str) -> str | None:
    """The sentence for a stored time zone that is not an IANA zone (None: it is one)."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return gettext(
            "%(zone)s is not a time zone (use an IANA name such as America/Sao_Paulo)."
        ) % {"zone": value}
    return None


class ViewOnly:
    """ModelAdmin mixin for records only Pacto writes (audit events, tickets, ingested
    mail): administrators read them; every change goes through the actions."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
