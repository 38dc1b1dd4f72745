"""A private Dovecot IMAP server for tests: Debian's ``dovecot-imapd`` started on a free
loopback port with its own configuration, mail directory and passwd-file user, all in a
temporary directory. Nothing of the machine's own Dovecot (service, configuration, mail) is
read or changed; ``stop()`` and ``start()`` on the same port make an outage.

CI installs the package when it is missing; elsewhere the tests that need it are skipped with
a message (``PACTO_REQUIRE_DOVECOT=1`` makes that an error).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from pacto.notifications.tests.servers import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "support@pacto.localhost", "imap-test-secret"


def require_dovecot() -> None:
    if not os.access(DOVECOT, os.X_OK):
        message = "Dovecot is not installed (apt-get install dovecot-imapd)"
        if os.environ.get("PACTO_REQUIRE_DOVECOT"):
            pytest.fail(message)
        pytest.skip(message)


class Dovecot:
    def __init__(self):
        require_dovecot()
        # Short paths: Dovecot's unix sockets live in base_dir (108-byte limit).
        self.root = Path(tempfile.mkdtemp(prefix="pacto-dovecot-"))
        self.root.chmod(0o755)  # the auth and mail processes run as other users
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        if os.geteuid() == 0:  # Dovecot refuses mail access as root: mail belongs to nobody
            owner = pwd.getpwnam("nobody")
            self.uid, self.gid = owner.pw_uid, owner.pw_gid
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
        for name in ("run", "mail", "home"):
            (self.root / name).mkdir()
        for name in ("mail", "home"):
            os.chown(self.root / name, self.uid, self.gid)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        self.config = self.root / "dovecot.conf"
        self.config.write_text(self._config())

    def _config(self) -> str:
        me = pwd.getpwuid(os.getuid()).pw_name
        unprivileged = "" if os.geteuid() == 0 else (
            f"default_login_user = {me}\ndefault_internal_user = {me}\n"
        )  # fmt: skip
        return f"""\
base_dir = {self.root}/run
state_dir = {self.root}/run/state
log_path = {self.root}/dovecot.log
{unprivileged}protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{self.root}/mail/%u
mail_max_userip_connections = 100
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={self.root}/home/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""

    @property
    def url(self) -> str:
        return f"imap://{USER.replace('@', '%40')}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"

    def start(self, seconds: float = 30) -> Dovecot:
        (self.root / "run" / "state").mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL, stderr=(self.root / "stderr.log").open("ab"),
            start_new_session=True,  # its own process group: stop() ends every child too
        )  # fmt: skip
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.logs()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
                    if sock.recv(200).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not answer: {self.logs()}")

    def stop(self) -> None:
        if self.process is None:
            return
        group = self.process.pid  # the session leader's id is the group's
        # The whole group: the master leaves running imap sessions behind, and an outage
        # must drop them as a crashed or restarted server does.
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        self.process = None
        deadline = time.monotonic() + 15  # until the port is free again
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                time.sleep(0.1)
            except OSError:
                return

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def logs(self) -> str:
        text = ""
        for name in ("stderr.log", "dovecot.log"):
            path = self.root / name
            if path.exists():
                text += path.read_text(errors="replace")[-3000:]
        return text

    # -------------------------------------------------------------- the mailbox, over IMAP

    def client(self):
        from imapclient import IMAPClient

        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=30)
        client.login(USER, PASSWORD)
        return client

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        """Put messages in the mailbox as a mail server would (IMAP APPEND, unseen)."""
        client = self.client()
        try:
            for raw in messages:
                client.append(folder, raw)
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX") -> dict[str, set[bytes]]:
        """Message-ID → flags of every message in ``folder``."""
        client = self.client()
        try:
            if not client.folder_exists(folder):
                return {}
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            found = (
                client.fetch(uids, ["FLAGS", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
                if uids
                else {}
            )
            return {
                data[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode().split(":", 1)[1].strip(): set(
                    data[b"FLAGS"]
                )
                for data in found.values()
            }
        finally:
            client.logout()


def message(sender: str, subject: str, body: str = "The vault stopped answering.") -> bytes:
    """A plain email to support, with a unique Message-ID."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "support@pacto.localhost"
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain="customer.example")
    mail["Date"] = "Thu, 15 Jan 2026 10:00:00 -0300"
    mail.set_content(body)
    return mail.as_bytes()
