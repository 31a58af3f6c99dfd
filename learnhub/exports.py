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


def to_xlsx(header: list, records: list, sheet_title: str, *, notes: list[tuple[str, str]] = (),
            notes_title: str = "Notes") -> bytes:
    """One data sheet (bold, frozen header with filters; whole numbers as #,##0 and fractions as 0.0, so a
    spreadsheet sums and sorts them as numbers) and, when `notes` are given, a second sheet of
    (label, text) rows: what the figures mean, which filters made them, what is hidden and why."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = _sheet_name(sheet_title) or "Progress"
    sheet.append([neutralise(value) for value in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in records:
        sheet.append([neutralise(value) for value in record])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, bool):
                continue
            if isinstance(cell.value, int):
                cell.number_format = "#,##0"
            elif isinstance(cell.value, float):
                cell.number_format = "0.0"
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions
    if notes:
        sheet_notes = workbook.create_sheet(_sheet_name(notes_title) or "Notes")
        for label, text in notes:
            sheet_notes.append([neutralise(label), neutralise(text)])
        sheet_notes.column_dimensions["A"].width = 28
        sheet_notes.column_dimensions["B"].width = 100
        for label_cell, text_cell in sheet_notes.iter_rows():
            label_cell.font = Font(bold=True)
            label_cell.alignment = text_cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str) -> str:
    return re.sub(r"[\\/?*\[\]:]", "-", title)[:31]  # characters Excel refuses, and its length limit
