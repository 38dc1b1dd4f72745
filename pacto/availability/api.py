"""API endpoints for availability: monitors push results; people read monthly figures.

``POST /api/availability/results`` takes a token of the ``monitor`` scope (which may call
nothing else), so an existing monitor (Prometheus blackbox, Uptime Kuma…) feeds Pacto
instead of running two probers. Each result lands on its slot insert-or-ignore.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from pacto.availability import actions
from pacto.availability.figures import probe_figure
from pacto.errors import ActionError, NotAllowed
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
