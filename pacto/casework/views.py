"""Pages that correct a ticket after opening and act on the policy's ticket rules: a panel on
the console's ticket page (corrections, what the engineer still has to record, checklists,
work-around delivered, third-party cause, closing by an other arrangement, out of scope,
exempt breaches) and one on the portal's (the customer's corrections).

Each view finds the ticket the person may see, reads one form, calls one action from
``pacto.tickets.actions`` and goes back to the ticket page; a broken rule is a 422 page
naming it.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pacto.accounts.access import get_ticket_for
from pacto.catalog.models import Version
from pacto.errors import ActionError, NotFound
from pacto.portal.web import contact_required, message_of, run_action, staff_required
from pacto.tickets import actions
from pacto.tickets.models import Ticket


def _ticket(request, pk) -> Ticket:
    try:
        return get_ticket_for(request.user, pk)
    except NotFound:
        raise Http404 from None


def _page(ticket: Ticket, staff: bool) -> str:
    return "console:ticket" if staff else "portal:ticket"


def _refused(request, ticket: Ticket, error: str, staff: bool):
    context = {"ticket": ticket, "error": error, "back": _page(ticket, staff)}
    return render(request, "ticket_error.html", context, status=422)


def _act(request, pk, action, *args, success: str, staff: bool = True, **kwargs):
    ticket = _ticket(request, pk)
    try:
        run_action(None, action, request.user, ticket, *args, **kwargs)
    except ActionError as exc:
        return _refused(request, ticket, message_of(exc), staff)
    messages.success(request, success)
    return redirect(_page(ticket, staff), pk=ticket.pk)


def _at(value: str) -> dt.datetime | None:
    """A ``datetime-local`` input in the reader's time zone; blank: now."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ActionError("at", "datetime", _("Give the time as YYYY-MM-DD HH:MM.")) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    return parsed


def _correct(request, pk, staff: bool):
    post = request.POST
    field = post.get("field", "")
    # An agent's reason stays internal unless they tick the box; a customer's is their own.
    shown = staff and bool(post.get("reason_public"))
    if field == "product_version":
        version = Version.objects.filter(pk=post.get("value") or 0).first()
        if version is None:
            return _refused(request, _ticket(request, pk), _("Choose a catalogue version."), staff)
        return _act(
            request, pk, actions.do_set_product_version, version, reason=post.get("reason", ""),
            reason_public=shown, success=_("The ticket is corrected."), staff=staff,
        )  # fmt: skip
    try:
        at = _at(post.get("at", "")) if staff else None
    except ActionError as exc:
        return _refused(request, _ticket(request, pk), message_of(exc), staff)
    return _act(
        request, pk, actions.do_correct_ticket, field, post.get("value", ""),
        reason=post.get("reason", ""), reason_public=shown, at=at,
        success=_("The ticket is corrected; the clocks are recomputed."), staff=staff,
    )  # fmt: skip


@staff_required
@require_POST
def correct(request, pk):
    return _correct(request, pk, staff=True)


@contact_required(staff_redirect=None)
@require_POST
def customer_correct(request, pk):
    return _correct(request, pk, staff=False)


@staff_required
@require_POST
def tick(request, pk):
    try:
        item = int(request.POST.get("item", ""))
    except ValueError:
        item = -1
    return _act(
        request, pk, actions.do_tick_checklist_item, request.POST.get("checklist", ""), item,
        note=request.POST.get("note", ""), success=_("Step recorded."),
    )  # fmt: skip


@staff_required
@require_POST
def resolution_plan(request, pk):
    return _act(
        request, pk, actions.do_deliver_resolution_plan, request.POST.get("body", ""),
        success=_("The plan is sent; the resolution target is met and the case stays open."),
    )  # fmt: skip


@staff_required
@require_POST
def third_party(request, pk):
    return _act(
        request, pk, actions.do_record_third_party_cause, vendor=request.POST.get("vendor", ""),
        why=request.POST.get("why", ""),
        success=_("Recorded; the resolution clock is exempt and the customer is told."),
    )  # fmt: skip


@staff_required
@require_POST
def close_by_arrangement(request, pk):
    ticket = _ticket(request, pk)
    if ticket.policy.close_agreement is None:
        error = _("This policy closes tickets without an agreement; change the status instead.")
        return _refused(request, ticket, error, staff=True)
    closed = ticket.policy.status_for(actions.StatusCategory.CLOSED)
    return _act(
        request, pk, actions.do_change_status, closed.id,
        arrangement=request.POST.get("arrangement", ""), success=_("Closed."),
    )  # fmt: skip


@staff_required
@require_POST
def out_of_scope(request, pk):
    return _act(
        request, pk, actions.do_answer_out_of_scope, request.POST.get("category", ""),
        note=request.POST.get("note", ""),
        success=_("Answered as out of scope; the ticket is closed."),
    )  # fmt: skip


@staff_required
@require_POST
def exempt(request, pk):
    return _act(
        request, pk, actions.do_exempt_breach, request.POST.get("metric", ""),
        reason=request.POST.get("reason", ""), note=request.POST.get("note", ""),
        success=_("The breach is marked exempt."),
    )  # fmt: skip
