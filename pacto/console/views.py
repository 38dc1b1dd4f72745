"""The agents' console: queues, the ticket page with every action, phone tickets, and the
support manager's dashboard. Every view is for the vendor's staff (``staff_required``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from pacto.accounts.access import get_ticket_for, visible_organizations
from pacto.accounts.models import Organization, User
from pacto.console import dashboard as stats
from pacto.console.forms import (
    AssignForm,
    ConsoleReplyForm,
    EscalateForm,
    LineForm,
    PhoneTicketForm,
    RequesterForm,
    SeverityForm,
    StatusForm,
    WorkForm,
)
from pacto.console.queues import (
    QUEUES,
    STATUS_CATEGORIES,
    queue_counts,
    queue_tickets,
    severity_choices,
)
from pacto.errors import ActionError, NotFound
from pacto.portal import display
from pacto.portal.forms import DuePreviewForm
from pacto.portal.views import _preview, _support, query_without_page, ticket_rows
from pacto.portal.web import is_htmx, manager_required, message_of, run_action, staff_required
from pacto.tickets.actions import (
    do_approve_access_request,
    do_assign,
    do_change_severity,
    do_change_status,
    do_escalate,
    do_log_work,
    do_open_ticket,
    do_reply,
    do_set_line,
    preview_support,
)
from pacto.tickets.models import Attachment, Message, Ticket
from pacto.tickets.opening import check_opening

PAGE_SIZE = 50


@staff_required
@require_safe
def queue(request):
    user = request.user
    now = timezone.now()
    name = request.GET.get("queue") or ("mine" if user.role == User.Role.AGENT else "all")
    if name not in QUEUES:
        name = "all"
    filters = {
        key: request.GET.get(key, "") for key in ("organization", "severity", "status", "type", "q")
    }
    tickets = queue_tickets(user, name, now, filters)
    counts = queue_counts(user, now)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "queue": name,
        "tabs": [(key, label, counts[key]) for key, label in QUEUES.items()],
        "filters": filters,
        "page": page,
        "query": query_without_page(request),
        "rows": ticket_rows(page.object_list, now),
        "organizations": visible_organizations(user).filter(kind=Organization.Kind.CUSTOMER),
        "severities": severity_choices(),
        "statuses": [(k, v) for k, v in STATUS_CATEGORIES.items() if k not in ("solved", "closed")],
        "types": Ticket.Type.choices,
    }
    if is_htmx(request):
        return render(request, "console/queue.html#table", context)
    return render(request, "console/queue.html", context)


def _ticket(request, pk) -> Ticket:
    try:
        return get_ticket_for(request.user, pk)
    except NotFound:
        raise Http404 from None


def _render(request, ticket: Ticket, status: int = 200, **forms):
    policy = ticket.policy
    now = timezone.now()
    conversation = (
        Message.objects.filter(ticket=ticket)
        .select_related("author")
        .prefetch_related("attachments")
    )
    events = [
        {"event": e, "text": display.event_text(e, policy)}
        for e in ticket.events.select_related("actor")
    ]
    worked = sum(
        e["event"].data.get("minutes", 0) for e in events if e["event"].kind == "work_logged"
    )
    context = {
        "ticket": ticket,
        "policy": policy,
        "status_name": display._status_name(policy, ticket.status),
        "plan_name": display.plan_name(policy, ticket.plan),
        "line_name": display.LINES.get(ticket.support_line, ticket.support_line),
        "severity": policy.severity(ticket.severity),
        "clocks": display.live_clocks(ticket, now),
        "conversation": conversation,
        "loose_attachments": Attachment.objects.filter(ticket=ticket, message__isnull=True),
        "events": events,
        "worked_minutes": worked,
        "missing": _missing_details(ticket),
        "reply_form": forms.get("reply_form") or ConsoleReplyForm(),
        "status_form": forms.get("status_form") or StatusForm(policy=policy, current=ticket.status),
        "severity_form": forms.get("severity_form")
        or SeverityForm(policy=policy, current=ticket.severity),
        "assign_form": forms.get("assign_form")
        or AssignForm(initial={"assignee": ticket.assignee}),
        "line_form": forms.get("line_form")
        or LineForm(initial={"line": "second" if ticket.support_line == "first" else "first"}),
        "escalate_form": forms.get("escalate_form") or EscalateForm(),
        "work_form": forms.get("work_form") or WorkForm(),
        "is_open": ticket.status_category != "closed",
        "errors": [e for form in forms.values() for e in form.non_field_errors()],
        "now": now,
    }
    return render(request, "console/ticket.html", context, status=status)


def _missing_details(ticket: Ticket) -> list[str]:
    from pacto.portal.forms import DETAIL_LABELS
    from pacto.tickets.actions import missing_details

    if ticket.type != Ticket.Type.PROBLEM:
        return []
    return [str(DETAIL_LABELS.get(name, name)) for name in missing_details(ticket.policy, ticket)]


@staff_required
@require_safe
def ticket(request, pk):
    return _render(request, _ticket(request, pk))


def _done(request, ticket, text):
    messages.success(request, text)
    return redirect("console:ticket", pk=ticket.pk)


@staff_required
@require_POST
def reply(request, pk):
    ticket = _ticket(request, pk)
    form = ConsoleReplyForm(request.POST, request.FILES)
    if form.is_valid():
        public = form.cleaned_data["visibility"] == "public"
        upload = form.cleaned_data.get("attachment")
        _message, ok = run_action(
            form, do_reply, request.user, ticket, form.cleaned_data["body"], public=public,
            attachments=[upload] if upload else [],
        )  # fmt: skip
        if ok:
            return _done(request, ticket, _("Reply sent.") if public else _("Internal note added."))
    return _render(request, ticket, 422, reply_form=form)


@staff_required
@require_POST
def change_status(request, pk):
    ticket = _ticket(request, pk)
    form = StatusForm(request.POST, policy=ticket.policy, current=ticket.status)
    if form.is_valid():
        data = form.cleaned_data
        _r, ok = run_action(
            form,
            do_change_status,
            request.user,
            ticket,
            data["status"],
            reason=data["reason"],
            details_requested=data["details_requested"],
        )
        if ok:
            return _done(request, ticket, _("Status changed."))
    return _render(request, ticket, 422, status_form=form)


@staff_required
@require_POST
def change_severity(request, pk):
    ticket = _ticket(request, pk)
    form = SeverityForm(request.POST, policy=ticket.policy, current=ticket.severity)
    if form.is_valid():
        _r, ok = run_action(
            form,
            do_change_severity,
            request.user,
            ticket,
            form.cleaned_data["severity"],
            reason=form.cleaned_data["reason"],
        )
        if ok:
            return _done(request, ticket, _("Severity changed; the clocks are recomputed."))
    return _render(request, ticket, 422, severity_form=form)


@staff_required
@require_POST
def assign(request, pk):
    ticket = _ticket(request, pk)
    data = request.POST.copy()
    if data.get("me"):
        data["assignee"] = str(request.user.pk)
    form = AssignForm(data)
    if form.is_valid():
        _r, ok = run_action(form, do_assign, request.user, ticket, form.cleaned_data["assignee"])
        if ok:
            return _done(request, ticket, _("Assignment changed."))
    return _render(request, ticket, 422, assign_form=form)


@staff_required
@require_POST
def change_line(request, pk):
    ticket = _ticket(request, pk)
    form = LineForm(request.POST)
    if form.is_valid():
        _r, ok = run_action(
            form,
            do_set_line,
            request.user,
            ticket,
            form.cleaned_data["line"],
            reason=form.cleaned_data["reason"],
        )
        if ok:
            return _done(request, ticket, _("Support line changed."))
    return _render(request, ticket, 422, line_form=form)


@staff_required
@require_POST
def escalate(request, pk):
    ticket = _ticket(request, pk)
    form = EscalateForm(request.POST)
    if form.is_valid():
        _r, ok = run_action(
            form,
            do_escalate,
            request.user,
            ticket,
            reason=form.cleaned_data["reason"],
            to="management",
        )
        if ok:
            return _done(request, ticket, _("Escalated to support management."))
    return _render(request, ticket, 422, escalate_form=form)


@staff_required
@require_POST
def log_work(request, pk):
    ticket = _ticket(request, pk)
    form = WorkForm(request.POST)
    if form.is_valid():
        _r, ok = run_action(
            form,
            do_log_work,
            request.user,
            ticket,
            minutes=form.cleaned_data["minutes"],
            note=form.cleaned_data["note"],
        )
        if ok:
            return _done(request, ticket, _("Work time logged."))
    return _render(request, ticket, 422, work_form=form)


@staff_required
@require_POST
def approve_access(request, pk):
    ticket = _ticket(request, pk)
    try:
        contact = run_action(None, do_approve_access_request, request.user, ticket)[0]
    except ActionError as exc:
        messages.error(request, message_of(exc))
        return _render(request, ticket, 422)
    return _done(
        request, ticket, _("%(contact)s is now an authorized contact.") % {"contact": contact}
    )


# ----------------------------------------------------------------------------- phone tickets


def _phone_context(request):
    """The contact who called and the contract their ticket runs under, from the query."""
    source = request.POST if request.method == "POST" else request.GET
    picker = RequesterForm(source if source.get("requester") else None)
    if not picker.is_bound or not picker.is_valid():
        return picker, None, None, None
    requester = picker.cleaned_data["requester"]
    try:
        opening = check_opening(
            request.user, requester, picker.cleaned_data.get("organization"), timezone.now().date()
        )
    except ActionError as exc:
        picker.add_error("organization" if exc.field == "organization" else "requester",
                         message_of(exc))  # fmt: skip
        return picker, None, None, None
    customer, contract = opening.customer, opening.contract
    return picker, requester, customer, contract


@staff_required
def new_ticket(request):
    """Log a ticket a contact phoned (or emailed) in, on their behalf (seed 000 §7.3)."""
    picker, requester, customer, contract = _phone_context(request)
    form = None
    status = 422 if picker.errors or (request.method == "POST" and contract is None) else 200
    if contract is not None:
        policy = contract.policy
        form = PhoneTicketForm(
            request.POST if request.method == "POST" else None, policy=policy, contract=contract
        )
        if request.method == "POST" and "preview" not in request.POST:
            if form.is_valid():
                data = form.cleaned_data
                ticket, ok = run_action(
                    form,
                    do_open_ticket,
                    request.user,
                    subject=data["subject"],
                    body=data["body"],
                    severity=data["severity"],
                    organization=customer,
                    requester=requester,
                    type=data["type"],
                    channel=data["channel"],
                    environment=data["environment"],
                    product=data["product"],
                    version=data["version"],
                    product_version=data["product_version"],
                )
                if ok:
                    messages.success(
                        request, _("Ticket #%(number)s is logged.") % {"number": ticket.pk}
                    )
                    return redirect("console:ticket", pk=ticket.pk)
            status = 422
    preview = None
    if contract is not None:
        data = form.data if form.is_bound else {"channel": "phone"}
        preview = _preview(contract.policy, contract, data, channel=data.get("channel") or "phone")
    context = {
        "picker": picker,
        "form": form,
        "requester": requester,
        "customer": customer,
        "contract": contract,
        "plan_name": display.plan_name(contract.policy, contract.plan) if contract else "",
        "preview": preview,
        "support": _support(contract, form) if contract is not None else None,
        "preview_url": reverse("console:new_ticket_due"),
    }
    return render(request, "console/new_ticket.html", context, status=status)


@staff_required
@require_safe
def new_ticket_due(request):
    _picker, _requester, _customer, contract = _phone_context(request)
    if contract is None:
        return render(request, "partials/due_preview.html", {"preview": None})
    form = DuePreviewForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    preview = _preview(contract.policy, contract, data, channel=data.get("channel") or "phone")
    support = preview_support(contract, data.get("product_version"), timezone.now().date())
    return render(request, "partials/due_preview.html", {"preview": preview, "support": support})


# ----------------------------------------------------------------------------- dashboard


@manager_required
@require_safe
def dashboard(request):
    now = timezone.now()
    user = request.user
    compliance = stats.first_response_compliance(now)
    context = {
        "compliance": compliance,
        "chart": compliance.chart(),
        "at_risk": ticket_rows(queue_tickets(user, "at_risk", now)[:25], now),
        "breached": ticket_rows(queue_tickets(user, "breached", now)[:25], now),
        "now": now,
    }
    return render(request, "console/dashboard.html", context)
