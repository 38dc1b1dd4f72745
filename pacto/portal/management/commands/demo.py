"""``pacto demo``: a support desk in full swing, to look around in.

Three customers on three published policies (Banco Azul on senhasegura Premier 24x7, Verde
Energia on secpod, Xisto Logística on Xecuritas), a partner serving Banco Azul, contacts
with and without authorization, the vendor's staff, and about twenty tickets in every
status. Everything is built through the actions, with times in the past relative to now, so
the clocks are really running, paused, met and breached.

Idempotent: when the marker organization exists, nothing is changed. Every demo login's
password is ``pacto-demo``.
"""

from __future__ import annotations

import datetime as dt
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from pacto.accounts.actions import (
    do_create_contact,
    do_create_organization,
    do_create_staff,
    do_record_certification,
)
from pacto.accounts.models import Organization, User
from pacto.automation import demo as fidelity_demo
from pacto.availability import demo as availability_demo
from pacto.casework import demo as casework_demo
from pacto.catalog import demo as catalog_demo
from pacto.console import demo as console_demo
from pacto.contracts import demo as onboarding_demo
from pacto.contracts.actions import do_create_contract, preset_version
from pacto.kb import demo as kb_demo
from pacto.mail import demo as mail_demo
from pacto.portal.actions import do_set_preferences
from pacto.reports import demo as reports_demo
from pacto.services import demo as services_demo
from pacto.tickets.actions import (
    do_add_cc,
    do_approve_access_request,
    do_assign,
    do_change_severity,
    do_change_status,
    do_confirm_resolution,
    do_escalate,
    do_log_work,
    do_open_ticket,
    do_reopen,
    do_reply,
    do_request_severity_change,
    do_set_line,
)
from pacto.tickets.clocks import recompute_open_tickets
from pacto.tickets.models import SlaClock, Ticket

PASSWORD = "pacto-demo"
MARKER = "Banco Azul"  # the demo is loaded when this organization exists

SENHASEGURA_DETAILS = {
    "steps": "Open Credentials, search for 'db-prod', click Show password",
    "expected_result": "The password is shown and the access is logged",
    "obtained_result": "An error page: 'Unexpected error (500)'",
    "circumstances": "Since the upgrade to 3.31 on Monday night",
}
XECURITAS_DETAILS = {
    "hardware_os": "2 x VM, 8 vCPU, 32 GB, Red Hat Enterprise Linux 9.4",
    "obtained_result": "Scans stop at 40% with 'engine timeout'",
    "circumstances": "Every night's scheduled scan since Friday; reproducible on demand",
    "workaround": "Splitting the scan in two ranges lets it finish",
    "initial_recommendation": "Raise the engine timeout while we investigate",
}


@dataclass
class Login:
    email: str
    name: str
    who: str
    organization: str = ""


@dataclass
class Demo:
    """The people and organizations the tickets are built with."""

    now: dt.datetime
    people: dict[str, User] = field(default_factory=dict)
    orgs: dict[str, Organization] = field(default_factory=dict)

    def ago(self, days: float = 0, hours: float = 0, minutes: float = 0) -> dt.datetime:
        return self.now - dt.timedelta(days=days, hours=hours, minutes=minutes)


ORGANIZATIONS = {
    "azul": MARKER,
    "verde": "Verde Energia",
    "xisto": "Xisto Logística",
    "parceira": "Parceira Integradora",
}
STAFF = [
    # key, email, name, role, line, what the login shows
    ("admin", "admin@vendor.example", "Ada Lima", "admin", "", "administrator (Django admin)"),
    ("marina", "marina@vendor.example", "Marina Costa", "manager", "", "support manager"),
    ("felipe", "felipe@vendor.example", "Felipe Prado", "agent", "first", "agent, first line"),
    ("sara", "sara@vendor.example", "Sara Nunes", "agent", "second", "agent, second line"),
    ("paulo", "paulo@vendor.example", "Paulo Mendes", "product_manager", "", "product manager"),
]
CONTACTS = [
    # key, organization, email, name, flags, what the login shows
    ("rafael", "azul", "rafael@bancoazul.example", "Rafael Azevedo",
     {"authorized": True, "focal_point": True}, "authorized contact, focal point"),
    ("beatriz", "azul", "beatriz@bancoazul.example", "Beatriz Lima",
     {"authorized": True, "org_admin": True}, "organization admin"),
    ("carlos", "azul", "carlos@bancoazul.example", "Carlos Menezes",
     {}, "contact WITHOUT authorization (is refused)"),
    ("helena", "verde", "helena@verdeenergia.example", "Helena Rocha",
     {"authorized": True, "focal_point": True}, "authorized contact"),
    ("otavio", "verde", "otavio@verdeenergia.example", "Otávio Reis",
     {"authorized": True, "org_admin": True}, "organization admin"),
    ("james", "xisto", "james@xisto.example", "James Carter",
     {"authorized": True, "focal_point": True}, "authorized contact"),
    ("paula", "parceira", "paula@parceira.example", "Paula Freitas",
     {"authorized": True}, "partner contact, certified"),
    ("pedro", "parceira", "pedro@parceira.example", "Pedro Alves",
     {"authorized": True}, "partner contact, certification EXPIRED"),
]  # fmt: skip


def demo_logins() -> list[Login]:
    """Every demo login (all with the password ``pacto-demo``)."""
    staff = [Login(email, name, who) for _key, email, name, _role, _line, who in STAFF]
    contacts = [
        Login(email, name, who, ORGANIZATIONS[org])
        for _key, org, email, name, _flags, who in CONTACTS
    ]
    contacts += [Login(*row) for row in fidelity_demo.logins()]
    contacts += [Login(*row) for row in availability_demo.logins()]
    contacts += [Login(*row) for row in casework_demo.logins()]
    return staff + contacts


# The demo's vendor works from São Paulo; its customers' contacts read times in the zone of
# their contract's policy calendar (``organization_zone``): Banco Azul in São Paulo, Verde
# Energia in Kolkata (SecPod), Xisto Logística in New York (Xecuritas)…
VENDOR_ZONE = "America/Sao_Paulo"


def build_people(demo: Demo) -> None:
    today = demo.now.date()
    for key, email, name, role, line, _who in STAFF:
        if role == "admin":
            # The installation's administrator, as `pacto createsuperuser` makes one.
            user = User.objects.create_superuser(
                email, PASSWORD, full_name=name, time_zone=VENDOR_ZONE
            )
        else:
            user = do_create_staff(
                email=email, full_name=name, role=role, line=line, password=PASSWORD,
                time_zone=VENDOR_ZONE,
            )  # fmt: skip
        demo.people[key] = user

    marina = demo.people["marina"]
    for key, name in ORGANIZATIONS.items():
        partner = key == "parceira"
        demo.orgs[key] = do_create_organization(
            name=name,
            kind="partner" if partner else "customer",
            account_manager=None if partner else marina,
        )
    azul, verde, xisto = demo.orgs["azul"], demo.orgs["verde"], demo.orgs["xisto"]
    demo.orgs["parceira"].served_customers.add(azul)

    do_create_contract(
        organization=azul,
        service_contract_id="DEMO-AZUL-PREMIER",
        policy_version=preset_version("senhasegura"),
        plan="premier-24x7",
        starts_on=today - dt.timedelta(days=200),
        products=[
            ("senhasegura PAM", "Core", 400),
            ("senhasegura PAM", "DevOps Secret Manager", 50),
        ],
        included_services={"assisted-update": 1},
    )
    do_create_contract(
        organization=verde,
        service_contract_id="DEMO-VERDE-SANERNOW",
        policy_version=preset_version("secpod"),
        plan="standard",
        starts_on=today - dt.timedelta(days=60),
        go_live_on=today - dt.timedelta(days=20),
        hypercare_weeks=6,
        products=[("SanerNow", "Patch Management", 1200)],
    )
    do_create_contract(
        organization=xisto,
        service_contract_id="DEMO-XISTO-STANDARD",
        policy_version=preset_version("xecuritas"),
        plan="standard",
        starts_on=today - dt.timedelta(days=320),  # ends in about 45 days: up for renewal
        products=[("Xecuritas Scanner", "", 5)],
    )

    for key, org, email, name, flags, _who in CONTACTS:
        demo.people[key] = do_create_contact(
            organization=demo.orgs[org], email=email, full_name=name, password=PASSWORD,
            actor=marina, **flags,
        )  # fmt: skip
    for key, valid_until in (
        ("paula", today + dt.timedelta(days=365)),
        ("pedro", today - dt.timedelta(days=30)),
    ):
        do_record_certification(
            marina, demo.people[key], name="senhasegura PAM Core", valid_until=valid_until
        )


def build_azul_tickets(demo: Demo) -> None:
    """Banco Azul: senhasegura Premier 24x7 (São Paulo business hours; urgent calls 24x7)."""
    p, ago = demo.people, demo.ago
    felipe, sara, rafael = p["felipe"], p["sara"], p["rafael"]

    def problem(subject, body, at, severity="medium", who=rafael, **extra):
        return do_open_ticket(
            who, subject=subject, body=body, severity=severity, version="3.31.2",
            product="senhasegura PAM", details=SENHASEGURA_DETAILS, now=at, **extra,
        )  # fmt: skip

    # New, first response running.
    problem(
        "Session recordings stutter on playback",
        "Recordings of RDP sessions freeze every few seconds when played back.",
        ago(minutes=40),
    )

    # New, urgent call logged by an agent three days ago and never answered: breached.
    do_open_ticket(
        felipe, requester=rafael, channel="phone", severity="urgent",
        subject="Nobody can log in to retrieve credentials",
        body="Rafael called: every login to the vault fails since the cluster restarted.",
        product="senhasegura PAM", version="3.31.2", now=ago(days=3),
    )  # fmt: skip

    # Open, answered within the hour: first response met.
    ticket = problem(
        "LDAP synchronization misses nested groups",
        "Users of nested AD groups are not imported since Monday.",
        ago(days=2, hours=4),
        severity="high",
    )
    do_assign(felipe, ticket, felipe, now=ago(days=2, hours=3, minutes=55))
    do_reply(
        felipe, ticket, "Thanks, Rafael. Could you confirm the sync depth setting?",
        now=ago(days=2, hours=3, minutes=40),
    )  # fmt: skip
    do_reply(rafael, ticket, "Depth is set to 3.", now=ago(days=2, hours=2))
    do_reply(
        felipe, ticket, "Reproduced here; looking at the sync job.", public=False,
        now=ago(days=2, hours=1),
    )  # fmt: skip

    # Open, answered days late: breached.
    ticket = problem(
        "Password rotation fails for Oracle accounts",
        "Scheduled rotations of Oracle 19c accounts end with ORA-28007.",
        ago(days=6),
        severity="high",
    )
    do_reply(sara, ticket, "Sorry for the delay; we are on it now.", now=ago(days=1))

    # Waiting on the customer before any reply: the first-response clock is paused (§7.7).
    ticket = problem(
        "Backup job fails with exit code 3",
        "The nightly backup to the NFS share has failed twice.",
        ago(hours=3),
    )
    do_change_status(
        felipe, ticket, "waiting-on-customer",
        reason="Please attach /var/log/senhasegura/backup.log from both nodes.",
        details_requested=True, now=ago(hours=2, minutes=50),
    )  # fmt: skip

    # Pending (in progress) on the second line, first response met.
    ticket = problem(
        "API returns 500 when rotating SSH keys",
        "POST /api/pam/ssh-keys/rotate answers 500 for keys with a passphrase.",
        ago(days=1, hours=5),
        channel="api",
    )
    do_reply(felipe, ticket, "We reproduced it and passed it to the second line.",
             now=ago(days=1, hours=4, minutes=30))  # fmt: skip
    do_set_line(felipe, ticket, "second", reason="Needs a fix in the key service",
                now=ago(days=1, hours=4, minutes=20))  # fmt: skip
    do_assign(sara, ticket, sara, now=ago(days=1, hours=4))
    do_change_status(sara, ticket, "pending", now=ago(days=1, hours=4))
    do_log_work(sara, ticket, minutes=90, note="Traced to the passphrase parser",
                now=ago(days=1, hours=2))  # fmt: skip

    # Waiting on a third party (the HSM vendor).
    ticket = problem(
        "HSM integration error after firmware update",
        "After updating the Thales Luna firmware, key generation fails.",
        ago(days=4),
        severity="high",
    )
    do_reply(sara, ticket, "We opened a case with Thales and will update you.",
             now=ago(days=4, minutes=-30))  # fmt: skip
    do_change_status(sara, ticket, "waiting-on-third-party", reason="Thales case 4471",
                     now=ago(days=4, minutes=-35))  # fmt: skip

    # Solved, waiting for Rafael to confirm.
    ticket = problem(
        "How do I export audit reports to CSV?",
        "We need last month's access report in CSV for the auditors.",
        ago(days=3),
        severity="low",
        type="question",
    )
    do_reply(felipe, ticket, "Reports → Access → Export → CSV. It keeps your filters.",
             now=ago(days=2, hours=22))  # fmt: skip
    do_change_status(felipe, ticket, "solved", reason="Answered", now=ago(days=2, hours=22))

    # Closed: solved and confirmed by the requester.
    ticket = problem(
        "Certificate expiry warning on the web console",
        "The console warns the TLS certificate expires in 10 days.",
        ago(days=12),
        severity="low",
    )
    do_reply(felipe, ticket, "Upload the renewed certificate under Settings → TLS.",
             now=ago(days=12, hours=-1))  # fmt: skip
    do_change_status(felipe, ticket, "solved", now=ago(days=11))
    do_confirm_resolution(rafael, ticket, now=ago(days=10))

    # An access request approved by an agent (§7.4) creates an authorized contact.
    ticket = do_open_ticket(
        p["beatriz"], subject="Access for our new PAM administrator",
        body="Please authorize Marcos Teixeira, who joins the IAM team.",
        type="access_request",
        access_request={"email": "marcos@bancoazul.example", "full_name": "Marcos Teixeira"},
        now=ago(days=1, hours=6),
    )  # fmt: skip
    do_approve_access_request(felipe, ticket, now=ago(days=1, hours=5))

    # A feature request: no response target (§7.1), routed to product management.
    do_open_ticket(
        rafael, subject="Export session recordings as MP4",
        body="Auditors ask for recordings in a format they can play anywhere.",
        type="feature_request", severity="low", now=ago(days=5),
    )  # fmt: skip

    # Opened by the certified partner on Banco Azul's behalf; customer asks for an upgrade.
    ticket = problem(
        "Second cluster node does not join",
        "The new node at the DR site stays in 'syncing' forever.",
        ago(hours=20),
        who=p["paula"],
        organization=demo.orgs["azul"],
    )
    do_reply(felipe, ticket, "Please check that port 5432 is open between the sites.",
             now=ago(hours=19, minutes=30))  # fmt: skip
    do_request_severity_change(
        p["paula"], ticket, "high",
        justification="The DR site cannot take over while the node is out of the cluster",
        now=ago(hours=18),
    )  # fmt: skip
    do_change_severity(felipe, ticket, "high", reason="No disaster recovery meanwhile",
                       now=ago(hours=17, minutes=45))  # fmt: skip


def build_verde_tickets(demo: Demo) -> None:
    """Verde Energia: secpod (24 hours on Indian weekdays; critical issues any day)."""
    p, ago = demo.people, demo.ago
    felipe, helena = p["felipe"], p["helena"]

    def report(subject, body, at, severity="medium", who=helena):
        return do_open_ticket(who, subject=subject, body=body, severity=severity,
                              product="SanerNow", now=at)  # fmt: skip

    # Critical, two days without a reply: breached ("2 Hours or Less", any day).
    report(
        "Agents on all database servers stopped reporting",
        "None of the 40 database servers has reported since the agent update.",
        ago(days=2),
        severity="critical",
    )

    # Low, opened an hour ago: running (2 business days).
    report("Dashboard widget shows the wrong time zone", "Times show in UTC, not IST.",
           ago(hours=1), severity="low")  # fmt: skip

    # Waiting on the customer after the first reply (first response met).
    ticket = report(
        "Remediation job stuck at 80%", "The patch job for Windows hosts does not finish.",
        ago(days=1, hours=3), severity="high",
    )  # fmt: skip
    do_reply(felipe, ticket, "Could you share the agent log of one stuck host?",
             now=ago(days=1, hours=2))  # fmt: skip
    do_change_status(felipe, ticket, "waiting-on-customer", reason="Agent log requested",
                     details_requested=True, now=ago(days=1, hours=2))  # fmt: skip

    # Solved yesterday: may still be reopened (3 days).
    ticket = report("Scan schedule ignores daylight saving", "Scans run an hour late.",
                    ago(days=2, hours=6))  # fmt: skip
    do_reply(felipe, ticket, "Fixed in agent 5.2.1; please update.", now=ago(days=2, hours=1))
    do_change_status(felipe, ticket, "solved", reason="Fix released", now=ago(days=1))

    # Closed by the customer.
    ticket = report("Licence count looks wrong", "We see 1,100 of 1,200 licences in use.",
                    ago(days=9), severity="low")  # fmt: skip
    do_reply(felipe, ticket, "Decommissioned hosts count for 30 days.", now=ago(days=8))
    do_change_status(felipe, ticket, "solved", now=ago(days=8))
    do_confirm_resolution(p["otavio"], ticket, now=ago(days=7))

    # Solved, then reopened inside the window.
    ticket = report("Reboot prompts ignore the maintenance window",
                    "Users are asked to reboot during business hours.", ago(days=4))  # fmt: skip
    do_reply(felipe, ticket, "The window setting was per group; set it globally.",
             now=ago(days=3, hours=20))  # fmt: skip
    do_change_status(felipe, ticket, "solved", now=ago(days=2))
    do_reopen(helena, ticket, reason="It happened again this morning", now=ago(days=1))


def build_xisto_tickets(demo: Demo) -> None:
    """Xisto Logística: Xecuritas (8 am to 7 pm US Eastern on weekdays; severity 1 24x7)."""
    p, ago = demo.people, demo.ago
    felipe, sara, james = p["felipe"], p["sara"], p["james"]

    def problem(subject, at, severity):
        return do_open_ticket(
            james, subject=subject, body="See the details below.", severity=severity,
            product="Xecuritas Scanner", version="10.4", details=XECURITAS_DETAILS, now=at,
        )  # fmt: skip

    # Severity 1 answered two hours late: first response and resolution breached.
    ticket = problem("Scanner cluster down after power failure", ago(days=3), "sev1")
    do_reply(sara, ticket, "On-call engineer here, connecting now.", now=ago(days=3, hours=-2))
    do_change_status(sara, ticket, "pending", now=ago(days=3, hours=-2))

    # Severity 2 answered within minutes: first response met, resolution running.
    ticket = problem("Nightly scans stop at 40%", ago(hours=2), "sev2")
    do_assign(felipe, ticket, felipe, now=ago(hours=1, minutes=55))
    do_reply(felipe, ticket, "Raise the engine timeout to 900 s while we look.",
             now=ago(hours=1, minutes=50))  # fmt: skip
    do_change_status(felipe, ticket, "pending", now=ago(hours=1, minutes=50))
    do_escalate(james, ticket, reason="Our compliance scan deadline is Friday",
                now=ago(hours=1))  # fmt: skip

    # Severity 3 solved: both clocks met.
    ticket = problem("Report PDF misses the company logo", ago(days=6), "sev3")
    do_reply(felipe, ticket, "Known issue; fixed in 10.4.1.", now=ago(days=6, hours=-1))
    do_change_status(felipe, ticket, "solved", reason="Fixed in 10.4.1", now=ago(days=5))


MARKDOWN_NOTE = """Reproduced in the lab. The log shows:

```
ERROR connection reset by peer (after 30 s)
```

- [x] logs collected
- [ ] fix confirmed by the customer

See https://status.vendor.example for the platform's status."""


def build_copies_and_notes(demo: Demo) -> None:
    """On the newest open ticket of each preset: a colleague's outside address copied (the
    public replies reach it, and its answers land on the ticket) and an agent's internal note
    in Markdown (a code block, a checklist, a bare link), which moves no clock."""
    felipe = demo.people["felipe"]
    for policy in ("senhasegura", "secpod", "allure", "xecuritas", "andmoney"):
        ticket = (
            Ticket.objects.filter(
                policy_version__policy_id=policy, organization__in=demo.orgs.values()
            )
            .exclude(status_category__in=("solved", "closed"))
            .exclude(requester__isnull=True)
            .order_by("-opened_at")
            .first()
        )
        if ticket is None:
            continue
        domain = ticket.requester.email.split("@", 1)[1]
        do_add_cc(ticket.requester, ticket, f"operations@{domain}", now=demo.now)
        do_reply(felipe, ticket, MARKDOWN_NOTE, public=False, now=demo.now)


def wait_for(url: str, seconds: float = 120) -> None:
    """Poll ``url`` until it answers (any HTTP status) or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            time.sleep(0.3)


class Command(BaseCommand):
    help = "Load demonstration organizations, contacts, contracts and tickets (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-logins", action="store_true", help="Load the demo without listing the logins."
        )
        parser.add_argument(
            "--logins",
            action="store_true",
            help="Only list the logins, the address and where the demo's emails go "
            "(what `make run` prints last).",
        )
        parser.add_argument(
            "--wait-for",
            metavar="URL",
            default="",
            help="With --logins: wait until the server answers at URL first.",
        )

    def handle(self, *args, **options):
        if options["logins"]:
            if options["wait_for"]:
                wait_for(options["wait_for"])
            self.print_logins()
            self.print_where()
            return
        self.migrate_if_needed()
        if Organization.objects.filter(name=MARKER).exists():
            self.stdout.write(f"Demo data already loaded ({MARKER} exists); nothing changed.")
        else:
            now = timezone.now().replace(second=0, microsecond=0)
            demo = Demo(now=now)
            with transaction.atomic():
                build_people(demo)
                onboarding_demo.load_partnerships(demo)
                build_azul_tickets(demo)
                build_verde_tickets(demo)
                build_xisto_tickets(demo)
                fidelity_demo.load(demo)
                casework_demo.load(demo)
                mail_demo.load(demo)
                catalog_demo.load(demo)
                availability_demo.load(demo)
                services_demo.load(demo)
                kb_demo.load(demo)
                onboarding_demo.load(demo)
                # Each action stored its clocks as of its own (past) time; bring them to now.
                recompute_open_tickets(
                    now, Ticket.objects.filter(organization__in=demo.orgs.values())
                )
                reports_demo.load(demo)
                console_demo.load(demo)
                build_copies_and_notes(demo)
                # The demo's people read times in their real zones (their contract's calendar,
                # the vendor's office), which count as chosen: a visitor's browser does not
                # move them, so every page reads as the demo's guide says.
                logins = [login.email for login in demo_logins()]
                for person in User.objects.filter(email__in=logins, time_zone_guessed=True):
                    do_set_preferences(person, time_zone=person.time_zone)
            self.stdout.write("Demo data loaded.")
            self.report()
        if not options["no_logins"]:
            self.print_logins()

    def print_where(self) -> None:
        """The address to open and where emails go, as the last lines of `make run`."""
        self.stdout.write("")
        if settings.MAILERS["default"]["BACKEND"] == "pacto.notifications.mailfile.EmailBackend":
            path = Path(settings.PACTO_MAIL_FILE)
            if path.is_relative_to(Path.cwd()):
                path = path.relative_to(Path.cwd())
            self.stdout.write(f"Emails are not sent: the worker appends them to {path}")
        self.stdout.write(
            self.style.SUCCESS(f"Pacto is running at {settings.PACTO_BASE_URL}/")
            + "  (Ctrl-C stops the server and the worker)"
        )

    def migrate_if_needed(self) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stderr.write("The database is not migrated yet: migrating first.")
            call_command("migrate", interactive=False, verbosity=0)

    def report(self) -> None:
        tickets = Ticket.objects.filter(organization__name__in=ORGANIZATIONS.values())
        statuses = Counter(tickets.values_list("status_category", flat=True))
        clocks = Counter(
            SlaClock.objects.filter(ticket__in=tickets).values_list("state", flat=True)
        )
        self.stdout.write(
            f"  {tickets.count()} tickets: "
            + ", ".join(f"{count} {name}" for name, count in sorted(statuses.items()))
        )
        self.stdout.write(
            "  clocks: " + ", ".join(f"{count} {name}" for name, count in sorted(clocks.items()))
        )

    def print_logins(self) -> None:
        logins = demo_logins()
        rows = [("login", "name", "who", "organization")] + [
            (login.email, login.name, login.who, login.organization or "(vendor)")
            for login in logins
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for every one: {PASSWORD}):")
        for index, row in enumerate(rows):
            self.stdout.write(
                "  "
                + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
            if index == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
