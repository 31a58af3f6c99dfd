"""Course folders -> CourseSpec values and the Problems an author must see (docs/course-format.md).

Paths in problems are POSIX paths relative to the parent of the catalogue root, so that
`load_tree(Path("courses"))` reports `courses/phishing/course.yaml:12: error: ...`, the path an author
types from the repository root. `load_course` on its own reports relative to the folder's grandparent.

Nothing here raises on content: an unreadable, undecodable or malformed file is a Problem.
"""

from __future__ import annotations

import csv
import difflib
import functools
import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnhub.content.gift import GiftSyntaxError, parse_gift
from learnhub.content.markdown import MediaUrl, Rendered, default_media_url, render_markdown, render_text
from learnhub.content.model import (
    CourseSpec,
    Item,
    LessonSpec,
    LessonVariant,
    LocalText,
    ModuleSpec,
    QuizSpec,
    QuizVariant,
)
from learnhub.content.problems import Level, Problem
from learnhub.content.questions import Question
from learnhub.content.yaml_lines import LineMap, LineSeq, parse_yaml

COURSE_FILE = "course.yaml"
FORMAT = 1
MAX_TEXT_BYTES = 1_000_000
DEFAULT_PASS_MARK = 70
DEFAULT_QUIZ_TITLE = "Quiz"

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
ID_RULE = "use 2 to 63 lowercase letters, digits and hyphens, starting with a letter or digit"
KINDS = ("awareness", "skills")
LEVELS = ("beginner", "intermediate", "advanced")

COURSE_KEYS = (
    "format", "id", "title", "summary", "languages", "kind", "level", "minutes", "roles", "sectors",
    "certificate", "pass_mark", "modules",
)
COURSE_REQUIRED = ("format", "id", "title", "languages", "kind", "level", "modules")
MODULE_KEYS = ("id", "title", "items")
LESSON_KEYS = ("lesson",)
QUIZ_KEYS = ("quiz", "title", "pass_mark", "max_attempts", "shuffle")
FRONT_MATTER_KEYS = ("title", "minutes")
IGNORED_FILE_STEMS = frozenset({"readme", "license", "licence", "changelog", "contributing"})

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


# --- small helpers ----------------------------------------------------------------------------------


def _show(value: Any) -> str:
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


def _suggest(value: Any, choices: Iterable[str]) -> str:
    """"; did you mean 'x'?" for the nearest choice, or ""."""
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _split_variant(name: str, extension: str) -> tuple[str, str | None]:
    """"red-flags.es.md" -> ("red-flags", "es"); "red-flags.md" -> ("red-flags", None)."""
    stem = name[: -len(extension)]
    match = re.fullmatch(r"(.+)\.([a-z]{2})", stem)
    return (match.group(1), match.group(2)) if match else (stem, None)


@dataclass
class _MediaUse:
    path: str  # the file using it, as shown
    line: int
    media: str  # relative to the course folder


@dataclass
class _ItemEntry:
    kind: str
    item_id: str
    line: int


# --- one course -------------------------------------------------------------------------------------


@dataclass
class _CourseLoader:
    folder: Path
    display: str
    media_url: MediaUrl
    problems: list[Problem] = field(default_factory=list)
    used: dict[str, bytes] = field(default_factory=dict)  # path in the course -> sha256 of the bytes
    media_uses: list[_MediaUse] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)  # file names (top level) the course uses
    listed: dict[str, set[str]] = field(default_factory=lambda: {"lesson": set(), "quiz": set()})
    file_cache: dict[str, tuple[Path, ...]] = field(default_factory=dict)
    media_cache: dict[str, str | None] = field(default_factory=dict)
    languages: tuple[str, ...] = ("en",)
    course_id: str = ""

    # -- reporting

    def shown(self, relative: str) -> str:
        return f"{self.display}/{relative}" if self.display else relative

    @property
    def yaml_path(self) -> str:
        return self.shown(COURSE_FILE)

    def add(self, path: str, line: int, level: Level, message: str) -> None:
        self.problems.append(Problem(path, line, level, message))

    def error(self, line: int, message: str) -> None:
        self.add(self.yaml_path, line, "error", message)

    def warn(self, line: int, message: str) -> None:
        self.add(self.yaml_path, line, "warning", message)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    # -- files

    def inside(self, path: Path) -> bool:
        try:
            return path.resolve().is_relative_to(self.folder.resolve())
        except (OSError, RuntimeError):
            return False

    def read(self, relative: str) -> str | None:
        """The text of a course file, recorded for the revision; None (with a problem) when unusable."""
        path = self.folder / relative
        shown = self.shown(relative)
        if not self.inside(path):
            self.add(shown, 0, "error", "this file is a link to a place outside the course folder")
            return None
        try:
            size = path.stat().st_size
            if size > MAX_TEXT_BYTES:
                self.add(shown, 0, "error", f"file is too large ({size} bytes; the limit is "
                         f"{MAX_TEXT_BYTES})")
                return None
            data = path.read_bytes()
        except OSError as err:
            self.add(shown, 0, "error", f"cannot read this file: {err.strerror or err}")
            return None
        self.used[relative] = hashlib.sha256(data).digest()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            self.add(shown, data[: err.start].count(b"\n") + 1, "error", "file is not valid UTF-8")
            return None
        return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")

    # -- YAML values

    def duplicates(self, mapping: LineMap, path: str | None = None) -> None:
        for key, line, first in mapping.duplicates:
            self.add(path or self.yaml_path, line, "error", f"duplicate key '{key}' (first at line {first})")

    def check_keys(self, mapping: LineMap, known: Sequence[str], required: Sequence[str] = (),
                   path: str | None = None, where: str = "") -> None:
        """Unknown keys (with the nearest known one), duplicate keys and missing required keys."""
        path = path or self.yaml_path
        self.duplicates(mapping, path)
        for key in mapping:
            if key not in known:
                self.add(path, mapping.key_line(key), "error", f"unknown key '{key}'{_suggest(key, known)}")
        for key in required:
            if key not in mapping:
                self.add(path, mapping.line, "error", f"missing required key '{key}'{where}")

    def local_text(self, mapping: LineMap, key: str, *, required: bool = True,
                   default: str | None = None) -> LocalText | None:
        """A text or a mapping language -> text; None when absent or (with a problem) not usable."""
        line = mapping.key_line(key)
        value = mapping.get(key)
        if value is None:
            if default is not None:
                return LocalText.of(default, self.default_language)
            if required and key in mapping:
                self.error(line, f"{key} is empty")
            return None
        if isinstance(value, str):
            if not value.strip():
                self.error(line, f"{key} is empty")
                return None
            return LocalText.of(value, self.default_language)
        if not isinstance(value, LineMap):
            self.error(line, f"{key} must be text, or a mapping of language to text, got {_show(value)}")
            return None
        self.duplicates(value)
        texts: dict[str, str] = {}
        for lang, text in value.items():
            lang_line = value.key_line(lang)
            if not isinstance(lang, str) or not re.fullmatch(r"[a-z]{2}", lang):
                hint = "if a text contains a comma or a colon, put it in quotes"
                if isinstance(lang, str) and re.fullmatch(r"[A-Za-z]{2}", lang):
                    hint = f"write it in lowercase: '{lang.lower()}'"
                self.error(lang_line, f"{key} has a key {_show(lang)}, which is not a language code; {hint}")
            elif lang not in self.languages:
                self.warn(lang_line, f"{key} has a text in {_show(lang)}, which is not one of the course "
                          f"languages ({', '.join(self.languages)})")
            elif not isinstance(text, str):
                self.error(lang_line, f"{key} in '{lang}' must be text, got {_show(text)}")
            elif not text.strip():
                self.error(lang_line, f"{key} in '{lang}' is empty")
            else:
                texts[lang] = text
        if self.default_language not in value:
            self.error(line, f"{key} has no text in the default language '{self.default_language}'")
            return None
        for lang in self.languages[1:]:
            if lang not in value:
                self.warn(line, f"{key} has no '{lang}' text; learners see the '{self.default_language}' one")
        if self.default_language not in texts:
            return None
        return LocalText.of(texts, self.default_language)

    def choice(self, mapping: LineMap, key: str, choices: Sequence[str]) -> str | None:
        value = mapping.get(key)
        if value in choices:
            return value
        if key in mapping:
            self.error(mapping.key_line(key), f"{key} must be one of {', '.join(choices)}, "
                       f"got {_show(value)}{_suggest(value, choices)}")
        return None

    def whole_number(self, mapping: LineMap, key: str, path: str | None = None,
                     hint: str = "") -> int | None:
        value = mapping.get(key)
        if value is None:
            return None
        if _is_int(value) and value >= 1:
            return value
        self.add(path or self.yaml_path, mapping.key_line(key), "error",
                 f"{key} must be a whole number of at least 1{hint}, got {_show(value)}")
        return None

    def boolean(self, mapping: LineMap, key: str, default: bool) -> bool:
        value = mapping.get(key, default)
        if isinstance(value, bool):
            return value
        self.error(mapping.key_line(key), f"{key} must be true or false, got {_show(value)}")
        return default

    def pass_mark(self, mapping: LineMap, default: float) -> float:
        value = mapping.get("pass_mark", default)
        if _is_number(value) and 0 <= value <= 100:
            return value
        self.error(mapping.key_line("pass_mark"),
                   f"pass_mark must be a number from 0 to 100, got {_show(value)}")
        return default

    def references(self, mapping: LineMap, key: str, source: str, what: str) -> tuple[str, ...]:
        value = mapping.get(key)
        if value is None:
            return ()
        if not isinstance(value, LineSeq):
            self.error(mapping.key_line(key), f"{key} must be a list of {what} ids, got {_show(value)}")
            return ()
        known = reference_ids(source)
        seen: list[str] = []
        for index, ref in enumerate(value):
            line = value.item_line(index)
            if ref in seen:
                self.warn(line, f"{what} '{ref}' is listed twice")
            elif not isinstance(ref, str) or ref not in known:
                self.error(line, f"unknown {what} {_show(ref)}{_suggest(ref, known)}")
            else:
                seen.append(ref)
        return tuple(seen)

    def read_languages(self, course: LineMap) -> bool:
        value = course.get("languages")
        line = course.key_line("languages")
        if value is None and "languages" not in course:
            return False
        if not isinstance(value, LineSeq) or not value:
            self.error(line, "languages must be a list of ISO 639-1 codes, such as [en, es], "
                       f"got {_show(value)}")
            return False
        found: list[str] = []  # what the author meant, to go on checking the rest sensibly
        for index, lang in enumerate(value):
            item_line = value.item_line(index)
            if isinstance(lang, str) and lang in ISO_639_1:
                if lang in found:
                    self.error(item_line, f"language '{lang}' is listed twice")
                else:
                    found.append(lang)
            else:
                hint = ""
                if isinstance(lang, str) and lang.lower() in ISO_639_1:
                    hint = f"; did you mean '{lang.lower()}'?"
                    if lang.lower() not in found:
                        found.append(lang.lower())
                self.error(item_line, f"{_show(lang)} is not an ISO 639-1 language code "
                           f"(two lowercase letters, such as 'en' or 'es'){hint}")
        if found:
            self.languages = tuple(found)
        return len(found) == len(value)

    # -- the course

    def load(self) -> CourseSpec | None:
        path = self.folder / COURSE_FILE
        if not path.is_file():
            hint = ""
            if (self.folder / "course.yml").is_file():
                hint = "; rename course.yml to course.yaml"
            self.add(self.display, 0, "error", f"course folder has no {COURSE_FILE}{hint}")
            return None
        text = self.read(COURSE_FILE)
        if text is None:
            return None
        self.claimed.add(COURSE_FILE)
        data, failure = parse_yaml(text)
        if failure is not None:
            self.error(*failure)
            return None
        if data is None:
            self.error(0, f"{COURSE_FILE} is empty")
            return None
        if not isinstance(data, LineMap):
            self.error(1, f"{COURSE_FILE} must be a mapping of keys to values, such as 'format: 1'")
            return None

        fmt = data.get("format")
        if "format" in data and (not _is_int(fmt) or fmt != FORMAT):
            self.error(data.key_line("format"), f"format must be {FORMAT} (the course format this LearnHub "
                       f"reads), got {_show(fmt)}")
            return None
        self.check_keys(data, COURSE_KEYS, COURSE_REQUIRED)
        self.read_languages(data)

        course_id = data.get("id")
        if "id" in data:
            if not isinstance(course_id, str) or not ID_PATTERN.match(course_id):
                self.error(data.key_line("id"), f"course id {_show(course_id)} is not valid: {ID_RULE}")
            elif course_id != self.folder.name:
                self.error(data.key_line("id"), f"id '{course_id}' must equal the folder name "
                           f"'{self.folder.name}'")
        self.course_id = course_id if isinstance(course_id, str) else self.folder.name

        title = self.local_text(data, "title")
        summary = self.local_text(data, "summary", required=False)
        kind = self.choice(data, "kind", KINDS)
        level = self.choice(data, "level", LEVELS)
        minutes = self.whole_number(data, "minutes")
        roles = self.references(data, "roles", "ecsf-roles", "ECSF role")
        sectors = self.references(data, "sectors", "nis2-sectors", "NIS2 sector")
        certificate = self.boolean(data, "certificate", False)
        pass_mark = self.pass_mark(data, DEFAULT_PASS_MARK)
        modules = self.modules(data, pass_mark)
        self.check_unlisted()
        media = self.check_media()

        if any(problem.is_error for problem in self.problems):
            return None
        assert title is not None and kind is not None and level is not None
        if minutes is None:
            minutes = sum(
                item.minutes or 0 for _, item in _items(modules) if isinstance(item, LessonSpec)
            )
        return CourseSpec(
            id=self.course_id,
            format=FORMAT,
            title=title,
            summary=summary or LocalText.of("", self.default_language),
            languages=self.languages,
            kind=kind,
            level=level,
            minutes=minutes,
            roles=roles,
            sectors=sectors,
            certificate=certificate,
            pass_mark=pass_mark,
            modules=modules,
            media=media,
            revision=self.revision(),
            path=self.display,
        )

    def modules(self, course: LineMap, pass_mark: float) -> tuple[ModuleSpec, ...]:
        value = course.get("modules")
        if value is None and "modules" not in course:
            return ()
        line = course.key_line("modules")
        if not isinstance(value, LineSeq):
            self.error(line, f"modules must be a list of modules, got {_show(value)}")
            return ()
        if not value:
            self.error(line, "modules is empty: a course needs at least one lesson or quiz")
            return ()
        module_lines: dict[str, int] = {}
        item_lines: dict[str, int] = {}
        modules: list[ModuleSpec] = []
        for index, module in enumerate(value):
            module_line = value.item_line(index)
            if not isinstance(module, LineMap):
                self.error(module_line,
                           f"a module must be a mapping with id, title and items, got {_show(module)}")
                continue
            self.check_keys(module, MODULE_KEYS, MODULE_KEYS)
            module_id = module.get("id")
            if "id" in module:
                if not isinstance(module_id, str) or not ID_PATTERN.match(module_id):
                    self.error(module.key_line("id"), f"module id {_show(module_id)} is not valid: {ID_RULE}")
                elif module_id in module_lines:
                    self.error(module.key_line("id"), f"duplicate module id '{module_id}' "
                               f"(first at line {module_lines[module_id]})")
                else:
                    module_lines[module_id] = module.key_line("id")
            title = self.local_text(module, "title")
            items = self.items(module, item_lines, pass_mark)
            if isinstance(module_id, str) and title is not None:
                modules.append(ModuleSpec(id=module_id, title=title, items=items))
        if not item_lines and not any(p.is_error for p in self.problems):
            self.error(line, "the course has no lessons or quizzes")
        return tuple(modules)

    def items(self, module: LineMap, item_lines: dict[str, int], pass_mark: float) -> tuple[Item, ...]:
        value = module.get("items")
        if value is None:
            if "items" in module:
                self.warn(module.key_line("items"), "module has no items")
            return ()
        if not isinstance(value, LineSeq):
            self.error(module.key_line("items"),
                       f"items must be a list of lessons and quizzes, got {_show(value)}")
            return ()
        if not value:
            self.warn(module.key_line("items"), "module has no items")
        items: list[Item] = []
        for index, entry in enumerate(value):
            line = value.item_line(index)
            if not isinstance(entry, LineMap):
                self.error(line, f"an item must be a mapping such as 'lesson: red-flags' or 'quiz: check', "
                           f"got {_show(entry)}")
                continue
            item = self.item(entry, line, item_lines, pass_mark)
            if item is not None:
                items.append(item)
        return tuple(items)

    def item(self, entry: LineMap, line: int, item_lines: dict[str, int], pass_mark: float) -> Item | None:
        if "lesson" in entry and "quiz" in entry:
            self.error(line, "an item is a lesson or a quiz, not both; split it into two items")
            return None
        if "lesson" not in entry and "quiz" not in entry:
            before = len(self.problems)
            self.check_keys(entry, (*LESSON_KEYS, *QUIZ_KEYS))
            if len(self.problems) == before:
                self.error(line, "an item needs 'lesson: ID' or 'quiz: ID'")
            return None
        kind = "lesson" if "lesson" in entry else "quiz"
        if kind == "lesson":
            for key, key_line in entry.key_lines.items():
                if key in QUIZ_KEYS and key != "quiz":
                    self.error(key_line, f"'{key}' applies to quizzes, not lessons")
            self.check_keys(entry, (*LESSON_KEYS, *QUIZ_KEYS[1:]))
        else:
            self.check_keys(entry, QUIZ_KEYS)
        item_id = entry.get(kind)
        id_line = entry.key_line(kind)
        if not isinstance(item_id, str) or not ID_PATTERN.match(item_id):
            hint = ""
            if isinstance(item_id, str) and item_id.endswith((".md", ".gift")):
                hint = f"; write the id without the file extension: '{item_id.rsplit('.', 1)[0]}'"
            self.error(id_line, f"{kind} id {_show(item_id)} is not valid: {ID_RULE}{hint}")
            return None
        if item_id in item_lines:
            self.error(id_line, f"duplicate item id '{item_id}' (first at line {item_lines[item_id]})")
            return None
        item_lines[item_id] = id_line
        self.listed[kind].add(item_id)
        if kind == "lesson":
            return self.lesson(item_id, id_line)
        title = self.local_text(entry, "title", default=DEFAULT_QUIZ_TITLE)
        quiz_pass_mark = self.pass_mark(entry, pass_mark)
        max_attempts = self.whole_number(entry, "max_attempts", hint=" (leave it out for unlimited attempts)")
        shuffle = self.boolean(entry, "shuffle", False)
        variants = self.quiz_variants(item_id, id_line)
        if title is None or not variants:
            return None
        return QuizSpec(
            id=item_id, title=title, pass_mark=quiz_pass_mark, max_attempts=max_attempts, shuffle=shuffle,
            variants=variants,
        )

    def variant_files(self, item_id: str, kind: str, line: int) -> dict[str, str]:
        """language -> file name of each version of an item; missing ones reported."""
        extension = ".md" if kind == "lesson" else ".gift"
        files: dict[str, str] = {}
        for name in (f"{item_id}{extension}", f"{item_id}.{self.default_language}{extension}"):
            if (self.folder / name).is_file():
                files[self.default_language] = name
                break
        else:
            other = ".gift" if kind == "lesson" else ".md"
            other_kind = "quiz" if kind == "lesson" else "lesson"
            hint = ""
            if (self.folder / f"{item_id}{other}").is_file():
                hint = f"; {item_id}{other} is a {other_kind}: write '{other_kind}: {item_id}'"
            else:
                names = [_split_variant(p.name, extension)[0] for p in self._files(extension)]
                hint = _suggest(item_id, names)
            self.error(line, f"{kind} file '{item_id}{extension}' not found{hint}")
            return {}
        for lang in self.languages[1:]:
            name = f"{item_id}.{lang}{extension}"
            if (self.folder / name).is_file():
                files[lang] = name
            else:
                self.warn(line, f"{kind} '{item_id}' has no '{lang}' version ({name}); "
                          f"learners see the '{self.default_language}' one")
        self.claimed.update(files.values())
        return files

    def _files(self, extension: str) -> tuple[Path, ...]:
        if extension not in self.file_cache:
            try:
                self.file_cache[extension] = tuple(
                    sorted(p for p in self.folder.iterdir() if p.name.endswith(extension) and p.is_file())
                )
            except OSError:
                self.file_cache[extension] = ()
        return self.file_cache[extension]

    def note_media(self, path: str, rendered: Rendered) -> None:
        self.problems.extend(rendered.problems)
        self.media_uses.extend(_MediaUse(path, line, media) for line, media in rendered.media)

    def lesson(self, item_id: str, line: int) -> LessonSpec | None:
        variants: list[LessonVariant] = []
        for lang, name in self.variant_files(item_id, "lesson", line).items():
            variant = self.lesson_variant(lang, name)
            if variant is not None:
                variants.append(variant)
        if not variants or variants[0].language != self.default_language:
            return None
        return LessonSpec(id=item_id, variants=tuple(variants))

    def lesson_variant(self, lang: str, name: str) -> LessonVariant | None:
        shown = self.shown(name)
        text = self.read(name)
        if text is None:
            return None
        front, body = self.front_matter(text, shown)
        if front is None:
            return None
        title = front.get("title")
        if title is not None and (not isinstance(title, str) or not title.strip()):
            message = f"title must be text, got {_show(title)}"
            if isinstance(title, str):
                message = "title is empty"
            self.add(shown, front.key_line("title"), "error", message)
            return None
        minutes = self.whole_number(front, "minutes", path=shown)
        if "minutes" in front and minutes is None:
            return None
        rendered = render_markdown(body, course_id=self.course_id, path=shown, media_url=self.media_url,
                                   drop_title=title is None)
        self.note_media(shown, rendered)
        title = title.strip() if isinstance(title, str) else rendered.title
        if not title:
            self.add(shown, 1, "error", "lesson has no title: add 'title: ...' to the front matter "
                     "or start with a '# heading'")
            return None
        return LessonVariant(language=lang, title=title, html=rendered.html, minutes=minutes, source=name)

    def front_matter(self, text: str, shown: str) -> tuple[LineMap | None, str]:
        """(front matter, body with the front matter's lines blanked, so Markdown lines stay file lines)."""
        lines = text.split("\n")
        if lines[0].rstrip() != "---":
            return LineMap(), text
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
        if end is None:
            self.add(shown, 1, "error", "front matter has no closing '---' line")
            return None, text
        data, failure = parse_yaml("\n" + "\n".join(lines[1:end]))
        if failure is not None:
            line, message = failure
            self.add(shown, line, "error", f"{message} (in the front matter)")
            return None, text
        if data is None:
            data = LineMap()
        if not isinstance(data, LineMap):
            self.add(shown, 2, "error",
                     "front matter must be a mapping of keys to values, such as 'title: ...'")
            return None, text
        self.duplicates(data, shown)
        for key in data:
            if key not in FRONT_MATTER_KEYS:
                hint = _suggest(key, FRONT_MATTER_KEYS)
                self.add(shown, data.key_line(key), "warning",
                         f"unknown key '{key}' in the front matter is ignored{hint}")
        return data, "\n" * (end + 1) + "\n".join(lines[end + 1:])

    def quiz_variants(self, item_id: str, line: int) -> tuple[QuizVariant, ...]:
        variants: list[QuizVariant] = []
        for lang, name in self.variant_files(item_id, "quiz", line).items():
            variant = self.quiz_variant(lang, name)
            if variant is not None:
                variants.append(variant)
        if not variants or variants[0].language != self.default_language:
            return ()
        default = variants[0]
        default_name = default.source
        default_ids = {q.id: q for q in default.questions}
        for variant in variants[1:]:
            ids = {q.id: q for q in variant.questions}
            for question_id in default_ids.keys() - ids.keys():
                self.add(self.shown(variant.source), 0, "error", f"question '{question_id}' of {default_name} "
                         "is missing here; every translation needs the same question names")
            for question_id, question in ids.items():
                original = default_ids.get(question_id)
                if original is None:
                    self.add(self.shown(variant.source), question.line, "error", f"question '{question_id}' is not in "
                             f"{default_name}; every translation needs the same question names")
                elif original.type != question.type:
                    self.add(self.shown(variant.source), question.line, "error", f"question '{question_id}' is a "
                             f"{question.type} question here but a {original.type} question in "
                             f"{default_name}")
        return tuple(variants)

    def quiz_variant(self, lang: str, name: str) -> QuizVariant | None:
        shown = self.shown(name)
        text = self.read(name)
        if text is None:
            return None
        try:
            questions, problems = parse_gift(text, shown)
        except GiftSyntaxError as err:
            self.add(shown, err.line, "error", err.message)
            return None
        self.problems.extend(problems)
        if not questions:
            self.add(shown, 0, "error", "quiz has no questions")
            return None
        if all(q.type == "description" for q in questions):
            self.add(shown, 0, "error", "quiz has only descriptions: add a question to answer")
            return None
        return QuizVariant(language=lang, questions=tuple(self.render_question(q, shown) for q in questions),
                           source=name)

    def render_question(self, question: Question, shown: str) -> Question:
        def render(text: str, text_format: str) -> str:
            rendered = render_text(text, text_format, course_id=self.course_id, path=shown,
                                   line=question.line or 1, media_url=self.media_url)
            self.note_media(shown, rendered)
            return rendered.html

        return question.map_texts(render, to_format="html")

    def check_unlisted(self) -> None:
        try:
            entries = sorted(self.folder.iterdir())
        except OSError as err:
            self.add(self.display, 0, "error", f"cannot list the course folder: {err.strerror or err}")
            return
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name in self.claimed or not name.endswith((".md", ".gift")):
                continue
            if not entry.is_file():
                continue
            extension = ".md" if name.endswith(".md") else ".gift"
            kind = "lesson" if extension == ".md" else "quiz"
            stem, lang = _split_variant(name, extension)
            if name[: -len(extension)].lower() in IGNORED_FILE_STEMS:
                continue
            shown = self.shown(name)
            if stem in self.listed[kind] and lang is not None:
                if lang == self.default_language and f"{stem}{extension}" in self.claimed:
                    self.add(shown, 0, "warning", f"this file is ignored: {stem}{extension} is the "
                             f"'{lang}' version")
                elif lang not in self.languages:
                    self.add(shown, 0, "warning", f"language '{lang}' is not one of the course languages "
                             f"({', '.join(self.languages)}), so this file is never shown")
            elif stem not in self.listed[kind]:
                self.add(shown, 0, "warning", f"this {kind} is not listed in {COURSE_FILE}, "
                         "so learners never see it")

    def check_media(self) -> tuple[str, ...]:
        """Check every media file used exists inside the course; record it for the revision."""
        found: dict[str, bool] = {}
        for use in self.media_uses:
            if use.media not in found:
                found[use.media] = self.media_problem(use.media) is None
                if found[use.media]:
                    self.hash_media(use.media)
            if not found[use.media]:
                self.add(use.path, use.line, "error", self.media_problem(use.media) or "")
        return tuple(sorted(media for media, ok in found.items() if ok))

    def media_problem(self, media: str) -> str | None:
        if media not in self.media_cache:
            problem = None
            if not self.exists_exactly(media):
                problem = f"media file '{media}' not found"
            elif not self.inside(self.folder / media):
                problem = f"media file '{media}' is a link to a place outside the course folder"
            self.media_cache[media] = problem
        return self.media_cache[media]

    def exists_exactly(self, media: str) -> bool:
        """Whether the file exists with exactly this name (case included, whatever the file system)."""
        current = self.folder
        for part in media.split("/"):
            try:
                if part not in os.listdir(current):
                    return False
            except OSError:
                return False
            current = current / part
        return current.is_file()

    def hash_media(self, media: str) -> None:
        try:
            with (self.folder / media).open("rb") as handle:
                self.used[media] = hashlib.file_digest(handle, "sha256").digest()
        except OSError as err:
            self.add(self.display, 0, "error", f"cannot read media file '{media}': {err.strerror or err}")

    def revision(self) -> str:
        digest = hashlib.sha256(b"learnhub course revision 1\0")
        for relative in sorted(self.used):
            digest.update(relative.encode("utf-8", "surrogateescape") + b"\0" + self.used[relative])
        return digest.hexdigest()


def _items(modules: Iterable[ModuleSpec]) -> Iterable[tuple[ModuleSpec, Item]]:
    for module in modules:
        for item in module.items:
            yield module, item


def _display(folder: Path, display_root: Path) -> str:
    absolute = folder.absolute()
    try:
        return absolute.relative_to(display_root.absolute()).as_posix()
    except ValueError:
        return absolute.as_posix()


def load_course(
    folder: Path,
    media_url: MediaUrl = default_media_url,
    *,
    display_root: Path | None = None,
) -> tuple[CourseSpec | None, list[Problem]]:
    """Load and validate one course folder: (the course, or None when any problem is an error; problems).

    Problems are sorted by path and line. Paths are relative to `display_root`, by default the
    folder's grandparent (so a folder courses/phishing reports courses/phishing/...).
    """
    folder = Path(folder)
    root = display_root if display_root is not None else folder.absolute().parent.parent
    loader = _CourseLoader(folder=folder, display=_display(folder, root), media_url=media_url)
    if not folder.is_dir():
        loader.add(loader.display, 0, "error", "not a course folder")
        return None, loader.problems
    try:
        course = loader.load()
    except Exception as err:  # a bug must not take other courses down
        loader.add(loader.yaml_path, 0, "error", f"internal error while reading this course "
                   f"({type(err).__name__}: {err}); please report it")
        course = None
    problems = sorted(set(loader.problems), key=lambda p: (p.path, p.line, p.level, p.message))
    return (course if not any(p.is_error for p in problems) else None), problems


def load_tree(
    root: Path, media_url: MediaUrl = default_media_url
) -> dict[str, tuple[CourseSpec | None, list[Problem]]]:
    """Load every course folder under `root`, by folder name, in name order.

    Hidden entries and files (README.md, LICENSE...) are skipped; a folder without course.yaml is an
    error. Raises FileNotFoundError / NotADirectoryError when `root` itself is not a folder.
    """
    root = Path(root)
    if not root.is_dir():
        raise (NotADirectoryError if root.exists() else FileNotFoundError)(f"no course folder at {root}")
    display_root = root.absolute().parent
    courses: dict[str, tuple[CourseSpec | None, list[Problem]]] = {}
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        courses[entry.name] = load_course(entry, media_url, display_root=display_root)
    return courses

