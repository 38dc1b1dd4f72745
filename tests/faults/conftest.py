"""Fault tests: real processes, real servers, killed and restarted on purpose.

They are not timed; their loops are bounded in count and time. Figures are printed as
``[fault] name: key=value, ...`` lines (run pytest with ``-s`` to see them) and recorded in
docs/faults.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections

from pacto.notifications.tests.servers import free_port
from pacto.testing import World, build_world


@pytest.fixture
def world(transactional_db) -> World:
    return build_world()


# ----------------------------------------------------------------------------- web processes
# Real Pacto web processes: gunicorn on a free loopback port, on the test database
# (``shared_database`` moves SQLite's in-memory one to a file first).


def database_url() -> str:
    settings = connections["default"].settings_dict
    if connections["default"].vendor == "sqlite":
        if "mode=memory" in settings["NAME"]:  # another process would make a file of it
            raise RuntimeError(
                "a process cannot see the in-memory test database: use shared_database"
            )
        return f"sqlite:///{settings['NAME']}"
    user, host, port = settings["USER"], settings["HOST"], settings["PORT"]
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def web_environment(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": extra.pop("DATABASE_URL", None) or database_url(),
        "PACTO_SECRET_KEY": "fault-tests-" + "x" * 40,
        "PACTO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PACTO_LOG_LEVEL": "WARNING",
        **extra,
    }
    env.pop("PACTO_DEBUG", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


class WebProcess:
    def __init__(self, log: Path, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "pacto.wsgi", "-w", "1", "--threads", "4",
             "-b", f"127.0.0.1:{self.port}", "--timeout", "60"],
            env=web_environment(PACTO_VAR_DIR=str(log.parent / "var"), **env),
            stdout=log.open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip

    def wait_ready(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def web_processes(count: int, log_dir: Path, **env: str):
    processes = [WebProcess(log_dir / f"web{i}.log", **env) for i in range(count)]
    try:
        for process in processes:
            process.wait_ready()
        yield processes
    finally:
        for process in processes:
            process.stop()


def request(url: str, *, method: str = "GET", token: str | None = None, json_body=None):
    """``(status, body bytes)`` of one HTTP request; errors are answers too."""
    data = json.dumps(json_body).encode() if json_body is not None else None
    headers = {"content-type": "application/json"} if data is not None else {}
    if token:
        headers["authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def web():
    """``web.processes(count, log_dir, **env)`` and ``web.request(url, ...)``."""

    class Web:
        processes = staticmethod(web_processes)
        request = staticmethod(request)
        environment = staticmethod(web_environment)

    return Web
