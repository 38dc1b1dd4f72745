"""``{% kb_suggestions %}`` for the portal's new-ticket form and ``{% kb_ticket_panel ticket %}``
for the console's ticket page: each a self-contained piece the host page includes once."""

from __future__ import annotations

from django import template

from pacto.kb.models import TicketArticle
from pacto.kb.resources import resources_for
from pacto.kb.search import search
from pacto.kb.views import reader_locale

register = template.Library()


@register.inclusion_tag("kb/suggestions_box.html", takes_context=True)
def kb_suggestions(context):
    request = context["request"]
    hits = getattr(request, "kb_hits", None)
    issues = getattr(request, "kb_known_issues", None) or []
    return {
        "kb_hits": hits or [],
        "kb_known_issues": issues,
        "kb_step": hits is not None and bool(hits or issues),
        "kb_resources": resources_for(request.user),
        "request": request,
    }


@register.inclusion_tag("kb/ticket_panel.html", takes_context=True)
def kb_ticket_panel(context, ticket):
    request = context["request"]
    links = TicketArticle.objects.filter(ticket=ticket).select_related("article", "actor")
    # What the customer could be sent: articles they may read, matching the subject.
    suggestions = search(ticket.requester, ticket.subject, locale="", limit=5)
    return {
        "ticket": ticket,
        "links": links,
        "suggestions": suggestions,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "locale": reader_locale(),
    }
