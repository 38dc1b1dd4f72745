"""Chart data for the pages (Chart.js, drawn by ``pacto.js``) and the PDF (inline SVG)."""

from __future__ import annotations

from html import escape

from pacto.reports.figures import METRICS, Period, sla_figures

PALETTE = ["#0b5cad", "#b35c00", "#2e7d32", "#6a3d9a", "#c62828", "#00838f"]


def trend(period: Period, organization, labels: dict[str, str], months: int = 6) -> dict:
    """Attainment per month (the last ``months`` up to ``period``), one dataset per metric."""
    periods = [period]
    while len(periods) < months:
        periods.insert(0, periods[0].previous())
    totals = [sla_figures(p, organization=organization, group_by=())["metrics"] for p in periods]
    return {
        "labels": [p.month for p in periods],
        "datasets": [
            {
                "label": labels.get(m, m),
                "data": [t[m]["total"]["attainment_percent"] for t in totals],
            }
            for m in METRICS
        ],
    }


def severity_by_plan(figures: dict, metric: str = "first_response") -> dict:
    """Attainment of one metric: a bar group per severity, a bar per plan."""
    groups = figures["metrics"][metric]["groups"]
    several = len({g["policy"] for g in groups}) > 1
    severities, plans = [], []
    for g in groups:
        severity = f"{g['severity']} ({g['policy']})" if several else g["severity"]
        plan = f"{g['plan']} ({g['policy']})" if several else g["plan"]
        g["_s"], g["_p"] = severity, plan
        if severity not in severities:
            severities.append(severity)
        if plan not in plans:
            plans.append(plan)
    datasets = []
    for plan in plans:
        cells = {g["_s"]: g["attainment_percent"] for g in groups if g["_p"] == plan}
        datasets.append({"label": plan, "data": [cells.get(s) for s in severities]})
    for g in groups:
        g.pop("_s"), g.pop("_p")
    return {"labels": severities, "datasets": datasets}


def svg_bars(
    data: dict,
    *,
    width: int = 640,
    height: int = 220,
    unit: str = "%",
    maximum: float | None = 100.0,
) -> str:
    """A grouped bar chart as SVG (the PDF has no JavaScript): deterministic, text labels."""
    labels, datasets = data["labels"], data["datasets"]
    values = [v for d in datasets for v in d["data"] if v is not None]
    top = maximum or max(values, default=1) or 1
    left, bottom, legend = 40, 30, 18 * max(1, len(datasets))
    plot_w, plot_h = width - left - 10, height - bottom - legend - 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10">'
    ]
    for tick in range(0, 5):
        y = 10 + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#d3d9e0"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">'
            f"{top * tick / 4:g}{escape(unit)}</text>"
        )
    slot = plot_w / max(1, len(labels))
    bar = slot * 0.8 / max(1, len(datasets))
    for i, label in enumerate(labels):
        x0 = left + slot * i + slot * 0.1
        for j, dataset in enumerate(datasets):
            value = dataset["data"][i]
            if value is None:
                continue
            h = max(1.0, plot_h * min(value, top) / top)
            parts.append(
                f'<rect x="{x0 + bar * j:.1f}" y="{10 + plot_h - h:.1f}" width="{bar - 1:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[j % len(PALETTE)]}"/>'
            )
        parts.append(
            f'<text x="{x0 + slot * 0.4:.1f}" y="{10 + plot_h + 14:.1f}" text-anchor="middle">'
            f"{escape(str(label))}</text>"
        )
    for j, dataset in enumerate(datasets):
        y = height - legend + 18 * j
        parts.append(
            f'<rect x="{left}" y="{y:.1f}" width="10" height="10" '
            f'fill="{PALETTE[j % len(PALETTE)]}"/>'
            f'<text x="{left + 14}" y="{y + 9:.1f}">{escape(str(dataset["label"]))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
