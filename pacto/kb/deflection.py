"""The new-ticket form's knowledge-base step, for the portal to call.

With JavaScript, htmx asks ``kb:suggest`` as the subject and description are typed and the
suggestions appear beside them; the fragment carries ``kb_step=done`` and the ids it showed
(``kb_shown``), so the form then opens the ticket at once. Without JavaScript, the first
submit that has matching articles shows them instead of opening the ticket (the "similar
articles" step); the next submit opens it. Either way the articles shown are recorded on the
ticket, and "this answered my question" posts to ``kb:deflect`` instead.
"""

from __future__ import annotations

from pacto.kb import actions
from pacto.kb.views import suggestions_for


def similar_articles_step(request) -> bool:
    """Whether to show similar articles (and known issues) before opening the ticket (the
    no-JavaScript step)."""
    if request.POST.get("kb_step") == "done":
        return False
    context = suggestions_for(request.user, request.POST)
    request.kb_hits = context["kb_hits"]
    request.kb_known_issues = context["kb_known_issues"]
    return bool(context["kb_hits"] or context["kb_known_issues"])


def record_shown(request, ticket) -> None:
    """The contact opened ``ticket`` after these suggestions: recorded on the ticket."""
    actions.do_record_ticket_suggestions(request.user, ticket, request.POST.getlist("kb_shown"))
