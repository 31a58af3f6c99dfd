"""A coverage report as a PDF: a pure function from already translated text and numbers to bytes.

No Flask and no database here: the caller builds the report, translates every heading and label into the reader's
language and passes the result as plain strings and numbers (one :class:`PdfSection` per cut of the report).

The layout, A4 portrait, top to bottom:

* page 1 starts with the title and the subtitle;
* the headline figures, as a row of outlined boxes (a value in large type above its label), five to a row;
* the definitions, as a short bulleted list;
* then each section: its title, a horizontal bar chart drawn with reportlab shapes (bars for values, an empty
  outlined stub followed by the suppressed mark where a value is suppressed; every value also written at the end of
  its bar) and its table (the header row repeated on every page the table continues on; numbers right-aligned);
* on every page a footer: the ``footer`` text on the left, "n / N" on the right.

Black, white and greys only, so it prints the same in black and white. Only the standard Helvetica fonts are used
(never embedded, always available); every printed string goes through
:func:`learnhub.services.certificate_pdf.printable_text` (Greek and Cyrillic transliterated, other letters the font
cannot draw shown as "?", emoji dropped), and everything put into Paragraph markup is escaped, so a label such as
``<b>&x</b>`` prints literally. The document metadata (title, subject) keeps the original Unicode.

Numbers are written by :func:`learnhub.reports.numbers.format_number`, the rule the dashboards follow too: thousands
separated by a thin space (12 345; drawn as a space narrowed to a fifth of an em, so copying or extracting the text
gives an ordinary space), floats with one decimal in the notation of ``language`` (42.5 in English, 42,5 in Spanish):
pass shares as percentages. ``None``, NaN and infinite values are printed as ``suppressed_mark``.

The output is byte-for-byte reproducible (reportlab's invariant mode, which also fixes the PDF's internal creation
date at 2000-01-01): the same input gives the same bytes.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from learnhub.reports.numbers import THIN_SPACE, format_number
from learnhub.services.certificate_pdf import printable_text

__all__ = ["PdfSection", "render_report_pdf"]


@dataclass(frozen=True)
class PdfSection:
    """One table of the report (one cut), with an optional bar chart above it; all text already translated."""

    title: str                      # e.g. "By sector"
    header: list[str]               # column headings; the first is the row label column
    rows: list[list[str | int | float | None]]   # None = suppressed, printed as the `suppressed_mark`
    chart_values: list[tuple[str, float | None]] = ()   # optional bar chart (label, value) drawn above the table
    chart_caption: str = ""         # what the chart plots, e.g. "Certified learners (number), by sector"


# --- Numbers ------------------------------------------------------------------------------------------------------


def _cell_text(value: str | int | float | None, mark: str, language: str) -> tuple[str, bool]:
    """The printable text of a value, and whether it is a number (drawn right-aligned with thin spaces)."""
    if value is None:
        return mark, False
    if isinstance(value, str):
        return printable_text(value), False
    formatted = format_number(value, language)
    if formatted is None:
        return mark, False
    return THIN_SPACE.join(printable_text(part) for part in formatted.split(THIN_SPACE)), True


# --- Layout -------------------------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
_MARGIN = 18 * mm
_TOP = 16 * mm
_BOTTOM = 20 * mm                 # leaves room for the footer
_FOOTER_Y = 10 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * _MARGIN

_REGULAR = "Helvetica"
_BOLD = "Helvetica-Bold"
_ELLIPSIS = "…"
_THIN = 0.2                       # width of a thin space, in em

_INK = colors.Color(0, 0, 0)
_WHITE = colors.Color(1, 1, 1)
_BAR = colors.Color(0.42, 0.42, 0.42)
_RULE = colors.Color(0.55, 0.55, 0.55)
_HEADER_FILL = colors.Color(0.86, 0.86, 0.86)
_STRIPE = colors.Color(0.95, 0.95, 0.95)

_CELL_SIZE = 8.5
_CELL_LEADING = 10.5
_HEADLINE_PER_ROW = 5
_BARS_PER_CHART = 30              # a longer chart is cut into several drawings, so it can flow across pages
_BAR_PITCH = 13.0
_BAR_HEIGHT = 8.0
_BAR_FONT_SIZE = 7.5
_STUB_WIDTH = 8.0


def _style(name: str, font: str = _REGULAR, size: float = 9.5, leading: float = 12.0, **extra) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading, textColor=_INK, **extra)


_STYLES = {
    "title": _style("title", _BOLD, 19, 23, spaceAfter=4),
    "subtitle": _style("subtitle", size=11, leading=14, spaceAfter=10),
    "headline_value": _style("headline_value", _BOLD, 15, 18, alignment=TA_CENTER),
    "headline_label": _style("headline_label", size=8.5, leading=10.5, alignment=TA_CENTER),
    "definition": _style("definition", size=8.5, leading=11, leftIndent=10, bulletIndent=0, spaceAfter=1.5),
    "section": _style("section", _BOLD, 12.5, 15, spaceBefore=12, spaceAfter=5),
    "caption": _style("caption", size=8.5, leading=11, spaceAfter=3),
    "label": _style("label", size=_CELL_SIZE, leading=_CELL_LEADING),
    "text_right": _style("text_right", size=_CELL_SIZE, leading=_CELL_LEADING, alignment=TA_RIGHT),
    "head_left": _style("head_left", _BOLD, _CELL_SIZE, _CELL_LEADING, alignment=TA_LEFT),
    "head_right": _style("head_right", _BOLD, _CELL_SIZE, _CELL_LEADING, alignment=TA_RIGHT),
}


def _para(text: str, style: str) -> Paragraph:
    """A Paragraph of plain text: printable, and escaped so that none of it is read as markup."""
    return Paragraph(escape(printable_text(text)), _STYLES[style])


def _ellipsize(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + _ELLIPSIS, font, size) > width:
        text = text[:-1]
    return text.rstrip() + _ELLIPSIS


def _pieces(text: str, font: str, size: float) -> tuple[list[tuple[str, float]], float]:
    """The parts of a number between its thin spaces with their x offsets, and the total width."""
    pieces, x = [], 0.0
    for index, part in enumerate(text.split(THIN_SPACE)):
        if index:
            x += _THIN * size
        pieces.append((part, x))
        x += stringWidth(part, font, size)
    return pieces, x


class _Figure(Flowable):
    """A number in a table cell: one line, thin spaces drawn as real spaces narrowed with word spacing (so the
    text extracts as "12 345"), baseline placed as a Paragraph of the cell style would place it."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text.replace(THIN_SPACE, " ")
        self._word_space = _THIN * _CELL_SIZE - stringWidth(" ", _REGULAR, _CELL_SIZE)
        self.width = stringWidth(self.text, _REGULAR, _CELL_SIZE) + self._word_space * self.text.count(" ")
        self.height = _CELL_LEADING
        self.hAlign = "RIGHT"

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        text = self.canv.beginText()
        text.setFont(_REGULAR, _CELL_SIZE)
        text.setWordSpace(self._word_space)
        text.setTextOrigin(0, self.height - _CELL_SIZE)
        text.textOut(self.text)
        self.canv.drawText(text)


# --- Building blocks ----------------------------------------------------------------------------------------------


def _headline(headline: list[tuple[str, str]]) -> list[Flowable]:
    """The headline figures as outlined boxes, value above label, up to five to a row."""
    if not headline:
        return []
    per_row = min(len(headline), _HEADLINE_PER_ROW)
    width = FRAME_WIDTH / per_row
    boxes = [
        Table([[_para(value, "headline_value")], [_para(label, "headline_label")]], colWidths=[width - 6],
              style=TableStyle([("BOX", (0, 0), (-1, -1), 0.9, _INK), ("TOPPADDING", (0, 0), (-1, 0), 7),
                                ("BOTTOMPADDING", (0, -1), (-1, -1), 7), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        for label, value in headline
    ]
    grid = [boxes[i:i + per_row] for i in range(0, len(boxes), per_row)]
    grid[-1] = grid[-1] + [""] * (per_row - len(grid[-1]))
    outer = Table(grid, colWidths=[width] * per_row, hAlign="LEFT", style=TableStyle([
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [outer, Spacer(1, 8)]


def _chart(values: Sequence[tuple[str, float | None]], mark: str, language: str) -> list[Drawing]:
    """Horizontal bars on one common scale, cut into drawings of at most ``_BARS_PER_CHART`` bars."""
    size = _BAR_FONT_SIZE
    entries = []
    for label, value in values:
        number = None if value is None or not math.isfinite(value) else max(float(value), 0.0)
        text, _ = _cell_text(None if number is None else value, mark, language)
        entries.append((printable_text(label), number, text))
    label_width = min(FRAME_WIDTH * 0.32, max(stringWidth(label, _REGULAR, size) for label, _, _ in entries))
    value_width = max(_pieces(text, _REGULAR, size)[1] for _, _, text in entries)
    x0 = label_width + 6
    bar_space = max(FRAME_WIDTH - x0 - _STUB_WIDTH - value_width - 6, 20.0)
    top = max((number for _, number, _ in entries if number is not None), default=0.0)
    scale = bar_space / top if top > 0 else 0.0

    drawings = []
    for start in range(0, len(entries), _BARS_PER_CHART):
        chunk = entries[start:start + _BARS_PER_CHART]
        height = len(chunk) * _BAR_PITCH + 4
        drawing = Drawing(FRAME_WIDTH, height)
        for index, (label, number, text) in enumerate(chunk):
            y = height - 2 - (index + 1) * _BAR_PITCH + (_BAR_PITCH - _BAR_HEIGHT) / 2
            baseline = y + (_BAR_HEIGHT - size * 0.72) / 2
            drawing.add(String(x0 - 4, baseline, _ellipsize(label, _REGULAR, size, label_width),
                               fontName=_REGULAR, fontSize=size, fillColor=_INK, textAnchor="end"))
            if number is None:
                drawing.add(Rect(x0, y, _STUB_WIDTH, _BAR_HEIGHT, fillColor=_WHITE, strokeColor=_INK,
                                 strokeWidth=0.7))
                end = x0 + _STUB_WIDTH
            else:
                length = number * scale
                if length > 0:
                    drawing.add(Rect(x0, y, length, _BAR_HEIGHT, fillColor=_BAR, strokeColor=_INK, strokeWidth=0.4))
                end = x0 + length
            pieces, _ = _pieces(text, _REGULAR, size)
            for piece, offset in pieces:
                drawing.add(String(end + 3 + offset, baseline, piece, fontName=_REGULAR, fontSize=size,
                                   fillColor=_INK))
        drawing.add(Line(x0, 1, x0, height - 1, strokeColor=_INK, strokeWidth=0.6))
        drawings.append(drawing)
    return drawings


def _table(section: PdfSection, mark: str, language: str) -> Table | None:
    columns = len(section.header)
    if not columns:
        if section.rows:
            raise ValueError(f"section {section.title!r} has rows but no header")
        return None
    numeric = columns - 1
    number_width = min(72.0, FRAME_WIDTH * 0.62 / numeric) if numeric else 0.0
    widths = [FRAME_WIDTH - numeric * number_width] + [number_width] * numeric

    data: list[list] = [[_para(text, "head_left" if index == 0 else "head_right")
                         for index, text in enumerate(section.header)]]
    for row in section.rows:
        if len(row) > columns:
            raise ValueError(f"a row of section {section.title!r} has {len(row)} cells for {columns} columns")
        cells = []
        for index, value in enumerate([*row, *([""] * (columns - len(row)))]):
            text, is_number = _cell_text(value, mark, language)
            if index == 0:
                cells.append(Paragraph(escape(text.replace(THIN_SPACE, " ")), _STYLES["label"]))
            elif is_number:
                cells.append(_Figure(text))
            else:
                cells.append(Paragraph(escape(text), _STYLES["text_right"]))
        data.append(cells)

    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL),
        ("LINEABOVE", (0, 0), (-1, 0), 0.9, _INK),
        ("LINEBELOW", (0, 0), (-1, 0), 0.9, _INK),
        ("LINEBELOW", (0, -1), (-1, -1), 0.9, _INK),
    ]
    if len(data) > 2:
        style.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [_WHITE, _STRIPE]))
    return Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT", style=TableStyle(style))


def _section(section: PdfSection, mark: str, language: str) -> list[Flowable]:
    chart = _chart(section.chart_values, mark, language) if section.chart_values else []
    table = _table(section, mark, language)
    # Keep the title, the chart (or its first part) and the first rows of the table on one page.
    needed = 34 + (chart[0].height + 8 if chart else 0) + (4 * 17 if table is not None else 0)
    story: list[Flowable] = [CondPageBreak(needed), _para(section.title, "section")]
    if chart and section.chart_caption:
        story.append(_para(section.chart_caption, "caption"))
    for drawing in chart:
        story.append(drawing)
    if chart:
        story.append(Spacer(1, 8))
    if table is not None:
        story.append(table)
    return story


class _NumberedCanvas(Canvas):
    """Holds every page back until the end, so that each footer can say "n / N"."""

    def __init__(self, *args, footer: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._held: list[dict] = []

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        self.saveState()
        self.setFillGray(0)
        self.setStrokeGray(0)
        self.setLineWidth(0.5)
        self.line(_MARGIN, _FOOTER_Y + 10, PAGE_WIDTH - _MARGIN, _FOOTER_Y + 10)
        self.setFont(_REGULAR, 8)
        pages = f"{number} / {total}"
        self.drawRightString(PAGE_WIDTH - _MARGIN, _FOOTER_Y, pages)
        room = FRAME_WIDTH - stringWidth(pages, _REGULAR, 8) - 16
        if self._footer:
            self.drawString(_MARGIN, _FOOTER_Y, _ellipsize(self._footer, _REGULAR, 8, room))
        self.restoreState()


def render_report_pdf(*, title: str, subtitle: str, headline: list[tuple[str, str]], definitions: list[str],
                      sections: list[PdfSection], suppressed_mark: str = "—", footer: str = "",
                      language: str = "en") -> bytes:
    """The report as an A4 portrait PDF (see the module docstring for the layout).

    ``headline`` is a list of (label, value) pairs whose values are printed as given (format them with
    :func:`format_number`); table cells may be text (printed as given), numbers (formatted here) or ``None``
    (printed as ``suppressed_mark``). ``language`` is the PDF's /Lang and chooses the decimal sign.
    Raises ``ValueError`` when a row has more cells than its section's header (shorter rows are padded).
    """
    mark = printable_text(suppressed_mark)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=_TOP, bottomMargin=_BOTTOM,
        title=title, subject=subtitle, author="LearnHub", creator="LearnHub", invariant=1, pageCompression=1,
        lang=language.replace("_", "-") or None, displayDocTitle=1,
    )
    story: list[Flowable] = [_para(title, "title")]
    if subtitle:
        story.append(_para(subtitle, "subtitle"))
    story.extend(_headline(headline))
    story.extend(Paragraph(escape(printable_text(text)), _STYLES["definition"], bulletText="•")
                 for text in definitions)
    for section in sections:
        story.extend(_section(section, mark, language))
    doc.build(story, canvasmaker=functools.partial(_NumberedCanvas, footer=printable_text(footer)))
    return buffer.getvalue()
