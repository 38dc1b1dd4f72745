"""Real servers on loopback for delivery tests: an SMTP server (aiosmtpd) that records every
message it accepts, and an HTTP receiver (stdlib http.server) for webhooks and pagers.

Run as a program, the SMTP recorder appends the Message-ID of each accepted message to a
file before answering 250, so a test in another process can count deliveries exactly:

    python -m pacto.notifications.tests.servers smtp PORT FILE
"""

from __future__ import annotations

import email
import json
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ----------------------------------------------------------------------------- SMTP


class RecordingHandler:
    """aiosmtpd handler: keeps each accepted message; can refuse recipients (550)."""

    def __init__(self, record_to: str | None = None):
        self.messages: list[Message] = []
        self.envelopes: list = []
        self.refuse: set[str] = set()
        self.record_to = record_to
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self._lock:
            self.messages.append(message)
            self.envelopes.append(envelope)
            if self.record_to:
                with open(self.record_to, "a") as out:
                    out.write(f"{message['Message-ID']}\n")
                    out.flush()
                    os.fsync(out.fileno())
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


class SmtpServer:
    """An aiosmtpd server in a thread on 127.0.0.1; ``stop()`` and ``start()`` again on the
    same port simulate an outage."""

    def __init__(self, port: int | None = None, record_to: str | None = None):
        self.port = port or free_port()
        self.handler = RecordingHandler(record_to)
        self.controller = None

    def start(self) -> SmtpServer:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


# ----------------------------------------------------------------------------- HTTP


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """Records POSTs; answers with the next status of ``statuses`` (then 200)."""

    statuses: list[int] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    port: int = 0

    def start(self) -> HttpReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append(Request(self.path, dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"status": "success"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main(argv: list[str]) -> None:
    kind, port, record_to = argv
    assert kind == "smtp"
    server = SmtpServer(int(port), record_to).start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        server.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
