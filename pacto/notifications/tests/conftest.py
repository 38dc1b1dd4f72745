"""Real delivery targets on loopback: an HTTP receiver (the SMTP server is the root conftest's ``smtp``)."""

from __future__ import annotations

import pytest

from pacto.notifications.tests.servers import HttpReceiver


@pytest.fixture
def receiver():
    server = HttpReceiver().start()
    yield server
    server.stop()
