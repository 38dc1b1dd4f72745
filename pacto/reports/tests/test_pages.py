"""The console's SLA reports page: filters, charts' data, tables with their exports."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook

from pacto.reports.tests.conftest import client_for


def test_the_reports_page_shows_the_month_s_tables_charts_and_export_links(world, january):
    client = client_for(world.maria)

    response = client.get(
        "/console/reports/",
        {"month": "2026-01", "organization": world.azul.pk, "time_zone": "America/Sao_Paulo"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "First response" in page
    assert f'href="/console/tickets/{january["late"].pk}/#clocks-title"' in page
    assert "/console/reports/sla.csv?" in page and "/console/reports/breaches.xlsx?" in page
    assert 'id="trend-data"' in page and 'id="plan-data"' in page
    trend = json.loads(page.split('id="trend-data" type="application/json">')[1].split("<")[0])
    assert trend["labels"][-1] == "2026-01"
    assert trend["datasets"][0]["data"][-1] == 50.0
    assert "Verde Energia</td>" not in page


def test_every_table_exports_as_csv_and_xlsx_with_the_page_s_filters(world, january):
    client = client_for(world.fiona)
    query = {"month": "2026-01", "organization": world.azul.pk, "time_zone": "America/Sao_Paulo"}

    breaches = client.get("/console/reports/breaches.csv", query)
    sheet = client.get("/console/reports/sla.xlsx", query)

    assert breaches.status_code == 200
    lines = breaches.content.decode().splitlines()
    assert lines[0].startswith("ticket,metric,organization")
    assert len(lines) == 3  # the late ticket and the silent one
    book = load_workbook(io.BytesIO(sheet.content))
    assert book.sheetnames == ["sla"]


def test_a_bad_filter_is_a_form_error_not_a_500(world):
    client = client_for(world.maria)

    response = client.get("/console/reports/", {"month": "2026-13", "group_by": "severity"})

    assert response.status_code == 422
    assert "YYYY-MM" in response.content.decode()


def test_contacts_never_reach_the_console_reports(world, january):
    for person in (world.amelia, world.alice, world.carol):
        assert client_for(person).get("/console/reports/", {"month": "2026-01"}).status_code == 403
