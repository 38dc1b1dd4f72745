"""The report's tables as CSV and XLSX: one section (CSV) or one sheet (XLSX) per table."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import Workbook

from pacto.reports.figures import tables


def as_json(figures: dict) -> str:
    return json.dumps(figures, indent=2, ensure_ascii=False, default=str) + "\n"


def table_csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def as_csv(figures: dict, only: str | None = None) -> str:
    """Every table (or the one named ``only``), each headed by its name, a blank line apart."""
    parts = []
    for name, (header, rows) in tables(figures).items():
        if only and name != only:
            continue
        parts.append(table_csv(header, rows) if only else f"# {name}\n{table_csv(header, rows)}")
    return "\n".join(parts)


def as_xlsx(figures: dict, only: str | None = None) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, (header, rows) in tables(figures).items():
        if only and name != only:
            continue
        sheet = book.create_sheet(name[:31])
        sheet.append(header)
        for row in rows:
            sheet.append(["" if value is None else value for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(figures: dict, form: str, only: str | None = None) -> bytes:
    if form == "csv":
        return as_csv(figures, only).encode()
    if form == "xlsx":
        return as_xlsx(figures, only)
    return as_json(figures).encode()
