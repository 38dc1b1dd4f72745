"""What the console's and the portal's ticket pages share, in one place.

- ``ticket_or_404``: the ticket the person may see, else 404 (the same as a missing one);
- ``ticket_context``: a ticket page's context, with the internal parts (notes, every event,
  every reason, files of internal notes) only when ``internal`` is set, which only the
  console does; ``history_item``: one line of its history;
- ``opening_preview`` / ``opening_support``: the first-response due time and the catalogue's
  support verdict shown while a ticket is being opened (portal form or phone ticket);
- ``ticket_rows``: tickets with their policy's names and the clock a list shows for each;
- ``done``: the redirect after a change, with its confirmation;
- ``submit``: a ticket page's short POST — a valid form, one action, back to the page; or the
  page again (422) with the form's errors;
- ``opening_fields`` / ``due_fragment``: what an opening form (portal or phone ticket) hands
  ``do_open_ticket``, and the due-time preview it swaps in as its choices change;
- the display names (``status_name``, ``severity_name``) come from ``pacto.portal.display``.

Each page keeps its own short POST views; they call these helpers and one action.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from pacto.accounts.access import get_ticket_for, visible_tickets
from pacto.errors import NotFound
from pacto.portal import display
from pacto.portal.forms import CcForm, DuePreviewForm, initial_severity
from pacto.portal.web import run_action
from pacto.sla.clock import ClockError
from pacto.sla.policy import PolicyError
from pacto.tickets.actions import do_add_cc, do_remove_cc, preview_support
from pacto.tickets.models import Attachment, Message, Ticket

status_name = display.status_name
severity_name = display.severity_name


def ticket_or_404(user, pk) -> Ticket:
    """The ticket ``user`` may see; a ticket they may not see is a 404 like a missing one."""
    try:
        return get_ticket_for(user, pk)
    except NotFound:
        raise Http404 from None


def ticket_context(ticket: Ticket, now: dt.datetime, *, internal: bool, viewer=None) -> dict:
    """The parts of a ticket page both sides show. Without ``internal`` (the portal): public
    messages only, the events contacts may read, and no file of an internal note. The
    follow-up links (to the closed ticket this one continues, and to those continuing it) are
    the ones ``viewer`` may see."""
    policy = display.reader_policy(ticket.policy)
    conversation = Message.objects.filter(ticket=ticket)
    if not internal:
        conversation = conversation.filter(public=True)
    events = [
        history_item(e, policy, internal=internal)
        for e in ticket.events.select_related("actor")
        if internal or e.kind in display.PUBLIC_EVENTS
    ]
    return {
        "ticket": ticket,
        "policy": policy,
        "status_name": status_name(policy, ticket.status),
        "plan_name": display.plan_name(policy, ticket.plan),
        "severity": policy.severity(ticket.severity),
        "clocks": display.live_clocks(ticket, now, internal=internal),
        "conversation": conversation.select_related("author").prefetch_related("attachments"),
        "loose_attachments": Attachment.objects.filter(ticket=ticket, message__isnull=True),
        # The people copied on the ticket: both sides list them (and may add or remove one).
        "ccs": list(ticket.ccs.all()),
        "events": events,
        # Unordered in SQL, sorted here: asked to order by the opening time, SQLite's planner
        # walks that index over every ticket rather than this one's few follow-ups.
        "follow_ups": sorted(Ticket.objects.filter(follows=ticket).order_by(), key=_newest),
        "now": now,
        **follow_up_links(viewer, ticket),
    }


def history_item(event, policy, *, internal: bool) -> dict:
    """One line of a ticket page's history. The customer reads a reason only where
    ``customer_reason`` lets them; staff read every reason, each marked with who sees it
    (``public``: the customer too)."""
    shown = event.customer_reason
    return {
        "event": event,
        "text": display.event_text(event, policy),
        "reason": event.reason if internal else shown,
        "public": bool(shown) if internal else None,
    }


def follow_up_links(viewer, ticket: Ticket) -> dict:
    """The closed ticket ``ticket`` follows up, and the tickets following it up, as far as
    ``viewer`` may see them."""
    if viewer is None:
        return {"continues": None, "continued_in": []}
    visible = visible_tickets(viewer)
    return {
        "continues": visible.filter(pk=ticket.continues_id).first()
        if ticket.continues_id
        else None,
        "continued_in": list(visible.filter(continues=ticket).order_by("pk")),
    }


def _newest(ticket: Ticket):
    return (-ticket.opened_at.timestamp(), -ticket.pk)


def done(request, ticket: Ticket, text: str, page: str):
    """After a change: its confirmation, and back to the ticket's page (``page`` names it)."""
    messages.success(request, text)
    return redirect(page, pk=ticket.pk)


def _copied_text(cc) -> str:
    return _("%(email)s is copied on the ticket.") % {"email": cc.email}


def change_cc(request, ticket: Ticket, *, remove: bool, page: str, again):
    """The ticket pages' copied addresses (portal and console alike): copy the form's address
    on the ticket, or with ``remove`` stop copying it; then as ``submit``."""
    if remove:
        change, text = do_remove_cc, _("The address is no longer copied.")
    else:
        change, text = do_add_cc, _copied_text
    form = CcForm(request.POST)
    return submit(request, ticket, form, "cc_form", change, text, page=page, again=again)


def submit(request, ticket: Ticket, form, form_name: str, change, text, *, page: str, again):
    """A ticket page's short POST. When ``form`` is valid, ``change`` — one action, whose
    keyword arguments are the form's fields — runs for the person and ticket, then ``text``
    (a string, or a function of the changed ticket giving one) and back to ``page``; an
    invalid form or a refused change shows the page again, status 422:
    ``again(request, ticket, 422, **{form_name: form})``."""
    if form.is_valid():
        changed, ok = run_action(form, change, request.user, ticket, **form.cleaned_data)
        if ok:
            return done(request, ticket, text(changed) if callable(text) else text, page)
    return again(request, ticket, 422, **{form_name: form})


# What an opening form (the portal's, or an agent's phone ticket) asks for, as
# ``do_open_ticket`` takes it; each side adds who opens, for whom and by which channel.
OPENING_FIELDS = (
    "subject",
    "body",
    "severity",
    "type",
    "environment",
    "product",
    "version",
    "product_version",
)


def opening_fields(data: dict) -> dict:
    return {name: data[name] for name in OPENING_FIELDS}


def due_fragment(request, contract, *, channel: str | None = None):
    """The due-time preview an opening form swaps in (htmx) as severity, environment or
    version change. ``channel`` fixes the channel (the portal's); without it the form's
    choice counts, a phone call by default."""
    if contract is None:
        return render(request, "partials/due_preview.html", {"preview": None})
    form = DuePreviewForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    preview = opening_preview(
        display.reader_policy(contract.policy),
        contract,
        data,
        channel=channel or data.get("channel") or "phone",
    )
    support = preview_support(contract, data.get("product_version"), timezone.now().date())
    return render(request, "partials/due_preview.html", {"preview": preview, "support": support})


def opening_preview(policy, contract, data, *, channel: str) -> display.DuePreview | None:
    """The first-response due time for an opening form's current choices, opened now."""
    severity = data.get("severity") or initial_severity(policy, channel)
    environment = data.get("environment") or policy.environments[0]
    ticket_type = data.get("type") or "problem"
    if channel not in policy.channels:
        channel = policy.channels[0]
    try:
        return display.due_preview(
            policy,
            plan=contract.plan,
            severity=severity,
            channel=channel,
            environment=environment,
            ticket_type=ticket_type,
            now=timezone.now(),
        )
    except (PolicyError, ClockError, ValueError, OverflowError):
        return None


def opening_support(contract, form):
    """The support verdict on the chosen catalogue version, shown before the ticket is sent."""
    chosen = form["product_version"].value() if form is not None else None
    if not chosen:
        return None
    return preview_support(contract, chosen, timezone.now().date())


def query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def ticket_rows(tickets, now: dt.datetime) -> list[dict]:
    """Tickets with their policy's names and the clock a list shows for each."""
    rows = []
    for ticket in tickets:
        policy = ticket.policy
        views = [display.view_of_stored(policy, clock, now) for clock in ticket.clocks.all()]
        rows.append(
            {
                "ticket": ticket,
                "status": status_name(policy, ticket.status),
                "severity": severity_name(policy, ticket.severity),
                "badge": display.badge_clock(views),
                "clocks": views,
            }
        )
    return rows


def search_results(hits) -> list[dict]:
    """Search hits (``pacto.tickets.search``) with their ticket's status name."""
    return [
        {"hit": hit, "status": status_name(hit.ticket.policy, hit.ticket.status)} for hit in hits
    ]
