"""Tables as files people open in a spreadsheet: CSV (UTF-8 with BOM) and XLSX, formula injection neutralised."""

from __future__ import annotations

import csv
import io
import re


def neutralise(value: object) -> object:
    """Spreadsheet formula injection: a text cell starting with = + - @ (or tab/CR) is prefixed with '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(header: list, records: list) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(value) for value in header])
    for record in records:
        writer.writerow(["" if value is None else neutralise(value) for value in record])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(header: list, records: list, sheet_title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = re.sub(r"[\\/?*\[\]:]", "-", sheet_title)[:31] or "Progress"  # characters Excel refuses
    sheet.append([neutralise(value) for value in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in records:
        sheet.append([neutralise(value) for value in record])
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
