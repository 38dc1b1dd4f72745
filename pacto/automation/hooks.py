"""Ticket events the worker must know of, handled in the transaction that writes them.

The tickets app's actions know nothing of paging or lifecycle timers; they write a
``TicketEvent`` for every change. Its ``post_save`` runs inside the action's transaction, so
the page (and its outbox row) or the lifecycle timer commits with the change that caused it,
or not at all:

- ``opened`` with a paging severity, or ``severity`` raised to one → page the on-call engineer
  at once (``actions.do_page_ticket``);
- ``status`` → plan the next lifecycle step; solved or closed → stop paging;
- ``agent_reply`` → a follow-up while waiting on the customer (``actions.do_count_followup``);
  ``customer_reply`` → plan again (a ``stop`` rule's countdown stops).

A failure here is logged and must not undo the ticket change: each hook runs in a savepoint.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError, transaction
from django.db.models.signals import post_save

from pacto.sla.policy import StatusCategory
from pacto.tickets.models import TicketEvent

log = logging.getLogger(__name__)


# The kinds acted on below; any other event costs nothing here.
HOOKED_KINDS = frozenset(
    {
        TicketEvent.Kind.OPENED,
        TicketEvent.Kind.SEVERITY,
        TicketEvent.Kind.STATUS,
        # Follow-ups while waiting on the customer, and a customer reply that stops a
        # countdown (see actions.do_count_followup, lifecycle.next_step).
        TicketEvent.Kind.AGENT_REPLY,
        TicketEvent.Kind.CUSTOMER_REPLY,
    }
)


def connect() -> None:
    post_save.connect(on_ticket_event, sender=TicketEvent, dispatch_uid="pacto.automation.hooks")


def on_ticket_event(sender, instance: TicketEvent, created: bool, raw: bool = False, **kwargs):
    if not created or raw or instance.kind not in HOOKED_KINDS:
        return
    from pacto.automation import actions

    ticket = instance.ticket
    try:
        with transaction.atomic():
            match instance.kind:
                case TicketEvent.Kind.OPENED:
                    severity = instance.data.get("severity") or ticket.severity
                    actions.do_page_ticket(
                        ticket, trigger="opened", severity=severity, now=instance.at
                    )
                    actions.do_schedule_lifecycle(ticket, new=True)
                case TicketEvent.Kind.SEVERITY:
                    policy = ticket.policy
                    new, old = instance.data.get("to"), instance.data.get("previous")
                    if new and not (old and policy.severity(old).pages_on_call):
                        actions.do_page_ticket(
                            ticket, trigger=f"severity:{instance.pk}", severity=new, now=instance.at
                        )
                case TicketEvent.Kind.AGENT_REPLY:
                    actions.do_count_followup(ticket, instance.at)
                case TicketEvent.Kind.CUSTOMER_REPLY:
                    actions.do_schedule_lifecycle(ticket, keep_followups=True)
                case TicketEvent.Kind.STATUS:
                    actions.do_schedule_lifecycle(ticket)
                    if ticket.status_category in (StatusCategory.SOLVED, StatusCategory.CLOSED):
                        actions.do_cancel_pages(ticket, instance.at)
    except (OperationalError, InterfaceError):
        # The database is gone, not the rule: the change itself cannot commit either, so the
        # request fails as a whole (503) instead of logging a hook failure.
        raise
    except Exception:
        log.exception("automation hook failed for ticket event %s (%s)", instance.pk, instance.kind)
