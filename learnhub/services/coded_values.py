"""What a person types in a spreadsheet for a coded value (a NIS2 sector, an organisation type, an ECSF
role), read back to the platform's code; and the list of accepted values that an error shows.

Trainers and analysts fill their CSV files with what the interface shows them, in their language: a
Spanish trainer types "Energía" or "Administración pública", a French one "Secteur privé". So a value is
accepted as its code ("public-administration"), its English name, or the name the interface shows in any
of its four languages (read from the compiled catalogues, so no app context is needed), compared with
case, accents and punctuation folded, and a trailing parenthesis dropped ("Education (outside NIS2)").
Organisation types also take a few common words ("ngo", "universidad", "sector público").

This is the one rule for every CSV LearnHub reads (cohort imports in `cohort_csv`, training targets in
`targets`): change it here, and both follow.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from flask_babel import LazyString, gettext

from learnhub import i18n, reference
from learnhub.text import fold

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"

KINDS = ("sector", "organisation_type", "ecsf_role")

ORGANISATION_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "government": (
        "government", "gobierno", "governo", "gouvernement", "public sector", "sector publico", "setor publico",
        "secteur public",
    ),
    "private": (
        "private", "privado", "prive", "private sector", "sector privado", "setor privado", "secteur prive",
    ),
    "academia": (
        "academia", "academic", "university", "universidad", "universidade", "universite", "academie",
    ),
    "civil-society": (
        "civil society", "sociedad civil", "sociedade civil", "societe civile", "ngo", "ong",
    ),
}
"""Words people use for an organisation type besides its code and the names the interface shows."""

_NON_WORD = re.compile(r"[\W_]+")


def fold_words(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: how typed names are compared."""
    return " ".join(_NON_WORD.sub(" ", fold(text.replace("&", " and "))).split())


def _english_names(kind: str) -> dict[str, str]:
    """Code -> the English msgid the interface translates."""
    if kind == "sector":
        return {entry.id: entry.name for entry in reference.sectors()}
    if kind == "ecsf_role":
        return {entry.id: entry.name for entry in reference.ecsf_roles()}
    if kind == "organisation_type":
        return {code: str(label._args[0]) for code, label in i18n.ORGANISATION_TYPE_LABELS.items()}
    raise KeyError(kind)


@cache
def _catalogue(language: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), [language])


@cache
def _names(kind: str) -> dict[str, str]:
    """Every folded way of writing a value of `kind` -> its code; the first writer of a folded form wins, so a
    code or an English name is never taken over by a translation that happens to spell the same."""
    names: dict[str, str] = {}

    def add(text: str, code: str) -> None:
        for form in (text, text.split("(")[0]):
            if folded := fold_words(form):
                names.setdefault(folded, code)

    english = _english_names(kind)
    for code, name in english.items():
        add(code, code)
        add(name, code)
    for language in reference.LANGUAGES:
        if language == "en":
            continue
        catalogue = _catalogue(language)
        for code, name in english.items():
            add(catalogue.gettext(name), code)
    if kind == "organisation_type":
        for code, words in ORGANISATION_TYPE_WORDS.items():
            for word in words:
                add(word, code)
    return names


def lookup(kind: str, typed: str) -> str | None:
    """The code `typed` stands for, or None when it names no value of `kind` in any of the four languages."""
    return _names(kind).get(fold_words(typed))


def accepted_values(kind: str) -> str:
    """The values of `kind` as the current reader sees them, each with its code: "Energía (energy), …"."""
    return ", ".join(f"{gettext(name)} ({code})" for code, name in _english_names(kind).items())


def lazy_accepted_values(kind: str) -> LazyString:
    """`accepted_values` left for the moment a message is shown, so it lists them in the reader's language."""
    return LazyString(accepted_values, kind)
