"""What operators see of each request: one structured log line, its metrics, and a clean
503 when the database is away.

- **Request id.** Each request gets an id (the ``X-Request-ID`` a proxy sent, when it looks
  like one, else a new one), bound to every log line the request writes and sent back in the
  ``X-Request-ID`` header, so a customer's "it failed at 10:02" finds its lines.
- **One line per request** (``event: "request"``): method, route (the URL pattern), path,
  status, duration, the user and — when the request touched one — the ticket and its
  organization (bound by the ticket code, see ``bind_ticket``).
- **Metrics**: requests by route, method and status, and latency by route (``pacto.metrics``).
- **The database is away** (PostgreSQL restarting, SQLite locked for longer than its
  timeout): the answer is 503 with ``Retry-After``, JSON under ``/api/``, a short page
  elsewhere, logged as one warning line — not a 500 with a traceback. A request that failed
  so changed nothing: its transaction was never committed.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

import structlog
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import SimpleLazyObject, empty
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults

from pacto.metrics import HTTP_DATABASE_UNAVAILABLE, HTTP_LATENCY, HTTP_REQUESTS

log = structlog.get_logger("pacto.request")

RETRY_AFTER_SECONDS = 5
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def bind_ticket(ticket) -> None:
    """Name ``ticket`` and its organization on every later log line of this request or job."""
    structlog.contextvars.bind_contextvars(ticket=ticket.pk, organization=ticket.organization_id)


def database_unavailable(error: BaseException | None) -> bool:
    """The database could not be reached or answered (connection refused or lost, a server
    shutting down, SQLite's lock timeout): worth a retry, not a bug."""
    return isinstance(error, (OperationalError, InterfaceError))


def unavailable_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    HTTP_DATABASE_UNAVAILABLE.inc()
    log.warning(
        "database_unavailable",
        path=request.path,
        error=(str(error).strip().splitlines() or [type(error).__name__])[0][:300],
    )
    message = _(
        "Pacto cannot reach its database right now. Nothing was saved; try again in a few seconds."
    )
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": [{"field": "request", "rule": "database_unavailable", "message": message}]},
            status=503,
        )
    else:
        title = _("Temporarily unavailable")
        response = HttpResponse(
            f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
            f"<p>{escape(message)}</p>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # the warning above is the log line: no traceback
    return response


def server_error(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """``handler500``: the database being away is a 503; anything else Django's 500 page."""
    error = sys.exc_info()[1]
    if database_unavailable(error):
        return unavailable_response(request, error)
    return defaults.server_error(request, *args, **kwargs)


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return "/" + match.route
    if request.path.startswith("/static/"):
        return "/static/"
    return "unmatched"  # never the raw path: a scanner must not create a series per path


def _user(request: HttpRequest):
    """The user if this request already looked them up (never a query of its own: the
    database may be what failed)."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = None if user._wrapped is empty else user._wrapped
    return user if getattr(user, "is_authenticated", False) else None


class QuietHealthChecks(logging.Filter):
    """Drops the development server's own line for an answered ``/healthz``: probes ask
    every few seconds, the request line above already counts them, and ``make run``'s
    address, printed once the probe answers, stays the last thing on the screen."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_line = str(record.args[0]) if record.args else ""
        return not (" /healthz " in request_line and getattr(record, "status_code", 0) < 400)


class RequestMiddleware:
    """Outermost middleware: request id, the request's log line and its metrics."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sent = request.headers.get("X-Request-ID", "")
        request_id = sent if _REQUEST_ID.match(sent) else uuid.uuid4().hex
        request.request_id = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            route, method = (
                _route(request),
                request.method if request.method in _METHODS else "OTHER",
            )
            HTTP_REQUESTS.labels(route, method, str(response.status_code)).inc()
            HTTP_LATENCY.labels(route, method).observe(elapsed)
            response["X-Request-ID"] = request_id
            user = _user(request)
            context = structlog.contextvars.get_contextvars()
            line = log.warning if response.status_code >= 500 else log.info
            line(
                "request",
                method=method,
                route=route,
                # A path may carry a signed token (a page's acknowledgement link): log the
                # route instead.
                path=route if "token" in route else request.path,
                status=response.status_code,
                duration_ms=round(elapsed * 1000, 1),
                user=user.pk if user else None,
                organization=context.get("organization")
                or (getattr(user, "organization_id", None) if user else None),
            )
            return response
        finally:
            structlog.contextvars.clear_contextvars()
