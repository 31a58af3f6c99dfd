"""The coverage report PDF: what it says, tables across pages, suppressed cells, hostile text, metadata and size."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from reportlab.graphics.shapes import Rect, String

from learnhub.reports.numbers import THIN_SPACE, format_number
from learnhub.reports.pdf import PdfSection, _chart, render_report_pdf

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
PDFINFO = shutil.which("pdfinfo") or "/usr/bin/pdfinfo"
needs_poppler = pytest.mark.skipif(
    not (Path(PDFTOTEXT).exists() and Path(PDFINFO).exists()),
    reason="pdftotext/pdfinfo (Debian package poppler-utils) are not installed, so the PDF's text cannot be read",
)

HOSTILE = "<b>&x</b>"
METRICS = ["Personas", "Inscritas", "Activas", "Completaron", "Certificadas"]


def spanish_report(**changes) -> dict:
    """A three-section report in Spanish, as the coverage view would pass it."""
    arguments = dict(
        title="Informe de cobertura: Perú 2026",
        subtitle="Capacitación en ciberseguridad · generado el 1 de marzo de 2027",
        headline=[("Personas", "12\u2009345"), ("Inscritas", "8\u2009001"), ("Activas", "—"),
                  ("Completaron", "1\u2009207"), ("Certificadas", "954")],
        definitions=["Personas: aprendices y formadores con una cuenta en el país.",
                     "Los valores de 1 a 4 y las celdas que los revelarían no se muestran (—)."],
        sections=[
            PdfSection("Por sector", ["Sector", *METRICS], [
                ["Administración pública", 12034, 7702, 5120, 1150, 901],
                ["Energía y minería", 187, 166, None, 39, None],
                ["Educación e investigación", 124, 133, None, 18, 53],
            ], chart_values=[("Administración pública", 901), ("Energía y minería", None),
                             ("Educación e investigación", 53)]),
            PdfSection("Por género", ["Género", *METRICS], [
                ["Mujer", 5321, 3900, 2004, 600, 511],
                ["Hombre", 6998, 4101, 3117, 607, 443],
                ["No indicado", 26, None, None, None, None],
            ]),
            PdfSection("Por mes", ["Mes", "Activas", "Tasa de finalización (%)", "Nota"], [
                ["2026-01", 1044, 42.5, "revisión pendiente"],
                ["2026-02", None, 38.25, ""],
                ["2026-03", 2210, None, "año récord"],
            ], chart_values=[("enero", 1044), ("febrero", None), ("marzo", 2210)]),
        ],
        footer="LearnHub · Informe de cobertura PE 2026 · página",
        language="es",
    )
    arguments.update(changes)
    return arguments


def spaced(text: str) -> str:
    """Whitespace collapsed to single plain spaces (extracted text has ordinary spaces for the thin ones)."""
    return " ".join(text.split())


def pdf_text(data: bytes, tmp_path: Path, first: int | None = None, last: int | None = None) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    result = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", *pages, str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode()


def pdf_info(data: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    result = subprocess.run([PDFINFO, "-enc", "UTF-8", str(path)], capture_output=True, check=True)
    return dict(line.split(":", 1) for line in result.stdout.decode().splitlines() if ":" in line)


def page_count(data: bytes, tmp_path: Path) -> int:
    return int(pdf_info(data, tmp_path)["Pages"])


def content_streams(data: bytes) -> list[str]:
    streams = []
    for raw in re.findall(rb"/Filter \[ /ASCII85Decode /FlateDecode \].*?stream\r?\n(.*?)endstream", data, re.S):
        streams.append(zlib.decompress(base64.a85decode(raw.strip().removesuffix(b"~>"))).decode("latin-1"))
    return streams


def long_section(rows: int = 60) -> PdfSection:
    return PdfSection("Por curso", ["Curso", "Inscripciones totales", "Finalizaciones totales"],
                      [[f"Curso número {i:02d}", 1000 + i, None if i % 7 == 0 else i] for i in range(rows)])


# --- Document -----------------------------------------------------------------------------------------------------


def test_is_a_deterministic_pdf():
    first = render_report_pdf(**spanish_report())
    assert first.startswith(b"%PDF-")
    assert first == render_report_pdf(**spanish_report())


def test_metadata_in_the_file():
    data = render_report_pdf(**spanish_report(language="pt_BR"))
    assert b"/Lang (pt-BR)" in data
    assert b"/Author (LearnHub)" in data


def test_only_greys_are_drawn():
    """Printable in black and white: every colour set in the page content is a grey."""
    streams = content_streams(render_report_pdf(**spanish_report()))
    assert streams
    for stream in streams:
        for r, g, b in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) (?:rg|RG)\b", stream):
            assert float(r) == float(g) == float(b), stream
        assert not re.search(r"\b(?:k|K|sc|SC|scn|SCN)\n", stream)


def test_a_row_longer_than_the_header_is_refused():
    section = PdfSection("Por sector", ["Sector", "Personas"], [["Energía", 1, 2]])
    with pytest.raises(ValueError, match="3 cells for 2 columns"):
        render_report_pdf(**spanish_report(sections=[section]))


def test_short_rows_empty_sections_and_no_headline_are_fine():
    sections = [PdfSection("Vacía", [], []), PdfSection("Corta", ["A", "B", "C"], [["x"], []]),
                PdfSection("Sin filas", ["A", "B"], [], chart_values=[("solo", None)])]
    data = render_report_pdf(title="T", subtitle="", headline=[], definitions=[], sections=sections)
    assert data.startswith(b"%PDF-")


def test_size_of_a_ten_section_report():
    sections = [
        PdfSection(f"Sección {n}", ["Grupo", *METRICS],
                   [[f"Grupo {n}-{i}", 10000 + i * 37, 500 + i, None if i % 5 == 0 else i, i * 3, 12.5] for i in
                    range(20)],
                   chart_values=[(f"Grupo {n}-{i}", None if i % 5 == 0 else 500 + i) for i in range(20)])
        for n in range(10)
    ]
    data = render_report_pdf(**spanish_report(sections=sections))
    assert len(data) < 200_000


# --- Chart --------------------------------------------------------------------------------------------------------


def test_chart_draws_bars_and_an_outlined_stub_for_suppressed_values():
    (drawing,) = _chart([("Energía", 100), ("Educación", None), ("Salud", 50), ("Cero", 0)], "—", "es")
    rects = [shape for shape in drawing.contents if isinstance(shape, Rect)]
    bars = [rect for rect in rects if rect.fillColor.red < 1]
    stubs = [rect for rect in rects if rect.fillColor.red == 1]
    assert len(bars) == 2  # a zero draws no bar, only its value
    assert bars[0].width == pytest.approx(2 * bars[1].width)
    assert len(stubs) == 1
    assert stubs[0].strokeColor is not None and stubs[0].strokeWidth > 0
    texts = [shape.text for shape in drawing.contents if isinstance(shape, String)]
    assert {"Energía", "Educación", "Salud", "Cero", "100", "50", "0", "—"} <= set(texts)


def test_long_chart_is_cut_into_drawings_that_can_flow_across_pages():
    drawings = _chart([(f"Curso {i}", i) for i in range(70)], "—", "en")
    assert len(drawings) == 3
    assert all(drawing.height < 500 for drawing in drawings)


def test_chart_numbers_are_split_at_the_thin_spaces():
    (drawing,) = _chart([("Grande", 1234567)], "—", "en")
    texts = [shape.text for shape in drawing.contents if isinstance(shape, String)]
    assert texts[-3:] == ["1", "234", "567"]
    assert not any(THIN_SPACE in text for text in texts)


# --- What it says (needs poppler) ----------------------------------------------------------------------------------


@needs_poppler
def test_every_title_headline_and_table_value_is_printed(tmp_path):
    arguments = spanish_report()
    text = spaced(pdf_text(render_report_pdf(**arguments), tmp_path))
    assert arguments["title"] in text
    assert spaced(arguments["subtitle"]) in text
    for label, value in arguments["headline"]:
        assert label in text
        assert spaced(value) in text
    for definition in arguments["definitions"]:
        assert definition in text
    for section in arguments["sections"]:
        assert section.title in text
        for heading in section.header:
            assert heading in text
        for row in section.rows:
            for value in row:
                if value is None:
                    shown = "—"
                elif isinstance(value, str):
                    shown = value
                else:
                    shown = spaced(format_number(value, "es"))
                assert shown in text, value
    # spot checks of the formatting, independent of format_number
    for shown in ("12 034 7 702 5 120 1 150 901", "Energía y minería 187 166 — 39 —", "42,5", "38,3", "año récord"):
        assert shown in text
    assert "LearnHub · Informe de cobertura PE 2026" in text


@needs_poppler
def test_numbers_are_right_aligned_with_thin_spaces(tmp_path):
    section = PdfSection("Por sector", ["Sector", "Personas"], [["A", 1234567], ["B", 7]])
    data = render_report_pdf(**spanish_report(sections=[section], headline=[], definitions=[]))
    path = tmp_path / "bbox.html"
    (tmp_path / "in.pdf").write_bytes(data)
    subprocess.run([PDFTOTEXT, "-bbox", str(tmp_path / "in.pdf"), str(path)], check=True)
    words = [(word, float(x_min), float(x_max)) for x_min, x_max, word in re.findall(
        r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', path.read_text())]
    table = [entry[0] for entry in words].index("Personas")
    header, a, one, thousands, units, b, seven = words[table:table + 7]
    assert [header[0], a[0], one[0], thousands[0], units[0], b[0], seven[0]] == ["Personas", "A", "1", "234", "567",
                                                                                 "B", "7"]
    assert units[2] == pytest.approx(seven[2], abs=0.5)  # right-aligned, with the header too
    assert units[2] == pytest.approx(header[2], abs=0.5)
    for before, after in ((one, thousands), (thousands, units)):
        gap = after[1] - before[2]
        assert 1.0 < gap < 2.2  # a thin space (a fifth of the 8.5 pt size), narrower than a normal space (2.4 pt)


@needs_poppler
def test_accents_are_kept_and_other_scripts_transliterated(tmp_path):
    rows = [["Ελλάδα", 10], ["Россия", 20], ["中国", 30], ["Perú 🎉", 40]]
    section = PdfSection("Países", ["País", "Personas"], rows)
    text = pdf_text(render_report_pdf(**spanish_report(sections=[section])), tmp_path)
    for shown in ("Ellada", "Rossiia", "??", "Perú", "Países"):
        assert shown in text
    assert "🎉" not in text


@needs_poppler
def test_a_long_table_spans_pages_with_its_header_repeated(tmp_path):
    data = render_report_pdf(**spanish_report(sections=[long_section(60)]))
    pages = page_count(data, tmp_path)
    assert pages >= 2
    table_pages = 0
    for page in range(1, pages + 1):
        text = spaced(pdf_text(data, tmp_path, page, page))
        rows_here = re.findall(r"Curso número \d\d", text)
        if rows_here:
            table_pages += 1
            assert "Inscripciones totales" in text and "Finalizaciones totales" in text, page
            assert text.index("Inscripciones totales") < text.index(rows_here[0]), page
    assert table_pages >= 2
    whole = spaced(pdf_text(data, tmp_path))
    found = re.findall(r"Curso número (\d\d)", whole)
    assert found == [f"{i:02d}" for i in range(60)]  # every row once, in order, none lost at a page break
    assert whole.count("Inscripciones totales") == table_pages


@needs_poppler
def test_page_numbers_and_footer_on_every_page(tmp_path):
    data = render_report_pdf(**spanish_report(sections=[long_section(120)], footer="Ministerio · PE 2026"))
    pages = page_count(data, tmp_path)
    assert pages >= 3
    for page in range(1, pages + 1):
        text = pdf_text(data, tmp_path, page, page)
        assert re.search(rf"(?<!\d){page}\s*/\s*{pages}(?!\d)", text), page
        assert "Ministerio · PE 2026" in text
    info = pdf_info(data, tmp_path)
    assert info["Page size"].split()[:3] == ["595.276", "x", "841.89"]


@needs_poppler
def test_pdf_metadata(tmp_path):
    info = pdf_info(render_report_pdf(**spanish_report()), tmp_path)
    assert info["Title"].strip() == "Informe de cobertura: Perú 2026"
    assert info["Author"].strip() == "LearnHub"


@needs_poppler
def test_hostile_text_prints_literally(tmp_path):
    section = PdfSection(HOSTILE, ["Grupo", HOSTILE], [[HOSTILE, 1], ["B", HOSTILE]], chart_values=[(HOSTILE, 3)])
    data = render_report_pdf(title=HOSTILE, subtitle=HOSTILE, headline=[(HOSTILE, HOSTILE)], definitions=[HOSTILE],
                             sections=[section], footer=HOSTILE, suppressed_mark=HOSTILE)
    text = pdf_text(data, tmp_path)
    # title, subtitle, headline value and label, definition, section title, header, row label, cell, chart, footer
    assert text.count(HOSTILE) == 11
    assert "&amp;" not in text and "&lt;" not in text


@needs_poppler
def test_suppressed_values_print_the_mark(tmp_path):
    section = PdfSection("Por sector", ["Sector", "Personas", "Tasa"],
                         [["A", None, 1.5], ["B", 5, None], ["C", None, float("nan")]],
                         chart_values=[("A", None), ("B", 5), ("C", None)])
    data = render_report_pdf(**spanish_report(sections=[section], headline=[], definitions=[],
                                              suppressed_mark="[s]"))
    text = pdf_text(data, tmp_path)
    assert text.count("[s]") == 4 + 2  # four table cells (NaN counts as suppressed) and two chart stubs
    default = pdf_text(render_report_pdf(**spanish_report(sections=[section], headline=[], definitions=[])), tmp_path)
    assert default.count("—") == 6
