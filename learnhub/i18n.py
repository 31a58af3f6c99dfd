"""Language choice and translated names that do not live in templates.

The request's language is the learner's saved preference, else the one picked with the language
switcher, else the best match of the browser's Accept-Language, else English.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterator
from datetime import date

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal, get_group_symbol
from flask import current_app, request, session
from flask_babel import get_locale, gettext, lazy_gettext
from flask_login import current_user

from learnhub import reference
from learnhub.text import fold

LANGUAGE_NAMES = {"en": "English", "es": "Español", "pt": "Português", "fr": "Français"}
"""Each interface language by its own name (the language switcher, the catalogue's language filter)."""

LANGUAGE_NAMES_IN_TEXT = {
    "en": lazy_gettext("English"),
    "es": lazy_gettext("Spanish"),
    "pt": lazy_gettext("Portuguese"),
    "fr": lazy_gettext("French"),
}
"""Each interface language named in the reader's language, as inside a sentence ("Este curso está em
espanhol"): lowercase in Spanish, Portuguese and French."""

ORGANISATION_TYPE_LABELS = {
    "government": lazy_gettext("Government or public body"),
    "private": lazy_gettext("Private sector"),
    "academia": lazy_gettext("Academia or research"),
    "civil-society": lazy_gettext("Civil society or non-profit"),
}
GENDER_LABELS = {
    "woman": lazy_gettext("Woman"),
    "man": lazy_gettext("Man"),
    "another": lazy_gettext("Another gender identity"),
    "prefer-not-to-say": lazy_gettext("Prefer not to say"),
}
COURSE_KIND_LABELS = {
    "awareness": lazy_gettext("Awareness"),
    "skills": lazy_gettext("Skills"),
}
COURSE_LEVEL_LABELS = {
    "beginner": lazy_gettext("Beginner"),
    "intermediate": lazy_gettext("Intermediate"),
    "advanced": lazy_gettext("Advanced"),
}
ITEM_STATE_LABELS = {
    "not-started": lazy_gettext("Not started"),
    "done": lazy_gettext("Done"),
    "passed": lazy_gettext("Passed"),
    "failed": lazy_gettext("Not passed yet"),
}
ROLE_LABELS = {
    "trainee": lazy_gettext("Trainee"),
    "trainer": lazy_gettext("Trainer"),
    "analyst": lazy_gettext("Analyst"),
    "admin": lazy_gettext("Administrator"),
}


LANGUAGE_COOKIE = "language"  # a visitor's choice of language, set by the language switch (decision 0037)
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    for chosen in (session.get("language"), request.cookies.get(LANGUAGE_COOKIE)):
        if chosen in languages:
            return chosen
    return request.accept_languages.best_match(languages) or "en"


def request_locale() -> Locale:
    """select_locale's choice as Flask-Babel's locale selector returns it: one Locale object per language, kept, so
    that a request does not parse its language's name again (issue 14)."""
    return _locale(select_locale())


@functools.cache
def _locale(code: str) -> Locale:
    return Locale.parse(code)


def current_language() -> str:
    """The language code of the current request ("en" outside one)."""
    return str(get_locale() or "en")


def language_in_text(code: str) -> str:
    """The language `code` named in the current language, as inside a sentence: the translated names
    above for the interface languages, CLDR's (Babel) for any other course language."""
    if code in LANGUAGE_NAMES_IN_TEXT:
        return str(LANGUAGE_NAMES_IN_TEXT[code])
    locale = get_locale() or Locale("en")
    return locale.languages.get(code, code)


def country_name(code: str) -> str:
    """The country's name in the current language, from the CLDR data Babel ships."""
    locale = get_locale() or Locale("en")
    return locale.territories.get(code.upper(), code.upper())


def country_choices() -> list[tuple[str, str]]:
    """EU and CELAC countries as (code, name) sorted by the name in the current language."""
    names = [(code, country_name(code)) for code in reference.country_regions()]
    return sorted(names, key=lambda pair: fold(pair[1]))


def sector_choices() -> list[tuple[str, str]]:
    return [(entry.id, gettext(entry.name)) for entry in reference.sectors()]


def ecsf_role_choices() -> list[tuple[str, str]]:
    return [(entry.id, gettext(entry.name)) for entry in reference.ecsf_roles()]


def sector_name(sector_id: str) -> str:
    return dict(sector_choices()).get(sector_id, sector_id)


def ecsf_role_name(role_id: str | None) -> str:
    return dict(ecsf_role_choices()).get(role_id or "", "")


def extract_reference_csv(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor: the `name` column of a reference CSV becomes msgids (see babel.cfg)."""
    text = io.TextIOWrapper(fileobj, encoding="utf-8")
    for line_number, row in enumerate(csv.DictReader(text), start=2):
        if row.get("name"):
            yield line_number, "gettext", row["name"], []


_SPACES = ("\u0020", "\u00a0", "\u2009", "\u202f")


def parse_whole_number(text: str, language: str | None = None) -> int:
    """A whole number typed in the notation of `language` (the current one by default): "1.200" is 1200 in
    Spanish and Portuguese, "1,200" in English, "1 200" (any space) in French and in every language.
    Raises ValueError for anything else, including a decimal ("1,5" in Spanish, "1.5" in English) and a
    grouping CLDR would not write ("1.20.0")."""
    locale = Locale.parse((language or current_language()).replace("-", "_"))
    text = text.strip()
    for space in _SPACES:
        text = text.replace(space, "")
    if not text or not all(char.isascii() for char in text):
        raise ValueError(text)
    if text.isdigit():
        return int(text)
    group = get_group_symbol(locale)
    if group in _SPACES or text.startswith(group):
        raise ValueError(text)
    head, *rest = text.split(group)
    if not (head.isdigit() and len(head) <= 3 and rest and all(part.isdigit() and len(part) == 3 for part in rest)):
        raise ValueError(text)
    return int(head + "".join(rest))


def format_whole_number(value: int, language: str | None = None) -> str:
    """A whole number in the notation a reader of `language` types it (50.000.000 in Spanish), for messages
    about what to type; report figures have their own rule (reports/numbers.py)."""
    return format_decimal(value, locale=Locale.parse((language or current_language()).replace("-", "_")))


def month_name(key: str, language: str | None = None, *, short: bool = False) -> str:
    """A report month ("2026-03") as its reader names it: "marzo de 2026" in Spanish, "March 2026" in
    English; `short` gives the month alone, abbreviated ("mar", for a chart's axis). A key that is not a
    month is returned as it is."""
    try:
        year, month = (int(part) for part in key.split("-"))
        day = date(year, month, 1)
    except ValueError:
        return key
    locale = Locale.parse((language or current_language()).replace("-", "_"))
    if short:
        return format_date(day, "LLL", locale=locale)
    return format_skeleton("yMMMM", day, locale=locale)
