"""Signed webhook deliveries (organization endpoints and the generic pager webhook).

Each POST carries a JSON body and these headers:

- ``X-Pacto-Timestamp``: Unix seconds when it was sent;
- ``X-Pacto-Signature``: ``t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed
  with the endpoint's secret>``; receivers recompute it and reject a timestamp older than a
  few minutes (replays);
- ``X-Pacto-Event``: the kind; ``X-Pacto-Delivery``: the outbox row id, the same on every
  retry, so a receiver can ignore a delivery it has already processed.

A 2xx answer is success; 408, 429 and 5xx answers and network errors are retried with
backoff; any other 4xx is permanent (the row goes dead at once).
"""

from __future__ import annotations

import hashlib
import hmac
import urllib.error
import urllib.request

from django.conf import settings

SIGNATURE_TOLERANCE_SECONDS = 300


class DeliveryError(Exception):
    """A delivery that did not succeed; ``permanent`` ones are not retried."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now_timestamp: int) -> bool:
    """What a receiver does: check the signature and that it is fresh."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now_timestamp - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


def post(
    url: str,
    body: bytes,
    *,
    secret: str | None,
    timestamp: int,
    event: str,
    delivery: int,
    extra_headers: dict[str, str] | None = None,
) -> int:
    """POST ``body`` to ``url``; returns the HTTP status or raises ``DeliveryError``."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Pacto-Webhooks/1",
        "X-Pacto-Event": event,
        "X-Pacto-Delivery": str(delivery),
        "X-Pacto-Timestamp": str(timestamp),
        **(extra_headers or {}),
    }
    if secret:
        headers["X-Pacto-Signature"] = sign(secret, timestamp, body)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=settings.PACTO_WEBHOOK_TIMEOUT) as response:
            response.read(1024)
            return response.status
    except urllib.error.HTTPError as exc:
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        raise DeliveryError(
            f"{url} answered {exc.code} {exc.reason}", permanent=permanent
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"{url}: {reason}") from None
