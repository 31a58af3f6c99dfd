"""Course folders -> CourseSpec values and the Problems an author must see (docs/course-format.md).

Paths in problems are POSIX paths relative to the parent of the catalogue root, so that
`load_tree(Path("courses"))` reports `courses/phishing/course.yaml:12: error: ...`, the path an author
types from the repository root. `load_course` on its own reports relative to the folder's grandparent.

Nothing here raises on content: an unreadable, undecodable or malformed file is a Problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from learnhub.content.assembly import ID_PATTERN, ID_RULE, assemble_modules
from learnhub.content.credits import read_credits
from learnhub.content.fields import (
    DEFAULT_REVIEW_MAX_AGE_DAYS,
    Report,
    boolean,
    check_keys,
    choice,
    fallback_orders,
    is_int,
    local_lists,
    local_text,
    read_languages,
    reference_ids,
    references,
    review_date,
    show,
    valid_for,
    whole_number,
)
from learnhub.content.fields import pass_mark as read_pass_mark
from learnhub.content.files import COURSE_FILE, CourseFolder
from learnhub.content.model import (
    CourseSpec,
    Item,
    LessonSpec,
    LocalText,
    ModuleSpec,
)
from learnhub.content.problems import Problem
from learnhub.content.sanitiser import MediaUrl, default_media_url
from learnhub.content.yaml_lines import LineMap, parse_yaml

__all__ = ["Checks", "load_course", "load_tree", "reference_ids"]

FORMAT = 1
DEFAULT_PASS_MARK = 70
DEFAULT_LANGUAGES = ("en",)

KINDS = ("awareness", "skills")
LEVELS = ("beginner", "intermediate", "advanced")

COURSE_KEYS = (
    "format", "id", "title", "summary", "languages", "fallback", "kind", "level", "minutes", "roles", "sectors",
    "certificate", "valid_for", "renews", "pass_mark", "objectives", "reviewed", "modules",
)
COURSE_REQUIRED = ("format", "id", "title", "languages", "kind", "level", "modules")



@dataclass(frozen=True)
class Checks:
    """What validation compares against that is not in the files: the day, and the age from which a
    review date is reported as too old (LEARNHUB_REVIEW_MAX_AGE_DAYS)."""

    today: date = field(default_factory=date.today)
    review_max_age_days: int = DEFAULT_REVIEW_MAX_AGE_DAYS


# --- one course: read course.yaml, validate its fields, assemble the modules, check the files ----------


def _read_course_yaml(files: CourseFolder, report: Report) -> LineMap | None:
    """The course.yaml mapping, or None (with a problem) when there is none to read."""
    if not (files.folder / COURSE_FILE).is_file():
        hint = ""
        if (files.folder / "course.yml").is_file():
            hint = "; rename course.yml to course.yaml"
        report.add(files.display, 0, "error", f"course folder has no {COURSE_FILE}{hint}")
        return None
    text = files.read(COURSE_FILE)
    if text is None:
        return None
    data, failure = parse_yaml(text)
    if failure is not None:
        report.error(*failure)
        return None
    if data is None:
        report.error(0, f"{COURSE_FILE} is empty")
        return None
    if not isinstance(data, LineMap):
        report.error(1, f"{COURSE_FILE} must be a mapping of keys to values, such as 'format: 1'")
        return None
    return data


def _course_id(report: Report, data: LineMap, folder_name: str) -> str:
    """The course id; the folder name when the id is missing or not text (with a problem)."""
    course_id = data.get("id")
    if "id" in data:
        if not isinstance(course_id, str) or not ID_PATTERN.match(course_id):
            report.error(data.key_line("id"), f"course id {show(course_id)} is not valid: {ID_RULE}")
        elif course_id != folder_name:
            report.error(data.key_line("id"), f"id '{course_id}' must equal the folder name "
                         f"'{folder_name}'")
    return course_id if isinstance(course_id, str) else folder_name


def _renews(report: Report, data: LineMap, course_id: str) -> str | None:
    """`renews`: the id of the course whose certificate completing this (shorter) course renews."""
    if "renews" not in data:
        return None
    target = data.get("renews")
    if not isinstance(target, str) or not ID_PATTERN.match(target):
        report.error(data.key_line("renews"), f"renews must be the id of another course, got {show(target)}")
        return None
    if target == course_id:
        report.error(data.key_line("renews"), "renews must name another course: completing a course again "
                     "already renews its own certificate")
        return None
    return target


def _load(files: CourseFolder, media_url: MediaUrl, checks: Checks) -> CourseSpec | None:
    report = Report(files.problems, files.shown(COURSE_FILE))
    data = _read_course_yaml(files, report)
    if data is None:
        return None
    fmt = data.get("format")
    if "format" in data and (not is_int(fmt) or fmt != FORMAT):
        report.error(data.key_line("format"), f"format must be {FORMAT} (the course format this LearnHub "
                     f"reads), got {show(fmt)}")
        return None
    check_keys(report, data, COURSE_KEYS, COURSE_REQUIRED)
    languages = read_languages(report, data) or DEFAULT_LANGUAGES
    course_id = _course_id(report, data, files.folder.name)
    fallback = fallback_orders(report, data)

    title = local_text(report, data, "title", languages, fallback=fallback)
    summary = local_text(report, data, "summary", languages, required=False, fallback=fallback)
    objectives = local_lists(report, data, "objectives", languages, fallback)
    reviewed = review_date(report, data, checks.today, checks.review_max_age_days)
    kind = choice(report, data, "kind", KINDS)
    level = choice(report, data, "level", LEVELS)
    minutes = whole_number(report, data, "minutes")
    roles = references(report, data, "roles", "ecsf-roles", "ECSF role")
    sectors = references(report, data, "sectors", "nis2-sectors", "NIS2 sector")
    certificate = boolean(report, data, "certificate", False)
    valid_months = valid_for(report, data)
    renews = _renews(report, data, course_id)
    pass_mark = read_pass_mark(report, data, DEFAULT_PASS_MARK)
    assembled = assemble_modules(data, pass_mark, files=files, report=report, languages=languages,
                                 course_id=course_id, media_url=media_url, fallback=fallback)
    files.check_unlisted(assembled.claimed | {COURSE_FILE}, assembled.listed, languages)
    media = files.check_media(assembled.media_uses)
    credits = read_credits(files)

    if any(problem.is_error for problem in report.problems):
        return None
    assert title is not None and kind is not None and level is not None
    if minutes is None:
        minutes = sum(
            item.minutes or 0 for _, item in _items(assembled.modules) if isinstance(item, LessonSpec)
        )
    return CourseSpec(
        id=course_id,
        format=FORMAT,
        title=title,
        summary=summary or LocalText.of("", languages[0]),
        languages=languages,
        kind=kind,
        level=level,
        minutes=minutes,
        roles=roles,
        sectors=sectors,
        certificate=certificate,
        valid_months=valid_months,
        renews=renews,
        pass_mark=pass_mark,
        modules=assembled.modules,
        media=media,
        revision=files.revision(),
        path=files.display,
        fallback=fallback,
        objectives=objectives,
        reviewed=reviewed,
        credits=credits,
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
    checks: Checks | None = None,
) -> tuple[CourseSpec | None, list[Problem]]:
    """Load and validate one course folder: (the course, or None when any problem is an error; problems).

    Problems are sorted by path and line. Paths are relative to `display_root`, by default the
    folder's grandparent (so a folder courses/phishing reports courses/phishing/...).
    """
    folder = Path(folder)
    root = display_root if display_root is not None else folder.absolute().parent.parent
    display = _display(folder, root)
    problems: list[Problem] = []
    files = CourseFolder(folder, display, problems)
    if not folder.is_dir():
        problems.append(Problem(display, 0, "error", "not a course folder"))
        return None, problems
    try:
        course = _load(files, media_url, checks or Checks())
    except Exception as err:  # a bug must not take other courses down
        problems.append(Problem(files.shown(COURSE_FILE), 0, "error", f"internal error while reading this "
                                f"course ({type(err).__name__}: {err}); please report it"))
        course = None
    problems = sorted(set(problems), key=lambda p: (p.path, p.line, p.level, p.message))
    return (course if not any(p.is_error for p in problems) else None), problems


def load_tree(
    root: Path, media_url: MediaUrl = default_media_url, *, checks: Checks | None = None
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
        courses[entry.name] = load_course(entry, media_url, display_root=display_root, checks=checks)
    return courses

