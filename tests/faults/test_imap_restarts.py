"""``pacto mail poll --idle`` (a real process) against a real Dovecot that is restarted again
and again while mail keeps arriving: every message opens its ticket once; none is lost. A
message recorded just before the server went away is fetched again and logged as a
duplicate, never a second ticket."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections import Counter

import pytest

from pacto.automation.tests.test_faults import shared_database
from pacto.mail.models import InboundMessage
from pacto.mail.tests.dovecot import Dovecot, message
from pacto.tickets.models import Ticket

pytestmark = pytest.mark.slow  # real processes: run once in CI, on SQLite

ROUNDS, PER_ROUND = 6, 8


def report(name: str, **figures) -> None:
    print(f"\n[fault] {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


def test_the_poller_loses_nothing_and_doubles_nothing_across_server_restarts(world, tmp_path, web):
    dovecot = Dovecot().start()
    rng = random.Random(21)
    subjects = [f"Restart case {n}" for n in range(ROUNDS * PER_ROUND + PER_ROUND)]
    restarts = 0
    try:
        with shared_database(tmp_path):
            # After the database moved to a file: the poller's DATABASE_URL names it.
            env = web.environment(
                PACTO_VAR_DIR=str(tmp_path / "var"), PACTO_IMAP_MAILBOXES=dovecot.url,
                PACTO_MAIL_SENDER_RATE="100000/hour", PACTO_SUPPORT_ADDRESS="support@pacto.localhost",
                PACTO_EMAIL_DOMAIN="pacto.localhost", PACTO_OUTBOX_DOORBELL="0",
            )  # fmt: skip
            poller = subprocess.Popen(
                [sys.executable, "-m", "pacto", "mail", "poll", "--idle", "--every", "1"],
                env=env, stdout=(tmp_path / "poll.log").open("ab"), stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                batches = [subjects[i : i + PER_ROUND] for i in range(0, len(subjects), PER_ROUND)]
                for batch in batches[:-1]:
                    dovecot.deliver(*(message(world.alice.email, s) for s in batch))
                    time.sleep(rng.uniform(0.2, 2.0))  # often while the poller is fetching
                    dovecot.stop()
                    time.sleep(rng.uniform(0.1, 1.5))
                    dovecot.start()
                    restarts += 1
                dovecot.deliver(*(message(world.alice.email, s) for s in batches[-1]))
                deadline = time.monotonic() + 240
                while time.monotonic() < deadline:
                    done = set(
                        Ticket.objects.filter(subject__startswith="Restart case").values_list(
                            "subject", flat=True
                        )
                    )
                    if done == set(subjects):
                        break
                    assert poller.poll() is None, (tmp_path / "poll.log").read_text()[-2000:]
                    time.sleep(1)
                time.sleep(2)  # one more pass: nothing may come twice
            finally:
                poller.terminate()
                poller.wait(30)
            opened = Counter(
                Ticket.objects.filter(subject__startswith="Restart case").values_list(
                    "subject", flat=True
                )
            )
            outcomes = Counter(InboundMessage.objects.values_list("outcome", flat=True))
            seen = dovecot.flags()
    finally:
        dovecot.cleanup()

    lost = [s for s in subjects if s not in opened]
    twice = [s for s, n in opened.items() if n > 1]
    report(
        "IMAP poller across Dovecot restarts", messages=len(subjects), restarts=restarts,
        tickets=sum(opened.values()), lost=len(lost), opened_twice=len(twice),
        logged_duplicates=outcomes.get("duplicate", 0),
    )  # fmt: skip
    assert lost == []
    assert twice == []
    assert outcomes["ticket_opened"] == len(subjects)
    assert set(outcomes) <= {"ticket_opened", "duplicate"}
    assert all(b"\\Seen" in flags for flags in seen.values())
