"""``{% services_panel ticket internal %}``: a ticket's professional services (quotes,
visits, work logs, remote sessions, the modification waiver) on the portal's and the
console's ticket pages, with the forms the reader may use."""

from __future__ import annotations

from django import template
from django.utils import timezone

from pacto.accounts.models import User
from pacto.services import actions
from pacto.services.models import Quote, RemoteSession, Visit, Waiver, WorkLog

register = template.Library()


@register.inclusion_tag("services/ticket_panel.html", takes_context=True)
def services_panel(context, ticket, internal=False):
    user = context["request"].user
    now = timezone.now()
    contract = ticket.contract
    services = contract.policy.services if contract else None
    quotes = list(Quote.objects.filter(ticket=ticket).prefetch_related("lines"))
    sessions = list(RemoteSession.objects.filter(ticket=ticket))
    for session in sessions:
        session.warning = actions.session_warning(session, now) if internal else None
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "ticket": ticket,
        "internal": internal,
        "services": services,
        "requested": actions.requested_service(ticket),
        "quotes": quotes,
        "visits": Visit.objects.filter(quote__ticket=ticket).select_related("engineer", "quote"),
        "logs": WorkLog.objects.filter(ticket=ticket).select_related("engineer")
        if internal
        else [],
        "sessions": sessions,
        "waivers": list(Waiver.objects.filter(ticket=ticket)),
        "waiver_policy": services.waiver if services else None,
        "session_limit": actions.session_limit(ticket) if contract else None,
        "may_decide": user.is_authenticated and user.is_contact and user.is_authorized,
        "engineers": User.objects.exclude(role=User.Role.CONTACT).filter(is_active=True)
        if internal
        else [],
        "activities": WorkLog.Activity.choices,
        "is_service_request": ticket.type == "service_request",
    }
