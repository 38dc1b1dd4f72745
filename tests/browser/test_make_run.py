"""`make run` on a port of one's own: the demo's emails link to that port, and the links open.

This runs the real thing (migrate, the demo, the worker and the server) in a folder of its
own (``PACTO_VAR_DIR``: database, queue and mail file), so it takes a minute or two.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pacto.portal.management.commands.demo import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def links_in(mail_file: Path) -> list[tuple[str, str]]:
    """Every http link in the text parts of the mail file's messages (separated by a line of
    dashes, as Django's console backend writes them), with the message's recipient."""
    links = []
    if not mail_file.exists():
        return links
    for raw in re.split(rb"^-{79}$", mail_file.read_bytes(), flags=re.MULTILINE):
        if not raw.strip():
            continue
        message = email.message_from_bytes(raw, policy=email.policy.default)
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                found = re.findall(r"https?://[^\s>\")]+", part.get_content())
                links += [(str(message["To"]), link) for link in found]
    return links


@pytest.fixture
def make_run(tmp_path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PACTO_", "DJANGO_", "DATABASE_URL", "PYTEST"))
    }
    env |= {"PACTO_VAR_DIR": str(tmp_path), "PACTO_LOG_LEVEL": "WARNING"}
    log = (tmp_path / "make-run.log").open("w")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", "HOST=127.0.0.1", f"PORT={port}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    output = tmp_path / "make-run.log"
    deadline = time.monotonic() + 600
    while "Pacto is running at" not in output.read_text():
        assert process.poll() is None, "make run stopped:\n" + output.read_text()[-3000:]
        assert time.monotonic() < deadline, "make run never came up:\n" + output.read_text()
        time.sleep(1)
    yield port, tmp_path, output
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    log.close()


def test_make_run_on_another_port_sends_emails_whose_links_open(make_run, browser):
    port, folder, output = make_run
    address = f"http://127.0.0.1:{port}"
    printed = output.read_text()
    # The address and the logins come last, with where the emails went.
    assert printed.rstrip().splitlines()[-1].startswith(f"Pacto is running at {address}/")
    assert str(folder / "mail" / "outbox.eml") in printed

    # The worker delivers the demo's outbox into the mail file.
    deadline = time.monotonic() + 300
    mail_file = folder / "mail" / "outbox.eml"
    while not (tickets := [(to, u) for to, u in links_in(mail_file) if "/tickets/" in u]):
        assert time.monotonic() < deadline, "no email with a ticket link was written"
        time.sleep(2)
    links = [link for _to, link in links_in(mail_file)]
    assert all(link.startswith(address) for link in links), {
        link for link in links if not link.startswith(address)
    }
    # A ticket link answers: the sign-in page first, as the reader is not signed in yet.
    recipient, link = tickets[0]
    with urllib.request.urlopen(link, timeout=30) as answer:
        assert answer.status == 200
        assert "/accounts/login/" in answer.url

    context = browser.new_context(locale="en-US")
    try:
        page = context.new_page()
        page.goto(link)
        page.locator("input[name=login]").fill(email.utils.parseaddr(recipient)[1])
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        # Signed in, the reader lands on the ticket the email was about.
        page.wait_for_url(link)
        number = re.search(r"/tickets/(\d+)/", link).group(1)
        expect(page.locator("main")).to_contain_text(f"#{number}")
    finally:
        context.close()
