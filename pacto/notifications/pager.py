"""Pager transports: PagerDuty Events API v2, a generic signed webhook, or email.

``PACTO_PAGER_TRANSPORT`` chooses; by default PagerDuty when ``PACTO_PAGERDUTY_ROUTING_KEY``
is set, else the webhook when ``PACTO_PAGER_WEBHOOK_URL`` is set, else email (so a page is
never silently dropped on an installation without a pager).

The engineer acknowledges in Pacto (the signed link in every page, or the API) or in
PagerDuty: its V3 webhook, signed, is read back at ``/pages/pagerduty``
(``pacto.automation.views.pagerduty_webhook``) for the ``dedup_key`` sent here.
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings

from pacto.notifications import render, webhooks
from pacto.notifications.models import Outbox


def transport() -> str:
    chosen = settings.PACTO_PAGER_TRANSPORT
    if chosen:
        return chosen
    if settings.PACTO_PAGERDUTY_ROUTING_KEY:
        return "pagerduty"
    if settings.PACTO_PAGER_WEBHOOK_URL:
        return "webhook"
    return "email"


def pagerduty_event(row: Outbox, sent_at: dt.datetime) -> dict:
    """A PagerDuty Events API v2 ``trigger``. Its ``dedup_key`` is stable per outbox row, so
    a resend after a crash does not open a second alert; a re-page is a new row and alerts
    again."""
    payload = row.payload or {}
    data = render.context(row)
    links = (
        [{"href": payload["ack_url"], "text": "Acknowledge in Pacto"}]
        if payload.get("ack_url")
        else []
    )
    if data["ticket_url"]:
        links.append({"href": data["ticket_url"], "text": f"Ticket #{payload.get('ticket')}"})
    return {
        "routing_key": settings.PACTO_PAGERDUTY_ROUTING_KEY,
        "event_action": "trigger",
        "dedup_key": f"pacto-outbox-{row.pk}",
        "payload": {
            "summary": data["subject"][:1024],
            "source": settings.PACTO_EMAIL_DOMAIN,
            "severity": "critical" if row.kind == "page" else "warning",
            "timestamp": sent_at.isoformat(),
            "component": payload.get("organization") or "",
            "group": f"ticket-{payload.get('ticket')}",
            "class": row.kind,
            "custom_details": {
                "engineer": row.recipient,
                "ticket": payload.get("ticket"),
                "severity": payload.get("severity"),
                "tier": payload.get("tier"),
                "attempt": payload.get("attempt"),
                "acknowledge_within": payload.get("acknowledge_within"),
            },
        },
        "links": links,
        "client": settings.PACTO_SITE_NAME,
        "client_url": data["ticket_url"] or settings.PACTO_BASE_URL,
    }


def webhook_page(row: Outbox, sent_at: dt.datetime) -> dict:
    data = render.context(row)
    payload = row.payload or {}
    return {
        "id": row.pk,
        "kind": row.kind,
        "engineer": row.recipient,
        "summary": data["subject"],
        "ticket": payload.get("ticket"),
        "ticket_url": data["ticket_url"],
        "severity": payload.get("severity"),
        "tier": payload.get("tier"),
        "attempt": payload.get("attempt"),
        "ack_url": payload.get("ack_url"),
        "sent_at": sent_at.isoformat(),
    }


def send(row: Outbox, sent_at: dt.datetime) -> None:
    """Send a pager row by PagerDuty or the pager webhook (email is the caller's job)."""
    timestamp = int(sent_at.timestamp())
    match transport():
        case "pagerduty":
            body = json.dumps(pagerduty_event(row, sent_at)).encode()
            webhooks.post(
                settings.PACTO_PAGERDUTY_URL, body, secret=None, timestamp=timestamp,
                event=row.kind, delivery=row.pk,
            )  # fmt: skip
        case "webhook":
            body = json.dumps(webhook_page(row, sent_at), sort_keys=True).encode()
            webhooks.post(
                settings.PACTO_PAGER_WEBHOOK_URL, body, secret=settings.PACTO_PAGER_WEBHOOK_SECRET,
                timestamp=timestamp, event=row.kind, delivery=row.pk,
            )  # fmt: skip
        case other:
            raise webhooks.DeliveryError(f"pager transport {other!r} is not known", permanent=True)
