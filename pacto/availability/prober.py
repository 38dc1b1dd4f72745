"""Measuring a probe once: an HTTP(S) request or a TCP connect. The network lives here only,
outside any transaction (claim, talk to the world, record: see ``sweeps``)."""

from __future__ import annotations

import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from pacto.sla.availability import SlotStatus

MAX_BODY = 1_000_000  # bytes read to look for the expected text


@dataclass(frozen=True)
class Measurement:
    status: SlotStatus
    latency_ms: int | None
    detail: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 301 is a 301: compare it with expected
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def measure(probe) -> Measurement:
    started = time.monotonic()
    try:
        if probe.kind == "tcp":
            with socket.create_connection((probe.host, probe.port), timeout=probe.timeout_seconds):
                pass
            return Measurement(SlotStatus.UP, _ms(started), "connected")
        request = urllib.request.Request(probe.url, headers={"User-Agent": "Pacto-probe/1"})
        try:
            response = _OPENER.open(request, timeout=probe.timeout_seconds)
        except urllib.error.HTTPError as error:  # 4xx/5xx (and unfollowed redirects)
            response = error
        with response:
            status = response.status if hasattr(response, "status") else response.code
            body = response.read(MAX_BODY) if probe.expected_text else b""
        latency = _ms(started)
        if status != probe.expected_status:
            return Measurement(
                SlotStatus.DOWN, latency, f"HTTP {status}, expected {probe.expected_status}"
            )
        if probe.expected_text and probe.expected_text.encode() not in body:
            return Measurement(SlotStatus.DOWN, latency, f"text {probe.expected_text!r} not found")
        return Measurement(SlotStatus.UP, latency, f"HTTP {status}")
    except TimeoutError:
        return Measurement(SlotStatus.DOWN, None, f"timed out after {probe.timeout_seconds:g} s")
    except (OSError, ssl.SSLError, urllib.error.URLError, ValueError) as error:
        return Measurement(SlotStatus.DOWN, None, str(getattr(error, "reason", error))[:200])


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
