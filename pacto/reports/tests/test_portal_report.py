"""The monthly report's page in the portal (/reports/): what an organization admin reads of
their month, who may open it, and an exempt breach listed as exempt, as every figure counts
it."""

from __future__ import annotations

import re

from django.utils.html import strip_tags

from pacto.reports.actions import do_run_customer_report
from pacto.reports.pdf import render_pdf
from pacto.reports.tests.conftest import client_for
from pacto.reports.tests.test_customer_report import pdf_text
from pacto.reports.tests.test_sla_figures import exempt_lumen_breach


def row_of(page: str, ticket) -> str:
    """The text of ``ticket``'s first-response row under "Each response and resolution"."""
    table = page.split('id="clocks-title"')[1].split("</table>")[0]
    rows = [
        " ".join(strip_tags(row.replace("</td>", " </td>")).split())
        for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    ]
    (row,) = [
        row
        for row in rows
        if row.startswith(f"#{ticket.pk} ") and ("First" in row or "Primeira" in row)
    ]
    return row


def test_an_organization_admin_reads_each_response_of_their_month(world, january):
    response = client_for(world.amelia).get("/reports/", {"month": "2026-01"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Banco Azul · 2026-01" in page
    assert row_of(page, january["met"]).endswith("On time")
    # Due Thursday 15:00 in São Paulo (8 business hours from 17:00 the day before), answered
    # Friday 16:00: breached at the due time, shown in the organization's zone.
    assert row_of(page, january["late"]).endswith("9 h 00 min Breached 2026-01-16 15:00")
    assert "first_response" not in page  # metrics are named in words
    assert "Agent silent" not in page  # Verde Energia's ticket
    assert "Breaches explained" in page


def test_the_report_page_is_for_organization_admins_and_the_vendor_s_staff(world, january):
    assert client_for(world.alice).get("/reports/", {"month": "2026-01"}).status_code == 403
    other = {"month": "2026-01", "organization": world.verde.pk}
    assert client_for(world.amelia).get("/reports/", other).status_code == 404
    staff = client_for(world.fiona).get("/reports/", {**other, "organization": world.azul.pk})
    assert staff.status_code == 200 and f"#{january['late'].pk} " in staff.content.decode()
    anonymous = client_for().get("/reports/", {"month": "2026-01"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_bad_month_is_named_on_the_page_not_a_500(world):
    response = client_for(world.amelia).get("/reports/", {"month": "2026-13"})

    assert response.status_code == 422
    alert = response.content.decode().split('role="alert">')[1].split("</p>")[0]
    assert "YYYY-MM" in alert and "2026-13" in alert


def test_an_exempt_breach_is_listed_as_exempt_with_its_reason_not_as_breached(world):
    organization, ticket = exempt_lumen_breach(world)

    page = (
        client_for(world.maria)
        .get("/reports/", {"month": "2026-01", "organization": organization.pk})
        .content.decode()
    )
    row = row_of(page, ticket)

    assert "Exempt" in row and "severity misassigned" in row
    assert "Breached" not in row
    text = pdf_text(render_pdf(do_run_customer_report(organization, "2026-01")))
    line = next(line for line in text.splitlines() if f"#{ticket.pk} " in line)
    assert "Exempt" in line and "Breached" not in line


def test_the_page_is_in_portuguese_for_a_portuguese_reader(world, january):
    world.amelia.language = "pt-br"
    world.amelia.save(update_fields=["language"])

    page = client_for(world.amelia).get("/reports/", {"month": "2026-01"}).content.decode()

    assert "Relatório mensal de suporte" in page
    assert row_of(page, january["met"]).startswith(f"#{january['met'].pk} Met Primeira resposta")
    assert "Breached" not in page and "On time" not in page
