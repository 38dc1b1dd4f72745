"""Which ticket an email answers.

In order of trust: ``In-Reply-To`` (the message it answers), ``References`` (newest first),
the per-ticket reply address it was sent to (``support+t123-<token>@…``), and last the
``[#123]`` tag in its subject. Whoever sent it must still be allowed to see that ticket:
that is checked by the caller, since finding a ticket grants nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

from pacto.mail.models import TicketMailId
from pacto.mail.outbound import ticket_id_from_reply_address
from pacto.mail.parse import ParsedMessage
from pacto.tickets.models import Ticket

SUBJECT_TAG = re.compile(r"\[(?:[^\[\]]*\s)?#(\d{1,12})\]")


@dataclass(frozen=True)
class ThreadMatch:
    ticket: Ticket
    method: str  # in_reply_to, references, reply_token, subject_tag


def _own_id_ticket(message_id: str) -> int | None:
    """Pacto's own ids: ``<outbox-N@domain>`` (a notification) and ``<ticket-N@domain>``
    (a thread root), for messages sent before their id was recorded."""
    domain = re.escape(settings.PACTO_EMAIL_DOMAIN)
    match = re.fullmatch(rf"<(outbox|ticket)-(\d{{1,12}})@{domain}>", message_id, re.IGNORECASE)
    if not match:
        return None
    if match.group(1).lower() == "ticket":
        return int(match.group(2))
    from pacto.notifications.models import Outbox

    return Outbox.objects.filter(pk=int(match.group(2))).values_list("ticket_id", flat=True).first()


def ticket_for_message_id(message_id: str) -> Ticket | None:
    known = TicketMailId.objects.filter(message_id=message_id)
    ticket_id = known.values_list("ticket_id", flat=True).first()
    if ticket_id is None:
        ticket_id = _own_id_ticket(message_id)
    if ticket_id is None:
        return None
    return Ticket.objects.filter(pk=ticket_id).first()


def find_thread(parsed: ParsedMessage) -> ThreadMatch | None:
    for message_id in parsed.in_reply_to:
        if ticket := ticket_for_message_id(message_id):
            return ThreadMatch(ticket, "in_reply_to")
    for message_id in reversed(parsed.references):
        if ticket := ticket_for_message_id(message_id):
            return ThreadMatch(ticket, "references")
    for address in parsed.recipients:
        ticket_id = ticket_id_from_reply_address(address)
        if ticket_id is not None and (ticket := Ticket.objects.filter(pk=ticket_id).first()):
            return ThreadMatch(ticket, "reply_token")
    for number in SUBJECT_TAG.findall(parsed.subject):
        if ticket := Ticket.objects.filter(pk=int(number)).first():
            return ThreadMatch(ticket, "subject_tag")
    return None


def ticket_for_bounce(parsed: ParsedMessage) -> Ticket | None:
    """The ticket of the message a bounce reports as undeliverable, if it was ours."""
    for message_id in [*parsed.embedded_ids, *parsed.in_reply_to, *parsed.references]:
        if ticket := ticket_for_message_id(message_id):
            return ticket
    return None
