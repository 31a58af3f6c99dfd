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


_WORD = re.compile(r"\w+")
SEARCH_WORD_LENGTH = 64


def name_key(name: str) -> str:
    """A name as the admin list sorts it: folded, spaces collapsed, at most 120 characters."""
    return " ".join(fold(name).split())[:120]


def search_words(*texts: str) -> set[str]:
    """The folded words a search finds `texts` by: each word of each text (letters and digits), and a whole
    e-mail address too, so "ana.lopez@" and "lopez" both find ana.lopez@example.org."""
    words: set[str] = set()
    for text in texts:
        folded = fold(text or "")
        words.update(_WORD.findall(folded))
        if "@" in folded:
            words.add(folded.strip())
    return {word[:SEARCH_WORD_LENGTH] for word in words if word.strip()}


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
