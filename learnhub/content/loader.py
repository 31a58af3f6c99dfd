"""Course folders -> CourseSpec values and the Problems an author must see (docs/course-format.md).

Paths in problems are POSIX paths relative to the parent of the catalogue root, so that
`load_tree(Path("courses"))` reports `courses/phishing/course.yaml:12: error: ...`, the path an author
types from the repository root. `load_course` on its own reports relative to the folder's grandparent.

Nothing here raises on content: an unreadable, undecodable or malformed file is a Problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from learnhub.content.fields import (
    Report,
    boolean,
    check_keys,
    choice,
    duplicates,
    is_int,
    local_text,
    read_languages,
    reference_ids,
    references,
    show,
    suggest,
    whole_number,
)
from learnhub.content.fields import pass_mark as read_pass_mark
from learnhub.content.files import COURSE_FILE, CourseFolder, MediaUse, split_variant
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

__all__ = ["load_course", "load_tree", "reference_ids"]

FORMAT = 1
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

# --- small helpers ----------------------------------------------------------------------------------


# --- one course -------------------------------------------------------------------------------------


@dataclass
class _CourseLoader:
    folder: Path
    display: str
    media_url: MediaUrl
    files: CourseFolder
    problems: list[Problem]
    media_uses: list[MediaUse] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)  # file names (top level) the course uses
    listed: dict[str, set[str]] = field(default_factory=lambda: {"lesson": set(), "quiz": set()})
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
    def report(self) -> Report:
        return Report(self.problems, self.yaml_path)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    # -- the course

    def load(self) -> CourseSpec | None:
        path = self.folder / COURSE_FILE
        if not path.is_file():
            hint = ""
            if (self.folder / "course.yml").is_file():
                hint = "; rename course.yml to course.yaml"
            self.add(self.display, 0, "error", f"course folder has no {COURSE_FILE}{hint}")
            return None
        text = self.files.read(COURSE_FILE)
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
        if "format" in data and (not is_int(fmt) or fmt != FORMAT):
            self.error(data.key_line("format"), f"format must be {FORMAT} (the course format this LearnHub "
                       f"reads), got {show(fmt)}")
            return None
        check_keys(self.report, data, COURSE_KEYS, COURSE_REQUIRED)
        self.languages = read_languages(self.report, data) or self.languages

        course_id = data.get("id")
        if "id" in data:
            if not isinstance(course_id, str) or not ID_PATTERN.match(course_id):
                self.error(data.key_line("id"), f"course id {show(course_id)} is not valid: {ID_RULE}")
            elif course_id != self.folder.name:
                self.error(data.key_line("id"), f"id '{course_id}' must equal the folder name "
                           f"'{self.folder.name}'")
        self.course_id = course_id if isinstance(course_id, str) else self.folder.name

        title = local_text(self.report, data, "title", self.languages)
        summary = local_text(self.report, data, "summary", self.languages, required=False)
        kind = choice(self.report, data, "kind", KINDS)
        level = choice(self.report, data, "level", LEVELS)
        minutes = whole_number(self.report, data, "minutes")
        roles = references(self.report, data, "roles", "ecsf-roles", "ECSF role")
        sectors = references(self.report, data, "sectors", "nis2-sectors", "NIS2 sector")
        certificate = boolean(self.report, data, "certificate", False)
        pass_mark = read_pass_mark(self.report, data, DEFAULT_PASS_MARK)
        modules = self.modules(data, pass_mark)
        self.files.check_unlisted(self.claimed, self.listed, self.languages)
        media = self.files.check_media(self.media_uses)

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
            revision=self.files.revision(),
            path=self.display,
        )

    def modules(self, course: LineMap, pass_mark: float) -> tuple[ModuleSpec, ...]:
        value = course.get("modules")
        if value is None and "modules" not in course:
            return ()
        line = course.key_line("modules")
        if not isinstance(value, LineSeq):
            self.error(line, f"modules must be a list of modules, got {show(value)}")
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
                           f"a module must be a mapping with id, title and items, got {show(module)}")
                continue
            check_keys(self.report, module, MODULE_KEYS, MODULE_KEYS)
            module_id = module.get("id")
            if "id" in module:
                if not isinstance(module_id, str) or not ID_PATTERN.match(module_id):
                    self.error(module.key_line("id"), f"module id {show(module_id)} is not valid: {ID_RULE}")
                elif module_id in module_lines:
                    self.error(module.key_line("id"), f"duplicate module id '{module_id}' "
                               f"(first at line {module_lines[module_id]})")
                else:
                    module_lines[module_id] = module.key_line("id")
            title = local_text(self.report, module, "title", self.languages)
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
                       f"items must be a list of lessons and quizzes, got {show(value)}")
            return ()
        if not value:
            self.warn(module.key_line("items"), "module has no items")
        items: list[Item] = []
        for index, entry in enumerate(value):
            line = value.item_line(index)
            if not isinstance(entry, LineMap):
                self.error(line, f"an item must be a mapping such as 'lesson: red-flags' or 'quiz: check', "
                           f"got {show(entry)}")
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
            check_keys(self.report, entry, (*LESSON_KEYS, *QUIZ_KEYS))
            if len(self.problems) == before:
                self.error(line, "an item needs 'lesson: ID' or 'quiz: ID'")
            return None
        kind = "lesson" if "lesson" in entry else "quiz"
        if kind == "lesson":
            for key, key_line in entry.key_lines.items():
                if key in QUIZ_KEYS and key != "quiz":
                    self.error(key_line, f"'{key}' applies to quizzes, not lessons")
            check_keys(self.report, entry, (*LESSON_KEYS, *QUIZ_KEYS[1:]))
        else:
            check_keys(self.report, entry, QUIZ_KEYS)
        item_id = entry.get(kind)
        id_line = entry.key_line(kind)
        if not isinstance(item_id, str) or not ID_PATTERN.match(item_id):
            hint = ""
            if isinstance(item_id, str) and item_id.endswith((".md", ".gift")):
                hint = f"; write the id without the file extension: '{item_id.rsplit('.', 1)[0]}'"
            self.error(id_line, f"{kind} id {show(item_id)} is not valid: {ID_RULE}{hint}")
            return None
        if item_id in item_lines:
            self.error(id_line, f"duplicate item id '{item_id}' (first at line {item_lines[item_id]})")
            return None
        item_lines[item_id] = id_line
        self.listed[kind].add(item_id)
        if kind == "lesson":
            return self.lesson(item_id, id_line)
        title = local_text(self.report, entry, "title", self.languages, default=DEFAULT_QUIZ_TITLE)
        quiz_pass_mark = read_pass_mark(self.report, entry, pass_mark)
        max_attempts = whole_number(self.report, entry, "max_attempts", hint=" (leave it out for unlimited attempts)")
        shuffle = boolean(self.report, entry, "shuffle", False)
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
                names = [split_variant(p.name, extension)[0] for p in self.files.listing(extension)]
                hint = suggest(item_id, names)
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

    def note_media(self, path: str, rendered: Rendered) -> None:
        self.problems.extend(rendered.problems)
        self.media_uses.extend(MediaUse(path, line, media) for line, media in rendered.media)

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
        text = self.files.read(name)
        if text is None:
            return None
        front, body = self.front_matter(text, shown)
        if front is None:
            return None
        title = front.get("title")
        if title is not None and (not isinstance(title, str) or not title.strip()):
            message = f"title must be text, got {show(title)}"
            if isinstance(title, str):
                message = "title is empty"
            self.add(shown, front.key_line("title"), "error", message)
            return None
        minutes = whole_number(self.report, front, "minutes", path=shown)
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
        duplicates(self.report, data, shown)
        for key in data:
            if key not in FRONT_MATTER_KEYS:
                hint = suggest(key, FRONT_MATTER_KEYS)
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
        text = self.files.read(name)
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
    display = _display(folder, root)
    problems: list[Problem] = []
    loader = _CourseLoader(folder=folder, display=display, media_url=media_url, problems=problems,
                           files=CourseFolder(folder, display, problems))
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

