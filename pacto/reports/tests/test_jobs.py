"""The monthly report goes out on the first business day of the next month, once."""

from __future__ import annotations

from pacto.notifications.models import Outbox
from pacto.reports.jobs import sweep_customer_reports
from pacto.reports.models import ReportRun
from pacto.reports.tests.conftest import client_for, sp


def test_the_report_is_sent_to_the_org_admins_on_the_first_business_day(world, january):
    # Sunday 1 February 2026; Monday 2 February opens at 9:00 in São Paulo.
    sunday = sweep_customer_reports(sp("2026-02-01 12:00"))
    sweep_customer_reports(sp("2026-02-02 08:59"))  # Verde's calendar (Kolkata) is open
    early = ReportRun.objects.filter(organization=world.azul).exists()
    monday = sweep_customer_reports(sp("2026-02-02 09:00"))
    again = sweep_customer_reports(sp("2026-02-02 10:00"))

    assert sunday["runs"] == 0 and not early
    assert monday["runs"] == 1
    assert again["runs"] == 0
    run = ReportRun.objects.get(organization=world.azul, month="2026-01")
    assert run.sent_at is not None
    rows = Outbox.objects.filter(kind="customer_report", organization=world.azul)
    assert [r.recipient for r in rows] == ["amelia@azul.example"]
    assert rows[0].payload["url"].endswith(f"/reports/runs/{run.pk}.pdf")


def test_the_org_admin_reads_the_report_page_and_its_pdf_and_no_other_organization_s(
    world, january
):
    sweep_customer_reports(sp("2026-02-02 09:00"))
    azul_run = ReportRun.objects.get(organization=world.azul, month="2026-01")
    verde_run = ReportRun.objects.filter(organization=world.verde).first()
    amelia = client_for(world.amelia)

    page = amelia.get("/reports/", {"month": "2026-01"})
    pdf = amelia.get(f"/reports/runs/{azul_run.pk}.pdf")

    assert page.status_code == 200
    assert f"#{january['late'].pk}" in page.content.decode()
    assert "Agent silent" not in page.content.decode()
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf["X-Content-Hash"] == azul_run.content_hash
    if verde_run is not None:
        assert amelia.get(f"/reports/runs/{verde_run.pk}.pdf").status_code == 404
    assert amelia.get("/reports/", {"organization": world.verde.pk}).status_code == 404
    assert client_for(world.alice).get("/reports/").status_code == 403
