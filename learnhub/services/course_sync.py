"""Loading validated courses into the database: one course at a time, skipping unchanged ones.

A course is stored under its author ids, so rows that learners' progress points at keep their
database ids across edits. A course whose sources are now invalid keeps its last good version live;
a course whose folder is gone is retired (never deleted); items and modules removed from a course
are retired the same way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from learnhub import fingerprints
from learnhub.content.loader import Checks, load_course
from learnhub.content.model import CourseSpec, LessonSpec, QuizSpec
from learnhub.content.problems import Problem
from learnhub.content.revision import course_folders, folder_revision
from learnhub.content.sanitiser import MediaUrl
from learnhub.extensions import db
from learnhub.models import Course, CourseItem, CourseModule, LessonBody, QuizQuestion, WorkspacePublication
from learnhub.models.base import utcnow
from learnhub.services.audit import record as audit

OUTCOMES = ("added", "updated", "unchanged", "retired", "failed", "skipped")


@dataclass
class SyncSummary:
    """Course ids by outcome, in the order they were handled."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def record(self, outcome: str, course_id: str) -> None:
        getattr(self, outcome).append(course_id)

    def counts(self) -> dict[str, int]:
        return {outcome: len(getattr(self, outcome)) for outcome in OUTCOMES}

    def __str__(self) -> str:
        return ", ".join(f"{count} {outcome}" for outcome, count in self.counts().items())


def sync_tree(root: Path, *, report: Callable[[Sequence[Problem | str]], None] = lambda _: None,
              progress: Callable[[list[Path]], Iterable[Path]] = iter, checks: Checks | None = None) -> SyncSummary:
    """Validate and load every course folder under `root`, each in its own transaction, and retire the
    courses whose folder is gone; audited as one `content.synced` event. The CLI, the tests and the
    benchmarks sync through here; each folder goes through `load_and_store`, as a browser publication does.

    Unlike other services this one commits: once per course, so that a course that fails to store
    keeps its last good version and never undoes the courses stored before it. Unchanged courses are
    skipped, and so is a folder whose course is published from a browser workspace (decision 0074: the
    workspace wins until it is unpublished; `report` says so). `report` receives each course's problems (and
    a line for a course that could not be stored); `progress` may wrap the folder list (the CLI's progress
    bar); `checks` sets the review age that validation warns about (LEARNHUB_REVIEW_MAX_AGE_DAYS).
    """
    folders = course_folders(root)
    stored = stored_fingerprints()
    from_workspaces = published_from_workspaces()
    summary = SyncSummary()
    for folder in progress(folders):
        if folder.name in from_workspaces:
            report([f"{folder}: skipped: course {folder.name} is published from its workspace in the browser; "
                    "unpublish it there to give the course back to this folder"])
            summary.record("skipped", folder.name)
            continue
        try:
            outcome = load_and_store(folder, display_root=root.absolute().parent, report=report, checks=checks,
                                     stored=stored)
            db.session.commit()
        except SQLAlchemyError as error:
            db.session.rollback()
            report([f"{folder}: error: could not store the course: {error.__class__.__name__}"])
            outcome = "failed"
        summary.record(outcome, folder.name)
    for course_id in retire_missing({folder.name for folder in folders} | from_workspaces):
        summary.record("retired", course_id)
    audit("content.synced", actor_id=None, **summary.counts())
    db.session.commit()
    return summary


def load_and_store(folder: Path, *, display_root: Path,
                   report: Callable[[Sequence[Problem | str]], None] = lambda _: None,
                   checks: Checks | None = None, stored: dict[str, tuple[str, bool]] | None = None) -> str:
    """The one way a course folder becomes a live course, for `courses sync` and for publishing from a
    workspace: skip it when its files are what was last stored ("unchanged"), else load and validate it with
    `content.loader.load_course` (media URLs fingerprinted, decision 0041), give its problems to `report`
    and store it: "added", "updated", "unchanged", or "failed" when it has errors. Flushes; the caller
    commits (or rolls back on a database error). The folder's name is the course id."""
    folder = Path(folder)
    fingerprint = folder_revision(folder)
    if stored is None:
        stored = stored_fingerprints(folder.name)
    if is_current(folder.name, fingerprint, stored):
        return "unchanged"
    spec, problems = load_course(folder, fingerprinted_media_urls(folder), display_root=display_root, checks=checks)
    report(problems)
    if spec is None:
        return "failed"
    return store(spec, fingerprint)


def published_from_workspaces() -> set[str]:
    """The ids of the courses published from a workspace and not withdrawn since: sync leaves them alone."""
    return set(db.session.scalars(select(WorkspacePublication.course_id).distinct()
                                  .where(WorkspacePublication.withdrawn_at.is_(None))))


def media_url(course_id: str, path: str) -> str:
    """Where rendered lessons point for the file `media/<path>`: the catalogue's media route."""
    return f"/courses/{course_id}/media/{quote(path)}"


def fingerprinted_media_urls(folder: Path) -> MediaUrl:
    """`media_url` for the course in `folder`, with the file's digest in its name (decision 0041), so the
    stored lesson names the bytes it was synced with and a browser keeps them for a year; a change of the
    file changes the course revision, so the next sync stores lessons with the new name. A path that is
    no file inside the course's media/ folder keeps its plain name (the loader reports it)."""
    media = (Path(folder) / "media").resolve()
    names: dict[str, str] = {}  # a picture used by many lessons is read once

    def fingerprinted(course_id: str, path: str) -> str:
        if path not in names:
            names[path] = path
            target = (media / path).resolve()
            try:
                if target.is_relative_to(media) and target.is_file():
                    names[path] = fingerprints.hashed_name(path, fingerprints.file_digest(target))
            except OSError:  # unreadable: the loader says so
                pass
        return media_url(course_id, names[path])

    return fingerprinted


def stored_fingerprints(course_id: str | None = None) -> dict[str, tuple[str, bool]]:
    """course id -> (source hash, retired) for every course ever synced (or only `course_id`)."""
    query = select(Course.id, Course.source_hash, Course.retired)
    if course_id is not None:
        query = query.where(Course.id == course_id)
    return {row.id: (row.source_hash, row.retired) for row in db.session.execute(query)}


def is_current(course_id: str, source_hash: str, stored: dict[str, tuple[str, bool]]) -> bool:
    """The folder is byte for byte what was last synced, and the course is live: nothing to do."""
    return stored.get(course_id) == (source_hash, False)


def store(spec: CourseSpec, source_hash: str) -> str:
    """Insert or update one course from its spec: "added", "updated" or "unchanged". Flushes.

    "unchanged" when only files the course does not use changed (same content revision) and what is stored
    is what this release renders; same content stored by an older rendering (content.revision.RENDERING, such
    as media URLs without digests) is stored again, as "updated".
    """
    course = db.session.get(Course, spec.id)
    if course is not None and course.revision == spec.revision and not course.retired:
        course.source_hash = source_hash
        if _stored_as_rendered(course, spec):
            db.session.flush()
            return "unchanged"
    outcome = "updated" if course is not None else "added"
    if course is None:
        course = Course(id=spec.id)
        db.session.add(course)
    course.source_hash = source_hash
    course.revision = spec.revision
    course.title = spec.title.as_dict()
    course.summary = spec.summary.as_dict()
    course.languages = list(spec.languages)
    course.kind, course.level, course.minutes = spec.kind, spec.level, spec.minutes
    course.roles, course.sectors = list(spec.roles), list(spec.sectors)
    course.certificate, course.pass_mark = spec.certificate, spec.pass_mark
    course.valid_months, course.renews = spec.valid_months, spec.renews
    course.fallback = {language: list(order) for language, order in spec.fallback.items()}
    course.objectives = {language: list(texts) for language, texts in spec.objectives.items()}
    course.reviewed = spec.reviewed
    course.credits = {name: credit.as_dict() for name, credit in spec.credits.items()}
    course.retired = False
    course.synced_at = utcnow()
    db.session.flush()
    _store_structure(course, spec)
    return outcome


def _stored_as_rendered(course: Course, spec: CourseSpec) -> bool:
    """Whether the live lessons and questions stored for `course` are exactly what `spec` renders to."""
    live = (CourseItem.course_id == course.id, CourseItem.retired.is_(False))
    bodies = {(key, language): html for key, language, html in db.session.execute(
        select(CourseItem.key, LessonBody.language, LessonBody.html)
        .join(CourseItem, LessonBody.item_id == CourseItem.id).where(*live))}
    questions = {(key, language, question): revision for key, language, question, revision in db.session.execute(
        select(CourseItem.key, QuizQuestion.language, QuizQuestion.key, QuizQuestion.revision)
        .join(CourseItem, QuizQuestion.item_id == CourseItem.id).where(*live))}
    rendered_bodies, rendered_questions = {}, {}
    for _, item in spec.items():
        for variant in item.variants:
            if isinstance(item, LessonSpec):
                rendered_bodies[item.id, variant.language] = variant.html
            else:
                for question in variant.questions:
                    rendered_questions[item.id, variant.language, question.id] = question_revision(question.to_dict())
    return bodies == rendered_bodies and questions == rendered_questions


def _store_structure(course: Course, spec: CourseSpec) -> None:
    modules = {m.key: m for m in db.session.scalars(select(CourseModule).where(CourseModule.course_id == course.id))}
    items = {i.key: i for i in db.session.scalars(select(CourseItem).where(CourseItem.course_id == course.id))}
    for module in modules.values():
        module.retired = True
    for item in items.values():
        item.retired = True
    position = 0
    for module_position, module_spec in enumerate(spec.modules):
        module = modules.get(module_spec.id) or CourseModule(course_id=course.id, key=module_spec.id)
        module.position, module.title, module.retired = module_position, module_spec.title.as_dict(), False
        db.session.add(module)
        for item_spec in module_spec.items:
            item = items.get(item_spec.id) or CourseItem(course_id=course.id, key=item_spec.id)
            item.module, item.kind, item.position, item.retired = module, item_spec.kind, position, False
            item.languages = list(item_spec.languages)
            if isinstance(item_spec, LessonSpec):
                item.title, item.minutes = item_spec.title.as_dict(), item_spec.minutes
                item.pass_mark = item.max_attempts = None
                item.shuffle = False
                item.show_answers = "after_pass"
                item.rubrics = {}
            else:
                item.title, item.minutes = item_spec.title.as_dict(), None
                item.pass_mark, item.max_attempts, item.shuffle, item.show_answers = (
                    item_spec.pass_mark, item_spec.max_attempts, item_spec.shuffle, item_spec.show_answers)
                item.rubrics = {name: rubric.as_dict() for name, rubric in item_spec.rubrics.items()}
            db.session.add(item)
            position += 1
            items[item_spec.id] = item
    db.session.flush()
    for _, item_spec in spec.items():
        item = items[item_spec.id]
        if isinstance(item_spec, LessonSpec):
            _store_lesson(item, item_spec)
        else:
            _store_quiz(item, item_spec)
    db.session.flush()


def _store_lesson(item: CourseItem, spec: LessonSpec) -> None:
    db.session.execute(delete(LessonBody).where(LessonBody.item_id == item.id))
    for variant in spec.variants:
        db.session.add(LessonBody(item_id=item.id, language=variant.language, title=variant.title, html=variant.html))


def question_revision(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _store_quiz(item: CourseItem, spec: QuizSpec) -> None:
    existing = {(q.language, q.key): q for q in db.session.scalars(
        select(QuizQuestion).where(QuizQuestion.item_id == item.id))}
    wanted = set()
    for variant in spec.variants:
        for position, question in enumerate(variant.questions):
            data = question.to_dict()
            row = existing.get((variant.language, question.id)) or QuizQuestion(
                item_id=item.id, language=variant.language, key=question.id)
            row.position, row.type, row.data, row.revision = position, question.type, data, question_revision(data)
            db.session.add(row)
            wanted.add((variant.language, question.id))
    for key, row in existing.items():
        if key not in wanted:
            db.session.delete(row)


def retire_missing(present: set[str]) -> list[str]:
    """Retire live courses whose folder is gone; their learners keep history and certificates."""
    retired = [course for course in db.session.scalars(select(Course).where(Course.retired.is_(False))
                                                       .order_by(Course.id)) if course.id not in present]
    for course in retired:
        retire(course)
    db.session.flush()
    return [course.id for course in retired]


def retire(course: Course) -> None:
    """Take a course out of the catalogue, never deleting it: its learners keep history and certificates
    (a removed folder at sync, an unpublished workspace)."""
    course.retired = True
    course.synced_at = utcnow()


def published_course_count() -> int:
    return db.session.scalar(select(db.func.count()).select_from(Course).where(Course.retired.is_(False))) or 0
