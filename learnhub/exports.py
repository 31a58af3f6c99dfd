"""Tables as files people open in a spreadsheet: CSV (UTF-8 with BOM) and XLSX, formula injection neutralised.

Every cell of every export goes through `cell`: control characters out (openpyxl refuses them, and they
have no business in a spreadsheet), then formulas neutralised.
"""

from __future__ import annotations

import csv
import io
import re

from learnhub.text import clean_line, clean_text

# Where a spreadsheet may start a cell: the start of the value, or after any common delimiter or line
# break (a `;`-delimited Excel splits "Tina;=2+3" into two cells whatever delimiter the file was written
# with). What may then start a formula, after optional spaces and quotes: = + - @, tab, carriage return,
# and their full-width forms, as OWASP's CSV injection guidance lists them.
_FORMULA_START = re.compile(r"(?:^|(?<=[,;\t|\r\n]))(?=[ \"']*[=+\-@\t\r\uff1d\uff0b\uff0d\uff20])")


def neutralise(value: object) -> object:
    """Spreadsheet formula injection: a `'` before each part of a text cell that a spreadsheet could read as a
    formula, at the start or after a delimiter ("Tina;=2+3" -> "Tina;'=2+3"). Numbers stay numbers."""
    if isinstance(value, str):
        return _FORMULA_START.sub("'", value)
    return value


def cell(value: object) -> object:
    """A value as an export writes it: text without control characters, neutralised; other values as they are."""
    if isinstance(value, str):
        return neutralise(clean_text(value))
    return value


def to_csv(header: list, records: list) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([cell(value) for value in header])
    for record in records:
        writer.writerow(["" if value is None else cell(value) for value in record])
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
    sheet.append([cell(value) for value in header])
    for heading in sheet[1]:
        heading.font = Font(bold=True)
    for record in records:
        sheet.append([cell(value) for value in record])
    for row in sheet.iter_rows(min_row=2):
        for figure in row:
            if isinstance(figure.value, bool):
                continue
            if isinstance(figure.value, int):
                figure.number_format = "#,##0"
            elif isinstance(figure.value, float):
                figure.number_format = "0.0"
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions
    if notes:
        sheet_notes = workbook.create_sheet(_sheet_name(notes_title) or "Notes")
        for label, text in notes:
            sheet_notes.append([cell(label), cell(text)])
        sheet_notes.column_dimensions["A"].width = 28
        sheet_notes.column_dimensions["B"].width = 100
        for label_cell, text_cell in sheet_notes.iter_rows():
            label_cell.font = Font(bold=True)
            label_cell.alignment = text_cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str) -> str:
    # Characters Excel refuses, its length limit, and no quote at either end.
    return re.sub(r"[\\/?*\[\]:]", "-", clean_line(title)).strip(" '")[:31].strip(" '")
