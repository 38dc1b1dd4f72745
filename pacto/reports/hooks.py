"""Satisfaction surveys follow the ticket events: a ticket entering the status the option
``PACTO_CSAT_ON`` names (``solved``, the default, or ``closed``; ``off``: no surveys) sends
its requester the survey, in the transaction of the change. A failure here is logged and
never undoes the ticket's change (a savepoint)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save

from pacto.tickets.models import TicketEvent

log = logging.getLogger(__name__)


def connect() -> None:
    post_save.connect(on_ticket_event, sender=TicketEvent, dispatch_uid="pacto.reports.hooks")


def on_ticket_event(sender, instance: TicketEvent, created: bool, raw: bool = False, **kwargs):
    if not created or raw or instance.kind != TicketEvent.Kind.STATUS:
        return
    from pacto.reports.surveys import do_send_survey, survey_trigger

    trigger = survey_trigger()
    ticket = instance.ticket
    if trigger == "off" or ticket.status_category != trigger:
        return
    try:
        with transaction.atomic():
            do_send_survey(ticket, now=instance.at)
    except Exception:
        log.exception("satisfaction survey failed for ticket %s", ticket.pk)
