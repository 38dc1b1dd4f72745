"""The project shell: pages, health check, security headers and the `pacto` command."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import DatabaseError

ROOT = Path(__file__).resolve().parent.parent


def run_pacto(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_the_home_page_says_what_pacto_is_and_links_to_the_calculator(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "self-hosted support desk" in html
    assert 'href="/calculator/"' in html
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html


def test_the_home_page_is_served_in_brazilian_portuguese_when_asked(client):
    response = client.get("/", headers={"accept-language": "pt-BR,pt;q=0.9"})

    assert response.status_code == 200
    assert '<html lang="pt-br">' in response.content.decode()


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("pacto.views.connection.cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_it_forbids_inline_and_third_party_scripts(client):
    response = client.get("/")

    directives = csp_directives(response["Content-Security-Policy"])
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["style-src"]


def test_it_sends_the_usual_security_headers(client):
    response = client.get("/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_pacto_without_arguments_lists_both_command_groups():
    result = run_pacto("-m", "pacto")

    assert result.returncode == 0, result.stderr
    for command in ("sla", "calendar", "policy", "migrate", "runserver", "demo", "worker"):
        assert command in result.stdout


def test_pacto_hands_every_other_command_to_django():
    result = run_pacto("-m", "pacto", "check", env={"PACTO_SECRET_KEY": "test-only"})

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_pacto_demo_exists_for_make_run():
    result = run_pacto("-m", "pacto", "demo", env={"PACTO_SECRET_KEY": "test-only"})

    assert result.returncode == 0, result.stderr
    assert "Demo data" in result.stdout


def test_engine_commands_reach_the_engine_cli_without_importing_django():
    # A fresh interpreter: this one has Django loaded already.
    script = textwrap.dedent(
        """
        import sys, types
        received = []
        stub = types.ModuleType("pacto.sla.cli")
        stub.main = lambda args: received.append(args) or 0
        sys.modules["pacto.sla.cli"] = stub

        from pacto.cli import main

        assert main(["pacto", "sla", "due", "--target", "4h"]) == 0
        assert received == [["sla", "due", "--target", "4h"]], received
        loaded = sorted(name for name in sys.modules if name.split(".")[0] == "django")
        assert not loaded, loaded
        """
    )

    result = run_pacto("-c", script)

    assert result.returncode == 0, result.stderr


def test_the_real_engine_command_line_does_not_import_django():
    # Whatever pacto/sla/cli.py does with --help (or its absence), Django stays out of it.
    result = run_pacto("-X", "importtime", "-m", "pacto", "sla", "--help")

    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()]
    assert not [name for name in imported if name.split(".")[0] == "django"]
