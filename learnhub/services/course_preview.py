"""The trainer's look at the course folders as they are on disk, before (or without) a sync: every
course checked, and one course shown as learners would see it. Nothing is read from or written to the
database, so a broken course can be seen and fixed without touching the live catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from learnhub.content.assembly import ID_PATTERN
from learnhub.content.loader import Checks, load_course, load_tree
from learnhub.content.model import CourseSpec
from learnhub.content.problems import Problem
from learnhub.services.course_sync import fingerprinted_media_urls, media_url
from learnhub.services.grading import ShownQuestion, arrange


@dataclass(frozen=True)
class Preview:
    """One course folder as loaded: the course (None when any problem is an error), its problems, and
    each quiz's questions in file order, without option values (shown, never answered)."""

    spec: CourseSpec | None
    problems: list[Problem]
    quizzes: dict[str, tuple[ShownQuestion, ...]]


def check_all(root: Path, checks: Checks | None = None) -> dict[str, tuple[CourseSpec | None, list[Problem]]]:
    """Every course folder under `root`, loaded and checked, by folder name; none when there is no `root`."""
    return load_tree(root, media_url, checks=checks) if root.is_dir() else {}


def preview(root: Path, course_id: str, language: str, checks: Checks | None = None) -> Preview | None:
    """The course in `root`/`course_id`, its quizzes in `language`; None unless `course_id` is a course id
    (content.assembly.ID_PATTERN, so nothing like "../etc" ever becomes a path) with a folder."""
    folder = root / course_id
    if not ID_PATTERN.fullmatch(course_id) or not folder.is_dir():
        return None
    spec, problems = load_course(folder, fingerprinted_media_urls(folder), display_root=root.absolute().parent,
                                 checks=checks)
    quizzes = {}
    if spec is not None:
        for _module, item in spec.items():
            if item.kind == "quiz":
                quizzes[item.id] = arrange(list(item.variant(language, spec.fallback).questions), False, 0)
    return Preview(spec, problems, quizzes)
