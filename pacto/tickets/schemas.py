"""What the REST API reads and writes: ninja schemas for tickets, and the one error shape.

Input schemas bound every string to what its column holds, so a request the database would
refuse (too long, or carrying a NUL byte PostgreSQL cannot store) is a 422 naming the field,
never a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, field_validator

from pacto.accounts.access import can_see_internal
from pacto.tickets.answers import INTERNAL_EVENT_KINDS, SHOWN
from pacto.tickets.clocks import english_explanation
from pacto.tickets.models import CORRECTABLE

# ----------------------------------------------------------------------------- errors


class ErrorItem(Schema):
    field: str = Field(description="the input at fault, as a dotted path (`severity`, `body`)")
    rule: str = Field(description="the rule broken (`defined_in_policy`, `required`, …)")
    message: str


class ErrorOut(Schema):
    """Every error the API returns: which field, which rule, and what to do about it."""

    detail: list[ErrorItem]


def error_responses(*codes: int) -> dict[int, type[ErrorOut]]:
    """The documented error responses of an operation: those every operation may return
    (unauthenticated, forbidden, invalid input, rate limited) plus ``codes``."""
    return {code: ErrorOut for code in sorted({401, 403, 422, 429, *codes})}


# ----------------------------------------------------------------------------- input

Text = Annotated[str, Field(max_length=100_000)]
# A message body (a ticket's first message, a reply, a note): Markdown unless it says html.
MessageBody = Annotated[
    str,
    Field(
        max_length=100_000,
        description="Markdown: CommonMark with tables and strikethrough, fenced and indented "
        "code blocks, bare URLs made links; raw HTML is shown as text. The answer's "
        "`body_html` is the rendered, sanitized HTML and `body_text` the Markdown as written. "
        "With `body_format: html` the body is HTML instead, sanitized (scripts, event "
        "handlers and links other than http, https and mailto removed).",
    ),
]
BodyFormat = Annotated[
    Literal["markdown", "html"],
    Field(description="what `body` is written in: markdown (the default) or html"),
]
MAX_ID = 2**63 - 1  # a bigint primary key
# An id in a JSON body: a JSON number, never ``true`` (which lax parsing reads as 1) nor a
# string; bounded so the database is never asked about a number it cannot hold.
BodyId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
# An id in a query string (always text there), bounded the same way.
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]
# The years an instant in a filter may name: any ticket's lifetime fits; year 1 or 9999
# would overflow when converted to UTC or compared by the database.
INSTANT_YEARS = (1970, 2999)
Reason = Annotated[str, Field(max_length=10_000)]
ReasonPublic = Annotated[
    bool,
    Field(
        description="staff: show the reason to the customer too (default: the reason stays "
        "internal); a contact's own reason is always theirs to read",
    ),
]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class In(Schema):
    """Base of every request body and query: no NUL characters anywhere (PostgreSQL text
    cannot hold them), reported on the field that carries one."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError("NUL characters are not allowed")
        return value


class ChangeIn(In):
    lock_version: int | None = Field(
        None,
        strict=True,
        ge=0,
        le=2**31 - 1,
        description="the ticket's `lock_version` as you read it; 409 if it changed since",
    )


class AccessRequestIn(In):
    email: str = Field(max_length=254)
    full_name: str = Field(max_length=200)
    phone: str = Field("", max_length=40)


class TicketIn(In):
    subject: str = Field(max_length=250)
    body: MessageBody
    body_format: BodyFormat = "markdown"
    severity: str | None = Field(
        None, max_length=40, description="a severity id of the contract's policy"
    )
    organization: BodyId | None = Field(
        None, description="the customer served (partners); defaults to your organization"
    )
    requester: BodyId | None = Field(None, description="staff only: the contact the ticket is for")
    type: Literal["problem", "question", "feature_request", "access_request", "service_request"] = (
        "problem"
    )
    channel: Literal["portal", "email", "phone", "api"] = "api"
    environment: Literal["production", "non-production"] = "production"
    contract: str | None = Field(
        None,
        max_length=100,
        description="the service contract ID (or id) of one of the customer's active "
        "contracts; needed when the customer has several and `product` does not tell which",
    )
    product: str = Field(
        "", max_length=100, description="the product; picks the contract that covers it"
    )
    version: str = Field("", max_length=60)
    product_version: int | None = Field(
        None, description="a catalogue version id (`GET /api/products`); else free text above"
    )
    steps: Text = ""
    expected_result: Text = ""
    obtained_result: Text = ""
    circumstances: Text = ""
    hardware_os: str = Field("", max_length=250)
    workaround: Text = ""
    initial_recommendation: Text = ""
    category: str = Field("", max_length=60, description="a category id of the policy")
    access_request: AccessRequestIn | None = None


class ReplyIn(ChangeIn):
    body: MessageBody
    body_format: BodyFormat = "markdown"


class CcIn(In):
    email: str = Field(max_length=254, description="the address to copy on the ticket")


class StatusIn(ChangeIn):
    status: str = Field(max_length=40)
    reason: Reason = ""
    reason_public: ReasonPublic = False
    details_requested: bool = False
    arrangement: Reason = Field(
        "",
        description="closing without the customer's agreement where the policy requires "
        "it (Xecuritas): the other arrangement made",
    )


class ChecklistTickIn(ChangeIn):
    checklist: str = Field(max_length=60, description="the policy checklist's id")
    item: int = Field(ge=0, le=1000, description="the item's position, from 0")
    note: Reason


class ResolutionPlanIn(ChangeIn):
    body: Text = Field(description="the work-around or resolution plan, sent to the customer")


class ThirdPartyIn(ChangeIn):
    vendor: str = Field(max_length=120)
    why: Reason


class ExemptIn(ChangeIn):
    reason: str = Field(max_length=120, description="one of the policy's exemption reasons")
    note: Reason = ""


class OutOfScopeIn(ChangeIn):
    category: str = Field(max_length=60, description="an out-of-scope category of the policy")
    note: Reason = ""


class SeverityIn(ChangeIn):
    severity: str = Field(max_length=40)
    reason: Reason
    reason_public: ReasonPublic = False


class AssignIn(ChangeIn):
    assignee: BodyId | None = Field(description="a staff member's id, or null to unassign")


class ReasonIn(ChangeIn):
    reason: Reason
    reason_public: ReasonPublic = False


class EscalateIn(ChangeIn):
    reason: Reason
    reason_public: ReasonPublic = False
    to: Literal["account_manager", "management"] = "account_manager"


class SeverityRequestIn(ChangeIn):
    severity: str = Field(max_length=40)
    justification: Reason = ""


class LineIn(ChangeIn):
    line: Literal["first", "second", "senior", "product"]
    reason: Reason


class CorrectionIn(ChangeIn):
    field: Literal[CORRECTABLE] = Field(
        description="what is corrected; customers: details, product and version only"
    )
    value: Text = Field(
        description="the corrected value (a channel, environment, type or category id, or text)"
    )
    reason: Reason
    reason_public: ReasonPublic = False
    at: dt.datetime | None = Field(
        None,
        description="when it became true (a phone call's time); default now. ISO 8601 with "
        "offset, between the opening and now",
    )

    @field_validator("at")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give a time zone offset, e.g. 2026-01-15T10:02:00-03:00")
        if value is not None and not INSTANT_YEARS[0] <= value.year <= INSTANT_YEARS[1]:
            raise ValueError("give an instant between the years 1970 and 2999")
        return value


class TicketFilters(In):
    status: str | None = Field(None, max_length=40, description="a status id of the policy")
    severity: str | None = Field(None, max_length=40)
    organization: QueryId | None = None
    category: str | None = Field(None, max_length=60, description="a category id of the policy")
    breached: bool | None = Field(None, description="true: any clock breached; false: none")
    due_before: dt.datetime | None = Field(
        None, description="ISO 8601 with offset: any running clock due before this instant"
    )
    cursor: str | None = Field(None, max_length=200, description="`next_cursor` of the last page")
    limit: int = Field(25, ge=1, le=100)

    @field_validator("due_before")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give a time zone offset, e.g. 2026-01-15T18:00:00-03:00")
        if value is not None and not INSTANT_YEARS[0] <= value.year <= INSTANT_YEARS[1]:
            first, last = INSTANT_YEARS
            raise ValueError(f"give an instant between the years {first} and {last}")
        return value


# ----------------------------------------------------------------------------- output


class PersonOut(Schema):
    id: int
    full_name: str
    email: str


class OrganizationRef(Schema):
    id: int
    name: str


class WarningOut(Schema):
    label: str
    threshold_seconds: float
    reached_at: dt.datetime | None
    expected_at: dt.datetime | None


class SegmentOut(Schema):
    start: dt.datetime | None
    end: dt.datetime | None
    kind: str
    reason: str
    projected: bool


class ClockOut(Schema):
    """One SLA clock as the engine last computed it (``computed_at``)."""

    metric: str
    state: str
    target: str
    calendar: str
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    met_at: dt.datetime | None
    breached_at: dt.datetime | None
    elapsed_seconds: float
    remaining_seconds: float | None
    warnings: list[WarningOut]
    segments: list[SegmentOut]
    explanation: list[str] = Field(description="how the clock was computed, line by line")
    exempt_reason: str = Field(
        description="why the clock is exempt (third-party cause, misassigned severity); "
        "blank: it counts. An exempt breach is not counted as a breach."
    )
    computed_at: dt.datetime

    @staticmethod
    def resolve_explanation(clock) -> list[str]:
        return english_explanation(clock)


class MessageOut(Schema):
    id: int
    author: PersonOut | None
    from_email: str = Field(
        "", description="the copied address that wrote it, when it has no author (an outside CC)"
    )
    public: bool
    body_html: str
    body_text: str
    channel: str
    created_at: dt.datetime


class CcOut(Schema):
    """A person copied on a ticket: they get its public replies by email and may answer."""

    email: str
    user: PersonOut | None = Field(description="the contact with this address, if any")
    added_at: dt.datetime


class EventOut(Schema):
    id: int
    kind: str
    actor: PersonOut | None
    at: dt.datetime
    data: dict[str, Any]
    reason: str = Field(
        description="why; for contacts only a reason the customer side wrote or that staff "
        "marked public (`data.reason_public`), blank otherwise"
    )

    @staticmethod
    def resolve_reason(event, context) -> str:
        return event.reason if _sees_internal(context) else event.customer_reason


class KnownIssueRef(Schema):
    slug: str
    title: str
    status: str
    workaround: str
    fixed_in: str | None

    @staticmethod
    def resolve_fixed_in(issue) -> str | None:
        return str(issue.fixed_in) if issue.fixed_in_id else None


class EngineeringUpdateRef(Schema):
    status: str
    body: str
    at: dt.datetime


class EngineeringItemRef(Schema):
    key: str
    title: str
    status: str
    tracker_url: str
    updates: list[EngineeringUpdateRef]

    @staticmethod
    def resolve_updates(item) -> list:
        return list(item.updates.all())


class TicketOut(Schema):
    id: int
    subject: str
    type: str
    status: str
    status_category: str
    severity: str
    proposed_severity: str
    organization: OrganizationRef
    partner: OrganizationRef | None
    requester: PersonOut
    assignee: PersonOut | None
    contract: str = Field(description="service contract ID")
    policy: str = Field(description="`id@version` of the policy the ticket runs under")
    plan: str
    channel: str
    environment: str
    product: str
    version: str
    product_version_id: int | None = Field(description="the catalogue version, if any")
    support_status: str = Field(
        description="the version's support status when opened (flagged unless supported)"
    )
    sla_mode: str = Field(description="policy, without_targets or beta_policy")
    known_issue: KnownIssueRef | None
    engineering_item: EngineeringItemRef | None
    support_line: str
    category: str = Field(description="the policy's category id; blank: none")
    follows_id: int | None = Field(description="the ticket this one follows up (an RCA)")
    escalation_level: int
    details_requested: bool
    opened_at: dt.datetime
    updated_at: dt.datetime
    solved_at: dt.datetime | None
    closed_at: dt.datetime | None
    lock_version: int
    clocks: list[ClockOut]

    @staticmethod
    def resolve_contract(ticket) -> str:
        return ticket.contract.service_contract_id

    @staticmethod
    def resolve_policy(ticket) -> str:
        return str(ticket.policy_version)

    @staticmethod
    def resolve_clocks(ticket) -> list:
        return list(ticket.clocks.all())


def public_events(ticket, events) -> list:
    """``events`` without the files attached to internal notes: a contact learns neither
    their names nor that they exist. Events written before the ``internal`` flag existed
    are told by their attachment's message."""
    from pacto.tickets.models import Attachment

    internal = set(
        Attachment.objects.filter(ticket=ticket, message__public=False).values_list("pk", flat=True)
    )
    return [
        event
        for event in events
        if event.kind != "attached"
        or not (event.data.get("internal") or event.data.get("attachment") in internal)
    ]


def _viewer(context: dict | None):
    """Who the response is for; ``None`` (no request) sees only what a contact may."""
    request = (context or {}).get("request")
    return getattr(request, "auth", None)


def _sees_internal(context: dict | None) -> bool:
    viewer = _viewer(context)
    return viewer is not None and can_see_internal(viewer)


class TicketDetailOut(TicketOut):
    """A ticket with its conversation and history. Internal notes are filtered here, in the
    schema every ticket response goes through, so no endpoint can hand them to a contact."""

    steps: str
    expected_result: str
    obtained_result: str
    circumstances: str
    hardware_os: str
    workaround: str
    initial_recommendation: str
    access_request: dict[str, Any]
    to_record: list[str] = Field(
        description="required details the engineer has still to record (staff only)"
    )
    checklists: list[dict[str, Any]] = Field(
        description="the policy's checklists for this ticket, each item ticked or not (staff)"
    )
    messages: list[MessageOut] = Field(
        description=f"the newest {SHOWN} messages, oldest first: public replies; internal "
        "notes for staff"
    )
    messages_before: int | None = Field(
        description="earlier messages: `GET /api/tickets/{id}/messages?before=` this; null: none"
    )
    events: list[EventOut] = Field(
        description=f"the newest {SHOWN} history entries, oldest first; internal ones for staff"
    )
    events_before: int | None = Field(
        description="earlier entries: `GET /api/tickets/{id}/events?before=` this; null: none"
    )

    @staticmethod
    def resolve_to_record(ticket, context) -> list[str]:
        from pacto.tickets.actions import engineer_details_missing

        return engineer_details_missing(ticket) if _sees_internal(context) else []

    @staticmethod
    def resolve_checklists(ticket, context) -> list:
        from pacto.tickets.actions import checklist_state

        return checklist_state(ticket) if _sees_internal(context) else []

    @staticmethod
    def _messages(ticket, context):
        messages = ticket.messages.select_related("author")
        return messages if _sees_internal(context) else messages.filter(public=True)

    @staticmethod
    def _events(ticket, context):
        events = ticket.events.select_related("actor")
        return events if _sees_internal(context) else events.exclude(kind__in=INTERNAL_EVENT_KINDS)

    @staticmethod
    def resolve_messages(ticket, context) -> list:
        return _newest(TicketDetailOut._messages(ticket, context), "created_at")

    @staticmethod
    def resolve_messages_before(ticket, context) -> int | None:
        return _before(TicketDetailOut._messages(ticket, context))

    @staticmethod
    def resolve_events(ticket, context) -> list:
        events = _newest(TicketDetailOut._events(ticket, context), "at")
        return events if _sees_internal(context) else public_events(ticket, events)

    @staticmethod
    def resolve_events_before(ticket, context) -> int | None:
        return _before(TicketDetailOut._events(ticket, context))


def _newest(rows, at: str) -> list:
    """The ``SHOWN`` newest rows by id, oldest first."""
    return sorted(rows.order_by("-id")[:SHOWN], key=lambda row: (getattr(row, at), row.pk))


def _before(rows) -> int | None:
    """The id before which the rows ``_newest`` leaves out lie; None: it leaves out none."""
    ids = list(rows.order_by("-id").values_list("id", flat=True)[: SHOWN + 1])
    return ids[SHOWN - 1] if len(ids) > SHOWN else None


class MessagePage(Schema):
    items: list[MessageOut]
    before: int | None = Field(description="pass as `before` for the earlier ones; null: none")


class EventPage(Schema):
    items: list[EventOut]
    before: int | None = Field(description="pass as `before` for the earlier ones; null: none")


class ConversationFilters(In):
    before: QueryId | None = Field(
        None, description="`messages_before` / `before` of the last answer"
    )
    limit: int = Field(SHOWN, ge=1, le=100)


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null: last")


class ContactRef(Schema):
    id: int
    email: str
    full_name: str
    organization_id: int | None
    is_authorized: bool


class AccessGrantedOut(Schema):
    contact: ContactRef
    ticket: TicketDetailOut
