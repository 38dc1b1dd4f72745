"""``pacto demo`` loads a support desk in full swing, once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from pacto.accounts.models import AccountEvent, Organization, User
from pacto.contracts.models import Contract
from pacto.notifications.models import Outbox
from pacto.portal.management.commands.demo import PASSWORD, demo_logins
from pacto.tickets.models import Message, SlaClock, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def demo() -> str:
    out = io.StringIO()
    call_command("demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (
        Organization, User, Contract, Ticket, Message, TicketEvent, SlaClock, Outbox,
        AccountEvent,
    )  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def test_the_demo_loads_a_customer_on_each_of_the_five_policies_and_a_partner():
    output = demo()

    assert "Demo data loaded." in output
    customers = Organization.objects.filter(kind="customer")
    assert {c.contracts.get().policy_version.policy_id for c in customers} == {
        "senhasegura", "secpod", "xecuritas", "allure", "andmoney",
    }  # fmt: skip
    assert {c.contracts.get().plan for c in customers} == {"premier-24x7", "standard", "saas"}
    with_tickets = {
        c.contracts.get().policy_version.policy_id for c in customers if c.tickets.exists()
    }
    assert with_tickets == {"senhasegura", "secpod", "xecuritas", "allure", "andmoney"}
    partner = Organization.objects.get(kind="partner")
    assert list(partner.served_customers.values_list("name", flat=True)) == ["Banco Azul"]
    assert User.objects.filter(role="contact", is_authorized=False).exists()
    assert User.objects.filter(is_org_admin=True).exists()
    for role in ("agent", "manager", "product_manager", "admin"):
        assert User.objects.filter(role=role).exists(), role
    assert set(User.objects.filter(role="agent").values_list("support_line", flat=True)) == {
        "first", "second",
    }  # fmt: skip


def test_every_demo_login_signs_in_with_the_demo_password_and_is_listed():
    output = demo()

    assert f"password for every one: {PASSWORD}" in output
    for login in demo_logins():
        assert login.email in output
        user = User.objects.get(email=login.email)
        assert user.is_active and user.check_password(PASSWORD), login.email
    assert User.objects.get(email="admin@vendor.example").is_superuser


def test_the_demo_has_tickets_in_every_status_category():
    demo()

    assert 25 <= Ticket.objects.exclude(type="notice").count() <= 60
    assert set(Ticket.objects.values_list("status_category", flat=True)) >= {
        "new", "open", "pending", "waiting_on_customer", "waiting_on_third_party", "solved",
        "closed",
    }  # fmt: skip


def test_the_demo_clocks_are_running_paused_met_and_breached_as_of_now():
    demo()

    states = set(SlaClock.objects.values_list("state", flat=True))
    assert states >= {"running", "paused", "met", "breached", "no_target"}
    # SecPod's update clock is paused outside Waiting on Third Party; the response clocks
    # pause only while a ticket waits on its customer.
    paused = SlaClock.objects.filter(state="paused").exclude(metric="periodic_update")
    assert {clock.ticket.status_category for clock in paused} == {"waiting_on_customer"}
    never_answered = Ticket.objects.get(subject="Nobody can log in to retrieve credentials")
    assert never_answered.clocks.get(metric="first_response").state == "breached"


def test_the_demo_is_built_through_the_actions():
    demo()

    for ticket in Ticket.objects.all():
        assert ticket.events.first().kind == "opened"
        # Vendor notices and tickets accepted without SLA targets run no clock.
        assert ticket.clocks.exists() or ticket.sla_mode == "without_targets"
    assert TicketEvent.objects.filter(kind="access_granted").exists()
    assert User.objects.get(email="marcos@bancoazul.example").is_authorized
    assert Outbox.objects.filter(kind="feature_request").exists()


def test_running_the_demo_twice_changes_nothing():
    demo()
    before = counts()

    output = demo()

    assert "already loaded" in output
    assert counts() == before
    assert "rafael@bancoazul.example" in output  # the logins are shown again


def test_the_demo_shows_the_policy_fidelity_rules_on_each_preset():
    demo()

    def ticket(subject):
        return Ticket.objects.get(subject=subject)

    assert ticket("Segment sync from Salesforce stopped").channel == "api"  # &money
    assert ticket("Phishing takedown console unreachable").support_line == "first"  # Allure
    moved = ticket("Brand alerts arrive twice")
    assert moved.support_line == "second"
    assert "unable to diagnose" in moved.events.get(kind="line").reason
    solved = ticket("Patch scan skips three endpoints")  # SecPod
    assert solved.status == "solved"
    assert solved.events.filter(kind="status", data__rule="solve-no-feedback").exists()
    assert Outbox.objects.filter(ticket=solved, kind="lifecycle_reminder").count() == 3
    assert ticket("Compliance report misses last week").status == "pending"
    third_party = ticket("Vendor patch for the VPN client fails")
    assert third_party.clocks.get(metric="periodic_update").state == "running"
    assert ticket("Dashboard widgets blank").status == "pending"  # reopened by the customer
    emailed = Ticket.objects.get(channel="email", organization__name="Banco Azul")
    assert emailed.severity == "urgent"
    assert (
        Outbox.objects.get(ticket=emailed, kind="ticket_opened").payload["severity_source"]
        == "subject"
    )
    assert Outbox.objects.filter(ticket=emailed, kind="attachments_refused").exists()
    stopped = ticket("Session recording export is slow")  # senhasegura §7.8
    assert stopped.status == "solved" and not hasattr(stopped, "lifecycle_timer")
    thanksgiving = ticket("Scanner license check fails on Thanksgiving")  # Xecuritas
    assert thanksgiving.clocks.get(metric="first_response").state == "met"


def test_the_demo_shows_the_catalogue_a_known_issue_release_notices_and_engineering_work():
    from pacto.catalog.models import EngineeringItem, KnownIssue, NoticeDelivery, Product

    demo()

    assert Product.objects.count() == 5  # one per preset's vendor
    issue = KnownIssue.objects.published().get()
    assert issue.workaround
    assert issue.tickets.count() == 2
    assert {d.publication.step for d in NoticeDelivery.objects.filter(kind="organization")} == {
        "issue", "workaround", "release",
    }  # fmt: skip
    notices = Ticket.objects.filter(type="notice")
    assert set(notices.values_list("organization__name", flat=True)) == {
        "Banco Azul", "Verde Energia", "Xisto Logística",
    }  # fmt: skip
    maintenance = Ticket.objects.get(type="notice", subject="SanerNow platform maintenance")
    assert maintenance.organization.name == "Verde Energia"  # SecPod: maintenance notices
    assert "Scheduled for" in maintenance.messages.get().body_text
    followed = EngineeringItem.objects.get().tickets.get()
    assert followed.events.filter(kind="engineering").count() == 2
    assert Ticket.objects.filter(support_status="discontinued", sla_mode="without_targets").exists()


def test_the_demo_shows_availability_and_hypercare():
    from pacto.availability.figures import probe_figure
    from pacto.availability.models import HypercareReport, Probe, ServiceWindow
    from pacto.contracts.models import HypercareSignoff
    from pacto.sla.availability import Month

    demo()

    # One &money customer, Casa Andina, in hypercare since the first day of last month.
    andina = Contract.objects.get(organization__name="Casa Andina Varejo")
    assert not Organization.objects.filter(name="Nordlys Bank").exists()
    assert andina.go_live_on.day == 1 and andina.in_hypercare_on(dt.date.today())
    probe = Probe.objects.get(contract=andina)
    assert probe.policy.id == "andmoney"
    first = probe.results.order_by("slot_start").first().slot_start
    assert first.date() >= andina.go_live_on - dt.timedelta(days=1)  # measured since go-live
    month = Month(andina.go_live_on.year, andina.go_live_on.month)
    figure = probe_figure(probe, month)
    assert figure.eligible_slots > 1000 and len(figure.outages) == 1  # a month, an outage
    assert figure.outages[0].business_minutes == 45
    assert ServiceWindow.objects.filter(contract=andina).count() == 2
    assert ServiceWindow.objects.filter(contract=andina, notice_late=True).exists()
    # The outage's ticket: opened by the vendor's monitoring on Casa Andina's behalf, solved.
    outage_ticket = probe.failure_ticket
    assert outage_ticket.opened_by_vendor == "monitoring"
    assert outage_ticket.status_category == "solved"
    assert HypercareReport.objects.filter(contract=andina).count() >= 4  # weekly since go-live
    assert andina.hypercare_extensions.get().is_open  # for its organization admin to accept
    verde = Contract.objects.get(organization__name="Verde Energia")
    assert verde.in_hypercare_on(dt.date.today())
    assert HypercareReport.objects.filter(contract=verde).exists()
    assert verde.hypercare_signoffs.get().side == HypercareSignoff.Side.VENDOR
    assert Outbox.objects.filter(kind="hypercare_report").exists()


def test_the_last_lines_say_where_pacto_runs_and_where_the_emails_go(settings):
    settings.PACTO_BASE_URL = "http://127.0.0.1:8123"
    settings.MAILERS = {
        "default": {
            "BACKEND": "pacto.notifications.mailfile.EmailBackend",
            "OPTIONS": {"path": settings.PACTO_MAIL_FILE},
        }
    }
    out = io.StringIO()
    call_command("demo", "--logins", stdout=out)

    lines = out.getvalue().strip().splitlines()
    assert "rafael@bancoazul.example" in out.getvalue()
    assert lines[-2].startswith("Emails are not sent: the worker appends them to ")
    assert lines[-1].startswith("Pacto is running at http://127.0.0.1:8123/")


def test_the_demo_has_a_few_dozen_articles_for_each_presets_customer_in_both_languages():
    from pacto.kb.visibility import visible_articles

    demo()

    for email in (
        "rafael@bancoazul.example",  # senhasegura
        "helena@verdeenergia.example",  # secpod
        "james@xisto.example",  # xecuritas
        "lucia@lumenseguros.example",  # allure
        "valeria@casaandina.example",  # andmoney
    ):
        readable = visible_articles(User.objects.get(email=email))
        own = readable.exclude(products=None)  # for their products, not the general ones
        counts = {locale: own.filter(locale=locale).count() for locale in ("en", "pt-br")}
        assert counts["en"] >= 12 and counts["pt-br"] >= 12, (email, counts)
        assert not readable.filter(status="internal").exists()
        translated = own.filter(locale="pt-br").exclude(translation_of=None).count()
        assert translated == counts["pt-br"], email


def test_the_demo_people_read_times_in_their_real_zones():
    demo()

    zones = dict(User.objects.values_list("email", "time_zone"))
    assert zones["rafael@bancoazul.example"] == "America/Sao_Paulo"  # senhasegura's calendar
    assert zones["helena@verdeenergia.example"] == "Asia/Kolkata"  # SecPod's
    assert zones["james@xisto.example"] == "America/New_York"  # Xecuritas'
    assert zones["paula@parceira.example"] == "America/Sao_Paulo"  # serves Banco Azul
    assert zones["marina@vendor.example"] == "America/Sao_Paulo"  # the vendor's office
    assert [login.email for login in demo_logins() if zones[login.email] == "UTC"] == []
    # Chosen, not guessed: a visitor's browser does not move them.
    logins = [login.email for login in demo_logins()]
    assert not User.objects.filter(email__in=logins, time_zone_guessed=True).exists()


def test_each_preset_has_a_ticket_with_an_address_copied_and_a_markdown_note():
    from pacto.tickets.models import TicketCc

    demo()

    copied = TicketCc.objects.select_related("ticket__policy_version")
    assert {cc.ticket.policy_version.policy_id for cc in copied} == {
        "senhasegura", "secpod", "allure", "xecuritas", "andmoney",
    }  # fmt: skip
    for cc in copied:
        note = cc.ticket.messages.get(public=False, body_text__contains="connection reset")
        assert "<pre><code>" in note.body_html
        assert 'href="https://status.vendor.example"' in note.body_html
