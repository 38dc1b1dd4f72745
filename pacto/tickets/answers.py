"""The JSON a ticket endpoint answers with, built from rows in hand.

The schemas in ``pacto.tickets.schemas`` are the contract (the OpenAPI document and the
reference the tests compare against); this module writes the same answer without them.
Validating an answer through django-ninja wraps every model in a ``DjangoGetter`` and reads
each attribute through it: for a ticket with its clocks, conversation and history that was
about half of a request's time, and it grew with the conversation. Here the ticket is the
instance the action already holds, its clocks are those the action just stored, and the
newest part of the conversation and history is read as plain values (no model instances).
The tests render both ways and compare the JSON (``tests/test_answers.py``).

Internal notes and internal history are filtered here exactly as the schema filters them:
a viewer who may not see internal parts gets public messages, public history, and no
``to_record`` or ``checklists``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from django.http import HttpResponse
from ninja.responses import NinjaJSONEncoder

from pacto.accounts.access import can_see_internal
from pacto.accounts.models import User
from pacto.sla.phrases import Words, english, render
from pacto.tickets.actions import checklist_state, engineer_details_missing
from pacto.tickets.clocks import stored_notes
from pacto.tickets.models import Attachment, Message, SlaClock, Ticket, TicketEvent, customer_reason

# History entries that carry internal notes: shown to the vendor's staff only.
INTERNAL_EVENT_KINDS = ("note", "work_logged", "checklist", "exempted")
# How many of the newest messages and history entries a ticket's answer carries; the
# earlier ones a page at a time (``GET /api/tickets/{id}/messages?before=``): the answer to a
# change costs the same on the tenth reply and on the thousandth.
SHOWN = 50

_DETAIL_TEXT = (
    "steps", "expected_result", "obtained_result", "circumstances", "hardware_os",
    "workaround", "initial_recommendation",
)  # fmt: skip
_PLAIN = (
    "id", "subject", "type", "status", "status_category", "severity", "proposed_severity",
    "plan", "channel", "environment", "product", "version", "product_version_id",
    "support_status", "sla_mode", "support_line", "category", "follows_id",
    "escalation_level", "details_requested", "opened_at", "updated_at", "solved_at",
    "closed_at", "lock_version",
)  # fmt: skip
_CLOCK = (
    "metric", "state", "target", "calendar", "started_at", "due_at", "met_at", "breached_at",
    "elapsed_seconds", "remaining_seconds",
)  # fmt: skip


def respond(data, status: int = 200) -> HttpResponse:
    """``data`` as django-ninja would render it (its encoder: datetimes to milliseconds)."""
    return HttpResponse(
        json.dumps(data, cls=NinjaJSONEncoder), status=status, content_type="application/json"
    )


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "full_name": user.full_name, "email": user.email}


def _organization(organization) -> dict | None:
    return None if organization is None else {"id": organization.pk, "name": organization.name}


def _instant(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


# English words per policy version (by content hash: a stored version never changes), so a
# page of tickets parses no policy to write the clocks' explanations.
_ENGLISH: dict[str, Words] = {}


def _english(ticket: Ticket) -> Words:
    """The API speaks English, times in the zone of the ticket's policy calendar."""
    version = ticket.policy_version
    words = _ENGLISH.get(version.sha256)
    if words is None:
        words = _ENGLISH[version.sha256] = english(version.policy.calendar().zone)
    return words


def clock_answer(clock: SlaClock, words: Words) -> dict:
    out = {name: getattr(clock, name) for name in _CLOCK}
    out["warnings"] = [
        {
            "label": w["label"],
            "threshold_seconds": float(w["threshold_seconds"]),
            "reached_at": _instant(w.get("reached_at")),
            "expected_at": _instant(w.get("expected_at")),
        }
        for w in clock.warnings
    ]
    out["segments"] = [
        {
            "start": _instant(s.get("start")),
            "end": _instant(s.get("end")),
            "kind": s["kind"],
            "reason": s["reason"],
            "projected": s["projected"],
        }
        for s in clock.segments
    ]
    out["explanation"] = [render(note, words) for note in stored_notes(clock)]
    out["exempt_reason"] = clock.exempt_reason
    out["computed_at"] = clock.computed_at
    return out


def _known_issue(ticket: Ticket) -> dict | None:
    issue = ticket.known_issue
    if issue is None:
        return None
    return {
        "slug": issue.slug,
        "title": issue.title,
        "status": issue.status,
        "workaround": issue.workaround,
        "fixed_in": str(issue.fixed_in) if issue.fixed_in_id else None,
    }


def _engineering_item(ticket: Ticket) -> dict | None:
    item = ticket.engineering_item
    if item is None:
        return None
    return {
        "key": item.key,
        "title": item.title,
        "status": item.status,
        "tracker_url": item.tracker_url,
        "updates": [{"status": u.status, "body": u.body, "at": u.at} for u in item.updates.all()],
    }


def ticket_answer(ticket: Ticket, clocks: Iterable[SlaClock] | None = None) -> dict:
    """What ``TicketOut`` shows of ``ticket``: its fields, references and clocks (``clocks``
    in hand, else the prefetched or stored ones)."""
    out = {name: getattr(ticket, name) for name in _PLAIN}
    out["organization"] = _organization(ticket.organization)
    out["partner"] = _organization(ticket.partner) if ticket.partner_id else None
    out["requester"] = _person(ticket.requester)
    out["assignee"] = _person(ticket.assignee) if ticket.assignee_id else None
    out["contract"] = ticket.contract.service_contract_id
    out["policy"] = f"{ticket.policy_version.policy_id}@{ticket.policy_version.version}"
    out["known_issue"] = _known_issue(ticket) if ticket.known_issue_id else None
    out["engineering_item"] = _engineering_item(ticket) if ticket.engineering_item_id else None
    if clocks is None:
        clocks = ticket.clocks.all()
    clocks = sorted(clocks, key=lambda c: c.metric)
    words = _english(ticket) if clocks else None
    out["clocks"] = [clock_answer(c, words) for c in clocks]
    return out


def _latest(
    rows, fields: tuple[str, ...], person: str, before: int | None, limit: int
) -> tuple[list[dict], int | None]:
    """The ``limit`` newest of ``rows`` by id, older than id ``before``, oldest first, as
    dicts of ``fields`` (the id first, the instant last) and ``person`` (who wrote or did it);
    and the id to pass as ``before`` for the ones before them (None: none left)."""
    if before is not None:
        rows = rows.filter(pk__lt=before)
    columns = (f"{person}_id", f"{person}__full_name", f"{person}__email")
    page = list(rows.order_by("-id").values_list(*fields, *columns)[: limit + 1])
    earliest = page[limit - 1][0] if len(page) > limit else None
    n = len(fields)
    out = []
    for row in sorted(page[:limit], key=lambda row: (row[n - 1], row[0])):
        item = dict(zip(fields, row[:n], strict=True))
        who, name, email = row[n:]
        item[person] = None if who is None else {"id": who, "full_name": name, "email": email}
        out.append(item)
    return out, earliest


def messages(
    ticket: Ticket, internal: bool, before: int | None = None, limit: int = SHOWN
) -> tuple[list[dict], int | None]:
    """The newest ``limit`` messages older than ``before`` (public only unless ``internal``)."""
    rows = Message.objects.filter(ticket=ticket)
    if not internal:
        rows = rows.filter(public=True)
    fields = ("id", "public", "body_html", "body_text", "channel", "from_email", "created_at")
    return _latest(rows, fields, "author", before, limit)


def events(
    ticket: Ticket, internal: bool, before: int | None = None, limit: int = SHOWN
) -> tuple[list[dict], int | None]:
    """The newest ``limit`` history entries older than ``before`` (without the internal ones
    unless ``internal``; their reasons as the customer may read them, blank where private)."""
    rows = TicketEvent.objects.filter(ticket=ticket)
    if not internal:
        rows = rows.exclude(kind__in=INTERNAL_EVENT_KINDS)
    fields = ("id", "kind", "data", "reason", "at")
    out, earlier = _latest(rows, fields, "actor", before, limit)
    if internal:
        return out, earlier
    contacts = _contacts({e["actor"]["id"] for e in out if e["actor"] and e["reason"]})
    for e in out:
        by_contact = e["actor"] is not None and e["actor"]["id"] in contacts
        e["reason"] = customer_reason(e["kind"], e["reason"], e["data"], by_contact)
    if not any(e["kind"] == "attached" for e in out):
        return out, earlier
    # Without the files attached to internal notes: a contact learns neither their names
    # nor that they exist. Events written before the ``internal`` flag existed are told by
    # their attachment's message.
    hidden = set(
        Attachment.objects.filter(ticket=ticket, message__public=False).values_list("pk", flat=True)
    )
    out = [
        e
        for e in out
        if e["kind"] != "attached"
        or not (e["data"].get("internal") or e["data"].get("attachment") in hidden)
    ]
    return out, earlier


def _contacts(ids: set[int]) -> set[int]:
    """Which of the people ``ids`` are contacts (the customer side)."""
    if not ids:
        return set()
    return set(User.objects.filter(pk__in=ids, role=User.Role.CONTACT).values_list("pk", flat=True))


def detail_answer(ticket: Ticket, viewer, clocks: Iterable[SlaClock] | None = None) -> dict:
    """What ``TicketDetailOut`` shows ``viewer`` of ``ticket``: ``ticket_answer`` with the
    details, the conversation and the history; internal parts for staff only."""
    internal = viewer is not None and can_see_internal(viewer)
    out = ticket_answer(ticket, clocks)
    for name in _DETAIL_TEXT:
        out[name] = getattr(ticket, name)
    out["access_request"] = ticket.access_request
    out["to_record"] = engineer_details_missing(ticket) if internal else []
    out["checklists"] = checklist_state(ticket) if internal else []
    out["messages"], out["messages_before"] = messages(ticket, internal)
    out["events"], out["events_before"] = events(ticket, internal)
    return out
