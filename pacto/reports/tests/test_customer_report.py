"""The monthly customer report: content, PDF (rendered to images and read back), runs."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from django.core.management import call_command

from pacto.accounts.models import User
from pacto.contracts.actions import do_store_policy
from pacto.contracts.models import Contract
from pacto.reports.actions import do_run_customer_report
from pacto.reports.models import ReportRun
from pacto.reports.pdf import render_pdf
from pacto.reports.tests.test_sla_figures import with_friday_closure
from pacto.sla.policy import PRESETS
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
    assert "included services remaining are listed in the portal" in text
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
