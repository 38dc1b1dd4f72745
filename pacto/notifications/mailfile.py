"""Development email: every message appended to one file instead of sent or printed.

Without an SMTP server (``PACTO_DEBUG=1`` and no ``PACTO_SMTP_URL``/``EMAIL_HOST``) the
worker writes the emails here, so the demo's few hundred notifications neither flood the
terminal nor go anywhere; ``make run`` prints the file's path once.
"""

from __future__ import annotations

from pathlib import Path

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend


class EmailBackend(ConsoleEmailBackend):
    """Append each message (as sent, headers and MIME parts) to ``path``, separated by a
    line of dashes. Safe to share between the web and worker processes: each batch opens,
    appends and closes the file."""

    def __init__(self, fail_silently=False, path=None, **kwargs):
        kwargs["stream"] = None
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.path = Path(path or "var/mail/outbox.eml")

    def open(self):
        if self.stream is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.stream = self.path.open("a", encoding="utf-8")
            return True
        return False

    def close(self):
        try:
            if self.stream is not None:
                self.stream.close()
        finally:
            self.stream = None
