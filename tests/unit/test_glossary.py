"""One term per language for the platform's own words (issue 20: "Instructor" in the menu, "formador" in a
notice): learnhub/translations/GLOSSARY.md names them, and every catalogue keeps to it."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "learnhub" / "translations"
LANGUAGES = ("es", "pt", "fr")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]")  # a name in the code, never a word on the page


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def glossary() -> list[dict]:
    """The rows of the Terms table: {"en": term, "es": [forms], ..., "avoid": {language: [words]}}."""
    text = (TRANSLATIONS / "GLOSSARY.md").read_text(encoding="utf-8")
    table = text.split("## Terms", 1)[1]
    rows = []
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("English", "---"):
            continue
        avoid: dict[str, list[str]] = {}
        for part in filter(None, (p.strip() for p in cells[4].split(";"))):
            language, words = part.split(":", 1)
            avoid[language.strip()] = [w.strip() for w in words.split(",")]
        rows.append({"en": cells[0], **{lang: [f.strip() for f in cells[i + 1].split(",")]
                                         for i, lang in enumerate(LANGUAGES)}, "avoid": avoid})
    return rows


def catalogue(language: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        messages = read_po(source)
    pairs = []
    for message in messages:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs.append((ids, tuple(s for s in strings if s)))
    return pairs


def test_the_glossary_names_the_terms_issue_20_asked_for():
    rows = {row["en"]: row for row in glossary()}
    assert rows["trainer"]["es"][0] == "instructor" and "formador" in rows["trainer"]["avoid"]["es"]
    assert rows["trainer"]["pt"][0] == "instrutor" and rows["trainer"]["fr"][0] == "formateur"
    assert len(rows) >= 10


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_uses_the_glossary_term(language):
    pairs = catalogue(language)
    problems = []
    for row in glossary():
        used = re.compile(rf"\b{re.escape(row['en'])}s?\b", re.IGNORECASE)
        forms = [fold(form) for form in row[language]]
        for ids, strings in pairs:
            if any(used.search(PLACEHOLDER.sub("", msgid)) for msgid in ids):
                problems += [f"{row['en']}: {ids[0][:60]!r} -> {text[:80]!r}" for text in strings
                             if not any(form in fold(text) for form in forms)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_message_uses_a_word_the_glossary_rules_out(language):
    avoided = [(row["en"], word) for row in glossary() for word in row["avoid"].get(language, [])]
    problems = [f"{word!r} (say {term!r} as the glossary does): {text[:90]!r}"
                for _ids, strings in catalogue(language) for text in strings for term, word in avoided
                if re.search(rf"\b{re.escape(fold(word))}\b", fold(text))]
    assert problems == [], "\n".join(problems)
