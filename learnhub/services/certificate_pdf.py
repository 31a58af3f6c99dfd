"""The certificate of completion as a PDF: a pure function from already translated text to bytes.

No Flask and no database here: the caller looks up the learner, the course and the verification code, formats the
date with Babel, translates every line into the learner's language and passes the result as a ``CertificateText``.

The certificate is set in DejaVu Sans (regular and bold), vendored with its licence in learnhub/data/fonts and
embedded (as a subset) in every PDF, so that every Latin script prints exactly, "Łucja Dąbrowska-Wójcik", "Őrs
Ügyvéd", "Ștefan Dvořák" and Vietnamese "Nguyễn Thị Ánh" included, and Greek and Cyrillic too (decision 0065).
Text the font cannot draw goes through :func:`printable_text` with the font's own coverage; right-to-left scripts
count as not drawable, as nothing here lays out bidirectional text. Coverage reports keep the standard Helvetica
fonts and their WinAnsi rules (``printable_text`` with its default).
"""

from __future__ import annotations

import functools
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import registerFont, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

__all__ = ["CertificateText", "certificate_text", "printable_text", "render_certificate"]


@dataclass(frozen=True)
class CertificateText:
    """Everything printed on a certificate, already in the learner's language (the caller translates)."""

    heading: str            # e.g. "Certificate of completion" / "Certificado de finalización"
    learner_name: str
    intro: str              # e.g. "has completed the course" / "ha completado el curso"
    course_title: str
    date_line: str          # e.g. "Completed on 28 November 2026" (formatted by the caller with Babel)
    hours_line: str         # e.g. "Estimated effort: 2 hours"
    code_line: str          # e.g. "Verification code: 7KQ2-M9XD-4TFA"
    verify_line: str        # e.g. "Verify at https://learnhub.example.org/verify/7KQ2M9XD4TFA"
    verify_url: str         # encoded in the QR code
    issuer: str = "LearnHub"           # the issuing body (LEARNHUB_CERTIFICATE_ISSUER)
    signatory: str = ""                # who signs for it, printed above their role; empty: no signature block
    signatory_role: str = ""           # e.g. "Director, Training Centre"
    logo: str | None = None            # path of a PNG or JPEG, printed in the top left corner
    language: str = "en"    # set as the PDF's /Lang
    expiry_line: str = ""   # e.g. "Valid until 28 November 2027"; empty for a certificate that never expires


# --- Text the standard fonts can draw ----------------------------------------------------------------------------

# The encoding reportlab uses for the standard fonts is WinAnsi, which is Windows code page 1252.
_ENCODING = "cp1252"

# ICAO Doc 9303 (machine-readable travel documents), the transliteration printed in EU passports, for Cyrillic.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "i",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu",
    "я": "ia", "ґ": "g", "є": "ie", "і": "i", "ї": "i", "ў": "u", "ђ": "d", "ѓ": "g", "ѕ": "dz", "ј": "j",
    "љ": "lj", "њ": "nj", "ћ": "c", "ќ": "k", "џ": "dz",
}

# ELOT 743 (the Greek standard, also used for Greek passports), without diacritics; digraphs are handled in code.
_GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i", "κ": "k", "λ": "l",
    "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f",
    "χ": "ch", "ψ": "ps", "ω": "o",
}
_GREEK_VOICELESS = set("θκξπσςτφχψ")

# Latin letters outside cp1252 that have no Unicode decomposition to fall back on.
_LATIN_EXTRA = {
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "ı": "i", "ŧ": "t", "Ŧ": "T", "ŋ": "ng", "Ŋ": "Ng",
    "ə": "e", "Ə": "E", "ĸ": "k", "ȷ": "j",
}


def _drawable(ch: str) -> bool:
    try:
        ch.encode(_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def _greek_base(ch: str) -> tuple[str, bool]:
    """The lower-case Greek letter under ``ch`` without accents, and whether it carries a diaeresis."""
    decomposed = unicodedata.normalize("NFD", ch)
    return decomposed[0].lower(), "\u0308" in decomposed


def _greek_letter(ch: str) -> bool:
    return ch.isalpha() and _greek_base(ch)[0] in _GREEK


def _cased(out: str, text: str, start: int, end: int) -> str:
    """Give the transliteration ``out`` of ``text[start:end]`` the case of the original: Ж -> Zh, ЖУК -> ZHUK."""
    if not text[start].isupper():
        return out
    following = text[end] if end < len(text) else ""
    preceding = text[start - 1] if start > 0 else ""
    shouting = following.isupper() or (not following.isalpha() and preceding.isupper())
    return out.upper() if shouting else out.capitalize()


def _greek(text: str, i: int) -> tuple[str, int]:
    """Transliterate the Greek letter at ``text[i]``; returns the Latin text and how many characters it used."""
    low, _ = _greek_base(text[i])
    nxt, nxt_diaeresis = _greek_base(text[i + 1]) if i + 1 < len(text) and _greek_letter(text[i + 1]) else ("", False)
    if low in "αεηο" and nxt == "υ" and not nxt_diaeresis:
        if low == "ο":
            out = "ou"
        else:  # αυ, ευ, ηυ: "v" before vowels and voiced consonants, "f" before voiceless ones and at the end
            after = _greek_base(text[i + 2])[0] if i + 2 < len(text) and _greek_letter(text[i + 2]) else ""
            out = _GREEK[low] + ("f" if not after or after in _GREEK_VOICELESS else "v")
        return _cased(out, text, i, i + 2), 2
    if low == "γ" and nxt in ("γ", "ξ", "χ"):
        return _cased("n" + _GREEK[nxt], text, i, i + 2), 2
    return _cased(_GREEK[low], text, i, i + 1), 1


def _fallback(ch: str, drawable: Callable[[str], bool]) -> str:
    """What to print for one character the font cannot draw (not Greek, not Cyrillic)."""
    if ch in _LATIN_EXTRA:
        return _LATIN_EXTRA[ch]
    kept = "".join(
        part if drawable(part) else _LATIN_EXTRA.get(part, "")
        for part in unicodedata.normalize("NFKD", ch)
        if not unicodedata.combining(part) and not part.isspace()
    )
    if kept:
        return kept
    category = unicodedata.category(ch)
    if category == "Pd":
        return "-"
    if category[0] in "LN":
        return "?"
    return ""


def printable_text(text: str, drawable: Callable[[str], bool] = _drawable) -> str:
    """``text`` as it is printed, using only characters the font can draw: by default the standard PDF fonts
    (coverage reports); the certificate passes its embedded font's coverage (``certificate_text``), with which
    every letter below that the font has is printed as it is and only the rest falls back as described.

    - Every letter of English, Spanish, Portuguese and French, and everything else in Windows-1252 (which includes
      Latin-1, so also German, Dutch, the Nordic languages, Italian, Catalan, œ, €, curly quotes and dashes) is kept.
    - Greek is transliterated as in Greek passports (ELOT 743, without accents: Γεώργιος Παπαδόπουλος -> Georgios
      Papadopoulos) and Cyrillic as in ICAO Doc 9303 (Иван Петров -> Ivan Petrov), so these names stay readable.
    - Other Latin letters lose only their diacritic (Dvořák -> Dvorák, Łukasz -> Lukasz, Ștefan -> Stefan), and
      compatibility forms are unfolded (ﬁ -> fi, full-width Ａ -> A).
    - Any other letter or digit (Chinese, Arabic, Hebrew, ...) becomes "?", so that a gap is visible, not silent.
    - Emoji and other symbols, stray combining marks and control or format characters are dropped; other dashes
      become "-"; every kind of space becomes a plain space, and runs of spaces collapse to one.

    Nothing raises: any string gives a printable (possibly empty) string.
    """
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch)[0] == "C":
            pass
        elif drawable(ch):
            out.append(ch)
        elif _greek_letter(ch):
            latin, used = _greek(text, i)
            out.append(latin)
            i += used
            continue
        elif ch.lower() in _CYRILLIC:
            out.append(_cased(_CYRILLIC[ch.lower()], text, i, i + 1))
        else:
            out.append(_fallback(ch, drawable))
        i += 1
    return " ".join("".join(out).split())


# --- The embedded font ----------------------------------------------------------------------------------------

_FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"
_REGULAR = "LearnHubSans"
_BOLD = "LearnHubSans-Bold"
_RIGHT_TO_LEFT = {"R", "AL", "AN"}


@functools.cache
def _font_coverage() -> frozenset[int]:
    """Register DejaVu Sans (once per process) and return the code points it draws."""
    regular = TTFont(_REGULAR, str(_FONTS / "DejaVuSansCondensed.ttf"))
    registerFont(regular)
    registerFont(TTFont(_BOLD, str(_FONTS / "DejaVuSansCondensed-Bold.ttf")))
    return frozenset(regular.face.charToGlyph)


def _in_font(ch: str) -> bool:
    return ord(ch) in _font_coverage() and unicodedata.bidirectional(ch) not in _RIGHT_TO_LEFT


def certificate_text(text: str) -> str:
    """``text`` as the certificate prints it: as given wherever DejaVu Sans has the letters (every Latin script,
    Greek, Cyrillic), with printable_text's fallbacks for the rest (Chinese "?", right-to-left scripts "?", emoji
    dropped)."""
    return printable_text(text, _in_font)


# --- Layout -------------------------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
_OUTER = 22.0                     # outer border, points from the page edge
_INNER = 30.0                     # inner border
_PAD = 30.0                       # from the inner border to any text
_QR_SIZE = 32 * mm                # QR code including its quiet zone of 4 modules
_LEADING = 1.22
_ELLIPSIS = "…"



@dataclass(frozen=True)
class _Block:
    text: str
    font: str
    max_size: float
    min_size: float
    max_lines: int
    space_before: float


@dataclass(frozen=True)
class _Fitted:
    lines: list[str]
    font: str
    size: float
    space_before: float

    @property
    def height(self) -> float:
        return self.space_before + len(self.lines) * self.size * _LEADING


def _break_word(word: str, font: str, size: float, width: float) -> list[str]:
    """Cut a single word wider than ``width`` (a long URL, say) into pieces that fit."""
    pieces, piece = [], ""
    for ch in word:
        if piece and stringWidth(piece + ch, font, size) > width:
            pieces.append(piece)
            piece = ""
        piece += ch
    return [*pieces, piece] if piece else pieces


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap; words that do not fit on a line of their own are cut."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if stringWidth(candidate, font, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        if stringWidth(word, font, size) <= width:
            line = word
        else:
            *whole, line = _break_word(word, font, size, width)
            lines.extend(whole)
    if line:
        lines.append(line)
    return lines


def _ellipsize(line: str, font: str, size: float, width: float) -> str:
    while line and stringWidth(line + _ELLIPSIS, font, size) > width:
        line = line[:-1]
    return line.rstrip() + _ELLIPSIS


def _fit(block: _Block, width: float, scale: float) -> _Fitted:
    """The largest size (in half points) at which the block wraps into at most ``max_lines`` lines.

    At the smallest size, text that still needs more lines is cut after the last allowed line with an ellipsis; with
    the sizes used here that happens only beyond about 175 characters for a name and 340 for a course title.
    """
    size = block.max_size * scale
    smallest = block.min_size * scale
    while True:
        lines = _wrap(block.text, block.font, size, width)
        if len(lines) <= block.max_lines:
            return _Fitted(lines, block.font, size, block.space_before * scale)
        if size - 0.5 < smallest:
            break
        size -= 0.5
    kept = lines[: block.max_lines]
    kept[-1] = _ellipsize(kept[-1], block.font, size, width)
    return _Fitted(kept, block.font, size, block.space_before * scale)


def _layout(blocks: list[_Block], width: float, height: float) -> list[_Fitted]:
    """Fit every block to the width, shrinking all of them together until the whole stack fits the height."""
    scale = 1.0
    while True:
        fitted = [_fit(block, width, scale) for block in blocks]
        if sum(f.height for f in fitted) <= height or scale <= 0.3:
            return fitted
        scale -= 0.05


def _draw_lines(canvas: Canvas, fitted: list[_Fitted], top: float, x: float, align: str) -> list[float]:
    """Draw the blocks downwards from ``top``; returns the bottom y of each block."""
    draw = canvas.drawCentredString if align == "centre" else canvas.drawRightString
    bottoms = []
    y = top
    for block in fitted:
        y -= block.space_before
        canvas.setFont(block.font, block.size)
        for line in block.lines:
            y -= block.size * _LEADING
            draw(x, y + block.size * 0.25, line)
        bottoms.append(y)
    return bottoms


def _draw_frame(canvas: Canvas) -> None:
    canvas.setStrokeGray(0)
    canvas.setLineWidth(2.5)
    canvas.rect(_OUTER, _OUTER, PAGE_WIDTH - 2 * _OUTER, PAGE_HEIGHT - 2 * _OUTER, stroke=1, fill=0)
    canvas.setLineWidth(0.75)
    canvas.rect(_INNER, _INNER, PAGE_WIDTH - 2 * _INNER, PAGE_HEIGHT - 2 * _INNER, stroke=1, fill=0)
    # corner marks inside the inner border, except bottom right where the QR code (and its quiet zone) sits
    canvas.setLineWidth(1.5)
    arm = 18.0
    inset = _INNER + 8
    for x, dx, y, dy in (
        (inset, 1, inset, 1),
        (inset, 1, PAGE_HEIGHT - inset, -1),
        (PAGE_WIDTH - inset, -1, PAGE_HEIGHT - inset, -1),
    ):
        canvas.line(x, y, x + dx * arm, y)
        canvas.line(x, y, x, y + dy * arm)


def _draw_qr(canvas: Canvas, url: str, x: float, y: float) -> None:
    widget = QrCodeWidget(url, barLevel="M", barWidth=_QR_SIZE, barHeight=_QR_SIZE, barBorder=4)
    drawing = Drawing(_QR_SIZE, _QR_SIZE)
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


_LOGO_BOX = (120.0, 48.0)


def _draw_logo(canvas: Canvas, path: str, x: float, top: float) -> float:
    """The logo scaled into _LOGO_BOX below ``top``, its proportions kept; returns its bottom y."""
    image = ImageReader(path)
    width, height = image.getSize()
    scale = min(_LOGO_BOX[0] / width, _LOGO_BOX[1] / height)
    canvas.drawImage(image, x, top - height * scale, width * scale, height * scale, mask="auto")
    return top - height * scale


def _draw_signature(canvas: Canvas, name: str, role: str, x: float, width: float, bottom: float) -> None:
    """A signature line with the signatory's name (bold) and role under it, from ``bottom`` upwards."""
    fitted = _layout([_Block(name, _BOLD, 11, 7, 1, 0), _Block(role, _REGULAR, 9.5, 6.5, 2, 1)],
                     width, _QR_SIZE - 30)
    line_y = bottom + sum(f.height for f in fitted) + 8
    canvas.setLineWidth(0.75)
    canvas.line(x, line_y, x + width, line_y)
    y = line_y - 4
    for block in fitted:
        y -= block.space_before
        canvas.setFont(block.font, block.size)
        for line in block.lines:
            y -= block.size * _LEADING
            canvas.drawString(x, y + block.size * 0.25, line)


def render_certificate(text: CertificateText) -> bytes:
    """A one-page A4 landscape PDF: heading, name (large), intro, course title, date, hours, code, verification line
    and a QR code of verify_url; document title and author metadata set; fonts embedded or standard so text extracts
    with pdftotext.

    Set in the embedded DejaVu Sans; every printed line goes through :func:`certificate_text` (what the font lacks
    shown as "?", emoji dropped); the document metadata (title, author, subject) keeps the original Unicode. The
    issuing body heads the page; a signatory, when given, signs on a line in the bottom left corner with their role
    under their name; a logo, when given, sits in the top left corner (at most 120 x 48 pt, its proportions kept).
    Empty lines are left out. Long names and titles first shrink, then wrap (the name to 2 lines, the title to 3),
    and the whole stack shrinks together if it is still too tall, so nothing leaves the page or gets smaller than
    6.5 pt; only a name over about 175 characters or a title over about 340 is cut, with an ellipsis. The QR code
    (error correction level M, 32 mm) sits in the bottom right corner with the verification code and line beside it.
    Black on white only, so it prints the same in black and white.

    The output is byte-for-byte reproducible: the same input gives the same bytes (reportlab's invariant mode, which
    also fixes the PDF's internal creation date at 2000-01-01; the completion date is the one printed on the page).
    """
    _font_coverage()  # registers the fonts
    printable = certificate_text
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1,
        lang=text.language.replace("_", "-") or None,
    )
    canvas.setTitle(f"{text.heading}: {text.course_title}")
    canvas.setAuthor(text.issuer)
    canvas.setSubject(f"{text.learner_name} · {text.course_title}")
    canvas.setCreator(text.issuer)
    canvas.setKeywords(text.verify_url)
    canvas.setViewerPreference("DisplayDocTitle", "true")

    _draw_frame(canvas)
    canvas.setFillGray(0)

    left = _INNER + _PAD
    right = PAGE_WIDTH - _INNER - _PAD
    width = right - left

    # Bottom band: the QR code in the bottom right corner, the code and verification lines right-aligned beside it.
    qr_x = PAGE_WIDTH - _INNER - 10 - _QR_SIZE
    qr_y = _INNER + 10
    _draw_qr(canvas, text.verify_url, qr_x, qr_y)
    band_width = qr_x - 8 - left
    if text.signatory:
        signature_width = min(band_width * 0.45, 230)
        band_width -= signature_width + 20
        _draw_signature(canvas, printable(text.signatory), printable(text.signatory_role), left, signature_width,
                        qr_y)
    band = _layout(
        [
            _Block(printable(text.code_line), _BOLD, 11, 7, 1, 0),
            _Block(printable(text.verify_line), _REGULAR, 10, 6.5, 2, 3),
        ],
        band_width,
        _QR_SIZE - 24,
    )
    band_height = sum(f.height for f in band)
    _draw_lines(canvas, band, qr_y + _QR_SIZE / 2 + band_height / 2, qr_x - 8, "right")

    # Main stack, centred horizontally and vertically between the top border and the bottom band.
    blocks = [
        _Block(printable(text.issuer), _BOLD, 13, 9, 1, 0),
        _Block(printable(text.heading), _BOLD, 30, 16, 2, 14),
        _Block(printable(text.learner_name), _BOLD, 38, 16, 2, 28),
        _Block(printable(text.intro), _REGULAR, 15, 10, 2, 12),
        _Block(printable(text.course_title), _BOLD, 24, 12, 3, 10),
        _Block(printable(text.date_line), _REGULAR, 12.5, 8, 2, 22),
        _Block(printable(text.hours_line), _REGULAR, 12.5, 8, 2, 4),
        _Block(printable(text.expiry_line), _BOLD, 12.5, 8, 2, 4),
    ]
    heading = blocks[1]
    blocks = [block for block in blocks if block.text]
    top = PAGE_HEIGHT - _INNER - 22
    if text.logo:
        top = _draw_logo(canvas, text.logo, left, PAGE_HEIGHT - _INNER - 14) - 6
    bottom = qr_y + _QR_SIZE + 6
    fitted = _layout(blocks, width, top - bottom)
    stack = sum(f.height for f in fitted)
    bottoms = _draw_lines(canvas, fitted, top - (top - bottom - stack) / 2, PAGE_WIDTH / 2, "centre")

    # A short rule under the heading, halfway to the next line.
    after = next((i for i, block in enumerate(blocks) if block is heading), len(blocks))
    if after + 1 < len(blocks):
        rule_y = bottoms[after] - fitted[after + 1].space_before / 2
        canvas.setLineWidth(0.75)
        canvas.line(PAGE_WIDTH / 2 - 60, rule_y, PAGE_WIDTH / 2 + 60, rule_y)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
