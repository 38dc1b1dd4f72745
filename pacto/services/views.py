"""Professional-services pages. Portal: the customer's catalogue, included services, quotes
to approve, visits, remote sessions and waivers; the signed approval link from the email.
Console: quotes, schedule, work logs, rate cards and the billing export; the forms on a
ticket's page. Each view finds what the person may see, parses, calls one action."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from pacto.accounts.access import get_ticket_for, visible_tickets
from pacto.accounts.models import User
from pacto.contracts.actions import active_contract
from pacto.contracts.models import Contract
from pacto.errors import ActionError, NotFound
from pacto.services import actions, billing
from pacto.services.models import Quote, RemoteSession, Visit, Waiver, WorkLog


def _failed(request, error: ActionError, back: str):
    """The refusal, named field and rule, with the way back; the status is the error's."""
    return render(
        request,
        "services/refused.html",
        {"errors": [f"{error.field}: {error.message}"], "back": back},
        status=error.status,
    )


def _run(request, change, back: str):
    """``change()`` (reading the form, then one action), and back to ``back``; a refusal, by
    the form or the action, is shown with the way back."""
    try:
        change()
    except ActionError as error:
        return _failed(request, error, back)
    return redirect(back)


def _instant(value: str, field: str, zone) -> dt.datetime:
    parsed = parse_datetime((value or "").strip())
    if parsed is None:
        raise ActionError(field, "datetime", f"{field}: a date and time, e.g. 2026-01-23 17:00")
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def _zone(user: User):
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(user.time_zone or "UTC")
    except Exception:  # an unknown zone name: UTC
        return dt.UTC


def _int(value, field: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise ActionError(field, "integer", f"{field}: a whole number") from None


def _require_staff(request) -> None:
    if not request.user.is_staff_member:
        raise PermissionDenied


# ----------------------------------------------------------------------------- portal


@login_required
@require_safe
def portal(request):
    user = request.user
    if user.is_staff_member:
        return redirect("services:console")
    now = timezone.now()
    organization = user.organization
    contract = active_contract(organization, now.date()) if organization else None
    policy = contract.policy if contract else None
    quotes = list(actions.visible_quotes(user).prefetch_related("lines")[:100])
    tickets = visible_tickets(user)
    return render(
        request,
        "services/portal.html",
        {
            "contract": contract,
            "catalogue": policy.services.catalogue if policy else [],
            "language": (request.LANGUAGE_CODE or "en").lower(),
            "entitlements": actions.entitlements(contract, now.date()) if contract else [],
            "quotes": quotes,
            "visits": Visit.objects.filter(quote__in=[q.pk for q in quotes]).select_related(
                "quote", "engineer"
            ),
            "sessions": RemoteSession.objects.filter(ticket__in=tickets).select_related("ticket"),
            "waivers": Waiver.objects.filter(ticket__in=tickets, accepted_at__isnull=True),
            "may_request": user.is_authorized,
            "may_decide": user.is_authorized,
            "engineers": User.objects.exclude(role=User.Role.CONTACT).filter(is_active=True),
        },
    )


@login_required
@require_POST
def portal_request(request):
    user = request.user
    if user.is_staff_member or not user.is_authorized:
        raise PermissionDenied
    try:
        service = (request.POST.get("service") or "").strip()
        if not service:
            raise ActionError("service", "required", _("choose a service"))
        ticket = actions.do_request_service(
            user, service=service, body=request.POST.get("body", "")
        )
    except ActionError as error:
        return _failed(request, error, reverse("services:portal"))
    return redirect("portal:ticket", pk=ticket.pk)


def _portal_quote(request, quote_id: int) -> Quote:
    try:
        return actions.get_quote_for(request.user, quote_id)
    except NotFound:
        raise Http404 from None


@login_required
@require_POST
def portal_decide(request, quote_id: int):
    quote = _portal_quote(request, quote_id)

    def change():
        actions.do_decide_quote(
            request.user, quote, approve=request.POST.get("decision") == "approve",
            version=_int(request.POST.get("version"), "version"), via="portal",
            reason=request.POST.get("reason", ""),
        )  # fmt: skip

    return _run(request, change, reverse("services:portal"))


@login_required
@require_POST
def portal_schedule(request, quote_id: int):
    quote = _portal_quote(request, quote_id)
    return _schedule(request, quote, reverse("services:portal"))


def _schedule(request, quote: Quote, back: str):
    def change():
        engineer = User.objects.filter(
            pk=_int(request.POST.get("engineer"), "engineer"), is_active=True
        ).first()
        actions.do_schedule_visit(
            request.user, quote,
            starts_at=_instant(request.POST.get("starts_at"), "starts_at", _zone(request.user)),
            minutes=_int(request.POST.get("minutes"), "minutes"), engineer=engineer,
            mode=request.POST.get("mode") or Visit.Mode.REMOTE,
            location=request.POST.get("location", ""),
        )  # fmt: skip

    return _run(request, change, back)


@login_required
@require_POST
def session_answer(request, session_id: int):
    session = RemoteSession.objects.filter(
        pk=session_id, ticket__in=visible_tickets(request.user)
    ).first()
    if session is None:
        raise Http404

    def change():
        actions.do_answer_session(
            request.user, session, accept=request.POST.get("answer") == "accept",
            note=request.POST.get("note", ""),
        )  # fmt: skip

    return _run(request, change, reverse("portal:ticket", args=[session.ticket_id]))


@login_required
@require_POST
def waiver_accept(request, waiver_id: int):
    waiver = Waiver.objects.filter(pk=waiver_id, ticket__in=visible_tickets(request.user)).first()
    if waiver is None:
        raise Http404

    def change():
        actions.do_accept_waiver(request.user, waiver, text=request.POST.get("text", ""))

    return _run(request, change, reverse("portal:ticket", args=[waiver.ticket_id]))


@require_http_methods(["GET", "HEAD", "POST"])
def decide_link(request, token: str):
    """The signed link in the quote's email: GET shows the quote (a mail scanner opening the
    link decides nothing); POST records the decision of the contact the link was sent to,
    for the version it names."""
    try:
        quote, version, contact = actions.read_decision_token(token)
    except NotFound:
        raise Http404 from None
    context = {"quote": quote, "version": version, "contact": contact, "token": token}
    if request.method == "POST":
        try:
            actions.do_decide_quote(
                contact, quote, approve=request.POST.get("decision") == "approve",
                version=version, via="email", reason=request.POST.get("reason", ""),
            )  # fmt: skip
        except ActionError as error:
            context["errors"] = [error.message]
            return render(request, "services/decide.html", context, status=error.status)
        quote.refresh_from_db()
        context["done"] = True
    return render(request, "services/decide.html", context)


# ----------------------------------------------------------------------------- console


def _month(request) -> billing.Month:
    text = request.GET.get("month")
    today = timezone.localdate()
    if not text:
        return billing.Month(today.year, today.month)
    try:
        return billing.Month.parse(text)
    except ValueError:
        raise Http404("month") from None


@login_required
@require_safe
def console(request):
    _require_staff(request)
    month = _month(request)
    contracts = Contract.objects.select_related("organization", "policy_version").order_by(
        "organization__name"
    )
    today = timezone.localdate()
    cards = []
    for contract in contracts:
        if not contract.is_active_on(today):
            continue
        services = contract.policy.services
        if not (services.catalogue or services.included):
            continue
        cards.append(
            {
                "contract": contract,
                "rate_card": actions.rate_card_for(contract),
                "entitlements": actions.entitlements(contract, today),
            }
        )
    return render(
        request,
        "services/console.html",
        {
            "month": month,
            "quotes": Quote.objects.select_related("organization", "ticket", "decided_by")[:200],
            "visits": Visit.objects.filter(
                starts_at__gte=timezone.now() - dt.timedelta(days=30)
            ).select_related("quote", "quote__organization", "engineer")[:200],
            "logs": WorkLog.objects.select_related(
                "organization", "quote", "engineer", "overrun"
            ).order_by("-starts_at")[:200],
            "rows": billing.rows(month),
            "reconciliation": billing.reconcile(month),
            "cards": cards,
            "sessions": RemoteSession.objects.filter(
                status=RemoteSession.Status.RUNNING
            ).select_related("ticket", "engineer"),
            "now": timezone.now(),
        },
    )


@login_required
@require_safe
def console_export(request, form: str):
    _require_staff(request)
    month = _month(request)
    rows = billing.rows(month)
    if form == "csv":
        response = HttpResponse(billing.to_csv(rows), content_type="text/csv; charset=utf-8")
    elif form == "xlsx":
        response = HttpResponse(
            billing.to_xlsx(rows, month),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="services-{month}.{form}"'
    return response


def _console_ticket(request, pk: int):
    _require_staff(request)
    try:
        return get_ticket_for(request.user, pk)
    except NotFound:
        raise Http404 from None


def _back(ticket) -> str:
    return reverse("console:ticket", args=[ticket.pk])


@login_required
@require_POST
def console_quote(request, pk: int):
    ticket = _console_ticket(request, pk)

    def change():
        valid_until = parse_date((request.POST.get("valid_until") or "").strip())
        if valid_until is None:
            raise ActionError("valid_until", "date", "valid_until: a date, e.g. 2026-02-28")
        actions.do_create_quote(
            request.user, ticket,
            service=request.POST.get("service") or actions.requested_service(ticket) or "",
            lines=[{
                "units": request.POST.get("units"),
                "off_hours_share": request.POST.get("off_hours_share") or "0",
                "description": request.POST.get("description", ""),
            }],
            valid_until=valid_until, logistics=request.POST.get("logistics") or "0",
            logistics_note=request.POST.get("logistics_note", ""),
            note=request.POST.get("note", ""),
        )  # fmt: skip

    return _run(request, change, _back(ticket))


@login_required
@require_POST
def console_log(request, pk: int):
    ticket = _console_ticket(request, pk)
    zone = _zone(request.user)

    def change():
        kw = {
            "starts_at": _instant(request.POST.get("starts_at"), "starts_at", zone),
            "ends_at": _instant(request.POST.get("ends_at"), "ends_at", zone),
            "activity": request.POST.get("activity") or WorkLog.Activity.WORK,
            "mode": request.POST.get("mode") or Visit.Mode.REMOTE,
            "description": request.POST.get("description", ""),
        }
        quote_id = request.POST.get("quote")
        if quote_id:
            quote = Quote.objects.filter(pk=_int(quote_id, "quote"), ticket=ticket).first()
            if quote is None:
                raise ActionError("quote", "exists", "quote: not a quote of this ticket")
            actions.do_log_service_work(
                request.user, quote, logistics=request.POST.get("logistics") or "0", **kw
            )
        else:
            actions.do_log_support_work(request.user, ticket, **kw)

    return _run(request, change, _back(ticket))


@login_required
@require_POST
def console_session(request, pk: int):
    ticket = _console_ticket(request, pk)

    def change():
        actions.do_propose_session(
            request.user, ticket,
            starts_at=_instant(request.POST.get("starts_at"), "starts_at", _zone(request.user)),
            minutes=_int(request.POST.get("minutes"), "minutes"),
            tool=request.POST.get("tool", ""), link=request.POST.get("link", ""),
            prepare=request.POST.get("prepare", ""),
        )  # fmt: skip

    return _run(request, change, _back(ticket))


@login_required
@require_POST
def console_waiver(request, pk: int):
    ticket = _console_ticket(request, pk)

    def change():
        actions.do_request_waiver(request.user, ticket)

    return _run(request, change, _back(ticket))


@login_required
@require_POST
def console_schedule(request, quote_id: int):
    _require_staff(request)
    quote = Quote.objects.filter(pk=quote_id).first()
    if quote is None:
        raise Http404
    return _schedule(request, quote, _back(quote.ticket))


@login_required
@require_POST
def console_session_step(request, session_id: int, step: str):
    _require_staff(request)
    session = RemoteSession.objects.filter(pk=session_id).first()
    if session is None or step not in ("start", "end"):
        raise Http404

    def change():
        if step == "start":
            actions.do_start_session(request.user, session)
        else:
            _session, warning = actions.do_end_session(
                request.user, session, notes=request.POST.get("notes", "")
            )
            if warning:
                from django.contrib import messages

                messages.warning(request, warning)

    return _run(request, change, _back(session.ticket))


@login_required
@require_POST
def console_rate_card(request, contract_id: int):
    _require_staff(request)
    contract = Contract.objects.filter(pk=contract_id).first()
    if contract is None:
        raise Http404

    def change():
        actions.do_set_rate_card(
            request.user, contract, day_rate=request.POST.get("day_rate", ""),
            currency=request.POST.get("currency", "BRL"),
            hours_per_day=request.POST.get("hours_per_day") or None,
            off_hours_multiplier=request.POST.get("off_hours_multiplier") or None,
            logistics_pass_through=request.POST.get("logistics_pass_through") == "on",
        )  # fmt: skip

    return _run(request, change, reverse("services:console"))
