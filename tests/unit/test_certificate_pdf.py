"""The certificate PDF: what it says, that everything fits one page, the QR code, metadata and size."""

from __future__ import annotations

import base64
import dataclasses
import html
import itertools
import re
import shutil
import subprocess
import zlib
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reportlab.graphics.barcode import qrencoder
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from learnhub.services.certificate_pdf import CertificateText, certificate_text, printable_text, render_certificate

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
PDFINFO = shutil.which("pdfinfo") or "/usr/bin/pdfinfo"
needs_poppler = pytest.mark.skipif(
    not (Path(PDFTOTEXT).exists() and Path(PDFINFO).exists()),
    reason="pdftotext/pdfinfo (Debian package poppler-utils) are not installed, so the PDF's text cannot be read",
)

A4_LANDSCAPE = (841.89, 595.28)
INNER_BORDER = 30.0  # points from the page edge; no text may cross it
QR_SIZE = 32 / 25.4 * 72

URL = "https://learnhub.example.org/verify/7KQ2M9XD4TFA"

SAMPLES = {
    "en": CertificateText(
        heading="Certificate of completion",
        learner_name="Zoë O’Brien-Müller",
        intro="has completed the course",
        course_title="Phishing awareness: spotting “urgent” e-mails",
        date_line="Completed on 28 November 2026",
        hours_line="Estimated effort: 2 hours",
        code_line="Verification code: 7KQ2-M9XD-4TFA",
        verify_line=f"Verify at {URL}",
        verify_url=URL,
        language="en",
    ),
    "es": CertificateText(
        heading="Certificado de finalización",
        learner_name="María José Núñez Peña",
        intro="ha completado el curso",
        course_title="Introducción a la ciberseguridad: contraseñas y autenticación",
        date_line="Completado el 28 de noviembre de 2026",
        hours_line="Esfuerzo estimado: 2 horas",
        code_line="Código de verificación: 7KQ2-M9XD-4TFA",
        verify_line=f"Verifique en {URL}",
        verify_url=URL,
        language="es",
    ),
    "pt": CertificateText(
        heading="Certificado de conclusão",
        learner_name="João Gonçalves Araújo Simões",
        intro="concluiu o curso",
        course_title="Segurança da informação: noções básicas de proteção",
        date_line="Concluído em 28 de novembro de 2026",
        hours_line="Esforço estimado: 2 horas",
        code_line="Código de verificação: 7KQ2-M9XD-4TFA",
        verify_line=f"Verifique em {URL}",
        verify_url=URL,
        language="pt-BR",
    ),
    "fr": CertificateText(
        heading="Certificat de réussite",
        learner_name="Élodie Françoise Lefèvre à Côté",
        intro="a terminé le cours",
        course_title="Sécurité des réseaux : les bases de l’hygiène numérique",
        date_line="Terminé le 28 novembre 2026",
        hours_line="Effort estimé : 2 heures",
        code_line="Code de vérification : 7KQ2-M9XD-4TFA",
        verify_line=f"Vérifiez sur {URL}",
        verify_url=URL,
        language="fr",
    ),
}

PRINTED_FIELDS = (
    "issuer", "heading", "learner_name", "intro", "course_title", "date_line", "hours_line", "code_line", "verify_line",
)

LONG_NAME = "Maximiliana Guadalupe Concepción Fernández de la Peña Ibáñez y Gonçalves Araújo Lefèvre São Brandões"
LONG_TITLE = (
    "Respuesta a incidentes de ciberseguridad en infraestructuras críticas: detección, contención, erradicación "
    "y remediación"
)


def write(tmp_path: Path, pdf: bytes, name: str = "certificate.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def pdftotext(path: Path) -> str:
    result = subprocess.run(
        [PDFTOTEXT, "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    )
    return result.stdout


def page_count(path: Path) -> int:
    info = subprocess.run([PDFINFO, "-enc", "UTF-8", str(path)], capture_output=True, check=True, text=True).stdout
    match = re.search(r"^Pages:\s+(\d+)$", info, re.M)
    assert match, info
    return int(match.group(1))


def pdfinfo(path: Path) -> dict[str, str]:
    info = subprocess.run([PDFINFO, "-enc", "UTF-8", str(path)], capture_output=True, check=True, text=True).stdout
    return dict(re.findall(r"^([A-Za-z ]+):\s+(.*)$", info, re.M))


def word_boxes(path: Path) -> list[tuple[str, float, float, float, float]]:
    """Every word pdftotext finds, with its box (xMin, yMin, xMax, yMax; y from the top of the page)."""
    result = subprocess.run(
        [PDFTOTEXT, "-bbox", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    )
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    return [
        (html.unescape(word), float(x0), float(y0), float(x1), float(y1))
        for x0, y0, x1, y1, word in re.findall(pattern, result.stdout)
    ]


def content_streams(pdf: bytes) -> list[str]:
    """The decoded streams of the PDF (reportlab writes them ASCII85 then Flate encoded)."""
    streams = []
    for match in re.finditer(rb"/Filter \[ /ASCII85Decode /FlateDecode \].*?stream\r?\n(.*?)endstream", pdf, re.S):
        raw = match.group(1).strip()
        raw = raw.removesuffix(b"~>")
        streams.append(zlib.decompress(base64.a85decode(raw)).decode("latin-1"))
    return streams


def drawn_strings(text: CertificateText) -> tuple[bytes, list[tuple[str, float, float, str, float]]]:
    """Render ``text``, recording every string the page draws: (text, left x, baseline y, font name, size).

    Unlike pdftotext, this also sees text that would have been drawn off the page. (The embedded font's subset
    encoding makes the content stream unreadable without the font, so the drawing calls are recorded instead.)
    """
    drawn: list[tuple[str, float, float, str, float]] = []
    originals = {name: getattr(Canvas, name) for name in ("drawString", "drawCentredString", "drawRightString")}

    def recorder(name):
        def draw(canvas, x, y, string, *args, **kwargs):
            width = stringWidth(string, canvas._fontname, canvas._fontsize)
            left = {"drawString": x, "drawCentredString": x - width / 2, "drawRightString": x - width}[name]
            drawn.append((string, left, y, canvas._fontname, canvas._fontsize))
            return originals[name](canvas, x, y, string, *args, **kwargs)
        return draw

    with mock.patch.multiple(Canvas, **{name: recorder(name) for name in originals}):
        pdf = render_certificate(text)
    return pdf, drawn


def drawn_qr_matrix(pdf: bytes, module_count: int, border: int = 4) -> list[list[bool]]:
    """Rebuild the QR modules from the filled rectangles the QR widget draws (one per run of dark modules)."""
    rects = [
        tuple(float(v) for v in m)
        for stream in content_streams(pdf)
        for m in re.findall(r"n ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re f\*", stream)
    ]
    assert rects, "no filled rectangles: the QR code was not drawn"
    box = min(h for _, _, _, h in rects)
    matrix = [[False] * module_count for _ in range(module_count)]
    for x, y, w, h in rects:
        assert h == pytest.approx(box, rel=1e-3)
        row = module_count + border - 1 - round(y / box)
        col = round(x / box) - border
        for c in range(col, col + round(w / box)):
            assert not matrix[row][c], "two rectangles cover the same module"
            matrix[row][c] = True
    return matrix


def expected_qr_matrix(value: str) -> list[list[bool]]:
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(value)
    qr.make()
    return [[bool(m) for m in row] for row in qr.modules]


# --- printable_text -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "printed"), [
    ("María José Núñez Peña", "María José Núñez Peña"),
    ("João Gonçalves Simões", "João Gonçalves Simões"),
    ("Élodie Françoise Lefèvre à Côté", "Élodie Françoise Lefèvre à Côté"),
    ("Zoë Bjørk Œuvre ß € “quoted” — dash", "Zoë Bjørk Œuvre ß € “quoted” — dash"),
    ("Γεώργιος Παπαδόπουλος", "Georgios Papadopoulos"),
    ("Ευάγγελος Ευστάθιος Ελένη", "Evangelos Efstathios Eleni"),
    ("ΘΕΟΔΩΡΟΣ Θεόδωρος", "THEODOROS Theodoros"),
    ("Иван Петров", "Ivan Petrov"),
    ("Мария Щукина ЖУК", "Mariia Shchukina ZHUK"),
    ("Олена Ґаврилюк Їжак", "Olena Gavriliuk Izhak"),
    ("Dvořák Łukasz Ștefan Đorđe", "Dvorák Lukasz Stefan Dorde"),
    ("ﬁrewall Ａｄａ", "firewall Ada"),
    ("王芳", "??"),
    ("Ana 😀 👩\u200d💻 Silva", "Ana Silva"),
    ("a\u200bb\tc\u00a0d  e\u202ff", "ab c d e f"),
    ("x\u2011y", "x-y"),
    ("  😀  ", ""),
    ("", ""),
])
def test_printable_text(given, printed):
    assert printable_text(given) == printed


def test_printable_text_only_returns_characters_the_font_encodes():
    everything = "".join(chr(c) for c in range(0x20, 0x3000)) + "😀🔐\U0001f3f3\ufe0f\u200d🌈"
    printed = printable_text(everything)
    printed.encode("cp1252")  # raises if anything undrawable was let through
    assert "\u00ad" not in printed and "  " not in printed


# --- the PDF ----------------------------------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_every_line_survives_text_extraction(tmp_path, language):
    text = SAMPLES[language]
    path = write(tmp_path, render_certificate(text))
    # DejaVu Sans is wider than Helvetica: a title may wrap, so lines are joined before looking for each field
    extracted = " ".join(pdftotext(path).split())
    for field in PRINTED_FIELDS:
        assert getattr(text, field) in extracted, f"{field} missing from:\n{extracted}"
    assert page_count(path) == 1
    # the hierarchy: heading before name before intro before title before date, hours, code and verify lines
    positions = [extracted.index(getattr(text, field)) for field in PRINTED_FIELDS]
    assert positions == sorted(positions)


@needs_poppler
def test_page_is_a4_landscape(tmp_path):
    info = pdfinfo(write(tmp_path, render_certificate(SAMPLES["en"])))
    width, height = (float(v) for v in re.match(r"([\d.]+) x ([\d.]+) pts", info["Page size"]).groups())
    assert (width, height) == pytest.approx(A4_LANDSCAPE, abs=0.1)


@needs_poppler
def test_long_name_and_title_wrap_onto_one_page_within_the_border(tmp_path):
    assert len(LONG_NAME) == 100 and len(LONG_TITLE) == 120
    text = dataclasses.replace(SAMPLES["es"], learner_name=LONG_NAME, course_title=LONG_TITLE)
    path = write(tmp_path, render_certificate(text))
    assert page_count(path) == 1
    words = [word for word, *_ in word_boxes(path)]
    for word in (LONG_NAME + " " + LONG_TITLE).split():
        assert word in words, f"{word!r} lost"
    extracted = " ".join(pdftotext(path).split())
    assert "…" not in extracted  # nothing was cut: 100 and 120 characters wrap
    for field in ("heading", "intro", "date_line", "hours_line", "code_line", "verify_line"):
        assert getattr(text, field) in extracted
    assert_inside_border(path, text)


def assert_inside_border(path: Path, text: CertificateText) -> None:
    """No text crosses the inner border or touches the QR code (32 mm square, 10 pt inside the bottom right corner),
    and none is shrunk below 6.5 pt.

    Checked twice: on every string drawn, from the content stream and the font metrics (this sees text pushed off
    the page, which pdftotext leaves out), and on the words pdftotext finds, whose lines must not overlap either.
    """
    width, height = A4_LANDSCAPE
    qr_x0, qr_top = width - INNER_BORDER - 10 - QR_SIZE, INNER_BORDER + 10 + QR_SIZE
    pdf, drawn = drawn_strings(text)
    assert pdf == path.read_bytes()  # the very file checked below
    assert drawn
    for string, x, y, font, size in drawn:
        right = x + stringWidth(string, font, size)
        assert size >= 6.5, f"{string!r} is too small to read once printed"
        assert x >= INNER_BORDER and right <= width - INNER_BORDER, string
        assert y - 0.25 * size >= INNER_BORDER and y + size <= height - INNER_BORDER, string
        assert right <= qr_x0 or y - 0.25 * size >= qr_top, f"{string!r} overlaps the QR code"
    qr_y0 = height - qr_top
    boxes = word_boxes(path)
    assert boxes
    for word, x0, y0, x1, y1 in boxes:
        assert x0 >= INNER_BORDER and y0 >= INNER_BORDER, word
        assert x1 <= width - INNER_BORDER and y1 <= height - INNER_BORDER, word
        assert x1 <= qr_x0 or y1 <= qr_y0, f"{word!r} overlaps the QR code"
    # lines do not overlap each other either
    rows = sorted({(round(y0, 1), round(y1, 1)) for _, _, y0, _, y1 in boxes})
    for (_, bottom), (top, _) in itertools.pairwise(rows):
        assert top >= bottom - 0.5, rows


@needs_poppler
def test_every_field_long_at_once_still_fits(tmp_path):
    text = CertificateText(
        heading="Certificado internacional de finalización con aprovechamiento",
        learner_name="Maximiliana Guadalupe Concepción Fernández de la Peña",
        intro="ha completado satisfactoriamente todas las actividades evaluables del curso en línea",
        course_title=LONG_TITLE,
        date_line="Completado el miércoles, 28 de noviembre de 2026, en la plataforma de formación LearnHub",
        hours_line="Esfuerzo estimado: 2 horas de lectura, 1 hora de ejercicios prácticos y 30 minutos de evaluación",
        code_line="Código de verificación: 7KQ2-M9XD-4TFA",
        verify_line=f"Verifique la autenticidad de este certificado en {URL}",
        verify_url=URL,
        language="es",
    )
    path = write(tmp_path, render_certificate(text))
    assert page_count(path) == 1
    extracted = " ".join(pdftotext(path).split())
    for field in PRINTED_FIELDS:
        for word in getattr(text, field).split():
            assert word in extracted, f"{word!r} of {field} lost"
    assert "…" not in extracted
    assert_inside_border(path, text)


@needs_poppler
def test_absurdly_long_text_is_cut_with_an_ellipsis_but_never_leaves_the_page(tmp_path):
    text = dataclasses.replace(
        SAMPLES["en"],
        heading="Certificate " * 40,
        learner_name="Bartholomew " * 150,
        course_title="x" * 3000,
        intro="has completed the course " * 30,
        verify_line="Verify at https://learnhub.example.org/verify/" + "A" * 400,
    )
    path = write(tmp_path, render_certificate(text))
    assert page_count(path) == 1
    assert "…" in pdftotext(path)
    assert_inside_border(path, text)


@needs_poppler
def test_empty_lines_are_left_out(tmp_path):
    text = dataclasses.replace(SAMPLES["en"], hours_line="", issuer="")
    path = write(tmp_path, render_certificate(text))
    lines = [line.strip() for line in pdftotext(path).splitlines() if line.strip()]
    assert lines[0] == "Certificate of completion"
    assert "Completed on 28 November 2026" in lines
    assert not any("effort" in line for line in lines)


@needs_poppler
def test_greek_and_cyrillic_print_as_given_and_what_the_font_lacks_is_replaced_not_crashing(tmp_path):
    text = dataclasses.replace(
        SAMPLES["en"],
        learner_name="Ελένη Παπαδοπούλου 😀",
        course_title="Основы кибербезопасности 🔐 for 王芳 שלום",
    )
    pdf = render_certificate(text)
    path = write(tmp_path, pdf)
    extracted = pdftotext(path)
    assert "Ελένη Παπαδοπούλου" in extracted  # the embedded font has Greek and Cyrillic (decision 0065)
    assert "Основы кибербезопасности for ?? ????" in extracted  # no Chinese glyphs; no right-to-left layout
    assert "■" not in extracted and "😀" not in extracted
    assert page_count(path) == 1
    # the metadata keeps the name as given: PDF strings are Unicode
    info = pdfinfo(path)
    assert info["Subject"] == "Ελένη Παπαδοπούλου 😀 · Основы кибербезопасности 🔐 for 王芳 שלום"


def test_qr_code_encodes_the_verify_url():
    pdf = render_certificate(SAMPLES["en"])
    expected = expected_qr_matrix(URL)
    assert drawn_qr_matrix(pdf, len(expected)) == expected
    other = "https://learnhub.example.org/verify/ZZZZZZZZZZZZ"
    assert drawn_qr_matrix(pdf, len(expected)) != expected_qr_matrix(other)


def test_qr_code_changes_with_the_url_only():
    first = render_certificate(SAMPLES["en"])
    other_url = dataclasses.replace(SAMPLES["en"], verify_url="https://learnhub.example.org/verify/ZZZZZZZZZZZZ")
    second = render_certificate(other_url)
    assert first != second
    # same printed text in both: only the drawing differs
    text_ops = [re.findall(r"\((.*?)\) Tj", "\n".join(content_streams(pdf))) for pdf in (first, second)]
    assert text_ops[0] == text_ops[1] and len(text_ops[0]) >= 9


def test_qr_code_sits_in_the_bottom_right_corner():
    stream = "\n".join(content_streams(render_certificate(SAMPLES["en"])))
    placements = [(float(x), float(y)) for x, y in re.findall(r"1 0 0 1 ([\d.]+) ([\d.]+) cm", stream)]
    assert any(x > A4_LANDSCAPE[0] * 0.75 and INNER_BORDER < y < 80 for x, y in placements), placements


def test_same_input_gives_the_same_bytes():
    assert render_certificate(SAMPLES["fr"]) == render_certificate(SAMPLES["fr"])


def test_metadata_in_the_raw_pdf():
    pdf = render_certificate(SAMPLES["en"])
    assert pdf.startswith(b"%PDF-")
    assert b"/Lang (en)" in pdf
    assert b"/Author (LearnHub)" in pdf
    assert b"/Title (Certificate of completion: Phishing awareness: spotting " in pdf
    assert b"/Lang (pt-BR)" in render_certificate(SAMPLES["pt"])
    assert b"/Lang (fr)" in render_certificate(dataclasses.replace(SAMPLES["fr"], language="fr"))
    assert b"/Type /Page " in pdf or b"/Type /Page\n" in pdf
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 1
    assert b"/FontFile" in pdf  # DejaVu Sans Condensed, embedded as a subset
    assert b"/BaseFont /AAAAAA+DejaVuSansCondensed-Bold" in pdf and b"/BaseFont /AAAAAA+DejaVuSansCondensed " in pdf


@needs_poppler
def test_unicode_title_in_the_metadata(tmp_path):
    info = pdfinfo(write(tmp_path, render_certificate(SAMPLES["es"])))
    assert info["Title"] == "Certificado de finalización: Introducción a la ciberseguridad: contraseñas y autenticación"
    assert info["Author"] == "LearnHub"


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_typical_certificate_is_small(language):
    size = len(render_certificate(SAMPLES[language]))
    assert 1_000 < size < 60_000


VOCABULARY = [
    "de", "la", "seguridad", "información", "João", "Núñez", "Françoise", "ciberseguridad", "gestión", "incidentes",
    "críticas", "Müller", "Straße", "Œuvre", "protección", "contraseñas", "phishing", "réseaux", "hygiène", "numérique",
    "y", "e", "à", "et", "of", "the", "course",
]


def phrase(max_words: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(VOCABULARY), min_size=0, max_size=max_words).map(" ".join)


@needs_poppler
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    heading=phrase(12), name=phrase(25), intro=phrase(25), title=phrase(40), date=phrase(25), hours=phrase(25),
    verify=phrase(15),
)
@example(  # every block at its most lines and largest size at once: only shrinking the whole stack makes it fit
    heading=" ".join(["Certificado"] * 8), name=" ".join(["Concepción"] * 6), intro=" ".join(["seguridad"] * 20),
    title=" ".join(["ciberseguridad"] * 12), date=" ".join(["información"] * 20), hours=" ".join(["gestión"] * 32),
    verify="",
)
def test_any_lengths_fit_one_page_inside_the_border(tmp_path, heading, name, intro, title, date, hours, verify):
    text = CertificateText(
        heading=heading, learner_name=name, intro=intro, course_title=title, date_line=date, hours_line=hours,
        code_line="Código: 7KQ2-M9XD-4TFA", verify_line=f"{verify} {URL}", verify_url=URL, language="es",
    )
    path = write(tmp_path, render_certificate(text), "property.pdf")
    assert page_count(path) == 1
    assert_inside_border(path, text)
    extracted = pdftotext(path)
    if "…" not in extracted:
        # pdftotext may glue a one-letter word to its neighbour ("y y" -> "yy") at small sizes, so words are
        # looked for in the extracted text, not among its whitespace-separated tokens.
        for field in PRINTED_FIELDS:
            for word in getattr(text, field).split():
                assert word in extracted, (field, word)


# --- every Latin script, printed exactly (decision 0065) ---------------------------------------------------------

NAMES = [
    "Łucja Dąbrowska-Wójcik",              # Polish
    "Źdźisław Żółkiewski-Ślęzak",          # Polish
    "Jiří Dvořák Šťastný Ůžek",            # Czech
    "Ștefan Țăranu Mănăstireanu Îndârjit",  # Romanian (comma below)
    "Őrs Ügyvéd Gyűrűs Erőss",             # Hungarian (double acute)
    "Nguyễn Thị Ánh Tuyết Phạm Quỳnh Đức",  # Vietnamese
    "Trần Hưng Đạo Lê Thị Hồng Gấm",        # Vietnamese
    "Ľudovít Ďurčo Ťažký Ŕehák",           # Slovak
    "Gunārs Ķēniņš Ļaudis Ņikita",         # Latvian
    "Žydrūnė Ąžuolaitė Ėglė Čiurlionytė",   # Lithuanian
    "Ġużeppi Ħabib Żammit",               # Maltese
    "Þórunn Ðóra Ævarsdóttir",             # Icelandic
    "Gülşen Ağaoğlu İnci Işık",            # Turkish (Cyprus)
    "Dragica Đurđević Ćosić",              # Croatian
    "Mikaela Tuomisto-Äärelä Åström",      # Finnish, Swedish
    "Sìne Ó Súilleabháin",                 # Irish
    "Marie-Ève Lefèvre Nguyễn",            # French with a Vietnamese surname
    "Bárbara Pérez Peña Güemes",           # Spanish
    "Conceição Gonçalves Araújo",          # Portuguese
    "Ÿvonne Œhlenschläger",                # rare capitals
]


@needs_poppler
@pytest.mark.parametrize("name", NAMES)
def test_every_latin_name_is_printed_exactly(tmp_path, name):
    path = write(tmp_path, render_certificate(dataclasses.replace(SAMPLES["en"], learner_name=name)))
    extracted = " ".join(pdftotext(path).split())  # a long name may wrap onto a second line
    assert f"Certificate of completion {name} has completed the course" in extracted  # exactly, as given (NFC)
    assert_inside_border(path, dataclasses.replace(SAMPLES["en"], learner_name=name))


def test_every_name_goes_through_unchanged():
    for name in NAMES:
        assert certificate_text(name) == name
