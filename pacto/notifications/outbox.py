"""Writing outbox rows. Call only inside the transaction of the change that causes them.

Who gets what: each person recipient gets the channels their notification preferences
give for the kind (email unless they said otherwise; see ``NotificationPreference``); what
a ticket's requester gets by email of what the customer may see, the people copied on the
ticket get too (``_copied``); and
every active webhook endpoint that wants the kind gets one signed delivery: the ticket's
organization's endpoints for what its contacts may see, the vendor's own endpoints for
everything. When the transaction commits, the worker is woken to deliver at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pacto.notifications import tasks
from pacto.notifications.bulk import insert_rows
from pacto.notifications.models import NotificationPreference, Outbox, WebhookEndpoint

# What an organization's own webhook may receive: what its contacts see on their tickets.
# Warnings, breaches, pages and internal routing stay with the vendor.
CUSTOMER_KINDS = frozenset(
    {
        "ticket_opened",
        "agent_reply",
        "customer_reply",
        "status_changed",
        "severity_changed",
        "ticket_reopened",
        "resolution_confirmed",
        "access_granted",
        "lifecycle_reminder",
        "known_issue_notice",
        "release_notice",
        "engineering_linked",
        "engineering_updated",
    }
)


def enqueue(
    *,
    kind: str,
    dedupe_key: str,
    recipients: Iterable,
    ticket=None,
    organization=None,
    payload: dict | None = None,
    channel: str = Outbox.Channel.EMAIL,
) -> list[Outbox]:
    """Pending rows for ``recipients`` (Users, or address strings) and webhook endpoints.

    A row's key is ``dedupe_key`` + channel + recipient, so enqueueing the same event again,
    from a retried job or a second worker, writes nothing new. ``channel`` other than email
    (a page) is sent as asked, whatever the preferences. One INSERT for all the rows; the
    rows returned are the ones asked for (their ids are not read back).
    """
    assert transaction.get_connection().in_atomic_block, "outbox rows belong to a transaction"
    rows = _rows(kind, dedupe_key, recipients, ticket, organization, payload, channel, {})
    if rows:
        insert_rows(Outbox, rows)
        ring_on_commit()
    return rows


def enqueue_many(notices: Iterable[dict]) -> int:
    """``enqueue`` for many notifications at once (a sweep's warnings): each dict holds
    ``enqueue``'s arguments. One INSERT; rows already written are skipped by their key."""
    assert transaction.get_connection().in_atomic_block, "outbox rows belong to a transaction"
    cache: dict = {}
    rows = []
    for notice in notices:
        rows += _rows(
            notice["kind"], notice["dedupe_key"], notice["recipients"], notice.get("ticket"),
            notice.get("organization"), notice.get("payload"),
            notice.get("channel", Outbox.Channel.EMAIL), cache,
        )  # fmt: skip
    if rows:
        insert_rows(Outbox, rows)
        ring_on_commit()
    return len(rows)


def _rows(
    kind, dedupe_key, recipients, ticket, organization, payload, channel, cache: dict
) -> list[Outbox]:
    """The unsaved rows of one notification. ``cache`` keeps lookups across notifications."""
    now = timezone.now()
    people = []
    seen = set()
    recipients = list(recipients)
    if channel == Outbox.Channel.EMAIL and kind in CUSTOMER_KINDS:
        recipients += _copied(ticket, recipients)
    for recipient in recipients:
        if recipient is None:
            continue
        address = recipient if isinstance(recipient, str) else recipient.email
        if not address or address in seen or address.endswith(".invalid"):
            continue
        seen.add(address)
        people.append((address, None if isinstance(recipient, str) else recipient))
    users = [user for _, user in people if user is not None]
    preferences = _channels_for(kind, users, cache) if channel == Outbox.Channel.EMAIL else {}

    def row(key, **fields) -> Outbox:
        return Outbox(
            dedupe_key=key[:200], kind=kind, ticket=ticket, organization=organization,
            next_attempt_at=now, created_at=now, **fields,
        )  # fmt: skip

    rows = []
    for address, user in people:
        channels = [channel]
        if channel == Outbox.Channel.EMAIL and user is not None:
            channels = preferences.get(user.pk, [Outbox.Channel.EMAIL])
        for each in channels:
            rows.append(
                row(
                    f"{dedupe_key}:{each}:{address}",
                    channel=each,
                    recipient=address,
                    recipient_user=user,
                    payload=payload or {},
                )
            )
    owner = organization if organization is not None else getattr(ticket, "organization", None)
    for endpoint in _endpoints_for(kind, owner, cache):
        rows.append(
            row(
                f"{dedupe_key}:webhook:{endpoint.pk}",
                channel=Outbox.Channel.WEBHOOK,
                recipient=endpoint.url,
                recipient_user=None,
                payload={**(payload or {}), "endpoint": endpoint.pk},
            )
        )
    return rows


def _copied(ticket, recipients: list) -> list:
    """The people copied on ``ticket`` (``TicketCc``) when the notification goes to its
    requester: each gets the same email, with the ticket's reply address, so they can
    answer. A copied contact is their User (their preferences apply); an outside address is
    just the address."""
    requester = getattr(ticket, "requester_id", None)
    if requester is None or getattr(ticket, "pk", None) is None:
        return []
    if not any(getattr(r, "pk", None) == requester for r in recipients if r is not None):
        return []
    return [
        cc.user if cc.user is not None else cc.email for cc in ticket.ccs.select_related("user")
    ]


def _channels_for(kind: str, users: list, cache: dict) -> dict[int, list[str]]:
    """Each user's channels for ``kind`` under their (or their organization's) preferences;
    users without any preference row are left out (email)."""
    if "any_preferences" not in cache:
        cache["any_preferences"] = NotificationPreference.objects.exists()
    if not users or not cache["any_preferences"]:
        return {}
    org_ids = {u.organization_id for u in users if u.organization_id}
    rows = NotificationPreference.objects.filter(kind__in=[kind, NotificationPreference.ANY_KIND])
    by_user: dict[int, dict[str, NotificationPreference]] = {}
    by_org: dict[int, dict[str, NotificationPreference]] = {}
    for pref in rows.filter(user__in=users) | rows.filter(organization__in=org_ids):
        if pref.user_id:
            by_user.setdefault(pref.user_id, {})[pref.kind] = pref
        else:
            by_org.setdefault(pref.organization_id, {})[pref.kind] = pref
    chosen = {}
    for user in users:
        for scope in (by_user.get(user.pk, {}), by_org.get(user.organization_id, {})):
            pref = scope.get(kind) or scope.get(NotificationPreference.ANY_KIND)
            if pref is not None:
                chosen[user.pk] = [
                    c
                    for c, on in (
                        (Outbox.Channel.EMAIL, pref.email),
                        (Outbox.Channel.PAGER, pref.pager),
                    )
                    if on
                ]
                break
    return chosen


def _endpoints_for(kind: str, organization, cache: dict) -> list[WebhookEndpoint]:
    if "endpoints" not in cache:
        cache["endpoints"] = list(WebhookEndpoint.objects.filter(active=True).order_by("pk"))
    org_id = organization.pk if organization is not None and kind in CUSTOMER_KINDS else None
    return [
        e
        for e in cache["endpoints"]
        if (e.organization_id is None or e.organization_id == org_id) and e.wants(kind)
    ]


# ----------------------------------------------------------------------------- doorbell


def ring_on_commit() -> None:
    """Wake the worker when the transaction commits (once per transaction; and not at all
    while a ring is already waiting for it, see ``pacto.notifications.tasks``). The database
    holds the truth: if the queue is down, the next periodic sweep delivers the rows."""
    if not getattr(settings, "PACTO_OUTBOX_DOORBELL", False):
        return
    connection = transaction.get_connection()
    if any(callback is tasks.ring for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(tasks.ring, robust=True)
