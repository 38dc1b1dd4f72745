"""Endpoints that belong to the installation as a whole rather than to one domain."""

import datetime as dt
import hmac
import ipaddress

import structlog
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Min, Q
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

log = structlog.get_logger(__name__)


@require_safe
@never_cache
def healthz(request):
    """Liveness and readiness for load balancers: ok only if the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.exception("healthz_database_unavailable")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@require_safe
def favicon(request):
    """The site icon for pages without a <link rel="icon"> (the admin, the API docs)."""
    response = HttpResponsePermanentRedirect(static("pacto/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


# ----------------------------------------------------------------------------- /metrics


def _metrics_allowed(request) -> int | None:
    """``None`` when the scraper may read ``/metrics``, else the status to answer: 404 while
    neither ``PACTO_METRICS_TOKEN`` nor ``PACTO_METRICS_ALLOW`` is set (not public by
    default), 401 without the token, 403 from an address outside the allowed networks."""
    token, networks = settings.PACTO_METRICS_TOKEN, settings.PACTO_METRICS_ALLOW
    if not token and not networks:
        return 404
    if networks:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return 403
        if not any(address in network for network in networks):
            return 403
    if token:
        sent = request.headers.get("Authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return 401
    return None


class DatabaseCollector:
    """What *is*, read from the database at each scrape: right whichever process did the
    work. A scrape while the database is away answers ``pacto_database_up 0``."""

    def collect(self):
        up = GaugeMetricFamily("pacto_database_up", "1 when the database answered this scrape.")
        try:
            families = list(self._families(timezone.now()))
        except DatabaseError as error:
            log.warning("metrics_database_unavailable", error=str(error).splitlines()[:1])
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self, now):
        from pacto.automation.models import Page
        from pacto.notifications.models import Outbox
        from pacto.tickets.models import SlaClock, Ticket

        open_categories = [
            "new",
            "open",
            "pending",
            "waiting_on_customer",
            "waiting_on_third_party",
        ]
        tickets = GaugeMetricFamily(
            "pacto_tickets", "Tickets not closed, by status category and severity.",
            labels=["status", "severity"],
        )  # fmt: skip
        rows = (
            Ticket.objects.exclude(status_category="closed")
            .values_list("status_category", "severity")
            .annotate(n=Count("id"))
            .order_by()
        )
        for status, severity, n in rows:
            tickets.add_metric([status, severity], n)
        yield tickets

        live = SlaClock.objects.filter(ticket__status_category__in=open_categories)
        soon = now + dt.timedelta(seconds=settings.PACTO_METRICS_AT_RISK_SECONDS)
        at_risk = GaugeMetricFamily(
            "pacto_sla_clocks_at_risk",
            "Running SLA clocks of open tickets due within PACTO_METRICS_AT_RISK_SECONDS.",
            labels=["metric"],
        )
        for metric, n in (
            live.filter(state="running", due_at__gt=now, due_at__lte=soon)
            .values_list("metric").annotate(n=Count("id")).order_by()
        ):  # fmt: skip
            at_risk.add_metric([metric], n)
        yield at_risk
        breached = GaugeMetricFamily(
            "pacto_sla_clocks_breached",
            "SLA clocks of open tickets past their target (marked breached, or running past due).",
            labels=["metric"],
        )
        for metric, n in (
            live.filter(Q(state="breached") | Q(state="running", due_at__lte=now))
            .values_list("metric").annotate(n=Count("id")).order_by()
        ):  # fmt: skip
            breached.add_metric([metric], n)
        yield breached

        backlog = Outbox.objects.filter(state__in=["pending", "sending"])
        rows = GaugeMetricFamily(
            "pacto_outbox_rows", "Outbox rows not sent, by state and channel.",
            labels=["state", "channel"],
        )  # fmt: skip
        for state, channel, n in (
            Outbox.objects.filter(state__in=["pending", "sending", "dead"])
            .values_list("state", "channel").annotate(n=Count("id")).order_by()
        ):  # fmt: skip
            rows.add_metric([state, channel], n)
        yield rows
        oldest = backlog.aggregate(oldest=Min("created_at"))["oldest"]
        yield GaugeMetricFamily(
            "pacto_outbox_oldest_pending_age_seconds",
            "Age of the oldest outbox row not yet sent (0 when none waits).",
            value=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
        )
        yield GaugeMetricFamily(
            "pacto_outbox_overdue_rows",
            "Outbox rows due for delivery more than a minute ago (no worker is keeping up).",
            value=backlog.filter(next_attempt_at__lte=now - dt.timedelta(minutes=1)).count(),
        )

        pages = GaugeMetricFamily(
            "pacto_pages", "On-call pages waiting or paging (not yet acknowledged).",
            labels=["state"],
        )  # fmt: skip
        for state, n in (
            Page.objects.filter(state__in=["waiting", "paging"])
            .values_list("state").annotate(n=Count("id")).order_by()
        ):  # fmt: skip
            pages.add_metric([state], n)
        yield pages


@require_safe
@never_cache
def metrics(request):
    """Prometheus' text format: every process's counters (multi-process mode) and the
    database's gauges."""
    refused = _metrics_allowed(request)
    if refused == 404:
        raise Http404
    if refused:
        response = HttpResponse("metrics: not allowed\n", status=refused, content_type="text/plain")
        if refused == 401:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(DatabaseCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
