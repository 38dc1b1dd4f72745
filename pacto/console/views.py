"""The agents' console: queues, the ticket page with every action, phone tickets, and the
support manager's dashboard. Every view is for the vendor's staff (``staff_required``)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from pacto.accounts.access import visible_organizations
from pacto.accounts.models import Organization, User
from pacto.console import dashboard as stats
from pacto.console import live
from pacto.console.actions import (
    do_delete_macro,
    do_delete_view,
    do_read_notifications,
    do_save_macro,
    do_save_view,
)
from pacto.console.bulk import BulkForm, run_bulk
from pacto.console.forms import (
    AssignForm,
    ConsoleReplyForm,
    DeclineForm,
    EscalateForm,
    LineForm,
    MacroForm,
    PhoneTicketForm,
    RequesterForm,
    SavedViewForm,
    SeverityForm,
    StatusForm,
    WorkForm,
    staff_members,
)
from pacto.console.macros import form_initial, usable_macros
from pacto.console.models import SavedView
from pacto.console.queues import (
    COLUMNS,
    QUEUES,
    STATES,
    STATUS_CATEGORIES,
    cleaned_columns,
    cleaned_filters,
    cleaned_sort,
    count_of,
    queue_counts,
    queue_tickets,
    severity_choices,
)
from pacto.contracts.actions import active_contracts, contract_label
from pacto.errors import ActionError, Conflict, NotAllowed, NotFound
from pacto.portal import display, pages
from pacto.portal.forms import CcForm
from pacto.portal.web import is_htmx, manager_required, message_of, run_action, staff_required
from pacto.tickets import search as ticket_search
from pacto.tickets.actions import (
    do_approve_access_request,
    do_assign,
    do_change_severity,
    do_change_status,
    do_decline_severity_request,
    do_escalate,
    do_log_work,
    do_open_ticket,
    do_reply,
    do_set_line,
    pending_severity_request,
)
from pacto.tickets.models import Ticket
from pacto.tickets.opening import check_opening
from pacto.tickets.words import clock_states, with_clock_changes

PAGE_SIZE = 50


# ----------------------------------------------------------------------------- queues


def _views_of(user):
    return SavedView.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")


@staff_required
@require_safe
def queue(request):
    user = request.user
    now = timezone.now()
    data = request.GET
    view = None
    if data.get("view", "").isdigit():
        view = _views_of(user).filter(pk=int(data["view"])).first()
        if view is not None and set(data) <= {"view", "page"}:
            data = QueryDict(view.query)
    name = data.get("queue") or ("mine" if user.role == User.Role.AGENT else "all")
    if name not in QUEUES:
        name = "all"
    filters = cleaned_filters(data)
    sort = cleaned_sort(data.get("sort"))
    columns = cleaned_columns(data.getlist("cols"))
    tickets = queue_tickets(user, name, now, filters, sort)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = queue_counts(user, now)
    views = list(_views_of(user))
    query = QueryDict(mutable=True)
    query.update({k: v for k, v in filters.items() if v and not (k == "state" and v == "open")})
    query["queue"] = name
    if sort:
        query["sort"] = sort
    if columns != cleaned_columns([]):
        query.setlist("cols", columns)
    context = {
        "queue": name,
        "view": view,
        "tabs": [(key, label, counts[key]) for key, label in QUEUES.items()],
        "views": [(v, count_of(user, now, QueryDict(v.query))) for v in views],
        "filters": filters,
        "sort": sort,
        "columns": columns,
        "all_columns": list(COLUMNS.items()),
        "shown_columns": [(c, COLUMNS[c]) for c in columns],
        "headers": _headers(query, sort, columns),
        "page": page,
        "query": query.urlencode(),
        "rows": pages.ticket_rows(page.object_list, now),
        "organizations": visible_organizations(user).filter(kind=Organization.Kind.CUSTOMER),
        "severities": severity_choices(),
        "statuses": list(STATUS_CATEGORIES.items()),
        "states": list(STATES.items()),
        "types": Ticket.Type.choices,
        "staff": staff_members(),
        "bulk_form": BulkForm(user=user),
        "stamp": live.queue_stamp(),
        "poll_seconds": live.POLL_SECONDS,
    }
    # The j / k keys of the ticket page walk this page of the queue.
    request.session["console_queue_ids"] = [row["ticket"].pk for row in context["rows"]]
    if is_htmx(request):
        return render(request, "console/queue.html#table", context)
    return render(request, "console/queue.html", context)


def _headers(query: QueryDict, sort: str, columns: list[str]) -> list[dict]:
    """The table's headers: each sorts by its column, and the other way when it already does."""
    headers = []
    for key, label in [("number", "#"), ("subject", _("Subject"))] + [
        (c, COLUMNS[c]) for c in columns
    ]:
        by = "due" if key == "sla" else key
        q = query.copy()
        q.pop("page", None)
        q["sort"] = f"-{by}" if sort == by else by
        arrow = "↑" if sort == by else "↓" if sort == f"-{by}" else ""
        headers.append({"key": key, "label": label, "link": q.urlencode(), "arrow": arrow})
    return headers


@staff_required
@require_safe
def queue_live(request):
    """Has anything changed since the queue page's ``stamp``? 204 when not (htmx then does
    nothing); else the new stamp, and an ``HX-Trigger`` that makes the page fetch its table."""
    stamp = live.queue_stamp()
    if request.GET.get("since") == stamp:
        return HttpResponse(status=204)
    response = render(
        request,
        "console/partials/live.html",
        {
            "stamp": stamp,
            "poll_seconds": live.POLL_SECONDS,
            "unread": live.unread_count(request.user),
        },
    )
    response["HX-Trigger"] = "pacto:changed"
    return response


@staff_required
@require_POST
def save_view(request):
    form = SavedViewForm(request.POST)
    if form.is_valid():
        view, ok = run_action(form, do_save_view, request.user, **form.cleaned_data)
        if ok:
            messages.success(request, _("The view “%(name)s” is saved.") % {"name": view.name})
            return redirect(f"{reverse('console:queue')}?view={view.pk}")
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(f"{reverse('console:queue')}?{form.data.get('query', '')}")


@staff_required
@require_POST
def delete_view(request, view_id):
    view = SavedView.objects.filter(pk=view_id).first()
    if view is None:
        raise Http404
    run_action(None, do_delete_view, request.user, view)
    messages.success(request, _("The view “%(name)s” is deleted.") % {"name": view.name})
    return redirect("console:queue")


@staff_required
@require_POST
def bulk(request):
    """One action on several tickets, each through its own action; then what worked and
    what was refused, and why."""
    form = BulkForm(request.POST, user=request.user)
    back = request.POST.get("back") or ""
    target = f"{reverse('console:queue')}?{back}" if not back.startswith(("/", "http")) else None
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(target or "console:queue")
    outcomes = run_bulk(request.user, form.cleaned_data, timezone.now())
    done_count = sum(1 for o in outcomes if o.ok)
    context = {"outcomes": outcomes, "done": done_count, "back": target or reverse("console:queue")}
    return render(request, "console/bulk_result.html", context)


# ----------------------------------------------------------------------------- search


@staff_required
@require_safe
def search(request):
    text = request.GET.get("q", "")
    now = timezone.now()
    query, hits = ticket_search.search(request.user, text, now) if text.strip() else (None, [])
    context = {
        "q": text,
        "query": query,
        "hits": hits,
        "results": pages.search_results(hits),
    }
    return render(request, "console/search.html", context)


# ----------------------------------------------------------------------------- notifications


@staff_required
def notifications(request):
    if request.method == "POST":
        run_action(None, do_read_notifications, request.user)
        return redirect("console:notifications")
    since = live.read_at(request.user)
    items = [
        {
            "event": e,
            "text": display.event_text(e, e.ticket.policy),
            "unread": since is None or e.at > since,
        }
        for e in live.notifications(request.user)[:50]
    ]
    return render(request, "console/notifications.html", {"items": items})


# ----------------------------------------------------------------------------- the ticket page


def _ticket(request, pk) -> Ticket:
    return pages.ticket_or_404(request.user, pk)


def _policy(ticket: Ticket):
    return display.reader_policy(ticket.policy)


def _reply_form(ticket, request, data=None, files=None, initial=None):
    return ConsoleReplyForm(data, files, ticket=ticket, initial=initial)


def _render(request, ticket: Ticket, status: int = 200, **forms):
    policy = display.reader_policy(ticket.policy)
    now = timezone.now()
    base = pages.ticket_context(ticket, now, internal=True, viewer=request.user)
    worked = sum(
        e["event"].data.get("minutes", 0)
        for e in base["events"]
        if e["event"].kind == "work_logged"
    )
    macros = list(usable_macros(request.user))
    reply_form = forms.get("reply_form")
    applied = None
    if reply_form is None:
        initial = None
        chosen = request.GET.get("macro", "")
        if chosen.isdigit():
            applied = next((m for m in macros if m.pk == int(chosen)), None)
            if applied is not None:
                initial = form_initial(applied, ticket, now)
        reply_form = _reply_form(ticket, request, initial=initial)
    request_event = pending_severity_request(ticket) if ticket.is_open else None
    context = {
        **base,
        "line_name": display.LINES.get(ticket.support_line, ticket.support_line),
        "worked_minutes": worked,
        "missing": _missing_details(ticket),
        "reply_form": reply_form,
        "macros": macros,
        "applied_macro": applied,
        "severity_request": request_event,
        "requested_severity": display.severity_name(policy, request_event.data.get("to"))
        if request_event
        else "",
        "decline_form": forms.get("decline_form") or DeclineForm(),
        "status_form": forms.get("status_form") or StatusForm(policy=policy, current=ticket.status),
        "severity_form": forms.get("severity_form")
        or SeverityForm(policy=policy, current=ticket.severity),
        "assign_form": forms.get("assign_form")
        or AssignForm(initial={"assignee": ticket.assignee}),
        "line_form": forms.get("line_form")
        or LineForm(initial={"line": "second" if ticket.support_line == "first" else "first"}),
        "escalate_form": forms.get("escalate_form") or EscalateForm(),
        "work_form": forms.get("work_form") or WorkForm(),
        "cc_form": forms.get("cc_form") or CcForm(),
        "is_open": ticket.status_category != "closed",
        "errors": [e for form in forms.values() for e in form.non_field_errors()],
        "others": live.others_present(ticket.pk, request.user),
        "poll_seconds": live.POLL_SECONDS,
        "neighbours": _neighbours(request, ticket),
    }
    return render(request, "console/ticket.html", context, status=status)


def _neighbours(request, ticket):
    """The previous and next ticket of the agent's default queue, for the j / k keys."""
    ids = request.session.get("console_queue_ids") or []
    if ticket.pk not in ids:
        return {}
    at = ids.index(ticket.pk)
    return {
        "previous": ids[at - 1] if at > 0 else None,
        "next": ids[at + 1] if at + 1 < len(ids) else None,
    }


def _missing_details(ticket: Ticket) -> list[str]:
    from pacto.tickets.actions import missing_details

    if ticket.type != Ticket.Type.PROBLEM:
        return []
    return [
        str(display.DETAIL_LABELS.get(name, name))
        for name in missing_details(ticket.policy, ticket)
    ]


@staff_required
@require_safe
def ticket(request, pk):
    ticket = _ticket(request, pk)
    if is_htmx(request) and request.GET.get("part") == "live":
        return _ticket_live(request, ticket)
    live.mark_present(ticket.pk, request.user, "viewing")
    return _render(request, ticket)


def _ticket_live(request, ticket):
    """The ticket page's poll: say who else is here, and whether the ticket changed since
    the page was drawn (then the conversation, clocks and history are fetched again; the
    reply being typed stays, and sending it warns)."""
    live.mark_present(ticket.pk, request.user, request.GET.get("activity", "viewing"))
    context = {
        "ticket": ticket,
        "others": live.others_present(ticket.pk, request.user),
        "poll_seconds": live.POLL_SECONDS,
        "version": ticket.lock_version,
        "seen": _int(request.GET.get("seen"), ticket.lock_version),
    }
    response = render(request, "console/partials/ticket_live.html", context)
    if request.GET.get("version") not in (None, "", str(ticket.lock_version)):
        response["HX-Trigger"] = "pacto:ticket-changed"
    return response


def _int(value, default: int) -> int:
    return int(value) if (value or "").isdigit() else default


def _done(request, ticket, text):
    return pages.done(request, ticket, text, "console:ticket")


def _apply(form, steps) -> bool:
    """Run ``steps`` (each one action) in one transaction: all of them, or none and the
    first refusal on ``form``."""
    try:
        with transaction.atomic():
            for step in steps:
                step()
    except NotFound:
        raise Http404 from None
    except NotAllowed as exc:
        raise PermissionDenied(message_of(exc)) from None
    except Conflict:
        form.add_error(
            None,
            _(
                "This ticket changed while you were writing (see the conversation and history "
                "below). Your text is kept: check it and send again."
            ),
        )
        return False
    except ActionError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, message_of(exc))
        return False
    return True


@staff_required
@require_POST
def reply(request, pk):
    """The one-step reply: a public reply or an internal note, its files, and a status,
    severity, line or assignee change, in one request. Each change is its own action and
    audit event; a refusal of any one leaves the ticket as it was."""
    ticket = _ticket(request, pk)
    form = _reply_form(ticket, request, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        user = request.user
        public = data["visibility"] == "public"
        body = (data.get("body") or "").strip()
        reason = data.get("reason") or ""
        shown = data.get("reason_public", False)  # a line change is never the customer's to read
        version = data.get("version")
        steps = []
        before = clock_states(ticket)
        if body:
            steps.append(lambda v=version: do_reply(
                user, ticket, body, public=public, attachments=data["attachment"],
                expected_version=v,
            ))  # fmt: skip
            version = None
        if data.get("status"):
            steps.append(lambda v=version: do_change_status(
                user, ticket, data["status"], reason=reason, reason_public=shown,
                expected_version=v))  # fmt: skip
            version = None
        if data.get("severity"):
            steps.append(lambda v=version: do_change_severity(
                user, ticket, data["severity"], reason=reason, reason_public=shown,
                expected_version=v))  # fmt: skip
            version = None
        if data.get("line"):
            steps.append(lambda v=version: do_set_line(
                user, ticket, data["line"], reason=reason, expected_version=v))  # fmt: skip
            version = None
        if data.get("assignee"):
            chosen = None if data["assignee"] == "none" else User.objects.filter(
                pk=data["assignee"]).first()  # fmt: skip
            steps.append(lambda v=version: do_assign(user, ticket, chosen, expected_version=v))
        if _apply(form, steps):
            if body:
                text = _("Reply sent.") if public else _("Internal note added.")
            else:
                text = _("The ticket is updated.")
            if data.get("status"):
                ticket.refresh_from_db()
                text = f"{text} {_status_changed(ticket, before=before)}"
            return _done(request, ticket, text)
        ticket.refresh_from_db()
        if form.non_field_errors():
            fresh = request.POST.copy()
            fresh["version"] = str(ticket.lock_version)
            errors = form.non_field_errors()
            form = _reply_form(ticket, request, fresh, request.FILES)
            form.is_valid()
            for error in errors:
                form.add_error(None, error)
    return _render(request, ticket, 422, reply_form=form)


@staff_required
@require_POST
def accept_severity(request, pk):
    """The banner's accept: the requested severity, through ``do_change_severity``."""
    ticket = _ticket(request, pk)
    asked = pending_severity_request(ticket)
    if asked is None:
        messages.error(request, _("No severity request is pending."))
        return redirect("console:ticket", pk=ticket.pk)
    form = DeclineForm(request.POST)
    form.is_valid()
    reason = (form.cleaned_data.get("reason") or "").strip() or _(
        "The customer's request is accepted: %(justification)s"
    ) % {"justification": asked.reason or "—"}
    _r, ok = run_action(
        form, do_change_severity, request.user, ticket, asked.data.get("to"), reason=reason,
        reason_public=form.cleaned_data.get("reason_public", False),
    )  # fmt: skip
    if ok:
        return _done(request, ticket, _("Severity changed as the customer asked."))
    return _render(request, ticket, 422, decline_form=form)


def _submit(request, ticket, form, form_name, change, text):
    return pages.submit(
        request, ticket, form, form_name, change, text, page="console:ticket", again=_render
    )


@staff_required
@require_POST
def decline_severity(request, pk):
    ticket = _ticket(request, pk)
    form, text = DeclineForm(request.POST), _("The severity request is declined.")
    return _submit(request, ticket, form, "decline_form", do_decline_severity_request, text)


@staff_required
@require_POST
def change_status(request, pk):
    ticket = _ticket(request, pk)
    form = StatusForm(request.POST, policy=_policy(ticket), current=ticket.status)
    before = clock_states(ticket)
    text = partial(_status_changed, before=before)
    return _submit(request, ticket, form, "status_form", do_change_status, text)


def _status_changed(ticket: Ticket, *, before: dict[str, str]) -> str:
    """The confirmation of a status change, saying what it did to each clock by the ticket's
    policy (SecPod's Waiting on Customer: "Delays may extend resolution times")."""
    status = display.status_name(ticket.policy, ticket.status)
    return with_clock_changes(
        _("Status changed to %(status)s") % {"status": status}, ticket, before
    )


@staff_required
@require_POST
def change_severity(request, pk):
    ticket = _ticket(request, pk)
    form = SeverityForm(request.POST, policy=_policy(ticket), current=ticket.severity)
    text = _("Severity changed; the clocks are recomputed.")
    return _submit(request, ticket, form, "severity_form", do_change_severity, text)


@staff_required
@require_POST
def assign(request, pk):
    ticket = _ticket(request, pk)
    data = request.POST.copy()
    if data.get("me"):
        data["assignee"] = str(request.user.pk)
    form, text = AssignForm(data), _("Assignment changed.")
    return _submit(request, ticket, form, "assign_form", do_assign, text)


@staff_required
@require_POST
def change_line(request, pk):
    ticket = _ticket(request, pk)
    form, text = LineForm(request.POST), _("Support line changed.")
    return _submit(request, ticket, form, "line_form", do_set_line, text)


_escalate_to_management = partial(do_escalate, to="management")


@staff_required
@require_POST
def escalate(request, pk):
    ticket = _ticket(request, pk)
    form, text = EscalateForm(request.POST), _("Escalated to support management.")
    return _submit(request, ticket, form, "escalate_form", _escalate_to_management, text)


@staff_required
@require_POST
def log_work(request, pk):
    ticket = _ticket(request, pk)
    form, text = WorkForm(request.POST), _("Work time logged.")
    return _submit(request, ticket, form, "work_form", do_log_work, text)


@staff_required
@require_POST
def cc(request, pk, remove=False):
    ticket = _ticket(request, pk)
    return pages.change_cc(request, ticket, remove=remove, page="console:ticket", again=_render)


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
    organization = picker.cleaned_data.get("organization")
    today = timezone.now().date()
    try:
        opening = check_opening(
            request.user, requester, organization, today,
            contract=picker.cleaned_data.get("contract") or None,
        )  # fmt: skip
    except ActionError as exc:
        if exc.field == "contract":
            # Several contracts in force: the agent asks which product the call is about.
            customer = organization or requester.organization
            picker.offer_contracts(
                [(c.pk, contract_label(c)) for c in active_contracts(customer, today)]
            )
            if exc.rule == "contract_named" and not picker.data.get("contract"):
                return picker, None, None, None  # the next step: the agent chooses
        picker.add_error(exc.field if exc.field in picker.fields else "requester",
                         message_of(exc))  # fmt: skip
        return picker, None, None, None
    contracts = active_contracts(opening.customer, today)
    if len(contracts) > 1:  # the choice stays on the page, to change the product
        picker.offer_contracts([(c.pk, contract_label(c)) for c in contracts])
    customer, contract = opening.customer, opening.contract
    return picker, requester, customer, contract


@staff_required
def new_ticket(request):
    """Log a ticket a contact phoned (or emailed) in, on their behalf (senhasegura §7.3)."""
    picker, requester, customer, contract = _phone_context(request)
    form = None
    status = 422 if picker.errors or (request.method == "POST" and contract is None) else 200
    if contract is not None:
        policy = display.reader_policy(contract.policy)
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
                    **pages.opening_fields(data),
                    organization=customer,
                    requester=requester,
                    contract=contract,
                    channel=data["channel"],
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
        preview = pages.opening_preview(
            display.reader_policy(contract.policy),
            contract,
            data,
            channel=data.get("channel") or "phone",
        )
    context = {
        "picker": picker,
        "form": form,
        "requester": requester,
        "customer": customer,
        "contract": contract,
        "plan_name": display.plan_name(contract.policy, contract.plan) if contract else "",
        "preview": preview,
        "support": pages.opening_support(contract, form) if contract is not None else None,
        "preview_url": reverse("console:new_ticket_due"),
    }
    return render(request, "console/new_ticket.html", context, status=status)


@staff_required
@require_safe
def new_ticket_due(request):
    return pages.due_fragment(request, _phone_context(request)[3])


# ----------------------------------------------------------------------------- dashboard


@manager_required
@require_safe
def dashboard(request):
    """Open tickets breached and at risk now (counted as their queues count them, the first
    25 listed), and first-response compliance of the month chosen (this one by default)."""
    now = timezone.now()
    user = request.user
    month = request.GET.get("month", "")[:20].strip()
    status, error = 200, ""
    try:
        compliance = stats.first_response_compliance(now, month)
    except ActionError:
        status, error = 422, _("Choose a month written YYYY-MM: this month or an earlier one.")
        compliance = stats.first_response_compliance(now)
    context = {
        "compliance": compliance,
        "month": f"{compliance.start:%Y-%m}",
        "this_month": f"{timezone.localtime(now):%Y-%m}",
        "month_error": error,
        "chart": compliance.chart(),
        "counts": queue_counts(user, now),
        "at_risk": pages.ticket_rows(queue_tickets(user, "at_risk", now)[:25], now),
        "breached": pages.ticket_rows(queue_tickets(user, "breached", now)[:25], now),
        "exempt": pages.ticket_rows(queue_tickets(user, "exempt", now)[:25], now),
        "now": now,
    }
    return render(request, "console/dashboard.html", context, status=status)


# ----------------------------------------------------------------------------- macros


@staff_required
def macros(request):
    form = MacroForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            macro, ok = run_action(form, do_save_macro, request.user, **form.cleaned_data)
            if ok:
                messages.success(
                    request, _("The macro “%(name)s” is saved.") % {"name": macro.name}
                )
                return redirect("console:macros")
        status = 422
    context = {"form": form, "macros": usable_macros(request.user)}
    return render(request, "console/macros.html", context, status=status)


@staff_required
@require_POST
def delete_macro(request, macro_id):
    macro = usable_macros(request.user).filter(pk=macro_id).first()
    if macro is None:
        raise Http404
    run_action(None, do_delete_macro, request.user, macro)
    messages.success(request, _("The macro “%(name)s” is deleted.") % {"name": macro.name})
    return redirect("console:macros")
