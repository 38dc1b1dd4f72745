"""What keeps the console current without a reload: a cheap "changed since" stamp for the
queue, who else is on a ticket, and each agent's notifications.

- ``queue_stamp``: the newest audit event and the latest change to any ticket;
  the queue page polls with it and gets ``204 No Content`` while it is the same (two indexed
  ``MAX`` queries), so an idle console costs almost nothing;
- presence lives in the cache for ``PRESENCE_SECONDS``: each open ticket page says every few
  seconds that its agent is viewing it, or replying once the reply box holds text;
- notifications are the ticket events that concern the agent (a customer reply, a breach, a
  severity request or an escalation on a ticket assigned to them, a ticket assigned to them
  by someone else), unread when newer than the last time they opened the list.
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.cache import cache
from django.db.models import Max, Q, QuerySet

from pacto.accounts.models import User
from pacto.console.models import Inbox
from pacto.tickets.models import Ticket, TicketEvent

PRESENCE_SECONDS = 20
POLL_SECONDS = 5
BELL_KINDS = (
    TicketEvent.Kind.CUSTOMER_REPLY,
    TicketEvent.Kind.CLOCK_BREACHED,
    TicketEvent.Kind.SEVERITY_REQUEST,
    TicketEvent.Kind.ESCALATED,
)


def queue_stamp() -> str:
    """Changes whenever any ticket changes: every action writes an audit event and bumps the
    ticket's ``updated_at`` (two index lookups: the newest event id, the latest update)."""
    event = TicketEvent.objects.aggregate(latest=Max("id"))["latest"] or 0
    latest = Ticket.objects.aggregate(latest=Max("updated_at"))["latest"]
    return f"{event}-{latest.timestamp() if latest else 0:.6f}"


# ----------------------------------------------------------------------------- presence


def _presence_key(ticket_id: int) -> str:
    return f"console:presence:{ticket_id}"


def mark_present(ticket_id: int, user: User, activity: str) -> None:
    key = _presence_key(ticket_id)
    now = time.time()
    present = {
        uid: entry
        for uid, entry in (cache.get(key) or {}).items()
        if now - entry["at"] < PRESENCE_SECONDS
    }
    present[user.pk] = {
        "name": user.full_name or user.email,
        "activity": "replying" if activity == "replying" else "viewing",
        "at": now,
    }
    cache.set(key, present, PRESENCE_SECONDS * 3)


def others_present(ticket_id: int, user: User) -> list[dict]:
    now = time.time()
    return sorted(
        (
            entry
            for uid, entry in (cache.get(_presence_key(ticket_id)) or {}).items()
            if uid != user.pk and now - entry["at"] < PRESENCE_SECONDS
        ),
        key=lambda e: e["name"],
    )


# ----------------------------------------------------------------------------- notifications


def notifications(user: User) -> QuerySet:
    mine = Q(ticket__assignee=user, kind__in=BELL_KINDS)
    assigned = Q(kind=TicketEvent.Kind.ASSIGNED, data__to=user.email)
    return (
        # The kinds first, on their own: the (kind, at) index finds the few candidate events.
        TicketEvent.objects.filter(kind__in=(*BELL_KINDS, TicketEvent.Kind.ASSIGNED))
        .filter(mine | assigned)
        .exclude(actor=user)
        .select_related("ticket", "actor", "ticket__policy_version")
        .order_by("-at", "-id")
    )


def read_at(user: User) -> dt.datetime | None:
    return Inbox.objects.filter(user=user).values_list("read_at", flat=True).first()


def unread_count(user: User) -> int:
    since = read_at(user)
    found = notifications(user)
    if since is not None:
        found = found.filter(at__gt=since)
    return found[:100].count()
