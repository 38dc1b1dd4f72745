"""API endpoints for professional services: a contact asks for a service, staff quote it,
an authorized contact approves or declines one exact version, anyone entitled reads the
contract's included services. Each endpoint parses, calls one action, renders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from pacto.accounts.access import may_see_contracts, visible_organizations
from pacto.contracts.models import Contract
from pacto.errors import NotAllowed, NotFound, one_of
from pacto.services import actions
from pacto.services.models import Quote
from pacto.tickets.models import Ticket
from pacto.tickets.schemas import BodyId, error_responses

router = Router()


class RequestIn(Schema):
    service: str = Field(max_length=60, description="a code of the policy's catalogue")
    body: str = Field(max_length=100_000)
    organization: BodyId | None = Field(None, description="the customer (partners name it)")


class RequestOut(Schema):
    ticket: int
    service: str


@router.post(
    "/requests",
    response={201: RequestOut, **error_responses(404)},
    summary="Ask for a professional service (an authorized contact): a service-request ticket",
)
def request_service(request: HttpRequest, payload: RequestIn):
    user = request.auth
    if user.is_staff_member:
        raise NotAllowed("staff log a customer's request from the console, on their behalf")
    organization = None
    if payload.organization is not None:
        organization = one_of(visible_organizations(user), payload.organization, "organization")
    ticket = actions.do_request_service(
        user, service=payload.service, body=payload.body, organization=organization,
        channel=Ticket.Channel.API,
    )  # fmt: skip
    return Status(201, {"ticket": ticket.pk, "service": payload.service})


class LineIn(Schema):
    units: Decimal = Field(gt=0, max_digits=8, decimal_places=2)
    off_hours_share: Decimal = Field(Decimal(0), ge=0, le=1)
    description: str = Field("", max_length=300)
    service: str | None = Field(None, max_length=60)


class QuoteIn(Schema):
    ticket: BodyId
    service: str = Field(max_length=60)
    lines: list[LineIn] = Field(min_length=1, max_length=50)
    valid_until: dt.date
    logistics: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=2)
    logistics_note: str = Field("", max_length=200)
    note: str = Field("", max_length=5000)


class LineOut(Schema):
    service: str
    description: str
    units: Decimal
    unit: str
    day_rate: Decimal
    off_hours_share: Decimal
    included: bool
    amount: Decimal


class QuoteOut(Schema):
    id: int
    reference: str
    ticket: int
    kind: str
    service: str
    title: str
    status: str
    version: int
    currency: str
    hours_per_day: Decimal
    off_hours_multiplier: Decimal
    logistics: Decimal
    total: Decimal
    valid_until: dt.date
    lines: list[LineOut]
    decided_by: str | None
    decided_at: dt.datetime | None
    decided_version: int | None
    decided_via: str


def _quote(quote: Quote) -> dict:
    return {
        "id": quote.pk, "reference": quote.reference, "ticket": quote.ticket_id,
        "kind": quote.kind, "service": quote.service, "title": quote.title,
        "status": quote.status, "version": quote.version, "currency": quote.currency,
        "hours_per_day": quote.hours_per_day,
        "off_hours_multiplier": quote.off_hours_multiplier, "logistics": quote.logistics,
        "total": quote.total, "valid_until": quote.valid_until,
        "lines": [
            {
                "service": ln.service, "description": ln.description, "units": ln.units,
                "unit": ln.unit, "day_rate": ln.day_rate, "off_hours_share": ln.off_hours_share,
                "included": ln.included, "amount": ln.amount,
            }
            for ln in quote.lines.all()
        ],
        "decided_by": quote.decided_by.email if quote.decided_by else None,
        "decided_at": quote.decided_at, "decided_version": quote.decided_version,
        "decided_via": quote.decided_via,
    }  # fmt: skip


@router.post(
    "/quotes",
    response={201: QuoteOut, **error_responses(404)},
    summary="Quote a service request (staff); each authorized contact gets a signed link",
)
def create_quote(request: HttpRequest, payload: QuoteIn):
    from pacto.accounts.access import get_ticket_for

    ticket = get_ticket_for(request.auth, payload.ticket)
    quote = actions.do_create_quote(
        request.auth, ticket, service=payload.service,
        lines=[line.model_dump() for line in payload.lines], valid_until=payload.valid_until,
        logistics=payload.logistics, logistics_note=payload.logistics_note, note=payload.note,
    )  # fmt: skip
    return Status(201, _quote(quote))


@router.get("/quotes", response={200: list[QuoteOut], **error_responses()}, summary="Quotes")
def list_quotes(request: HttpRequest, status: Literal["pending", "approved", "declined",
                                                      "withdrawn"] | None = None):  # fmt: skip
    quotes = actions.visible_quotes(request.auth).prefetch_related("lines")
    if status:
        quotes = quotes.filter(status=status)
    return [_quote(q) for q in quotes[:500]]


@router.get(
    "/quotes/{quote_id}", response={200: QuoteOut, **error_responses(404)}, summary="A quote"
)
def get_quote(request: HttpRequest, quote_id: int):
    return _quote(actions.get_quote_for(request.auth, quote_id))


class DecisionIn(Schema):
    approve: bool
    version: int = Field(ge=1, description="the version read: a newer one is a 409")
    reason: str = Field("", max_length=2000)


@router.post(
    "/quotes/{quote_id}/decision",
    response={200: QuoteOut, **error_responses(404, 409)},
    summary="Approve or decline one exact version of a quote (an authorized contact)",
)
def decide_quote(request: HttpRequest, quote_id: int, payload: DecisionIn):
    quote = actions.get_quote_for(request.auth, quote_id)
    quote = actions.do_decide_quote(
        request.auth, quote, approve=payload.approve, version=payload.version, via="api",
        reason=payload.reason,
    )  # fmt: skip
    return _quote(quote)


class EntitlementOut(Schema):
    service: str
    name: str
    count: int
    used: int
    remaining: int
    year_starts_on: dt.date
    year_ends_on: dt.date


@router.get(
    "/contracts/{contract_id}/entitlements",
    response={200: list[EntitlementOut], **error_responses(404)},
    summary="The contract's included services this contract year, and what is left",
)
def contract_entitlements(request: HttpRequest, contract_id: int):
    user = request.auth
    contract = Contract.objects.filter(
        pk=contract_id, organization__in=visible_organizations(user)
    ).first()
    if contract is None or not may_see_contracts(user):
        raise NotFound("contract")
    return [
        {**e.__dict__, "remaining": e.remaining}
        for e in actions.entitlements(contract, timezone.localdate())
    ]
