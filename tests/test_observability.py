"""What an operator sees: ``/metrics`` (closed unless configured; the figures a support team
watches) and one structured log line per request naming its ticket and organization."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from pacto.notifications.models import Outbox
from pacto.tickets.models import SlaClock
from pacto.tickets.tests.test_api import ApiClient, problem

TOKEN = "scrape-" + "s" * 40


def scrape(client: Client | None = None, **headers) -> dict[tuple[str, tuple], float]:
    response = (client or Client()).get(
        "/metrics", headers={"authorization": f"Bearer {TOKEN}", **headers}
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_not_public_by_default(db, settings):
    settings.PACTO_METRICS_TOKEN = ""
    settings.PACTO_METRICS_ALLOW = []
    assert Client().get("/metrics").status_code == 404


def test_metrics_need_the_token_when_one_is_set(db, settings):
    settings.PACTO_METRICS_TOKEN = TOKEN
    assert Client().get("/metrics").status_code == 401
    wrong = Client().get("/metrics", headers={"authorization": "Bearer guess"})
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    assert scrape()[("pacto_database_up", ())] == 1


def test_metrics_answer_only_the_allowed_networks(db, settings):
    import ipaddress

    settings.PACTO_METRICS_TOKEN = ""
    settings.PACTO_METRICS_ALLOW = [ipaddress.ip_network("10.0.0.0/8")]
    assert Client().get("/metrics").status_code == 403  # the test client is 127.0.0.1
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200


def test_a_ticket_opened_through_the_api_shows_in_the_figures(world, settings):
    settings.PACTO_METRICS_TOKEN = TOKEN
    before = scrape()
    response = ApiClient(world.alice).post("/api/tickets", problem(severity="urgent"))
    assert response.status_code == 201
    ticket = response.json()["id"]
    after = scrape()

    route = dict(route="/api/tickets", method="POST", status="201")
    assert value(after, "pacto_http_requests_total", **route) == (
        value(before, "pacto_http_requests_total", **route) + 1
    )
    latency = dict(route="/api/tickets", method="POST")
    assert value(after, "pacto_http_request_duration_seconds_count", **latency) >= 1
    assert value(after, "pacto_tickets", status="new", severity="urgent") == 1
    pending = Outbox.objects.filter(ticket_id=ticket, state="pending").count()
    assert pending >= 1
    assert sum(
        v for (name, labels), v in after.items()
        if name == "pacto_outbox_rows" and ("state", "pending") in labels
    ) >= pending  # fmt: skip
    assert value(after, "pacto_outbox_oldest_pending_age_seconds") >= 0

    # Its first response is due soon on Premier 24x7? Push it into the next hour, then past.
    clock = SlaClock.objects.get(ticket_id=ticket, metric="first_response")
    from django.utils import timezone

    SlaClock.objects.filter(pk=clock.pk).update(
        state="running", due_at=timezone.now() + dt.timedelta(minutes=20)
    )
    assert value(scrape(), "pacto_sla_clocks_at_risk", metric="first_response") == 1
    SlaClock.objects.filter(pk=clock.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    figures = scrape()
    assert value(figures, "pacto_sla_clocks_at_risk", metric="first_response") == 0
    assert value(figures, "pacto_sla_clocks_breached", metric="first_response") == 1


def test_unknown_paths_share_one_series(db, settings):
    settings.PACTO_METRICS_TOKEN = TOKEN
    client = Client()
    for n in range(3):
        client.get(f"/no-such-page-{n}")
    samples = scrape()
    assert not any("no-such-page" in str(labels) for _name, labels in samples)
    assert (
        value(samples, "pacto_http_requests_total", route="unmatched", method="GET", status="404")
        >= 3
    )


def test_worker_jobs_are_counted_and_timed(db, settings):
    from pacto.automation.jobs import sweep_clocks_job

    settings.PACTO_METRICS_TOKEN = TOKEN
    before = value(scrape(), "pacto_worker_job_runs_total", job="clocks", outcome="ok")
    sweep_clocks_job.enqueue()  # immediate in tests: runs here
    samples = scrape()
    assert value(samples, "pacto_worker_job_runs_total", job="clocks", outcome="ok") == before + 1
    assert value(samples, "pacto_worker_job_duration_seconds_count", job="clocks") >= 1


# ----------------------------------------------------------------------------- request logs


def request_lines(caplog) -> list[dict]:
    """The request lines as written (with the request's bound context)."""
    return [
        r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg["event"] == "request"
    ]


def test_each_request_is_one_line_with_its_id_ticket_and_organization(world, caplog):
    client = ApiClient(world.alice)
    ticket = client.post("/api/tickets", problem()).json()["id"]
    client.headers["x-request-id"] = "support-case-0042"
    caplog.clear()
    response = client.get(f"/api/tickets/{ticket}")
    assert response["X-Request-ID"] == "support-case-0042"
    (line,) = request_lines(caplog)
    assert line == line | {
        "method": "GET",
        "route": "/api/tickets/<ticket_id>",
        "path": f"/api/tickets/{ticket}",
        "status": 200,
        "ticket": ticket,
        "organization": world.azul.pk,
        "user": world.alice.pk,
        "request_id": "support-case-0042",
    }
    assert line["duration_ms"] >= 0


def test_a_request_id_that_does_not_look_like_one_is_replaced(db, caplog):
    response = Client().get("/healthz", headers={"x-request-id": "bad id forged"})
    (line,) = request_lines(caplog)
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32


@pytest.mark.parametrize("path", ["/pages/ack/secret-signed-token/"])
def test_a_signed_token_in_the_path_stays_out_of_the_log(db, path, caplog):
    Client().get(path)
    (line,) = request_lines(caplog)
    assert "secret-signed-token" not in str(line)


def test_the_grafana_dashboard_asks_only_for_series_pacto_exports(db, settings):
    import json
    import re
    from pathlib import Path

    from pacto import metrics

    settings.PACTO_METRICS_TOKEN = TOKEN
    from pacto.views import DatabaseCollector

    exported = {family.name for family in DatabaseCollector().collect()}
    for thing in vars(metrics).values():
        if hasattr(thing, "_name") and hasattr(thing, "_type"):
            suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"]}
            exported |= {thing._name + s for s in suffixes.get(thing._type, [""])}
    dashboard = json.loads(
        (Path(__file__).parent.parent / "docs/grafana-dashboard.json").read_text()
    )
    asked = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\bpacto_[a-z_]+", target["expr"])
    }
    assert asked, "the dashboard has panels"
    assert asked <= exported, asked - exported


def server_line(request_line: str, status: int) -> logging.LogRecord:
    """A record as Django's development server writes one for each request it answered."""
    logger = logging.getLogger("django.server")
    args = (request_line, str(status), "16")
    return logger.makeRecord(
        logger.name,
        logging.INFO,
        __file__,
        0,
        '"%s" %s %s',
        args,
        None,
        extra={"status_code": status},
    )


def test_the_development_server_keeps_quiet_about_answered_health_probes():
    logger = logging.getLogger("django.server")

    assert not logger.filter(server_line("GET /healthz HTTP/1.1", 200))
    assert logger.filter(server_line("GET /healthz HTTP/1.1", 503))  # an unhealthy answer shows
    assert logger.filter(server_line("GET /tickets/ HTTP/1.1", 200))
