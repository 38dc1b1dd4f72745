"""API endpoints for tickets: each fetches the ticket the caller may see (else 404, so a
stranger learns nothing), calls one action from ``pacto.tickets.actions`` and renders the
ticket with its SLA clocks.

Every change accepts an optional ``lock_version``: the ticket's version as the client read
it. If someone changed the ticket since, the change is refused with 409.
"""

from __future__ import annotations

import base64
import binascii

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from pacto.accounts.access import (
    can_see_internal,
    get_ticket_for,
    visible_contacts,
    visible_organizations,
    visible_tickets,
)
from pacto.accounts.models import User
from pacto.errors import ActionError, one_of
from pacto.tickets import actions
from pacto.tickets.answers import detail_answer, events, messages, respond, ticket_answer
from pacto.tickets.models import SlaClock, Ticket
from pacto.tickets.schemas import (
    AccessGrantedOut,
    AssignIn,
    CcIn,
    CcOut,
    ChangeIn,
    ChecklistTickIn,
    ConversationFilters,
    CorrectionIn,
    EscalateIn,
    EventPage,
    ExemptIn,
    LineIn,
    MessagePage,
    OutOfScopeIn,
    ReasonIn,
    ReplyIn,
    ResolutionPlanIn,
    SeverityIn,
    SeverityRequestIn,
    StatusIn,
    ThirdPartyIn,
    TicketDetailOut,
    TicketFilters,
    TicketIn,
    TicketPage,
    error_responses,
)

router = Router()

CHANGE = {200: TicketDetailOut, **error_responses(404, 409)}
MAX_ID = 2**63 - 1  # a bigint: larger numbers in a cursor were not issued by us


# What a ticket's answer shows besides the ticket, read with it in one query.
RELATED = (
    "organization", "partner", "requester", "assignee", "contract", "policy_version",
    "known_issue__fixed_in__module__product", "engineering_item",
)  # fmt: skip


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    return get_ticket_for(request.auth, ticket_id, related=RELATED)


def answer(request: HttpRequest, ticket: Ticket, status: int = 200) -> HttpResponse:
    """``ticket`` as the caller may see it now (``TicketDetailOut``), from the instance the
    action changed and the clocks it stored: nothing is read back but the conversation and
    the history."""
    clocks = getattr(ticket, "stored_clocks", None)
    return respond(detail_answer(ticket, request.auth, clocks), status)


def _version(payload: ChangeIn | None) -> int | None:
    """The ``lock_version`` of a change whose body is optional."""
    return payload.lock_version if payload is not None else None


def _with_relations(tickets: QuerySet) -> QuerySet:
    # A page names each ticket's policy (``id@version``); the policy's YAML (kilobytes, read
    # for every row) stays in the database.
    return tickets.select_related(*RELATED).defer("policy_version__source_yaml")


# ----------------------------------------------------------------------------- cursor


def encode_cursor(ticket_id: int) -> str:
    return base64.urlsafe_b64encode(f"id<{ticket_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, value = text.split("<", 1)
        if kind != "id" or not value.isdigit() or int(value) > MAX_ID:
            raise ValueError(text)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ActionError(
            "cursor", "valid_cursor", "use the next_cursor of a previous page, unchanged"
        ) from None


# ----------------------------------------------------------------------------- reading


def breached_clocks(now) -> QuerySet:
    """Clocks past their target: marked breached, or running past due and not swept yet."""
    return SlaClock.objects.filter(
        Q(state="breached") | Q(state="running", due_at__lte=now),
        ticket=OuterRef("pk"),
        exempt_reason="",  # an exempt breach is listed apart, never counted as one
    )


@router.get(
    "",
    response={200: TicketPage, **error_responses()},
    summary="Tickets you may see, newest first, a page at a time",
)
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]):
    tickets = _with_relations(visible_tickets(request.auth))
    if filters.status is not None:
        tickets = tickets.filter(status=filters.status)
    if filters.severity is not None:
        tickets = tickets.filter(severity=filters.severity)
    if filters.organization is not None:
        tickets = tickets.filter(organization_id=filters.organization)
    if filters.category is not None:
        tickets = tickets.filter(category=filters.category)
    if filters.breached is not None:
        breached = Exists(breached_clocks(timezone.now()))
        tickets = tickets.filter(breached if filters.breached else ~breached)
    if filters.due_before is not None:
        due = SlaClock.objects.filter(
            ticket=OuterRef("pk"), state="running", due_at__lt=filters.due_before
        )
        tickets = tickets.filter(Exists(due))
    if filters.cursor:
        tickets = tickets.filter(pk__lt=decode_cursor(filters.cursor))
    page = list(tickets.order_by("-pk").prefetch_related("clocks")[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return respond({
        "items": [ticket_answer(ticket) for ticket in page],
        "next_cursor": encode_cursor(page[-1].pk) if more else None,
    })  # fmt: skip


@router.get(
    "/{ticket_id}",
    response={200: TicketDetailOut, **error_responses(404)},
    summary="One ticket with its clocks, conversation and history",
)
def get_ticket(request: HttpRequest, ticket_id: int):
    return answer(request, _ticket(request, ticket_id))


@router.get(
    "/{ticket_id}/messages",
    response={200: MessagePage, **error_responses(404)},
    summary="The conversation a page at a time, newest first (internal notes for staff)",
)
def list_messages(request: HttpRequest, ticket_id: int, filters: Query[ConversationFilters]):
    ticket = get_ticket_for(request.auth, ticket_id)
    items, before = messages(ticket, can_see_internal(request.auth), filters.before, filters.limit)
    return respond({"items": items, "before": before})


@router.get(
    "/{ticket_id}/events",
    response={200: EventPage, **error_responses(404)},
    summary="The history a page at a time, newest first (internal entries for staff)",
)
def list_events(request: HttpRequest, ticket_id: int, filters: Query[ConversationFilters]):
    ticket = get_ticket_for(request.auth, ticket_id)
    items, before = events(ticket, can_see_internal(request.auth), filters.before, filters.limit)
    return respond({"items": items, "before": before})


# ----------------------------------------------------------------------------- opening


@router.post(
    "",
    response={201: TicketDetailOut, **error_responses(404)},
    summary="Open a ticket (staff: log one for a contact, by phone or email)",
)
def create_ticket(request: HttpRequest, payload: TicketIn):
    actor = request.auth
    organization = requester = None
    if payload.organization is not None:
        organization = one_of(visible_organizations(actor), payload.organization, "organization")
    if payload.requester is not None:
        requester = one_of(visible_contacts(actor), payload.requester, "requester")
    if not actor.is_staff_member and payload.channel != "api":
        # A ticket a contact opens through the API came in by the API, whatever it claims.
        raise ActionError(
            "channel", "api_channel", "a ticket opened through the API has channel api"
        )
    product_version = None
    if payload.product_version is not None:
        from pacto.catalog.models import Version

        product_version = Version.objects.filter(pk=payload.product_version).first()
        if product_version is None:
            raise ActionError("product_version", "exists", "no catalogue version has this id")
    # One transaction up to the finished answer: if the database goes away before the
    # commit, nothing was opened and the answer is 503; after it, nothing is left to read,
    # so a 201 is always a ticket and an error never leaves one behind.
    with transaction.atomic():
        ticket = actions.do_open_ticket(
            actor,
            **payload.model_dump(include=_OPENING_FIELDS),
            organization=organization,
            requester=requester,
            product_version=product_version,
            details=payload.model_dump(include=set(actions.DETAIL_FIELDS)),
            access_request=payload.access_request.dict() if payload.access_request else None,
        )
        return answer(request, ticket, status=201)


# What ``do_open_ticket`` takes from the request as it is (the rest names rows or nests).
_OPENING_FIELDS = {
    "subject", "body", "body_format", "severity", "type", "channel", "environment",
    "product", "version", "contract", "category",
}  # fmt: skip


# ----------------------------------------------------------------------------- conversation


# ----------------------------------------------------------------------------- people copied


def _ccs(ticket: Ticket) -> list:
    return list(ticket.ccs.select_related("user"))


@router.get(
    "/{ticket_id}/cc",
    response={200: list[CcOut], **error_responses(404)},
    summary="The people copied on the ticket",
)
def list_cc(request: HttpRequest, ticket_id: int):
    return _ccs(_ticket(request, ticket_id))


@router.post(
    "/{ticket_id}/cc",
    response={201: CcOut, **error_responses(404)},
    summary="Copy an address on the ticket (public replies by email; it may answer)",
)
def add_cc(request: HttpRequest, ticket_id: int, payload: CcIn):
    ticket = _ticket(request, ticket_id)
    return Status(201, actions.do_add_cc(request.auth, ticket, payload.email))


@router.delete(
    "/{ticket_id}/cc/{email}",
    response={200: list[CcOut], **error_responses(404)},
    summary="Stop copying an address; answers the people still copied",
)
def remove_cc(request: HttpRequest, ticket_id: int, email: str):
    ticket = _ticket(request, ticket_id)
    actions.do_remove_cc(request.auth, ticket, email)
    return _ccs(ticket)


@router.post("/{ticket_id}/replies", response=CHANGE, summary="Reply (public)")
def reply(request: HttpRequest, ticket_id: int, payload: ReplyIn):
    ticket = _ticket(request, ticket_id)
    actions.do_reply(
        request.auth, ticket, payload.body, public=True, channel="api",
        body_format=payload.body_format, expected_version=payload.lock_version,
    )  # fmt: skip
    return answer(request, ticket)


@router.post(
    "/{ticket_id}/notes",
    response=CHANGE,
    summary="Add an internal note (staff; never shown to contacts)",
)
def add_note(request: HttpRequest, ticket_id: int, payload: ReplyIn):
    ticket = _ticket(request, ticket_id)
    actions.do_reply(
        request.auth, ticket, payload.body, public=False, channel="api",
        body_format=payload.body_format, expected_version=payload.lock_version,
    )  # fmt: skip
    return answer(request, ticket)


@router.post(
    "/{ticket_id}/corrections",
    response=CHANGE,
    summary="Correct the channel, environment, type, category, product, version or a detail "
    "(staff; customers: details, product and version of their own open tickets)",
)
def correct(request: HttpRequest, ticket_id: int, payload: CorrectionIn):
    ticket = _ticket(request, ticket_id)
    actions.do_correct_ticket(
        request.auth, ticket, payload.field, payload.value, reason=payload.reason,
        reason_public=payload.reason_public, at=payload.at, expected_version=payload.lock_version,
    )  # fmt: skip
    return answer(request, ticket)


# ----------------------------------------------------------------------------- status


@router.post("/{ticket_id}/status", response=CHANGE, summary="Change the status (staff)")
def change_status(request: HttpRequest, ticket_id: int, payload: StatusIn):
    ticket = _ticket(request, ticket_id)
    actions.do_change_status(
        request.auth, ticket, payload.status, reason=payload.reason,
        reason_public=payload.reason_public, details_requested=payload.details_requested, expected_version=payload.lock_version,
        arrangement=payload.arrangement,
    )  # fmt: skip
    return answer(request, ticket)


@router.post("/{ticket_id}/confirm", response=CHANGE, summary="Confirm a solved ticket is resolved")
def confirm_resolution(request: HttpRequest, ticket_id: int, payload: ChangeIn | None = None):
    ticket = _ticket(request, ticket_id)
    actions.do_confirm_resolution(request.auth, ticket, expected_version=_version(payload))
    return answer(request, ticket)


@router.post("/{ticket_id}/reopen", response=CHANGE, summary="Reopen a solved ticket")
def reopen(request: HttpRequest, ticket_id: int, payload: ReasonIn):
    ticket = _ticket(request, ticket_id)
    actions.do_reopen(
        request.auth, ticket, reason=payload.reason, reason_public=payload.reason_public,
        expected_version=payload.lock_version,
    )  # fmt: skip
    return answer(request, ticket)


# ----------------------------------------------------------------------------- severity


@router.post(
    "/{ticket_id}/severity", response=CHANGE, summary="Change the severity, with a reason (staff)"
)
def change_severity(request: HttpRequest, ticket_id: int, payload: SeverityIn):
    ticket = _ticket(request, ticket_id)
    actions.do_change_severity(
        request.auth, ticket, payload.severity, reason=payload.reason,
        reason_public=payload.reason_public, expected_version=payload.lock_version,
    )  # fmt: skip
    return answer(request, ticket)


@router.post(
    "/{ticket_id}/severity-requests",
    response=CHANGE,
    summary="Ask for another severity, with a justification (customers)",
)
def request_severity_change(request: HttpRequest, ticket_id: int, payload: SeverityRequestIn):
    ticket = _ticket(request, ticket_id)
    actions.do_request_severity_change(
        request.auth, ticket, payload.severity, justification=payload.justification,
        expected_version=payload.lock_version,
    )  # fmt: skip
    return answer(request, ticket)


# ----------------------------------------------------------------------------- routing


@router.post("/{ticket_id}/assignee", response=CHANGE, summary="Assign to a staff member (staff)")
def assign(request: HttpRequest, ticket_id: int, payload: AssignIn):
    ticket = _ticket(request, ticket_id)
    assignee = None
    if payload.assignee is not None:
        assignee = User.objects.filter(pk=payload.assignee, is_active=True).first()
        if assignee is None:
            raise ActionError("assignee", "exists", "no active user has this id")
    actions.do_assign(request.auth, ticket, assignee, expected_version=payload.lock_version)
    return answer(request, ticket)


@router.post("/{ticket_id}/line", response=CHANGE, summary="Move to another support line (staff)")
def set_line(request: HttpRequest, ticket_id: int, payload: LineIn):
    ticket = _ticket(request, ticket_id)
    actions.do_set_line(
        request.auth, ticket, payload.line, reason=payload.reason,
        expected_version=payload.lock_version,
    )  # fmt: skip
    return answer(request, ticket)


@router.post(
    "/{ticket_id}/escalate",
    response=CHANGE,
    summary="Escalate to the account manager or to support management",
)
def escalate(request: HttpRequest, ticket_id: int, payload: EscalateIn):
    ticket = _ticket(request, ticket_id)
    actions.do_escalate(
        request.auth, ticket, reason=payload.reason, to=payload.to,
        reason_public=payload.reason_public, expected_version=payload.lock_version,
    )  # fmt: skip
    return answer(request, ticket)


@router.post(
    "/{ticket_id}/access-request/approve",
    response={200: AccessGrantedOut, **error_responses(404, 409)},
    summary="Approve an access request: the person becomes an authorized contact (staff)",
)
def approve_access_request(request: HttpRequest, ticket_id: int, payload: ChangeIn | None = None):
    ticket = _ticket(request, ticket_id)
    contact = actions.do_approve_access_request(
        request.auth, ticket, expected_version=_version(payload)
    )
    contact_answer = {
        "id": contact.pk, "email": contact.email, "full_name": contact.full_name,
        "organization_id": contact.organization_id, "is_authorized": contact.is_authorized,
    }  # fmt: skip
    clocks = getattr(ticket, "stored_clocks", None)
    return respond(
        {"contact": contact_answer, "ticket": detail_answer(ticket, request.auth, clocks)}
    )


# ----------------------------------------------------------------------------- policy rules


@router.post(
    "/{ticket_id}/checklist",
    response=CHANGE,
    summary="Tick an item of the policy's checklist, with a note (staff)",
)
def tick_checklist(request: HttpRequest, ticket_id: int, payload: ChecklistTickIn):
    ticket = _ticket(request, ticket_id)
    actions.do_tick_checklist_item(
        request.auth, ticket, payload.checklist, payload.item, note=payload.note,
        expected_version=payload.lock_version,
    )  # fmt: skip
    return answer(request, ticket)


@router.post(
    "/{ticket_id}/resolution-plan",
    response=CHANGE,
    summary="Deliver a work-around or resolution plan: meets the resolution clock (staff)",
)
def deliver_resolution_plan(request: HttpRequest, ticket_id: int, payload: ResolutionPlanIn):
    ticket = _ticket(request, ticket_id)
    actions.do_deliver_resolution_plan(
        request.auth, ticket, payload.body, expected_version=payload.lock_version
    )
    return answer(request, ticket)


@router.post(
    "/{ticket_id}/third-party-cause",
    response=CHANGE,
    summary="Record another vendor's product as the cause: the resolution clock is exempt (staff)",
)
def third_party_cause(request: HttpRequest, ticket_id: int, payload: ThirdPartyIn):
    ticket = _ticket(request, ticket_id)
    actions.do_record_third_party_cause(
        request.auth, ticket, vendor=payload.vendor, why=payload.why,
        expected_version=payload.lock_version,
    )  # fmt: skip
    return answer(request, ticket)


@router.post(
    "/{ticket_id}/clocks/{metric}/exempt",
    response=CHANGE,
    summary="Mark a breach exempt, with one of the policy's reasons (support managers)",
)
def exempt_breach(request: HttpRequest, ticket_id: int, metric: str, payload: ExemptIn):
    ticket = _ticket(request, ticket_id)
    actions.do_exempt_breach(
        request.auth, ticket, metric[:24], reason=payload.reason, note=payload.note,
        expected_version=payload.lock_version,
    )  # fmt: skip
    return answer(request, ticket)


@router.post(
    "/{ticket_id}/out-of-scope",
    response=CHANGE,
    summary="Answer that the request is out of scope and close it (staff)",
)
def out_of_scope(request: HttpRequest, ticket_id: int, payload: OutOfScopeIn):
    ticket = _ticket(request, ticket_id)
    actions.do_answer_out_of_scope(
        request.auth, ticket, payload.category, note=payload.note,
        expected_version=payload.lock_version,
    )  # fmt: skip
    return answer(request, ticket)
