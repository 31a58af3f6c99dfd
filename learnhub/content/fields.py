"""Typed field validators for course.yaml and front matter: each reads one key of a LineMap, returns the
value (or a default), and appends a Problem at the key's line when the value is not usable."""

from __future__ import annotations

import csv
import difflib
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from learnhub.content.languages import choose, ordered
from learnhub.content.model import LocalText
from learnhub.content.problems import Level, Problem
from learnhub.content.yaml_lines import LineMap, LineSeq

ISO_639_1 = frozenset({
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi", "bm",
    "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz",
    "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy", "ga", "gd", "gl",
    "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii",
    "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr",
    "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi",
    "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv",
    "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw",
    "sa", "sc", "sd", "se", "sg", "sh", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su",
    "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug",
    "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu"
})

_DATA = Path(__file__).resolve().parent.parent / "data"


@functools.cache
def reference_ids(name: str) -> tuple[str, ...]:
    """The `id` column of learnhub/data/<name>.csv (ecsf-roles, nis2-sectors)."""
    with (_DATA / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(row["id"] for row in csv.DictReader(handle))


@dataclass(frozen=True)
class Report:
    """Where problems go: the list they are appended to and the file they are reported against."""

    problems: list[Problem]
    path: str

    def add(self, path: str, line: int, level: Level, message: str) -> None:
        self.problems.append(Problem(path, line, level, message))

    def error(self, line: int, message: str) -> None:
        self.add(self.path, line, "error", message)

    def warn(self, line: int, message: str) -> None:
        self.add(self.path, line, "warning", message)


def show(value: Any) -> str:
    """A value as an author wrote it, short, for a message."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = " ".join(value.split())
        return f"'{text if len(text) <= 40 else text[:39] + '…'}'"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def suggest(value: Any, choices: Iterable[str]) -> str:
    """"; did you mean 'x'?" for the nearest choice, or ""."""
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def duplicates(report: Report, mapping: LineMap, path: str | None = None) -> None:
    for key, line, first in mapping.duplicates:
        report.add(path or report.path, line, "error", f"duplicate key '{key}' (first at line {first})")


def check_keys(report: Report, mapping: LineMap, known: Sequence[str], required: Sequence[str] = (),
               path: str | None = None, where: str = "") -> None:
    """Unknown keys (with the nearest known one), duplicate keys and missing required keys."""
    path = path or report.path
    duplicates(report, mapping, path)
    for key in mapping:
        if key not in known:
            report.add(path, mapping.key_line(key), "error", f"unknown key '{key}'{suggest(key, known)}")
    for key in required:
        if key not in mapping:
            report.add(path, mapping.line, "error", f"missing required key '{key}'{where}")


def shown_instead(language: str, present: Iterable[str], languages: tuple[str, ...],
                  fallback: dict[str, tuple[str, ...]] | None = None) -> str:
    """The language learners reading `language` see when a text or an item lacks it (for messages)."""
    return choose(language, ordered(languages[0], present), fallback) or languages[0]


def local_text(report: Report, mapping: LineMap, key: str, languages: tuple[str, ...], *,
               required: bool = True, default: str | None = None,
               fallback: dict[str, tuple[str, ...]] | None = None, label: str = "") -> LocalText | None:
    """A text or a mapping language -> text; None when absent or (with a problem) not usable. Messages name
    it `label` (default: the key)."""
    what = label or key
    line = mapping.key_line(key)
    value = mapping.get(key)
    if value is None:
        if default is not None:
            return LocalText.of(default, languages[0])
        if required and key in mapping:
            report.error(line, f"{what} is empty")
        return None
    if isinstance(value, str):
        if not value.strip():
            report.error(line, f"{what} is empty")
            return None
        return LocalText.of(value, languages[0])
    if not isinstance(value, LineMap):
        report.error(line, f"{what} must be text, or a mapping of language to text, got {show(value)}")
        return None
    duplicates(report, value)
    texts: dict[str, str] = {}
    for lang, text in value.items():
        lang_line = value.key_line(lang)
        if not isinstance(lang, str) or not re.fullmatch(r"[a-z]{2}", lang):
            hint = "if a text contains a comma or a colon, put it in quotes"
            if isinstance(lang, str) and re.fullmatch(r"[A-Za-z]{2}", lang):
                hint = f"write it in lowercase: '{lang.lower()}'"
            report.error(lang_line, f"{what} has a key {show(lang)}, which is not a language code; {hint}")
        elif lang not in languages:
            report.warn(lang_line, f"{what} has a text in {show(lang)}, which is not one of the course "
                        f"languages ({', '.join(languages)})")
        elif not isinstance(text, str):
            report.error(lang_line, f"{what} in '{lang}' must be text, got {show(text)}")
        elif not text.strip():
            report.error(lang_line, f"{what} in '{lang}' is empty")
        else:
            texts[lang] = text
    if languages[0] not in value:
        report.error(line, f"{what} has no text in the default language '{languages[0]}'")
        return None
    for lang in languages[1:]:
        if lang not in value:
            instead = shown_instead(lang, texts, languages, fallback)
            report.warn(line, f"{what} has no '{lang}' text; learners see the '{instead}' one")
    if languages[0] not in texts:
        return None
    return LocalText.of(texts, languages[0])

SHOW_ANSWERS = ("after_pass", "always", "never")
"""A quiz's `show_answers`: when its answer review shows the right answers (docs/course-format.md)."""
DEFAULT_SHOW_ANSWERS = "after_pass"


def choice(report: Report, mapping: LineMap, key: str, choices: Sequence[str]) -> str | None:
    value = mapping.get(key)
    if value in choices:
        return value
    if key in mapping:
        report.error(mapping.key_line(key), f"{key} must be one of {', '.join(choices)}, "
                     f"got {show(value)}{suggest(value, choices)}")
    return None

def whole_number(report: Report, mapping: LineMap, key: str, path: str | None = None,
                 hint: str = "") -> int | None:
    value = mapping.get(key)
    if value is None:
        return None
    if is_int(value) and value >= 1:
        return value
    report.add(path or report.path, mapping.key_line(key), "error",
               f"{key} must be a whole number of at least 1{hint}, got {show(value)}")
    return None

VALIDITY_PATTERN = re.compile(r"^(\d{1,3}) +(month|months|year|years)$")
MAX_VALID_MONTHS = 120  # ten years: beyond that a certificate is as good as permanent, so leave valid_for out


def valid_for(report: Report, mapping: LineMap) -> int | None:
    """`valid_for` ("12 months", "1 month", "2 years") as a number of months; None when not given (the
    certificate never expires) or not usable (with a problem at its line)."""
    value = mapping.get("valid_for")
    if value is None and "valid_for" not in mapping:
        return None
    found = VALIDITY_PATTERN.match(value.strip()) if isinstance(value, str) else None
    if found is None:
        report.error(mapping.key_line("valid_for"), "valid_for must be a number of months or years, such as "
                     f"'12 months', '1 month' or '2 years', got {show(value)}")
        return None
    number, unit = int(found.group(1)), found.group(2)
    months = number * 12 if unit.startswith("year") else number
    if not 1 <= months <= MAX_VALID_MONTHS:
        report.error(mapping.key_line("valid_for"), f"valid_for must be between 1 month and "
                     f"{MAX_VALID_MONTHS // 12} years, got {show(value)}")
        return None
    return months


def boolean(report: Report, mapping: LineMap, key: str, default: bool) -> bool:
    value = mapping.get(key, default)
    if isinstance(value, bool):
        return value
    report.error(mapping.key_line(key), f"{key} must be true or false, got {show(value)}")
    return default

def pass_mark(report: Report, mapping: LineMap, default: float) -> float:
    value = mapping.get("pass_mark", default)
    if is_number(value) and 0 <= value <= 100:
        return value
    report.error(mapping.key_line("pass_mark"),
                 f"pass_mark must be a number from 0 to 100, got {show(value)}")
    return default

def references(report: Report, mapping: LineMap, key: str, source: str, what: str) -> tuple[str, ...]:
    value = mapping.get(key)
    if value is None:
        return ()
    if not isinstance(value, LineSeq):
        report.error(mapping.key_line(key), f"{key} must be a list of {what} ids, got {show(value)}")
        return ()
    known = reference_ids(source)
    seen: list[str] = []
    for index, ref in enumerate(value):
        line = value.item_line(index)
        if ref in seen:
            report.warn(line, f"{what} '{ref}' is listed twice")
        elif not isinstance(ref, str) or ref not in known:
            report.error(line, f"unknown {what} {show(ref)}{suggest(ref, known)}")
        else:
            seen.append(ref)
    return tuple(seen)

def read_languages(report: Report, course: LineMap) -> tuple[str, ...]:
    """The course languages, as far as the author meant them; () when none could be read."""
    value = course.get("languages")
    line = course.key_line("languages")
    if value is None and "languages" not in course:
        return ()
    if not isinstance(value, LineSeq) or not value:
        report.error(line, "languages must be a list of ISO 639-1 codes, such as [en, es], "
                     f"got {show(value)}")
        return ()
    found: list[str] = []  # what the author meant, to go on checking the rest sensibly
    for index, lang in enumerate(value):
        item_line = value.item_line(index)
        if isinstance(lang, str) and lang in ISO_639_1:
            if lang in found:
                report.error(item_line, f"language '{lang}' is listed twice")
            else:
                found.append(lang)
        else:
            hint = ""
            if isinstance(lang, str) and lang.lower() in ISO_639_1:
                hint = f"; did you mean '{lang.lower()}'?"
                if lang.lower() not in found:
                    found.append(lang.lower())
            report.error(item_line, f"{show(lang)} is not an ISO 639-1 language code "
                         f"(two lowercase letters, such as 'en' or 'es'){hint}")
    return tuple(found)


def language_code(report: Report, value: Any, line: int, what: str) -> str | None:
    """An ISO 639-1 code, or None with an error naming `what` (and the lowercase code when that is it)."""
    if isinstance(value, str) and value in ISO_639_1:
        return value
    hint = f"; did you mean '{value.lower()}'?" if isinstance(value, str) and value.lower() in ISO_639_1 else ""
    report.error(line, f"{what} {show(value)} is not an ISO 639-1 language code (two lowercase letters, "
                 f"such as 'en' or 'es'){hint}")
    return None


def fallback_orders(report: Report, course: LineMap) -> dict[str, tuple[str, ...]]:
    """`fallback`: the course's own order of languages to show, per learner language, over the site's
    (learnhub/content/languages.py), e.g. `fallback: {pt: [es, en]}`. {} when not given."""
    value = course.get("fallback")
    if value is None:
        if "fallback" in course:
            report.error(course.key_line("fallback"), "fallback is empty; leave it out to use the site's order")
        return {}
    if not isinstance(value, LineMap):
        report.error(course.key_line("fallback"), "fallback must be a mapping of a learner's language to the "
                     f"languages to show instead, in order, such as 'pt: [es, en]', got {show(value)}")
        return {}
    duplicates(report, value)
    orders: dict[str, tuple[str, ...]] = {}
    for lang, then in value.items():
        line = value.key_line(lang)
        learner = language_code(report, lang, line, "fallback has a key")
        if not isinstance(then, LineSeq) or not then:
            report.error(line, f"fallback for {show(lang)} must be a list of languages, such as [es, en], "
                         f"got {show(then)}")
            continue
        order: list[str] = []
        for index, code in enumerate(then):
            item_line = then.item_line(index)
            code = language_code(report, code, item_line, f"fallback for {show(lang)} lists")
            if code is None:
                continue
            if code == lang:
                report.error(item_line, f"fallback for '{lang}' lists '{lang}' itself; list only the languages "
                             "to show instead")
            elif code in order:
                report.error(item_line, f"fallback for '{lang}' lists '{code}' twice")
            else:
                order.append(code)
        if learner is not None:
            orders[learner] = tuple(order)
    return orders


def local_lists(report: Report, mapping: LineMap, key: str, languages: tuple[str, ...],
                fallback: dict[str, tuple[str, ...]] | None = None) -> dict[str, tuple[str, ...]]:
    """A mapping language -> list of texts (a plain list is the default language's); {} when absent."""
    value = mapping.get(key)
    line = mapping.key_line(key)
    if value is None:
        if key in mapping:
            report.error(line, f"{key} is empty; leave it out or list at least one")
        return {}
    if isinstance(value, LineSeq):
        texts = _text_list(report, value, f"{key}")
        return {languages[0]: texts} if texts else {}
    if not isinstance(value, LineMap):
        report.error(line, f"{key} must be a mapping of language to a list of texts, such as 'en: [...]', "
                     f"got {show(value)}")
        return {}
    duplicates(report, value)
    lists: dict[str, tuple[str, ...]] = {}
    for lang, texts in value.items():
        lang_line = value.key_line(lang)
        if not isinstance(lang, str) or not re.fullmatch(r"[a-z]{2}", lang):
            report.error(lang_line, f"{key} has a key {show(lang)}, which is not a language code")
        elif lang not in languages:
            report.warn(lang_line, f"{key} has texts in {show(lang)}, which is not one of the course "
                        f"languages ({', '.join(languages)})")
        elif not isinstance(texts, LineSeq) or not texts:
            report.error(lang_line, f"{key} in '{lang}' must be a list of texts, one per line starting "
                         f"with '- ', got {show(texts)}")
        else:
            found = _text_list(report, texts, f"{key} in '{lang}'")
            if found:
                lists[lang] = found
    if lists and languages[0] not in value:
        report.error(line, f"{key} has no list in the default language '{languages[0]}'")
        return {}
    if lists:
        for lang in languages[1:]:
            if lang not in value:
                instead = shown_instead(lang, lists, languages, fallback)
                report.warn(line, f"{key} has no '{lang}' list; learners see the '{instead}' one")
    return lists


def _text_list(report: Report, items: LineSeq, what: str) -> tuple[str, ...]:
    texts: list[str] = []
    for index, text in enumerate(items):
        if not isinstance(text, str) or not text.strip():
            report.error(items.item_line(index), f"{what} must hold texts, got {show(text)} (put a text with "
                         "': ' in quotes)")
        else:
            texts.append(" ".join(text.split()))
    return tuple(texts)


DEFAULT_REVIEW_MAX_AGE_DAYS = 365


def review_date(report: Report, mapping: LineMap, today: date, max_age_days: int) -> date | None:
    """`reviewed`: the ISO date an expert last checked the content; a warning when it is older than
    `max_age_days` (LEARNHUB_REVIEW_MAX_AGE_DAYS) or in the future. None when not given."""
    if "reviewed" not in mapping:
        return None
    value = mapping.get("reviewed")
    line = mapping.key_line("reviewed")
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        value = _iso_date(value.strip()) or value  # quoted, '2026-03-31', is a date too
    if isinstance(value, datetime) or not isinstance(value, date):
        report.error(line, f"reviewed must be a date written as YYYY-MM-DD, such as 2026-03-31, got {show(value)}")
        return None
    if value > today:
        report.warn(line, f"reviewed date {value.isoformat()} is in the future")
    elif today - value > timedelta(days=max_age_days):
        report.warn(line, f"reviewed on {value.isoformat()}, more than {max_age_days} days ago: have an expert "
                    "check the content again and update the date")
    return value


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
