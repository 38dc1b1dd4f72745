"""Regenerate the screenshots of Pacto's main pages in docs/screenshots/ (PNG).

    uv run python scripts/screenshots.py [--only NAME ...] [--language en pt-br]

It builds a throwaway installation in a temporary folder (SQLite), fills it through the
actions with the named people of ``pacto.testing`` and tickets at fixed instants, pins the
clock at Thursday 19 November 2026, 20:00 in São Paulo (the evening before the Black
Consciousness Day holiday), serves it on 127.0.0.1 and drives Debian's Chromium
(/usr/bin/chromium, through Playwright; no browser is downloaded) through the portal, the
console, the catalogue, the reports and a customer report's PDF, signing in through the
real sign-in form, once in English (docs/screenshots/) and once in Brazilian Portuguese
(docs/screenshots/pt-BR/). docs/ui.md embeds the images.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NOW = dt.datetime(2026, 11, 19, 20, 0, tzinfo=SAO_PAULO)
CHROMIUM = os.environ.get("PACTO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def setup_django(var_dir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="pacto.settings",
        PACTO_DEBUG="1",
        PACTO_VAR_DIR=str(var_dir),
        PACTO_OUTBOX_DOORBELL="0",
        # The PDF page is rendered through the ORM while Playwright's loop runs on this thread.
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
        PACTO_LOG_LEVEL="WARNING",
        DATABASE_URL=f"sqlite:///{var_dir / 'screens.sqlite3'}",
    )
    import django
    from django.conf import settings

    django.setup()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=SAO_PAULO)


def build_scene() -> dict:
    """The people of ``pacto.testing`` and a fortnight of tickets, all through the actions."""
    from pacto.portal.actions import do_set_preferences
    from pacto.testing import PROBLEM_DETAILS, build_world
    from pacto.tickets.actions import (
        do_approve_access_request,
        do_assign,
        do_change_severity,
        do_change_status,
        do_log_work,
        do_open_ticket,
        do_reply,
        do_set_line,
    )

    world = build_world()
    for person in (world.alice, world.amelia, world.fiona, world.sam, world.maria, world.paul):
        do_set_preferences(person, time_zone="America/Sao_Paulo")
    do_set_preferences(world.carol, time_zone="Asia/Kolkata")

    def problem(actor, subject, severity, when, body, **kw):
        return do_open_ticket(
            actor,
            subject=subject,
            body=body,
            severity=severity,
            version="3.31.2",
            product="senhasegura PAM",
            details=PROBLEM_DETAILS,
            now=when,
            **kw,
        )

    # Earlier in November: first responses on time and late, for the dashboard's chart.
    history = [
        ("high", at(3, 10), at(3, 11, 30)),
        ("high", at(4, 14), at(4, 15)),
        ("high", at(5, 9, 30), at(5, 16)),
        ("medium", at(6, 10), at(6, 12)),
        ("medium", at(9, 11), at(10, 9, 30)),
        ("medium", at(10, 15), at(12, 10)),
        ("low", at(11, 9), at(11, 17)),
        ("urgent", at(12, 9), at(12, 10)),
        ("urgent", at(13, 15), at(13, 18)),
        ("low", at(13, 10), at(16, 9, 15)),
    ]
    for i, (severity, opened, replied) in enumerate(history):
        ticket = problem(
            world.alice if i % 2 else world.amelia,
            f"Earlier problem {i + 1}",
            severity,
            opened,
            "Reported earlier this month.",
        )
        do_reply(world.fiona, ticket, "We are looking into it.", now=replied)
        do_change_status(
            world.fiona, ticket, "solved", reason="fixed", now=replied + dt.timedelta(hours=2)
        )
        do_change_status(
            world.fiona, ticket, "closed", reason="confirmed", now=replied + dt.timedelta(hours=3)
        )

    vault = problem(
        world.alice,
        "The vault does not show passwords after the upgrade",
        "high",
        at(19, 10),
        "Since the upgrade to 3.31 the vault answers **Error 500** when a user opens a "
        "credential. About 40 administrators are affected.",
    )
    do_assign(world.fiona, vault, world.fiona, now=at(19, 10, 20))
    do_reply(
        world.fiona,
        vault,
        "Hello Alice, thank you for the report. Could you send the "
        "`/var/log/senhasegura/vault.log` file from the moment of the error?",
        now=at(19, 10, 45),
    )
    do_reply(
        world.fiona,
        vault,
        "The log shows a key-cache timeout; checking with second line.",
        public=False,
        now=at(19, 11),
    )
    do_reply(
        world.alice,
        vault,
        "Here is the log. The error happens on every credential.",
        now=at(19, 11, 30),
    )
    do_log_work(world.fiona, vault, minutes=35, note="log analysis", now=at(19, 12))
    do_change_status(
        world.fiona, vault, "pending", reason="reproducing in the lab", now=at(19, 12, 5)
    )

    sessions = problem(
        world.alice,
        "Privileged sessions to Windows servers fail to open",
        "urgent",
        at(19, 17, 30),
        "No administrator can open RDP sessions through the proxy since 17:00.",
    )
    do_assign(world.maria, sessions, world.sam, now=at(19, 17, 40))

    rotation = problem(
        world.amelia,
        "Password rotation job stuck for Oracle accounts",
        "medium",
        at(16, 9),
        "The nightly rotation has not finished since Sunday.",
    )

    licence = do_open_ticket(
        world.amelia,
        subject="How are licences counted for standby nodes?",
        body="Do passive cluster nodes need their own licences?",
        severity="low",
        type="question",
        now=at(18, 10),
    )
    do_change_status(
        world.fiona,
        licence,
        "waiting-on-customer",
        reason="asked for the topology",
        details_requested=True,
        now=at(18, 11),
    )

    siem = problem(
        world.paul,
        "SIEM integration drops events under load",
        "high",
        at(18, 14),
        "Syslog forwarding to the SIEM loses about 5% of the events above 2,000 events/s.",
        organization=world.azul,
    )
    do_reply(world.sam, siem, "We reproduced it; a fix is in 3.31.3.", now=at(18, 15))
    do_set_line(world.fiona, siem, "second", reason="needs a product fix", now=at(18, 14, 30))
    do_change_status(world.sam, siem, "solved", reason="fixed in 3.31.3", now=at(19, 16))

    upgrade = problem(
        world.alice,
        "Slow login page on the secondary node",
        "high",
        at(17, 9, 30),
        "The login page takes 20 seconds on node 2.",
    )
    do_change_severity(
        world.maria, upgrade, "medium", reason="a workaround exists (use node 1)", now=at(17, 10)
    )

    do_open_ticket(
        world.amelia,
        subject="Access request for Bruno Novo",
        body="New database administrator.",
        type="access_request",
        severity="low",
        now=at(19, 15),
        access_request={"email": "bruno@azul.example", "full_name": "Bruno Novo"},
    )
    granted = do_open_ticket(
        world.amelia,
        subject="Access request for Clara Lima",
        body="Security officer.",
        type="access_request",
        severity="low",
        now=at(12, 15),
        access_request={"email": "clara@azul.example", "full_name": "Clara Lima"},
    )
    do_approve_access_request(world.fiona, granted, now=at(12, 16))

    do_open_ticket(
        world.carol,
        subject="Agents stopped reporting to the console",
        severity="high",
        body="About 300 agents show as offline since this morning.",
        now=dt.datetime(2026, 11, 19, 9, 0, tzinfo=ZoneInfo("Asia/Kolkata")),
    )
    return {
        "world": world,
        "vault": vault,
        "sessions": sessions,
        "rotation": rotation,
        "siem": siem,
    }


def freeze_time() -> None:
    """Every ``timezone.now()`` of the served pages is NOW (the data was built around it)."""
    import django.utils.timezone

    frozen = NOW.astimezone(dt.UTC)
    django.utils.timezone.now = lambda: frozen


def serve() -> str:
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(StaticFilesHandler(get_wsgi_application()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def sign_in(page, base: str, email: str) -> None:
    from pacto.testing import PASSWORD

    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("networkidle")


LANGUAGES = {"en": ("en-US", OUT), "pt-br": ("pt-BR", OUT / "pt-BR")}


class Camera:
    """Screenshots in one language: each page in the reader's language (signed-in readers
    choose it with the language buttons, which stores it as theirs), into its folder."""

    def __init__(self, browser, base: str, only: set[str], language: str):
        self.base, self.only, self.language = base, only, language
        self.locale, self.out = LANGUAGES[language]
        self.out.mkdir(parents=True, exist_ok=True)
        self.browser = browser

    def context(self, **options):
        return self.browser.new_context(locale=self.locale, **options)

    def sign_in(self, page, email: str) -> None:
        sign_in(page, self.base, email)
        page.click(f"button[name=language][value={self.language}]")
        page.wait_for_load_state("networkidle")

    def wanted(self, name: str) -> bool:
        return not self.only or name in self.only

    def shoot(self, page, name: str, element=None) -> None:
        if not self.wanted(name):
            return
        page.wait_for_load_state("networkidle")
        path = self.out / f"{name}.png"
        if element is not None:
            element.screenshot(path=str(path))
        else:
            page.screenshot(path=str(path), full_page=True)
        print(f"  {path.relative_to(ROOT)}")


def take(camera: Camera, scene: dict) -> None:
    base, shoot = camera.base, camera.shoot
    desktop = camera.context(
        viewport={"width": 1280, "height": 860}, timezone_id="America/Sao_Paulo"
    )
    page = desktop.new_page()

    page.goto(f"{base}/")
    shoot(page, "01-home")
    page.goto(f"{base}/accounts/login/")
    shoot(page, "02-sign-in")
    page.goto(
        f"{base}/calculator/?policy=senhasegura&plan=standard-8x5&severity=high"
        "&channel=portal&environment=production&type=problem&opened=2026-11-19T20:00"
    )
    shoot(page, "03-calculator")

    camera.sign_in(page, "alice@azul.example")
    page.goto(f"{base}/tickets/")
    shoot(page, "04-portal-my-tickets")
    page.goto(f"{base}/tickets/new/")
    page.check("input[name=severity][value=high]")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=subject]", "Reports stop at the first page")
    shoot(page, "05-portal-new-ticket")
    page.check("input[name=severity][value=urgent]")
    page.wait_for_load_state("networkidle")
    page.locator("#due-preview").scroll_into_view_if_needed()
    shoot(page, "06-portal-new-ticket-urgent", element=page.locator("aside").first)
    page.goto(f"{base}/tickets/{scene['vault'].pk}/")
    shoot(page, "07-portal-ticket")
    page.goto(f"{base}/products/")
    shoot(page, "21-portal-catalogue")

    camera.sign_in(page, "amelia@azul.example")
    page.goto(f"{base}/tickets/?scope=organization&state=all")
    shoot(page, "08-portal-organization-tickets")
    page.goto(f"{base}/contacts/")
    shoot(page, "09-portal-contacts")

    camera.sign_in(page, "fiona@vendor.example")
    page.goto(f"{base}/console/?queue=all")
    shoot(page, "10-console-queues")
    page.goto(f"{base}/console/tickets/{scene['vault'].pk}/")
    shoot(page, "11-console-ticket")
    page.goto(f"{base}/console/tickets/{scene['sessions'].pk}/")
    shoot(page, "12-console-ticket-timeline")
    page.goto(f"{base}/console/new/?requester={scene['world'].alice.pk}")
    shoot(page, "13-console-phone-ticket")
    page.goto(f"{base}/console/catalogue/")
    shoot(page, "22-console-catalogue")

    camera.sign_in(page, "maria@vendor.example")
    page.goto(f"{base}/console/dashboard/")
    page.wait_for_timeout(300)  # the chart draws after load
    shoot(page, "14-manager-dashboard")
    page.goto(
        f"{base}/console/reports/?month=2026-11&time_zone=America/Sao_Paulo"
        "&group_by=severity&group_by=plan"
    )
    page.wait_for_timeout(300)  # the charts draw after load
    shoot(page, "19-console-reports")
    desktop.close()

    phone = camera.context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
        has_touch=True,
    )  # fmt: skip
    page = phone.new_page()
    camera.sign_in(page, "alice@azul.example")
    page.goto(f"{base}/tickets/")
    shoot(page, "17-phone-my-tickets")
    page.goto(f"{base}/tickets/{scene['vault'].pk}/")
    shoot(page, "18-phone-ticket")
    # Back to English, so the next language's run starts from the same state.
    page.click("button[name=language][value=en]")
    phone.close()


def customer_report_page(scene: dict, camera: Camera) -> None:
    """The first page of Banco Azul's November report, as the PDF renders it, in the
    camera's language."""
    import pypdfium2 as pdfium

    from pacto.reports.actions import do_run_customer_report
    from pacto.reports.pdf import render_pdf

    if not camera.wanted("20-customer-report-pdf"):
        return
    if "report_run" not in scene:  # one run, rendered in each language
        scene["report_run"] = do_run_customer_report(scene["world"].azul, "2026-11")
    run = scene["report_run"]
    run.language = camera.language  # rendered in this language (not saved)
    page = pdfium.PdfDocument(render_pdf(run))[0]
    path = camera.out / "20-customer-report-pdf.png"
    page.render(scale=1.5).to_pil().save(path)
    print(f"  {path.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=[], help="names to retake, e.g. 01-home")
    parser.add_argument(
        "--language", nargs="*", choices=list(LANGUAGES), default=[],
        help="languages to take (default: every one; pt-br goes to docs/screenshots/pt-BR/)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pacto-screens-") as var:
        setup_django(Path(var))
        scene = build_scene()
        freeze_time()
        base = serve()
        print(f"Pacto served at {base}; writing {OUT.relative_to(ROOT)}/")
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for language in args.language or list(LANGUAGES):
                camera = Camera(browser, base, set(args.only), language)
                take(camera, scene)
                customer_report_page(scene, camera)
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
