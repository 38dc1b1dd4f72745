"""``pacto demo`` shows reports on every customer: a stored monthly report, answered surveys."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from pacto.accounts.models import Organization
from pacto.reports.models import ReportRun, Survey
from pacto.reports.pdf import render_pdf
from pacto.reports.tests.test_customer_report import pdf_text


@pytest.fixture(autouse=True)
def frozen_now():  # the demo builds its tickets relative to the real clock
    return None


def test_the_demo_stores_last_month_s_report_of_every_customer_and_answers_surveys(db):
    call_command("demo", stdout=io.StringIO(), stderr=io.StringIO())

    customers = Organization.objects.filter(kind="customer")
    with_runs = {run.organization.name for run in ReportRun.objects.all()}
    assert with_runs == {c.name for c in customers if c.contracts.exists()}
    policies = {c.contracts.get().policy_version.policy_id for c in customers}
    assert policies == {"senhasegura", "secpod", "xecuritas", "allure", "andmoney"}
    assert Survey.objects.filter(rating="good").exists()
    assert Survey.objects.filter(rating="bad", reason="slow").exists()
    assert Survey.objects.filter(rating="").exists()
    andina = ReportRun.objects.get(organization__name="Casa Andina Varejo")
    assert andina.content["availability"][0]["outages"]  # last month's 45-minute outage
    data = render_pdf(andina)
    assert data.startswith(b"%PDF-")
    # Availability against the commitment, with the outage, and the known issues linked to
    # the organization's tickets: in the PDF's text, in the organization's language.
    text = pdf_text(data)
    assert "Availability" in text or "Disponibilidade" in text
    assert "Outage from" in text or "Indisponibilidade de" in text
