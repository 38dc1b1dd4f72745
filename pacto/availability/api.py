"""API endpoints for availability: monitors push results; people read monthly figures.

``POST /api/availability/results`` takes a token of the ``monitor`` scope (which may call
nothing else), so an existing monitor (Prometheus blackbox, Uptime Kuma…) feeds Pacto
instead of running two probers. Each result lands on its slot insert-or-ignore.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from pacto.availability import actions
from pacto.availability.figures import probe_figure
from pacto.errors import ActionError, NotAllowed, one_of
from pacto.sla.availability import AvailabilityError, Month
from pacto.tickets.schemas import error_responses

router = Router()


class ResultIn(Schema):
    slot: dt.datetime | None = Field(None, description="the slot's start (or any instant in it)")
    timestamp: dt.datetime | None = Field(None, description="when measured: read as its slot")
    status: Literal["up", "down", "unknown"]
    latency_ms: int | None = Field(None, ge=0)


class ResultsIn(Schema):
    probe: str
    results: list[ResultIn] = Field(max_length=actions.MAX_PUSH)


class ResultsOut(Schema):
    probe: str
    received: int
    written: int


@router.post(
    "/results",
    response={200: ResultsOut, **error_responses(403, 404)},
    summary="Push probe results (monitor-scope token)",
)
def push_results(request: HttpRequest, payload: ResultsIn):
    token = getattr(request, "api_token", None)
    if token is None or token.scope != "monitor":
        raise NotAllowed(
            "probe results are pushed with a token of the monitor scope",
            rule="token_scope",
            field="authorization",
        )
    return actions.do_push_results(
        request.auth, payload.probe, [item.model_dump() for item in payload.results]
    )


@router.get(
    "/probes/{name}/months/{month}",
    response={200: dict[str, Any], **error_responses(404)},
    summary="A probe's monthly availability figure (the JSON of `pacto availability compute`)",
)
def month_figure(request: HttpRequest, name: str, month: str):
    probe = actions.probe_for(request.auth, name)
    try:
        the_month = Month.parse(month)
    except AvailabilityError as exc:
        raise ActionError("month", "format", str(exc)) from None
    return {"probe": probe.name, **probe_figure(probe, the_month).as_json()}


# ----------------------------------------------------------------------------- probes


class ProbeIn(Schema):
    contract: int
    name: str = Field(max_length=80)
    kind: Literal["http", "tcp"] = "http"
    url: str = Field("", max_length=500)
    host: str = Field("", max_length=255)
    port: int | None = Field(None, ge=1, le=65535)
    service: str = Field("", max_length=120)
    expected_status: int = Field(200, ge=100, le=599)
    expected_text: str = Field("", max_length=200)
    timeout_seconds: float = Field(10.0, gt=0, le=60)


class ProbeOut(Schema):
    id: int
    name: str
    contract: int = Field(alias="contract_id")
    kind: str
    target: str
    service: str


@router.post(
    "/probes",
    response={201: ProbeOut, **error_responses(404)},
    summary="Add a probe to a contract (support managers)",
)
def create_probe(request: HttpRequest, payload: ProbeIn):
    contract = actions.contract_for(request.auth, payload.contract)
    data = payload.model_dump(exclude={"contract"})
    return Status(201, actions.do_create_probe(request.auth, contract, **data))


# ----------------------------------------------------------------------------- windows


class WindowIn(Schema):
    contract: int
    kind: Literal["planned", "extraordinary"]
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str = Field(max_length=5000)
    service: str = Field("", max_length=120)
    recurs_monthly: bool = False
    recurs_until: dt.date | None = None


class WindowOut(Schema):
    id: int
    contract: int = Field(alias="contract_id")
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str
    service: str
    recurs_monthly: bool
    announced_at: dt.datetime | None
    notice_late: bool


@router.post(
    "/windows",
    response={201: WindowOut, **error_responses(404)},
    summary="Announce a service window (staff); the customer's contacts are notified",
)
def announce_window(request: HttpRequest, payload: WindowIn):
    contract = actions.contract_for(request.auth, payload.contract)
    data = payload.model_dump(exclude={"contract"})
    return Status(201, actions.do_announce_window(request.auth, contract, **data))


# ----------------------------------------------------------------------------- hypercare


class HypercareOut(Schema):
    contract: int
    go_live_on: dt.date | None
    until: dt.date | None
    concluded_on: dt.date | None
    extensions: list[dict[str, Any]]
    signoffs: list[dict[str, Any]]
    events: list[dict[str, Any]]
    reports: list[dict[str, Any]]
    checks: dict[str, Any]


def _hypercare(contract) -> dict:
    from django.utils import timezone

    return {
        "contract": contract.pk,
        "go_live_on": contract.go_live_on,
        "until": contract.hypercare_until(),
        "concluded_on": contract.hypercare_concluded_on,
        "extensions": [
            {
                "id": e.pk,
                "weeks": e.weeks,
                "reason": e.reason,
                "proposed_at": e.proposed_at,
                "accepted_at": e.accepted_at,
                "declined_at": e.declined_at,
            }
            for e in contract.hypercare_extensions.all()
        ],
        "signoffs": [
            {"side": s.side, "signed_at": s.signed_at, "note": s.note}
            for s in contract.hypercare_signoffs.all()
        ],
        "events": [
            {"kind": e.kind, "at": e.at, "actor": str(e.actor) if e.actor else None, "data": e.data}
            for e in contract.hypercare_events.all()
        ],
        "reports": [
            {
                "id": r.pk,
                "period_start": r.period_start,
                "period_end": r.period_end,
                "availability": r.availability,
                "open_incidents": len(r.open_incidents),
                "solved_incidents": len(r.solved_incidents),
                "sent_at": r.sent_at,
            }
            for r in contract.hypercare_reports.all()
        ],
        "checks": actions.conclusion_checks(contract, timezone.now())
        if contract.go_live_on
        else {},
    }


HYPERCARE = {200: HypercareOut, **error_responses(404, 422)}


@router.get("/contracts/{contract_id}/hypercare", response=HYPERCARE, summary="Hypercare state")
def hypercare(request: HttpRequest, contract_id: int):
    return _hypercare(actions.contract_for(request.auth, contract_id))


class ExtensionIn(Schema):
    weeks: int = Field(ge=1, le=26)
    reason: str = Field(max_length=5000)


@router.post(
    "/contracts/{contract_id}/hypercare/extensions",
    response=HYPERCARE,
    summary="Propose a hypercare extension (staff)",
)
def propose_extension(request: HttpRequest, contract_id: int, payload: ExtensionIn):
    contract = actions.contract_for(request.auth, contract_id)
    actions.do_propose_extension(request.auth, contract, weeks=payload.weeks, reason=payload.reason)
    return _hypercare(contract)


class AnswerIn(Schema):
    accept: bool


@router.post(
    "/contracts/{contract_id}/hypercare/extensions/{extension_id}/answer",
    response=HYPERCARE,
    summary="Accept or decline an extension (the customer's organization admin)",
)
def answer_extension(request: HttpRequest, contract_id: int, extension_id: int, payload: AnswerIn):
    contract = actions.contract_for(request.auth, contract_id)
    extension = one_of(contract.hypercare_extensions, extension_id, "extension")
    actions.do_answer_extension(request.auth, extension, accept=payload.accept)
    return _hypercare(contract)


class NoteIn(Schema):
    note: str = Field("", max_length=5000)


@router.post(
    "/contracts/{contract_id}/hypercare/signoffs",
    response=HYPERCARE,
    summary="Sign off hypercare: a manager for the vendor, the organization admin for the customer",
)
def sign_off(request: HttpRequest, contract_id: int, payload: NoteIn):
    contract = actions.contract_for(request.auth, contract_id)
    actions.do_sign_off(request.auth, contract, note=payload.note)
    return _hypercare(contract)


@router.post(
    "/contracts/{contract_id}/hypercare/conclusion",
    response=HYPERCARE,
    summary="Record the transition to standard support (managers; checks and sign-offs first)",
)
def conclude(request: HttpRequest, contract_id: int, payload: NoteIn):
    contract = actions.contract_for(request.auth, contract_id)
    actions.do_conclude_hypercare(request.auth, contract, notes=payload.note)
    contract.refresh_from_db()
    return _hypercare(contract)
