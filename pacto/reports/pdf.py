"""The monthly customer report as PDF (WeasyPrint), from a stored run's content only.

Nothing of the moment of rendering enters the file: the text, the charts (inline SVG drawn
here, since a PDF runs no JavaScript) and the document's metadata all come from the run, so
a run renders to the same bytes every time.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.template.loader import render_to_string
from django.utils import translation

from pacto.reports import charts
from pacto.reports.customer import readable_breaches
from pacto.reports.models import ReportRun

METRIC_NAMES = {
    "en": {"first_response": "First response", "resolution": "Resolution"},
    "pt-br": {"first_response": "Primeira resposta", "resolution": "Solução"},
}


def context(run: ReportRun) -> dict:
    content = run.content
    language = run.language if run.language in METRIC_NAMES else "en"
    sla_chart = {
        "labels": [],
        "datasets": [
            {"label": METRIC_NAMES[language][m], "data": []}
            for m in ("first_response", "resolution")
        ],
    }
    severities = []
    for metric in ("first_response", "resolution"):
        for group in content["sla"][metric]["groups"]:
            if group["severity_name"] not in severities:
                severities.append(group["severity_name"])
    sla_chart["labels"] = severities
    for i, metric in enumerate(("first_response", "resolution")):
        by_name = {
            g["severity_name"]: g["attainment_percent"] for g in content["sla"][metric]["groups"]
        }
        sla_chart["datasets"][i]["data"] = [by_name.get(s) for s in severities]
    opened = content["tickets"]["opened"]
    solved = content["tickets"]["solved"]
    names = sorted(set(opened) | set(solved))
    volume = {
        "labels": names,
        "datasets": [
            {
                "label": "opened" if language == "en" else "abertos",
                "data": [opened.get(n, 0) for n in names],
            },
            {
                "label": "solved" if language == "en" else "resolvidos",
                "data": [solved.get(n, 0) for n in names],
            },
        ],
    }
    return {
        "run": run,
        "c": content,
        "zone": content["period"]["time_zone"],
        "metric_names": METRIC_NAMES[language],
        "sla": [
            (METRIC_NAMES[language][m], content["sla"][m]) for m in ("first_response", "resolution")
        ],
        "sla_chart": charts.svg_bars(sla_chart) if severities else "",
        "volume_chart": charts.svg_bars(volume, unit="", maximum=None) if names else "",
        "breaches": readable_breaches(content),
    }


def render_html(run: ReportRun) -> str:
    with translation.override(run.language):
        return render_to_string("reports/customer_pdf.html", context(run))


def render_pdf(run: ReportRun) -> bytes:
    from weasyprint import HTML

    html = render_html(run)
    document = HTML(string=html, base_url=None).render()
    created = run.created_at.astimezone(dt.UTC).replace(microsecond=0)
    document.metadata.title = f"{run.organization.name} {run.month} v{run.version}"
    document.metadata.authors = ["Pacto"]
    document.metadata.created = created.isoformat()
    document.metadata.modified = created.isoformat()
    # A fixed file identifier (the run's hash), so two renderings are byte for byte the same.
    identifier = hashlib.sha256(f"{run.content_hash}:{run.version}".encode()).hexdigest()[:32]
    return document.write_pdf(pdf_identifier=identifier.encode())
