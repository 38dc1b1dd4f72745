"""The monthly customer report: content, PDF (rendered to images and read back), runs."""

from __future__ import annotations

import datetime as dt
import io

import pypdfium2 as pdfium
from django.core.management import call_command

from pacto.accounts.models import User
from pacto.catalog.actions import do_create_known_issue, do_create_product
from pacto.catalog.notices import do_publish_known_issue
from pacto.contracts.actions import do_store_policy
from pacto.contracts.models import Contract
from pacto.reports.actions import do_run_customer_report
from pacto.reports.models import ReportRun
from pacto.reports.pdf import render_pdf
from pacto.reports.tests.conftest import sp
from pacto.reports.tests.test_sla_figures import with_friday_closure
from pacto.services.actions import (
    do_create_quote,
    do_decide_quote,
    do_log_service_work,
    do_request_service,
    do_set_rate_card,
)
from pacto.sla.policy import PRESETS
from pacto.testing import SAO_PAULO, customer_on
from pacto.tickets.actions import do_link_known_issue
from pacto.tickets.models import Ticket


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def first_page_image(data: bytes):
    document = pdfium.PdfDocument(data)
    return document[0].render(scale=1).to_pil()


def test_the_pdf_text_contains_the_breaches_with_their_explanation(world, january):
    run = do_run_customer_report(world.azul, "2026-01")
    data = render_pdf(run)

    text = pdf_text(data)
    assert data.startswith(b"%PDF-")
    assert "Monthly support report" in text
    assert "Banco Azul" in text
    assert f"#{january['late'].pk}" in text and "Breached" in text
    assert f"#{january['silent'].pk}" in text
    assert "Breaches explained" in text
    assert "senhasegura 7.0" in text
    assert "Included services remaining in the contract year" in text
    # The first page renders to a real image with ink on it.
    image = first_page_image(data).convert("L")
    assert image.size[0] > 500 and image.size[1] > 700
    assert min(image.getdata()) < 100  # dark text on the white page


def test_the_report_of_one_organization_never_contains_another_s_tickets(world, january):
    text = pdf_text(render_pdf(do_run_customer_report(world.azul, "2026-01")))

    assert f"#{january['verde'].pk} " not in text
    assert "Agent silent" not in text
    assert "Verde" not in text


def test_a_stored_run_renders_the_same_pdf_byte_for_byte(world, january):
    run = do_run_customer_report(world.azul, "2026-01")
    first = render_pdf(run)

    again = do_run_customer_report(world.azul, "2026-01")
    second = render_pdf(ReportRun.objects.get(pk=again.pk))

    assert again.pk == run.pk and again.version == 1
    assert first == second
    assert run.policy_versions[0]["version"] == "7.0"
    assert run.period_start.isoformat().startswith("2026-01-01T")


def test_a_run_after_a_recompute_is_a_new_version_kept_beside_the_first(world, january):
    first = do_run_customer_report(world.azul, "2026-01")
    first_pdf = render_pdf(first)
    text = with_friday_closure((PRESETS / "senhasegura.yaml").read_text(encoding="utf-8"))
    version = do_store_policy(text, source="senhasegura.yaml")
    Contract.objects.filter(pk=world.azul_contract.pk).update(policy_version=version)
    Ticket.objects.filter(contract=world.azul_contract).update(policy_version=version)
    call_command("sla_recompute", stdout=io.StringIO(), stderr=io.StringIO())

    second = do_run_customer_report(world.azul, "2026-01")

    assert (first.version, second.version) == (1, 2)
    assert first.content_hash != second.content_hash
    assert second.policy_versions[0]["version"] == "7.0.1"
    assert render_pdf(ReportRun.objects.get(pk=first.pk)) == first_pdf
    assert "senhasegura 7.0.1" in pdf_text(render_pdf(second))


def test_the_pdf_is_in_the_organization_s_language(world, january):
    User.objects.filter(organization=world.azul, is_org_admin=True).update(language="pt-br")

    run = do_run_customer_report(world.azul, "2026-01")
    text = pdf_text(render_pdf(run))

    assert run.language == "pt-br"
    assert "Relatório mensal de suporte" in text
    assert "Primeira resposta" in text


def test_pacto_report_customer_writes_the_pdf(world, january, tmp_path):
    path = tmp_path / "azul.pdf"
    call_command(
        "report", "customer", "--month", "2026-01", "--organization", "Banco Azul",
        "--output", str(path), stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip

    assert "Banco Azul" in pdf_text(path.read_bytes())


# ----------------------------------------------------------------------------- services


def premier_with_an_upgrade_delivered(world):
    """Banco Premier (senhasegura Premier 24x7, "1 Assisted upgrade per year"): the upgrade
    requested, quoted as included, approved, and delivered on Tuesday 20 January 2026."""
    pedro = customer_on("senhasegura", "Banco Premier", plan="premier-24x7",
                        account_manager=world.maria)  # fmt: skip
    contract = Contract.objects.get(organization=pedro.organization)
    monday = dt.datetime(2026, 1, 19, 10, 0, tzinfo=SAO_PAULO)
    do_set_rate_card(world.maria, contract, day_rate="4000", currency="BRL",
                     off_hours_multiplier="1.5", now=monday)  # fmt: skip
    ticket = do_request_service(pedro, service="assisted-update", body="Upgrade to 3.32.",
                                now=monday)  # fmt: skip
    quote = do_create_quote(
        world.fiona, ticket, service="assisted-update", lines=[{"units": "1"}],
        valid_until=dt.date(2026, 2, 18), now=monday,
    )  # fmt: skip
    quote = do_decide_quote(pedro, quote, approve=True, version=quote.version, now=monday)
    tuesday = monday + dt.timedelta(days=1)
    do_log_service_work(world.sam, quote, starts_at=tuesday, ends_at=tuesday + dt.timedelta(hours=4),
                        now=tuesday + dt.timedelta(hours=5))  # fmt: skip
    return pedro.organization, ticket


def test_the_report_lists_the_services_delivered_and_the_included_ones_remaining(world, january):
    premier, ticket = premier_with_an_upgrade_delivered(world)

    run = do_run_customer_report(premier, "2026-01")
    (delivered,) = run.content["services"]["delivered"]
    (upgrade,) = [
        e for e in run.content["services"]["remaining"] if e["service"] == "assisted-update"
    ]
    text = pdf_text(render_pdf(run))

    assert (delivered["ticket"], delivered["service"]) == (ticket.pk, "assisted-update")
    assert (delivered["hours"], delivered["included"]) == (4.0, True)
    assert (upgrade["count"], upgrade["used"], upgrade["remaining"]) == (1, 1, 0)
    assert upgrade["year_starts_on"] == "2026-01-01"
    assert "Delivered this month" in text and "Assisted Update" in text
    assert "Included services remaining in the contract year" in text
    assert "2026-01-01" in text and "2026-12-31" in text  # the contract year
    # Another organization's report holds neither the service nor the ticket.
    azul = pdf_text(render_pdf(do_run_customer_report(world.azul, "2026-01")))
    assert "Assisted Update" not in azul and f"#{ticket.pk} " not in azul
    assert "Your plan includes no services." in azul


def test_the_services_section_is_in_portuguese_for_a_portuguese_organization(world, january):
    premier, _ticket = premier_with_an_upgrade_delivered(world)
    User.objects.filter(organization=premier).update(language="pt-br")

    run = do_run_customer_report(premier, "2026-01")
    text = pdf_text(render_pdf(run))

    assert run.language == "pt-br"
    assert "Entregues neste mês" in text and "Atualização assistida" in text
    assert "Serviços incluídos restantes no ano contratual" in text


def test_a_known_issue_linked_to_the_organization_s_ticket_is_in_its_report_only(world, january):
    product = do_create_product(world.pete, name="PAM Core", now=sp("2026-01-10 09:00"))
    issue = do_create_known_issue(
        world.sam, product=product, title="Vault search fails after the upgrade",
        symptoms="Searching the vault answers Error 500.",
        ranges=[{"module": product.modules.get(), "introduced": "3.0"}],
        workaround="Rebuild the index.", now=sp("2026-01-10 10:00"),
    )  # fmt: skip
    do_publish_known_issue(world.sam, issue, "issue", now=sp("2026-01-10 11:00"))
    do_link_known_issue(world.fiona, january["late"], issue, now=sp("2026-01-16 17:00"))
    issue.refresh_from_db()

    azul = do_run_customer_report(world.azul, "2026-01")
    text = pdf_text(render_pdf(azul))

    assert [k["slug"] for k in azul.content["known_issues"]] == [issue.slug]
    assert issue.slug in text and "Vault search fails after the upgrade" in text
    assert "workaround available" in text
    verde = pdf_text(render_pdf(do_run_customer_report(world.verde, "2026-01")))
    assert issue.slug not in verde and "No known issue affected your tickets." in verde
