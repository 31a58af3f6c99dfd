"""People's text: compared the way people expect (case and accents do not matter), and cleaned of the
invisible characters that no person types but that break databases, spreadsheets and e-mail headers."""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 control characters (tab, line feed and carriage return aside), lone surrogates and the two
# non-characters U+FFFE/U+FFFF. PostgreSQL refuses NUL in text, XML (so XLSX) refuses most of the others,
# and a surrogate cannot even be encoded; a keyboard types none of them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# What breaks a line or a cell: as spaces in one-line text.
_BREAK = re.compile("[\t\n\r\x0b\x0c\x1c-\x1f\x85\u2028\u2029]")


def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Contraseña" and "CONTRASENA" fold alike; used to search and sort."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def clean_line(text: str) -> str:
    """One-line text (a name, an organisation, a search) as typed: tabs and line breaks become spaces,
    other control characters go. Nothing else changes (trimming is the field's business)."""
    return _CONTROL.sub("", _BREAK.sub(" ", text))


def clean_text(text: str) -> str:
    """Multi-line text (feedback, an answer): tab, line feed and carriage return stay, other control
    characters go."""
    return _CONTROL.sub("", text)


def has_control(text: str) -> bool:
    """Whether `text` holds a character clean_text removes."""
    return _CONTROL.search(text) is not None
