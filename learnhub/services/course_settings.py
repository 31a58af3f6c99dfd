"""The "Course settings" form over a draft's course.yaml (issue 16, decision 0080): the values the form shows,
reading what was typed (with a message naming the field, in the person's language), and saving through
`workspaces.save_text` with `course_yaml.rewrite`, so that keys the form does not manage are kept.

Form values are strings keyed by field name: `title-en`, `summary-en`, `objectives-en` (one objective a line)
per course language, `languages` ("en, es", default first), `fallback-pt` ("en, es") per site language,
`kind`, `level`, `minutes`, `pass_mark`, `valid_for`, `renews`, `reviewed`, `certificate` ("y" or ""), and
the lists `roles` and `sectors`. An empty optional field leaves its key out of the file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import LazyString, lazy_gettext
from werkzeug.datastructures import MultiDict

from learnhub.content.fields import ISO_639_1, MAX_VALID_MONTHS, VALIDITY_PATTERN
from learnhub.content.loader import KINDS, LEVELS
from learnhub.models import CourseWorkspace, User
from learnhub.reference import LANGUAGES, ecsf_role_ids, sector_ids
from learnhub.services import course_yaml, workspaces

COURSE_FILE = "course.yaml"
MANAGED = ("title", "summary", "languages", "fallback", "kind", "level", "minutes", "roles", "sectors",
           "certificate", "valid_for", "renews", "pass_mark", "reviewed", "objectives")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


@dataclass
class Reading:
    """What the form says: `values` as course.yaml keys (None: leave the key out), or `errors` by field."""

    languages: tuple[str, ...]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[LazyString]] = field(default_factory=dict)

    def error(self, name: str, message: LazyString) -> None:
        self.errors.setdefault(name, []).append(message)


def course_version(workspace: CourseWorkspace):
    version = workspaces.current(workspace, COURSE_FILE)
    if version is None:
        raise LookupError(f"workspace {workspace.id} has no course.yaml")
    return version


def course_text(workspace: CourseWorkspace) -> str:
    return course_version(workspace).content.decode("utf-8", "replace")


def languages_of(data: dict | None) -> tuple[str, ...]:
    """The course languages as written (strings only), default first; ("en",) when there are none."""
    value = (data or {}).get("languages")
    found = tuple(lang for lang in value if isinstance(lang, str)) if isinstance(value, list) else ()
    return found or ("en",)


def text_languages(data: dict | None, languages: tuple[str, ...]) -> tuple[str, ...]:
    """The languages the form shows texts for: `languages`, then the file's own course languages, then any
    other language a title, summary or objectives mapping has a text in (so that none is lost unseen)."""
    found = list(languages)
    extra = list(languages_of(data))
    for key in ("title", "summary", "objectives"):
        value = (data or {}).get(key)
        extra += [lang for lang in value if isinstance(lang, str)] if isinstance(value, dict) else []
    for lang in extra:
        if lang not in found:
            found.append(lang)
    return tuple(found)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def form_values(data: dict | None) -> MultiDict:
    """The form's fields filled from course.yaml."""
    data = data or {}
    languages = languages_of(data)
    default = languages[0]
    values = MultiDict()
    for key in ("title", "summary"):
        texts = course_yaml.local(data.get(key), default)
        for lang in text_languages(data, languages):
            values[f"{key}-{lang}"] = _text(texts.get(lang))
    objectives = course_yaml.local(data.get("objectives"), default)
    for lang in text_languages(data, languages):
        entries = objectives.get(lang)
        values[f"objectives-{lang}"] = "\n".join(_text(e) for e in entries) if isinstance(entries, list) else ""
    values["languages"] = ", ".join(languages)
    fallback = data.get("fallback") if isinstance(data.get("fallback"), dict) else {}
    for lang in fallback_languages(data):
        order = fallback.get(lang)
        values[f"fallback-{lang}"] = ", ".join(map(_text, order)) if isinstance(order, list) else ""
    for key in ("kind", "level", "minutes", "pass_mark", "valid_for", "renews", "reviewed"):
        values[key] = _text(data.get(key))
    values["certificate"] = "y" if data.get("certificate") is True else ""
    for key in ("roles", "sectors"):
        values.setlist(key, [_text(v) for v in data.get(key) or []] if isinstance(data.get(key), list) else [])
    return values


def fallback_languages(data: dict | None) -> tuple[str, ...]:
    """The learner languages the form offers a fallback order for: the site's, then any the file names."""
    fallback = (data or {}).get("fallback")
    extra = [lang for lang in fallback if isinstance(lang, str) and lang not in LANGUAGES] \
        if isinstance(fallback, dict) else []
    return (*LANGUAGES, *extra)


def _codes(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\s]+", text) if part.strip()]


def read_form(form: MultiDict, data: dict | None) -> Reading:
    """The typed values as course.yaml values, each checked; messages name the field."""
    languages = tuple(_codes(form.get("languages", "")))
    reading = Reading(languages or languages_of(data))
    if not languages:
        reading.error("languages", lazy_gettext("Languages: enter at least one language code, such as en."))
    for code in languages:
        if code not in ISO_639_1:
            reading.error("languages", lazy_gettext("Languages: %(code)s is not a two-letter ISO 639-1 code.",
                                                    code=code))
    if len(set(languages)) != len(languages):
        reading.error("languages", lazy_gettext("Languages: a language is listed twice."))
    reading.values["languages"] = list(languages)
    default = reading.languages[0]
    shown = text_languages(data, reading.languages)
    for key in ("title", "summary"):
        reading.values[key] = {lang: text for lang in shown
                               if (text := form.get(f"{key}-{lang}", "").replace("\r\n", "\n").strip())} or None
    if not (reading.values["title"] or {}).get(default):
        reading.error(f"title-{default}", lazy_gettext("Title: enter the title in the default language."))
    objectives = {lang: lines for lang in shown
                  if (lines := [line.strip() for line in form.get(f"objectives-{lang}", "").splitlines()
                                if line.strip()])}
    reading.values["objectives"] = objectives or None
    _read_fallback(reading, form, data)
    for key, choices, message in (("kind", KINDS, lazy_gettext("Kind: choose awareness or skills.")),
                                  ("level", LEVELS, lazy_gettext("Level: choose one of the levels."))):
        value = form.get(key, "")
        if value not in choices:
            reading.error(key, message)
        reading.values[key] = value
    _read_numbers(reading, form)
    valid_for = form.get("valid_for", "").strip()
    match = VALIDITY_PATTERN.fullmatch(valid_for)
    if valid_for and (not match or not 1 <= int(match.group(1)) * (12 if match.group(2).startswith("y") else 1)
                      <= MAX_VALID_MONTHS):
        reading.error("valid_for", lazy_gettext("Certificate valid for: write a number of months or years from "
                                                "1 month to 10 years, such as 12 months or 2 years."))
    reading.values["valid_for"] = valid_for or None
    reading.values["renews"] = form.get("renews", "").strip() or None
    reviewed = form.get("reviewed", "").strip()
    try:
        reading.values["reviewed"] = dt.date.fromisoformat(reviewed) if reviewed else None
    except ValueError:
        reading.error("reviewed", lazy_gettext("Reviewed on: write a real date as YYYY-MM-DD."))
    reading.values["certificate"] = form.get("certificate") == "y"
    for key, known, message in (("roles", ecsf_role_ids(), lazy_gettext("ECSF roles: choose from the list.")),
                                ("sectors", sector_ids(), lazy_gettext("NIS2 sectors: choose from the list."))):
        chosen = form.getlist(key)
        if any(value not in known for value in chosen):
            reading.error(key, message)
        written = (data or {}).get(key) if isinstance((data or {}).get(key), list) else []
        kept = [value for value in written if value in chosen]  # check boxes post in page order: keep the file's
        reading.values[key] = kept + [value for value in chosen if value in known and value not in kept]
    return reading


def _read_fallback(reading: Reading, form: MultiDict, data: dict | None) -> None:
    orders = {}
    for lang in fallback_languages(data):
        codes = _codes(form.get(f"fallback-{lang}", ""))
        if any(code not in ISO_639_1 for code in codes) or lang in codes or len(set(codes)) != len(codes):
            reading.error(f"fallback-{lang}", lazy_gettext(
                "Fallback order: use two-letter language codes, each once, not the language itself."))
        if codes:
            orders[lang] = codes
    reading.values["fallback"] = orders or None


def _read_numbers(reading: Reading, form: MultiDict) -> None:
    minutes = form.get("minutes", "").strip()
    if minutes and (not minutes.isdigit() or int(minutes) < 1):
        reading.error("minutes", lazy_gettext("Minutes: enter a whole number of at least 1, or leave it empty."))
    reading.values["minutes"] = int(minutes) if minutes.isdigit() else (minutes or None)
    mark = form.get("pass_mark", "").strip()
    number = float(mark) if _NUMBER.fullmatch(mark) else None
    if mark and (number is None or number > 100):
        reading.error("pass_mark", lazy_gettext("Pass mark: enter a number from 0 to 100, or leave it empty."))
    if number is not None and number.is_integer():
        number = int(number)
    reading.values["pass_mark"] = number if number is not None else (mark or None)


def changes(data: dict | None, reading: Reading) -> dict[str, Any]:
    """The keys whose value the form changed, for `course_yaml.rewrite` (REMOVE for a cleared key)."""
    data = data or {}
    default = reading.languages[0]
    found: dict[str, Any] = {}
    for key in MANAGED:
        new = reading.values.get(key)
        if course_yaml.same(key, data.get(key), new, default):
            continue
        found[key] = course_yaml.REMOVE if new is None else new
    return found


def save(workspace: CourseWorkspace, form: MultiDict, user: User) -> tuple[Reading, bool]:
    """Check the form and, when it reads, save course.yaml with the keys the person changed rewritten:
    (reading, saved). Nothing is saved when the reading has errors.

    "Changed" is against the version the form showed (`base`, its id), and the changes are applied to the
    newest version: a key someone else saved meanwhile, and this person left alone, keeps their value.
    Raises WorkspaceRefused when the file would be too large."""
    text = course_text(workspace)
    data = course_yaml.read(text)
    base_id = form.get("base", "")
    base = workspaces.version(workspace, COURSE_FILE, int(base_id)) if base_id.isdigit() else None
    shown = course_yaml.read(base.content.decode("utf-8", "replace")) if base is not None else None
    shown = shown if shown is not None else data
    reading = read_form(form, shown)
    if reading.errors:
        return reading, False
    new_text = course_yaml.rewrite(text, changes(shown, reading))
    return reading, workspaces.save_text(workspace, COURSE_FILE, new_text, user) is not None
