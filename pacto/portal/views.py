"""The customer portal: home, SLA calculator, tickets, contacts, preferences and API tokens.

Each view fetches what the person may see (``pacto.accounts.access``), parses one form, calls
one action and renders. htmx requests get the fragment they swap; the same URLs serve whole
pages without JavaScript.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from pacto.accounts.access import visible_contacts, visible_tickets
from pacto.accounts.actions import do_create_token, do_revoke_token
from pacto.accounts.models import ApiToken, Organization
from pacto.contracts.actions import (
    active_contract,
    active_contracts,
    contract_label,
    contract_products,
)
from pacto.errors import ActionError
from pacto.kb import deflection as kb_deflection
from pacto.portal import display, pages
from pacto.portal.actions import (
    CONTACT_EMAIL_KINDS,
    do_set_email_notifications,
    do_set_preferences,
    do_take_browser_zone,
    email_choices,
)
from pacto.portal.forms import (
    AccessRequestForm,
    CalculatorForm,
    CcForm,
    EscalateForm,
    NewTicketForm,
    NotificationsForm,
    PreferencesForm,
    ReopenForm,
    ReplyForm,
    SeverityRequestForm,
    TokenForm,
)
from pacto.portal.web import contact_required, is_htmx, message_of, run_action
from pacto.sla.clock import ClockError
from pacto.sla.explain import explain_text
from pacto.sla.policy import PolicyError
from pacto.tickets import search as ticket_search
from pacto.tickets.actions import (
    do_confirm_resolution,
    do_escalate,
    do_open_ticket,
    do_reopen,
    do_reply,
    do_request_severity_change,
)
from pacto.tickets.content import inline_type
from pacto.tickets.models import Attachment, Ticket
from pacto.tickets.opening import check_opening
from pacto.tickets.words import clock_states, with_clock_changes

PAGE_SIZE = 25

# Xecuritas, "Customer Escalation": "customers may escalate an issue [...] by contacting their
# account manager" (agents escalate to management from the console).
_escalate_to_account_manager = partial(do_escalate, to="account_manager")


# ----------------------------------------------------------------------------- public pages


@require_safe
def home(request):
    return render(request, "portal/home.html", _opening_notice(request.user))


def _opening_notice(user) -> dict:
    """For a contact who cannot open tickets today: why (``check_opening``'s own words: not
    authorized, partnership or certification expired, no contract in force...) and whom to
    ask, so no page offers a button that ends in 403. Empty for staff and for those who can."""
    if not user.is_authenticated or user.is_staff_member:
        return {}
    organization = user.organization
    customer = None
    if organization is not None and organization.is_partner:
        customer = organization.served_customers.order_by("name").first()
    try:
        check_opening(user, None, customer, timezone.now().date())
    except ActionError as exc:
        if exc.rule in CONTRACT_CHOICE_RULES:
            return {}  # they can: the new-ticket page asks which contract
        home = customer or organization
        return {
            "cannot_open": message_of(exc),
            "ask_manager": home.account_manager if home is not None else None,
        }
    return {}


@require_safe
def calculator(request):
    """senhasegura §8 and the other presets' targets, computed for any opening instant.

    A GET form: the page works without JavaScript; htmx swaps only the result."""
    if "policy" in request.GET:
        data = request.GET
    else:
        first = CalculatorForm().preset
        opened = timezone.now().astimezone(first.calendar().zone)
        data = {
            "policy": first.id,
            "type": "problem",
            "opened": opened.strftime("%Y-%m-%dT%H:%M"),
            "opened_zone": opened.tzinfo.key,
        }
    form = CalculatorForm(data)
    result = _calculate(form)
    context = {"form": form, "result": result}
    if is_htmx(request):
        return render(request, "portal/calculator.html#calculator", context)
    return render(request, "portal/calculator.html", context)


def _calculate(form: CalculatorForm) -> dict | None:
    policy = form.preset
    zone = policy.calendar().zone
    with timezone.override(zone):  # "opened" is wall-clock time in the policy's zone
        if not form.is_valid():
            return None
    data = form.cleaned_data
    opened = data["opened"].astimezone(zone)
    # The clocks as of now (an opening in the past may be due or overdue already), and "left"
    # counted from now; an opening still to come is shown as of that opening.
    as_of = max(opened, timezone.now())
    facts = {name: data[name] for name in ("plan", "severity", "channel", "environment")}
    facts["ticket_type"] = data["type"]
    try:
        results = display.compute_due(policy, **facts, opened_at=opened, as_of=as_of)
    except (PolicyError, ClockError, ValueError, OverflowError) as exc:
        form.add_error(None, str(exc))
        return None
    clocks = [display.view_of_result(policy, r, as_of) for r in results.values()]
    preview = display.due_preview(policy, **facts, now=opened)
    return {
        "policy": policy,
        "policy_name": display.policy_name(policy),
        "policy_source": display.policy_source(policy),
        "zone": zone,
        "opened": opened,
        "clocks": clocks,
        "preview": preview,
        "explain": explain_text(results, zone),
    }


@require_POST
def set_language(request):
    """The header's language switch: for everyone a cookie, for a signed-in person also
    ``User.language`` (which then wins on every device)."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    from django.conf import settings

    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            do_set_preferences(request.user, language=language)
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


@login_required
def preferences(request):
    user = request.user
    form = PreferencesForm(
        request.POST or None, initial={"language": user.language, "time_zone": user.time_zone}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _result, ok = run_action(
                form,
                do_set_preferences,
                user,
                language=form.cleaned_data["language"],
                time_zone=form.cleaned_data["time_zone"],
            )
            if ok:
                translation.activate(user.language)
                messages.success(request, _("Your preferences are saved."))
                return redirect("portal:preferences")
        status = 422
    return _preferences_page(request, form, status=status)


@login_required
@require_POST
def browser_zone(request):
    """The zone the browser reports, posted by pacto.js from a page whose ``<body>`` carries
    ``data-browser-zone-url`` (only while the person's zone is a guess): 204 whether it was
    taken or the person's chosen zone kept; 422 naming ``time_zone`` for a zone not in the
    IANA database. Contacts and staff alike."""
    try:
        do_take_browser_zone(request.user, request.POST.get("time_zone", ""))
    except ActionError as error:
        return JsonResponse({"detail": [error.as_dict()]}, status=error.status)
    return HttpResponse(status=204)


def _preferences_page(request, form=None, notifications_form=None, status=200):
    user = request.user
    if form is None:
        form = PreferencesForm(initial={"language": user.language, "time_zone": user.time_zone})
    if notifications_form is None and user.is_contact:
        notifications_form = NotificationsForm(
            initial=email_choices(user), kinds=CONTACT_EMAIL_KINDS
        )
    context = {"form": form, "notifications_form": notifications_form}
    return render(request, "portal/preferences.html", context, status=status)


@contact_required("portal:preferences")
@require_POST
def notifications(request):
    """The contact's own choice of which events reach them by email (the outbox honours it:
    ``pacto.notifications.outbox``)."""
    form = NotificationsForm(request.POST, kinds=CONTACT_EMAIL_KINDS)
    if form.is_valid():
        _changed, ok = run_action(
            form, do_set_email_notifications, request.user, dict(form.cleaned_data)
        )
        if ok:
            messages.success(request, _("Your email notifications are saved."))
            return redirect("portal:preferences")
    return _preferences_page(request, notifications_form=form, status=422)


# ----------------------------------------------------------------------------- API tokens


@login_required
@never_cache
def tokens(request):
    """Personal API tokens, so a script can use the REST API without a browser session.

    A new token's secret is shown once, on the page that answers the form: it is neither put
    in a URL nor kept in the session, only its SHA-256 is stored, and no response of this page
    may be cached (``never_cache`` sends ``Cache-Control: no-store``)."""
    form = TokenForm(request.POST or None)
    status = 200
    created = None
    if request.method == "POST":
        if form.is_valid():
            result, ok = run_action(form, do_create_token, request.user, **form.cleaned_data)
            if ok:
                token, secret = result
                created = {"token": token, "secret": secret}
                form = TokenForm()
        if created is None:
            status = 422
    context = {
        "form": form,
        "created": created,
        "tokens": ApiToken.objects.filter(user=request.user),
        "me_url": request.build_absolute_uri(reverse("api:me")),
        "docs_url": reverse("api:openapi-view"),
    }
    return render(request, "portal/tokens.html", context, status=status)


@login_required
@require_POST
def revoke_token(request, token_id):
    """Only one's own tokens, for everyone (a manager revokes others' through the API): a
    token of someone else is a 404, the same as one that does not exist."""
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404
    run_action(None, do_revoke_token, request.user, token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("portal:tokens")


# ----------------------------------------------------------------------------- tickets


@contact_required("console:queue")
@require_safe
def tickets(request):
    """My tickets; an organization admin may switch to all of the organization's."""
    user = request.user
    scope = request.GET.get("scope", "mine")
    if scope == "organization" and user.is_org_admin:
        queryset = visible_tickets(user)
    else:
        scope = "mine"
        queryset = visible_tickets(user).filter(requester=user)
    state = request.GET.get("state", "open")
    if state == "open":
        queryset = queryset.exclude(status_category__in=("solved", "closed"))
    elif state == "closed":
        queryset = queryset.filter(status_category__in=("solved", "closed"))
    else:
        state = "all"
    queryset = queryset.select_related(
        "organization", "requester", "policy_version"
    ).prefetch_related("clocks")
    page = Paginator(queryset.order_by("-opened_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = pages.ticket_rows(page.object_list, timezone.now())
    context = {
        "page": page,
        "rows": rows,
        "scope": scope,
        "state": state,
        "query": pages.query_without_page(request),
        **_opening_notice(request.user),
    }
    return render(request, "portal/tickets.html", context)


@contact_required("console:search")
@require_safe
def search(request):
    """Search the tickets this contact may see: subjects and public replies, never notes."""
    text = request.GET.get("q", "")
    query, hits = (
        ticket_search.search(request.user, text, timezone.now()) if text.strip() else (None, [])
    )
    context = {"q": text, "query": query, "hits": hits, "results": pages.search_results(hits)}
    return render(request, "portal/search.html", context)


def _opening_context(request):
    """Who opens, for which customer, under which contract. Raises NotAllowed (403).

    A partner's contact picks the customer among those their organization serves (the
    first by default); the rules are ``check_opening``'s."""
    user = request.user
    today = timezone.now().date()  # as do_open_ticket counts it
    customers = []
    customer = None
    if user.organization and user.organization.is_partner:
        customers = list(user.organization.served_customers.order_by("name"))
        chosen = request.POST.get("organization") or request.GET.get("organization")
        customer = next(
            (c for c in customers if str(c.pk) == chosen), customers[0] if customers else None
        )
    # Several contracts in force (different products): the contact says which one.
    contract = request.POST.get("contract") or request.GET.get("contract") or None
    opening = check_opening(user, None, customer, today, contract=contract)
    return opening.customer, customers, opening.contract


# check_opening's errors that ask the contact to choose among the customer's contracts.
CONTRACT_CHOICE_RULES = ("contract_named", "active_contract_of_customer")


def _choose_contract(request, error: ActionError):
    """The first step of a new ticket when the customer has several contracts in force: which
    product (and so which contract and policy) the ticket is for."""
    user = request.user
    customers = []
    customer = user.organization
    if customer and customer.is_partner:
        customers = list(customer.served_customers.order_by("name"))
        chosen = request.GET.get("organization") or request.POST.get("organization")
        customer = next((c for c in customers if str(c.pk) == chosen), customers[0])
    contracts = active_contracts(customer, timezone.now().date())
    # A follow-up keeps its closed ticket through this step, and starts on that ticket's
    # contract when it is still in force.
    continues = _ticket_followed_up(request)
    context = {
        "customer": customer,
        "customers": customers,
        "choices": [(c.pk, contract_label(c)) for c in contracts],
        "chosen": continues.contract_id if continues is not None else None,
        "continues": continues,
        "error": error.message if error.rule != "contract_named" else "",
    }
    status = 200 if error.rule == "contract_named" else 422
    return render(request, "portal/choose_contract.html", context, status=status)


def _refuse(exc: ActionError):
    raise PermissionDenied(message_of(exc))


@contact_required("console:new_ticket")
def new_ticket(request):
    try:
        customer, customers, contract = _opening_context(request)
    except ActionError as exc:
        if exc.rule in CONTRACT_CHOICE_RULES:
            return _choose_contract(request, exc)
        _refuse(exc)
    policy = display.reader_policy(contract.policy)
    products = [str(p.product) for p in contract.products.all()]
    chosen = {k: request.GET[k] for k in ("severity", "environment", "type") if request.GET.get(k)}
    continues = _ticket_followed_up(request)
    if continues is not None and request.method != "POST":
        chosen = {**_follow_up_initial(continues), **chosen}
    form = NewTicketForm(
        request.POST or None,
        request.FILES or None,
        policy=policy,
        products=products,
        contract=contract,
        initial=chosen,
    )
    status = 200
    if request.method == "POST" and "preview" not in request.POST:
        similar_step = form.is_valid() and kb_deflection.similar_articles_step(request)
        # Without JavaScript: similar articles first (pacto/kb/deflection.py), then the ticket.
        if not similar_step and form.is_valid():
            data = form.cleaned_data
            ticket, ok = run_action(
                form,
                do_open_ticket,
                request.user,
                **pages.opening_fields(data),
                organization=customer if customers else None,
                contract=contract,
                channel="portal",
                details=form.details(),
                attachments=[data["attachment"]] if data.get("attachment") else [],
                continues=continues,
            )
            if ok:
                kb_deflection.record_shown(request, ticket)
                messages.success(request, _("Ticket #%(number)s is open.") % {"number": ticket.pk})
                return redirect("portal:ticket", pk=ticket.pk)
        status = 200 if similar_step else 422
    preview = pages.opening_preview(
        policy, contract, form.data if form.is_bound else chosen, channel="portal"
    )
    context = {
        "form": form,
        "policy": policy,
        "plan_name": display.plan_name(policy, contract.plan),
        "contract": contract,
        "customer": customer,
        "customers": customers,
        # Several contracts in force: the form carries the one chosen, and can change it.
        "several_contracts": len(active_contracts(customer, timezone.now().date())) > 1,
        "contract_products": ", ".join(contract_products(contract)),
        "preview": preview,
        "support": pages.opening_support(contract, form),
        "preview_url": reverse("portal:new_ticket_due"),
        "continues": continues,
    }
    return render(request, "portal/new_ticket.html", context, status=status)


def _ticket_followed_up(request) -> Ticket | None:
    """The closed ticket a new one follows up (``?continues=N``, kept in the form as it is
    sent): one the contact may see, else 404."""
    chosen = request.POST.get("continues") or request.GET.get("continues") or ""
    if not chosen:
        return None
    if not chosen.isdigit():
        raise Http404
    return _visible_ticket(request, int(chosen))


def _follow_up_initial(previous: Ticket) -> dict:
    """A follow-up's form starts as the closed ticket was: its subject, kind and product."""
    return {
        "subject": _("Follow-up to #%(number)s: %(subject)s")
        % {"number": previous.pk, "subject": previous.subject},
        "type": previous.type,
        "environment": previous.environment,
        "severity": previous.severity,
        "product": previous.product,
        "version": previous.version,
    }


@contact_required("console:new_ticket")
@require_safe
def new_ticket_due(request):
    """The due-time preview alone, for htmx to swap in when severity or environment change."""
    try:
        _customer, _customers, contract = _opening_context(request)
    except ActionError as exc:
        _refuse(exc)
    return pages.due_fragment(request, contract, channel="portal")


def _ticket_url(pk):
    return reverse("console:ticket", kwargs={"pk": pk})


@contact_required(lambda pk: _ticket_url(pk))
@require_safe
def ticket(request, pk):
    ticket = _visible_ticket(request, pk)
    return _render_ticket(request, ticket)


def _visible_ticket(request, pk) -> Ticket:
    return pages.ticket_or_404(request.user, pk)


def _render_ticket(request, ticket, status=200, **forms):
    policy = display.reader_policy(ticket.policy)
    now = timezone.now()
    solved = ticket.status_category == "solved"
    deadline = display.reopen_deadline(ticket) if solved else None
    context = {
        **pages.ticket_context(ticket, now, internal=False, viewer=request.user),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "cc_form": forms.get("cc_form") or CcForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "escalate_form": forms.get("escalate_form") or EscalateForm(),
        "severity_form": forms.get("severity_form")
        or SeverityRequestForm(policy=policy, current=ticket.severity),
        "can_reply": ticket.status_category != "closed",
        "can_confirm": solved,
        "can_reopen": solved and (deadline is None or now <= deadline),
        "reopen_deadline": deadline,
        "can_follow_up": ticket.status_category == "closed",
        "can_escalate": ticket.is_open and policy.escalation.customer_may_escalate,
        "can_ask_severity": ticket.is_open,
        "account_manager": ticket.organization.account_manager,
        "errors": [e for form in forms.values() for e in form.non_field_errors()],
    }
    return render(request, "portal/ticket.html", context, status=status)


def _done(request, ticket, text):
    return pages.done(request, ticket, text, "portal:ticket")


@contact_required(None)
@require_POST
def ticket_confirm(request, pk):
    ticket = _visible_ticket(request, pk)
    try:
        run_action(None, do_confirm_resolution, request.user, ticket)
    except ActionError as exc:
        messages.error(request, message_of(exc))
        return _render_ticket(request, ticket, status=422)
    return _done(request, ticket, _("Thank you: the ticket is closed."))


def _submit(request, ticket, form, form_name, change, text):
    return pages.submit(
        request, ticket, form, form_name, change, text, page="portal:ticket", again=_render_ticket
    )


@contact_required(None)
@require_POST
def ticket_reply(request, pk):
    ticket = _visible_ticket(request, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data.get("attachment")
        before = clock_states(ticket)
        _message, ok = run_action(
            form, do_reply, request.user, ticket, form.cleaned_data["body"],
            attachments=[upload] if upload else [],
        )  # fmt: skip
        if ok:
            return _done(
                request,
                ticket,
                with_clock_changes(_("Your reply is sent"), ticket, before, moved_only=True),
            )
    return _render_ticket(request, ticket, status=422, reply_form=form)


def _reopened(ticket: Ticket, *, before: dict[str, str]) -> str:
    return with_clock_changes(_("The ticket is reopened"), ticket, before, moved_only=True)


@contact_required(None)
@require_POST
def ticket_reopen(request, pk):
    ticket = _visible_ticket(request, pk)
    before = clock_states(ticket)
    text = partial(_reopened, before=before)
    return _submit(request, ticket, ReopenForm(request.POST), "reopen_form", do_reopen, text)


@contact_required(None)
@require_POST
def ticket_escalate(request, pk):
    ticket = _visible_ticket(request, pk)
    form, text = EscalateForm(request.POST), _("Your account manager has been notified.")
    return _submit(request, ticket, form, "escalate_form", _escalate_to_account_manager, text)


@contact_required(None)
@require_POST
def ticket_severity(request, pk):
    ticket = _visible_ticket(request, pk)
    policy = display.reader_policy(ticket.policy)
    form = SeverityRequestForm(request.POST, policy=policy, current=ticket.severity)
    text = _("Your request for a severity change is sent.")
    return _submit(request, ticket, form, "severity_form", do_request_severity_change, text)


@contact_required(None)
@require_POST
def ticket_cc(request, pk, remove=False):
    ticket, page = _visible_ticket(request, pk), "portal:ticket"
    return pages.change_cc(request, ticket, remove=remove, page=page, again=_render_ticket)


@login_required
@require_safe
def attachment(request, pk, attachment_id):
    """A ticket's file, for whoever may see the ticket; files of internal notes only for staff.
    Images and text logs are shown in the page (``pacto.tickets.content.inline_type``); any
    other file is a download."""
    ticket = _visible_ticket(request, pk)
    attachment = (
        Attachment.objects.filter(ticket=ticket, pk=attachment_id).select_related("message").first()
    )
    if attachment is None:
        raise Http404
    if (
        attachment.message is not None
        and not attachment.message.public
        and not request.user.is_staff_member
    ):
        raise Http404
    stream = attachment.file.open("rb")
    shown_as = inline_type(attachment.name, stream.read(16))
    stream.seek(0)
    response = FileResponse(
        stream,
        as_attachment=shown_as is None,
        filename=attachment.name,
        content_type=shown_as or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def email_managed_by_vendor(request):
    """senhasegura §7.4 / Allure: who is an authorized contact is the vendor's record, so a
    person does not add or swap the email address they sign in with."""
    raise PermissionDenied(
        _("Your email address is managed by the support team: ask your account manager.")
    )


# ----------------------------------------------------------------------------- contacts


@contact_required("console:queue")
def contacts(request):
    """senhasegura §7.4: an organization admin sees who may open tickets and asks for access for
    a colleague; the request is itself a ticket that an agent approves."""
    user = request.user
    if not user.is_org_admin:
        raise PermissionDenied(_("Only your organization's admins manage its contacts."))
    form = AccessRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            customer = user.organization
            ticket, ok = run_action(
                form,
                do_open_ticket,
                user,
                subject=_("Access request for %(name)s") % {"name": data["full_name"]},
                body=data["reason"],
                type="access_request",
                channel="portal",
                severity=_lowest_severity(customer),
                access_request={
                    "email": data["email"],
                    "full_name": data["full_name"],
                    "phone": data["phone"],
                },
            )
            if ok:
                messages.success(
                    request,
                    _("Access request #%(number)s is open; you will hear when it is approved.")
                    % {"number": ticket.pk},
                )
                return redirect("portal:contacts")
        status = 422
    people = visible_contacts(user).order_by("full_name", "email")
    requests = (
        visible_tickets(user)
        .filter(type="access_request")
        .select_related("requester", "policy_version")
        .order_by("-opened_at")[:20]
    )
    context = {
        "form": form,
        "people": people,
        "requests": [
            {"ticket": t, "status": display.status_name(t.policy, t.status)} for t in requests
        ],
    }
    return render(request, "portal/contacts.html", context, status=status)


def _lowest_severity(customer: Organization) -> str | None:
    """Access requests carry the policy's least severe level (they stop no production)."""
    contract = active_contract(customer, timezone.now().date())
    return contract.policy.severities[-1].id if contract else None
