"""``/metrics`` adds up every process of the machine: two gunicorn processes and a worker
count into one directory, and a scrape of either web process shows all of it. The web
processes' request lines are JSON naming the request id, ticket and organization."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from prometheus_client.parser import text_string_to_metric_families

from pacto.accounts.actions import do_create_token
from pacto.automation.tests.test_faults import shared_database
from pacto.testing import PROBLEM_DETAILS

pytestmark = pytest.mark.slow  # real processes: run once in CI, on SQLite

TOKEN = "scrape-" + "t" * 40
PER_PROCESS = 5


def samples(body: bytes) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def scrape(web, process) -> dict:
    status, body = web.request(f"{process.url}/metrics", token=TOKEN)
    assert status == 200, body[:300]
    return samples(body)


def test_two_web_processes_and_a_worker_are_one_set_of_figures(world, tmp_path, web):
    _token, secret = do_create_token(world.alice, name="script", scope="write")
    env = {
        "PACTO_METRICS_DIR": str(tmp_path / "metrics"),
        "PACTO_METRICS_TOKEN": TOKEN,
        "PACTO_LOG_LEVEL": "INFO",
    }
    with shared_database(tmp_path), web.processes(2, tmp_path, **env) as (first, second):
        opened = []
        for process in [first, second] * PER_PROCESS:
            body = {
                "subject": f"Counted on {process.port}", "body": "Metrics test",
                "severity": "high", "version": "3.31", **PROBLEM_DETAILS,
            }  # fmt: skip
            status, answer = web.request(
                f"{process.url}/api/tickets", method="POST", token=secret, json_body=body
            )
            assert status == 201, answer[:300]
            opened.append(json.loads(answer)["id"])
        worker = subprocess.run(
            [sys.executable, "-m", "pacto", "worker", "--once"],
            env=web.environment(PACTO_VAR_DIR=str(tmp_path / "var"), **env),
            capture_output=True, timeout=300,
        )  # fmt: skip
        assert worker.returncode == 0, worker.stderr[-2000:]
        from_first, from_second = scrape(web, first), scrape(web, second)

    key = (
        "pacto_http_requests_total",
        (("method", "POST"), ("route", "/api/tickets"), ("status", "201")),
    )
    print(f"\n[fault] metrics across processes: tickets={len(opened)}, counted={from_first[key]}")
    assert from_first[key] == from_second[key] == 2 * PER_PROCESS  # both processes' requests
    runs = ("pacto_worker_job_runs_total", (("job", "outbox"), ("outcome", "ok")))
    assert from_first[runs] == 1  # the worker's run, seen from a web process
    assert from_first[("pacto_database_up", ())] == 1
    tickets = sum(v for (name, _labels), v in from_first.items() if name == "pacto_tickets")
    assert tickets == 2 * PER_PROCESS

    lines = []
    for log in (tmp_path / "web0.log", tmp_path / "web1.log"):
        for text in log.read_text().splitlines():
            if text.startswith("{") and '"event": "request"' in text:
                lines.append(json.loads(text))
    posts = [line for line in lines if line["method"] == "POST" and line["status"] == 201]
    assert sorted(line["ticket"] for line in posts) == sorted(opened)
    assert {line["organization"] for line in posts} == {world.azul.pk}
    assert len({line["request_id"] for line in posts}) == len(posts)
