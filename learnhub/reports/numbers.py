"""Report figures as people read them, one rule for every place a report shows a number: the PDF, the
dashboards and the regional comparison (CSV, XLSX and JSON carry the raw numbers).

Integers have their thousands grouped by `group` (12 345): a thin space in the PDF (drawn narrow, so copying
the text gives an ordinary space), a narrow no-break space on screen. Floats have one decimal, rounded half
up from their shortest decimal form as a reader would (3.25 gives 3.3, where binary rounding gives 3.2), with
the decimal sign of the reader's language (42.5 in English, 42,5 in Spanish); pass shares as percentages. The
decimal sign must be one the PDF's standard fonts can draw, so that a figure reads the same on screen and on
paper: where it is not (Arabic), the point is used.
"""

from __future__ import annotations

import functools
import math
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol

from learnhub.services.certificate_pdf import printable_text

THIN_SPACE = "\u2009"
NARROW_NO_BREAK_SPACE = "\u202f"


def format_number(value: int | float, language: str = "en", group: str = THIN_SPACE) -> str | None:
    """`value` as a report shows it: thousands separated by `group`; floats with one decimal and the decimal
    sign of `language`. None for NaN and infinite values (which a report shows as suppressed)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        text = str(abs(Decimal(repr(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
        whole, fraction = text.split(".")
        sign = "-" if value < 0 and text.strip("0.") else ""
        return f"{sign}{_grouped(whole, group)}{_decimal_sign(language)}{fraction}"
    number = int(value)
    return ("-" if number < 0 else "") + _grouped(str(abs(number)), group)


@functools.lru_cache(maxsize=64)
def _decimal_sign(language: str) -> str:
    try:
        sign = get_decimal_symbol(Locale.parse(language.replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        return "."
    return sign if printable_text(sign) == sign and sign else "."


def _grouped(digits: str, group: str) -> str:
    head = len(digits) % 3 or 3
    return group.join([digits[:head], *(digits[i:i + 3] for i in range(head, len(digits), 3))])


def format_percent(value: int | float, language: str = "en") -> str | None:
    """A percentage (`value` already in percent: 25.64 -> "25,6 %" in Spanish) by the same rounding rule as
    `format_number` (one decimal, half up from the shortest decimal form), without a fraction of zero
    ("100 %", not "100,0 %"), placed as the reader's language places the sign (CLDR: "25.6%" in English and
    Portuguese, "25,6 %" with a no-break space in Spanish and French). Every score, pass mark and share a
    learner reads goes through here, on pages and in PDFs. None for NaN and infinite values."""
    text = format_number(float(value), language, group=NARROW_NO_BREAK_SPACE)
    if text is None:
        return None
    sign = _decimal_sign(language)
    if text.endswith(f"{sign}0"):
        text = text[: -len(sign) - 1]
    if text in ("-0", ""):
        text = "0"
    prefix, suffix = _percent_affixes(language)
    return f"{prefix}{text}{suffix}"


def format_exact(value: int | float, language: str = "en") -> str:
    """A number an author wrote (a numerical answer, a tolerance), with every digit they gave and the reader's
    decimal sign: 3.14 -> "3,14" in Spanish. Not rounded: the answer key must read as written."""
    text = format(Decimal(repr(float(value))).normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", _decimal_sign(language))


@functools.lru_cache(maxsize=64)
def _percent_affixes(language: str) -> tuple[str, str]:
    """What comes before and after the number in the language's percent pattern ("", "\u00a0%" in French)."""
    try:
        pattern = Locale.parse(language.replace("-", "_")).percent_formats[None].pattern
    except (UnknownLocaleError, ValueError, TypeError, KeyError):
        return "", "%"
    pattern = pattern.split(";")[0]
    digits = [i for i, char in enumerate(pattern) if char in "#0,."]
    if not digits or "%" not in pattern:
        return "", "%"
    prefix, suffix = pattern[:digits[0]], pattern[digits[-1] + 1:]
    return prefix.replace("'", ""), suffix.replace("'", "")
