"""Course folders -> CourseSpec values and the Problems an author must see (docs/course-format.md).

Paths in problems are POSIX paths relative to the parent of the catalogue root, so that
`load_tree(Path("courses"))` reports `courses/phishing/course.yaml:12: error: ...`, the path an author
types from the repository root. `load_course` on its own reports relative to the folder's grandparent.

Nothing here raises on content: an unreadable, undecodable or malformed file is a Problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from learnhub.content.assembly import ID_PATTERN, ID_RULE, assemble_modules
from learnhub.content.fields import (
    Report,
    boolean,
    check_keys,
    choice,
    is_int,
    local_text,
    read_languages,
    reference_ids,
    references,
    show,
    whole_number,
)
from learnhub.content.fields import pass_mark as read_pass_mark
from learnhub.content.files import COURSE_FILE, CourseFolder, MediaUse
from learnhub.content.markdown import MediaUrl, default_media_url
from learnhub.content.model import (
    CourseSpec,
    Item,
    LessonSpec,
    LocalText,
    ModuleSpec,
)
from learnhub.content.problems import Level, Problem
from learnhub.content.yaml_lines import LineMap, parse_yaml

__all__ = ["load_course", "load_tree", "reference_ids"]

FORMAT = 1
DEFAULT_PASS_MARK = 70

KINDS = ("awareness", "skills")
LEVELS = ("beginner", "intermediate", "advanced")

COURSE_KEYS = (
    "format", "id", "title", "summary", "languages", "kind", "level", "minutes", "roles", "sectors",
    "certificate", "pass_mark", "modules",
)
COURSE_REQUIRED = ("format", "id", "title", "languages", "kind", "level", "modules")

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
        assembled = assemble_modules(data, pass_mark, files=self.files, report=self.report,
                                     languages=self.languages, course_id=self.course_id,
                                     media_url=self.media_url)
        modules = assembled.modules
        self.files.check_unlisted(self.claimed | assembled.claimed, assembled.listed, self.languages)
        media = self.files.check_media(assembled.media_uses)

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

