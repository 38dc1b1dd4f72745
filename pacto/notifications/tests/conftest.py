"""Real delivery targets on loopback: an aiosmtpd SMTP server and an HTTP receiver."""

from __future__ import annotations

import pytest

from pacto.notifications.tests.servers import HttpReceiver, SmtpServer


@pytest.fixture
def smtp(settings):
    """An SMTP server on 127.0.0.1 that Pacto's default mailer sends to."""
    server = SmtpServer().start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
        }
    }
    yield server
    server.stop()


@pytest.fixture
def receiver():
    server = HttpReceiver().start()
    yield server
    server.stop()
