"""``pacto mail``: the email channel from the command line.

    pacto mail ingest [FILE] [--source NAME]     one raw message (stdin by default)
    pacto mail poll [--once] [--every SECONDS] [--idle]

``ingest`` prints the outcome (``ticket_opened #12``, ``duplicate``…) and exits 0 whenever
the message was recorded, so it can be a mail server's delivery command (Postfix ``pipe``);
when nothing could be recorded (the database is down) it exits 75, EX_TEMPFAIL, and the
mail server tries again later.
"""

from __future__ import annotations

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "The email channel: ingest one message, or poll the IMAP mailboxes."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ingest|poll")
        ingest = actions.add_parser("ingest", help="ingest one raw message (stdin by default)")
        ingest.add_argument("file", nargs="?", default="-", help="an .eml file; - for stdin")
        ingest.add_argument("--source", default="cli", help="what the log says it came from")
        poll = actions.add_parser("poll", help="poll PACTO_IMAP_MAILBOXES")
        poll.add_argument("--once", action="store_true", help="one pass, then exit")
        poll.add_argument(
            "--every", type=float, default=None, help="seconds between passes (default: setting)"
        )
        poll.add_argument(
            "--idle", action="store_true", help="wait with IMAP IDLE on the first mailbox"
        )

    def handle(self, *args, action: str, **options):
        if action == "ingest":
            return self.ingest(options["file"], options["source"])
        return self.poll(options["once"], options["every"], options["idle"])

    def ingest(self, path: str, source: str) -> None:
        from pacto.mail.ingest import ingest_message

        if path == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as handle:
                raw = handle.read()
        if not raw.strip():
            raise CommandError("no message: pipe a raw email into `pacto mail ingest`")
        if len(raw) > settings.PACTO_MAIL_MAX_BYTES:
            raise CommandError(f"the message is larger than {settings.PACTO_MAIL_MAX_BYTES} bytes")
        try:
            record = ingest_message(raw, now=timezone.now(), source=source)
        except Exception as exc:
            raise CommandError(f"not recorded: {exc}", returncode=EX_TEMPFAIL) from exc
        ticket = f" #{record.ticket_id}" if record.ticket_id else ""
        self.stdout.write(f"{record.outcome}{ticket} {record.message_id}")
        if record.detail and record.outcome != "error":
            self.stdout.write(f"  {record.detail.splitlines()[0]}")
        elif record.detail:
            self.stderr.write(record.detail)

    def poll(self, once: bool, every: float | None, idle: bool) -> None:
        from pacto.mail import imap

        boxes = imap.mailboxes()
        if not boxes:
            raise CommandError("set PACTO_IMAP_MAILBOXES (see docs/email.md)")
        every = every if every is not None else settings.PACTO_IMAP_POLL_SECONDS
        while True:
            for label, counts in imap.poll_all().items():
                summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing new"
                self.stdout.write(f"{label}: {summary}")
            if once:
                return
            if idle:
                try:
                    imap.wait_for_mail(boxes[0], every)
                    continue
                except Exception as exc:
                    self.stderr.write(f"IDLE failed ({exc}); polling every {every}s instead")
                    idle = False
            time.sleep(every)
