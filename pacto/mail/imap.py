"""Polling IMAP mailboxes (``PACTO_IMAP_MAILBOXES``) for new email.

Each mailbox is a URL::

    imaps://support%40vendor.example:app-password@imap.example.com/INBOX
    imap://user:password@mail.internal:143/Support?starttls=1&move_to=Pacto/Done

``imaps`` is TLS from the start (port 993), ``imap`` plain (port 143), with STARTTLS when
``starttls=1``. Without ``move_to`` Pacto fetches the unseen messages of the folder and
marks each one ``\\Seen`` once it is recorded; with ``move_to`` it fetches every message in
the folder and moves each one there once recorded (use a folder nobody else reads). A
message is fetched with ``BODY.PEEK[]`` so nothing changes on the server until Pacto has
recorded it; if Pacto stops in between, the message is fetched again and logged as a
duplicate.
"""

from __future__ import annotations

import datetime as dt
import logging
import ssl
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from pacto.mail.ingest import ingest_message

log = logging.getLogger(__name__)

SEEN = b"\\Seen"


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    use_ssl: bool
    starttls: bool
    username: str
    password: str
    folder: str
    move_to: str

    @property
    def label(self) -> str:
        """The mailbox without its password, for logs."""
        return f"{self.username}@{self.host}:{self.port}/{self.folder}"


def parse_mailbox_url(url: str) -> Mailbox:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("imap", "imaps"):
        raise ImproperlyConfigured(f"PACTO_IMAP_MAILBOXES: {parts.scheme}:// is not imap or imaps")
    if not parts.hostname or not parts.username:
        raise ImproperlyConfigured("PACTO_IMAP_MAILBOXES: imaps://user:password@host/FOLDER")
    query = parse_qs(parts.query)
    use_ssl = parts.scheme == "imaps"
    return Mailbox(
        host=parts.hostname,
        port=parts.port or (993 if use_ssl else 143),
        use_ssl=use_ssl,
        starttls=not use_ssl and query.get("starttls", ["0"])[0] in ("1", "true", "yes"),
        username=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        move_to=query.get("move_to", [""])[0],
    )


def mailboxes() -> list[Mailbox]:
    return [parse_mailbox_url(url) for url in settings.PACTO_IMAP_MAILBOXES]


def _connect(mailbox: Mailbox, client_class):
    client = client_class(mailbox.host, port=mailbox.port, ssl=mailbox.use_ssl, timeout=60)
    if mailbox.starttls:
        client.starttls(ssl.create_default_context())
    client.login(mailbox.username, mailbox.password)
    return client


def poll_mailbox(
    mailbox: Mailbox,
    *,
    client_class=None,
    limit: int = 200,
    clock: Callable[[], dt.datetime] | None = None,
) -> Counter[str]:
    """Ingest up to ``limit`` new messages of one mailbox; returns counts by outcome."""
    if client_class is None:
        from imapclient import IMAPClient as client_class
    counts: Counter[str] = Counter()
    client = _connect(mailbox, client_class)
    try:
        client.select_folder(mailbox.folder)
        uids = client.search(["ALL"] if mailbox.move_to else ["UNSEEN"])
        for uid in sorted(uids)[:limit]:
            fetched = client.fetch([uid], ["BODY.PEEK[]", "RFC822.SIZE"]).get(uid) or {}
            raw = fetched.get(b"BODY[]")
            size = fetched.get(b"RFC822.SIZE") or len(raw or b"")
            if raw is None:
                continue  # expunged meanwhile
            if size > settings.PACTO_MAIL_MAX_BYTES:
                log.warning(
                    "mailbox %s: message %s is %s bytes, over the limit", mailbox.label, uid, size
                )
                counts["too_large"] += 1
            else:
                record = ingest_message(
                    raw, now=(clock or timezone.now)(), source=f"imap:{mailbox.label}"[:200]
                )
                counts[record.outcome] += 1
            if mailbox.move_to:
                client.move([uid], mailbox.move_to)
            else:
                client.add_flags([uid], [SEEN])
    finally:
        try:
            client.logout()
        except Exception:
            log.debug("logout from %s failed", mailbox.label, exc_info=True)
    return counts


def poll_all(
    *, client_class=None, clock: Callable[[], dt.datetime] | None = None
) -> dict[str, Counter[str]]:
    """One pass over every configured mailbox; a failing mailbox does not stop the others."""
    results = {}
    for mailbox in mailboxes():
        try:
            results[mailbox.label] = poll_mailbox(mailbox, client_class=client_class, clock=clock)
        except Exception as exc:
            log.warning("mailbox %s could not be polled: %s", mailbox.label, exc)
            results[mailbox.label] = Counter({"unreachable": 1})
    return results


def wait_for_mail(mailbox: Mailbox, seconds: float, *, client_class=None) -> None:
    """IMAP IDLE on one mailbox for up to ``seconds`` (returns early when mail arrives);
    a plain sleep when the server does not support IDLE."""
    if client_class is None:
        from imapclient import IMAPClient as client_class
    client = _connect(mailbox, client_class)
    try:
        if b"IDLE" not in client.capabilities():
            time.sleep(seconds)
            return
        client.select_folder(mailbox.folder, readonly=True)
        client.idle()
        try:
            client.idle_check(timeout=seconds)
        finally:
            client.idle_done()
    finally:
        try:
            client.logout()
        except Exception:
            log.debug("logout from %s failed", mailbox.label, exc_info=True)
