"""Macros: canned replies that may also set the status, severity, line and assignee.

A macro fills the one-step reply form; sending it runs each change through its own action.
Placeholders: ``{customer_name}``, ``{ticket_number}``, ``{due_time}`` (the next running
clock's due instant, in the requester's time zone).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import formats

from pacto.accounts.models import User
from pacto.console.models import Macro
from pacto.tickets.models import Ticket

PLACEHOLDER = re.compile(r"\{(customer_name|ticket_number|due_time)\}")


def usable_macros(user: User) -> QuerySet:
    """The agent's own macros and the team's shared ones."""
    return Macro.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")


def due_time(ticket: Ticket) -> str:
    running = [c.due_at for c in ticket.clocks.all() if c.state == "running" and c.due_at]
    if not running:
        return "—"
    zone_name = getattr(ticket.requester, "time_zone", "") or ""
    try:
        zone = ZoneInfo(zone_name) if zone_name else ticket.policy.calendar().zone
    except (KeyError, ValueError):
        zone = ticket.policy.calendar().zone
    due = min(running).astimezone(zone)
    return f"{formats.date_format(due, 'DATETIME_FORMAT')} ({due.tzname()})"


def fill_text(text: str, ticket: Ticket) -> str:
    values = {
        "customer_name": ticket.requester.full_name or ticket.requester.email,
        "ticket_number": f"#{ticket.pk}",
        "due_time": due_time(ticket),
    }
    return PLACEHOLDER.sub(lambda m: values[m[1]], text)


def form_initial(macro: Macro, ticket: Ticket, now: dt.datetime | None = None) -> dict:
    """The one-step reply form as the macro fills it for ``ticket``. A change the ticket's
    policy cannot make (a status category it lacks, an unknown severity) is left out."""
    policy = ticket.policy
    initial = {
        "body": fill_text(macro.body, ticket),
        "visibility": "public" if macro.public else "internal",
        "version": ticket.lock_version,
    }
    if macro.status_category:
        match = [s for s in policy.statuses if s.category.value == macro.status_category]
        if match and match[0].id != ticket.status:
            initial["status"] = match[0].id
    known = any(s.id == macro.severity for s in policy.severities)
    if macro.severity and macro.severity != ticket.severity and known:
        initial["severity"] = macro.severity
    if macro.line and macro.line != ticket.support_line:
        initial["line"] = macro.line
    if macro.assignee_id and macro.assignee_id != ticket.assignee_id:
        initial["assignee"] = str(macro.assignee_id)
    if any(k in initial for k in ("severity", "line")):
        initial["reason"] = macro.name
    return initial
