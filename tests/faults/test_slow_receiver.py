"""A webhook receiver that takes its time must not stop the desk: the worker sends with no
transaction open, so on SQLite (whose transactions hold the write lock) a ticket is opened
while the delivery is still waiting for its answer."""

from __future__ import annotations

import datetime as dt
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pacto.automation.tests.test_faults import fork, shared_database, wait
from pacto.notifications.delivery import deliver_due
from pacto.notifications.models import Outbox, WebhookEndpoint
from pacto.testing import PROBLEM_DETAILS
from pacto.tickets.actions import do_open_ticket
from pacto.tickets.models import Ticket

pytestmark = pytest.mark.slow  # real processes: run once in CI, on SQLite

HOLD_SECONDS = 5


class HoldingReceiver:
    """An HTTP receiver that, for each POST, says it has it and answers ``HOLD_SECONDS``
    later."""

    def __init__(self):
        self.received = threading.Event()
        self.answered = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("content-length") or 0))
                receiver.received.set()
                threading.Event().wait(HOLD_SECONDS)
                receiver.answered.set()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def open_ticket(contact, subject: str) -> Ticket:
    return do_open_ticket(
        contact, subject=subject, body="It stopped working.", severity="high", version="3.31",
        details=PROBLEM_DETAILS, now=dt.datetime(2026, 6, 15, 13, 0, tzinfo=dt.UTC),
    )  # fmt: skip


def deliver_webhooks() -> None:
    assert deliver_due(dt.datetime.now(dt.UTC) + dt.timedelta(days=1), limit=1) == {"sent": 1}


def test_a_ticket_opens_while_a_webhook_receiver_holds_its_delivery_for_5_seconds(world, tmp_path):
    receiver = HoldingReceiver()
    WebhookEndpoint.objects.create(organization=world.azul, url=receiver.url, secret="s3cret")
    open_ticket(world.alice, "Vault unreachable")
    Outbox.objects.exclude(channel=Outbox.Channel.WEBHOOK).delete()
    try:
        with shared_database(tmp_path):
            worker = fork(deliver_webhooks)
            assert receiver.received.wait(30), "the worker never reached the receiver"

            second = open_ticket(world.alice, "Sessions are not recorded")

            held_meanwhile = not receiver.answered.is_set()
            assert os.waitstatus_to_exitcode(wait(worker)) == 0
            assert Ticket.objects.filter(pk=second.pk).exists()
            assert not Outbox.objects.filter(state=Outbox.State.SENDING).exists()
    finally:
        receiver.stop()
    assert held_meanwhile, "the ticket waited for the webhook receiver to answer"
