"""A professional-services line of a ticket's history, in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext as _


def timeline_text(data: dict) -> str:
    what = data.get("what", "")
    values = {k: v for k, v in data.items() if not isinstance(v, dict | list)}
    values.setdefault("reference", "")
    values.setdefault("version", "")
    texts = {
        "service_requested": _("Service requested: %(service)s"),
        "quote_created": _(
            "Quote %(reference)s sent for approval (version %(version)s): %(total)s %(currency)s"
        ),
        "quote_revised": _("Quote %(reference)s revised (version %(version)s): %(total)s"),
        "quote_approved": _("Quote %(reference)s approved (version %(version)s, via %(via)s)"),
        "quote_declined": _("Quote %(reference)s declined (version %(version)s, via %(via)s)"),
        "quote_withdrawn": _("Quote %(reference)s withdrawn"),
        "visit_scheduled": _("Scheduled for %(starts_at)s (%(minutes)s min, %(mode)s)"),
        "work_logged": _(
            "Work logged: %(business_minutes)s min business, %(off_hours_minutes)s min off hours"
        ),
        "overrun_flagged": _(
            "Time beyond the approved quote: %(hours)s h, quote %(reference)s asks for approval"
        ),
        "remote_session_proposed": _(
            "Remote session proposed for %(starts_at)s (%(minutes)s min, %(tool)s)"
        ),
        "remote_session_answered": _("Remote session answered: %(answer)s"),
        "remote_session_started": _("Remote session started"),
        "remote_session_ended": _("Remote session ended after %(minutes)s min"),
        "remote_session_over_limit": _("Remote session over the policy's limit of %(limit)s min"),
        "waiver_requested": _("Modification waiver requested"),
        "waiver_accepted": _("Modification waiver accepted"),
    }
    text = texts.get(what)
    if text is None:
        return what.replace("_", " ")
    try:
        return text % values
    except (KeyError, TypeError, ValueError):
        return what.replace("_", " ")
