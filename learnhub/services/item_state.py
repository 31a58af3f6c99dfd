"""A lesson's or a quiz form's state for its learner, read in the session user's statement (issue 14, decision
0085).

A lesson page and a fresh quiz form come from the page cache. All they show of the learner is a few facts about
their own row for that item:
- a lesson: whether it is done, and whether it must be done again to renew a certificate;
- a quiz: the attempts used and the best score.

Scalar subqueries can read these in the one statement that every logged-in request makes anyway
(accounts.session_user), so such a page makes one statement in all instead of two.

The subqueries need the item's id, and for a lesson whether a certificate is at stake, before any statement is
made. As the URL is matched, `ask` takes them from what this worker kept of the course under the catalogue
version it last saw (catalogue.kept_item, no statement). The session user's statement reads the current version
too, and the answer is kept only when both versions are the same. Otherwise the view finds no answer and reads
the course progress as before, so a guess never shows anything stale. That happens after a sync, on a worker that
has kept nothing yet, or when the user was loaded already.

A logged-in course page asks too (`ask_course`), when this worker keeps the course: whether the learner is
enrolled, where they left off, and each of their progress rows in the course as one JSON array, which is all its
page-cache key holds (learning.CourseProgress.signature). That needs no guess (it is keyed by the course id
alone), so no version check either. The page is then served from the cache in one statement; on a miss the view
reads course_progress, and keys the page by what that read, so a page is never stored under a key its content
does not match.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from flask import g, has_app_context
from sqlalchemy import ColumnElement, Integer, String, and_, bindparam, exists, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from learnhub.models import Enrolment, ItemProgress, User
from learnhub.services import catalogue, certificates
from learnhub.services.learning import CourseProgress


@dataclass(frozen=True)
class LessonState:
    """What a lesson page shows of its learner: the item's progress state ("not-started" without a row) and
    whether it must be marked done again to renew a certificate (done before the renewal window opened)."""

    state: str
    redo: bool

    @classmethod
    def of(cls, progress, item) -> LessonState:
        """From a learning.CourseProgress: the same facts, read by the longer way."""
        return cls(progress.state(item), progress.done_before(item, progress.renewal_since))


@dataclass(frozen=True)
class QuizState:
    """What a quiz form shows of its learner: the attempts they used and their best score (None before any)."""

    attempts: int
    best_score: float | None

    def attempts_left(self, item) -> int | None:
        """None when the quiz has no attempt limit."""
        return None if item.max_attempts is None else max(item.max_attempts - self.attempts, 0)

    @classmethod
    def of(cls, progress, item) -> QuizState:
        """From a learning.CourseProgress: the same facts, read by the longer way."""
        row = progress.states.get(item.id)
        return cls(row.attempts if row else 0, row.best_score if row else None)


@dataclass(frozen=True)
class _Question:
    version: str | None  # None for a course page: nothing was guessed
    course_id: str
    item_id: int | None
    kind: str  # "lesson", "quiz" or "course"
    certificate_at_stake: bool
    target_id: str

    @property
    def shape(self) -> tuple[str, bool]:
        return self.kind, self.certificate_at_stake and self.kind == "lesson"


def ask(course_id: str, item_key: str, kind: str) -> None:
    """As a lesson's or quiz's URL is matched, before the session user is read: ask for the learner's state on it
    with the user, when this worker kept the course and its syllabus (no statement)."""
    kept = catalogue.kept_item(course_id, item_key, kind)
    if kept is not None and has_app_context():
        g.item_state_question = _Question(kept.version, course_id, kept.item_id, kind, kept.certificate_at_stake,
                                          kept.target_id)


def ask_course(course_id: str) -> None:
    """As a logged-in course page's URL is matched: ask for what keys the learner's page (see the module's
    docstring) with the session user, when this worker keeps the course (no statement)."""
    if catalogue.is_kept(course_id) and has_app_context():
        g.item_state_question = _Question(None, course_id, None, "course", False, course_id)


def question() -> _Question | None:
    """What this request asks to read with the session user, if anything."""
    return g.get("item_state_question") if has_app_context() else None


def params(asked: _Question) -> dict:
    if asked.kind == "course":
        return {"is_course_id": asked.course_id}
    return {"is_course_id": asked.course_id, "is_item_id": asked.item_id, "is_target_id": asked.target_id}


class _json_rows(GenericFunction):
    """A JSON array with one array per row of the given columns: PostgreSQL's json_agg(json_build_array(...)),
    SQLite's json_group_array(json_array(...)). NULL (PostgreSQL) or [] (SQLite) over no rows."""

    name = "json_rows"
    inherit_cache = True


@compiles(_json_rows, "postgresql")
def _json_rows_postgresql(element, compiler, **kw) -> str:
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


@compiles(_json_rows, "sqlite")
def _json_rows_sqlite(element, compiler, **kw) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


def _course_columns() -> tuple[ColumnElement, ...]:
    users = User.__table__.c
    course = bindparam("is_course_id", type_=String)
    enrolment = and_(Enrolment.learner_id == users.id, Enrolment.course_id == course)
    return (exists().where(enrolment),
            select(Enrolment.last_item_id).where(enrolment).scalar_subquery(),
            select(_json_rows(ItemProgress.item_id, ItemProgress.state, ItemProgress.best_score,
                              ItemProgress.attempts)).where(
                ItemProgress.learner_id == users.id, ItemProgress.course_id == course).scalar_subquery())


@functools.cache
def columns(shape: tuple[str, bool]) -> tuple[ColumnElement, ...]:
    """Scalar columns over the `users` row of the session user's statement. A lesson: enrolled, the item's state
    and when it was set, and, when a certificate is at stake, what learning.course_progress reads for its renewal
    window. A quiz: the attempts used and the best score. A course page: enrolled, the last item visited, and the
    learner's progress rows in the course."""
    kind, certificate_at_stake = shape
    if kind == "course":
        return _course_columns()
    users = User.__table__.c
    row = and_(ItemProgress.learner_id == users.id, ItemProgress.item_id == bindparam("is_item_id", type_=Integer))
    if kind == "quiz":
        return (select(ItemProgress.attempts).where(row).scalar_subquery(),
                select(ItemProgress.best_score).where(row).scalar_subquery())
    built = [exists().where(Enrolment.learner_id == users.id,
                            Enrolment.course_id == bindparam("is_course_id", type_=String)),
             select(ItemProgress.state).where(row).scalar_subquery(),
             select(ItemProgress.updated_at).where(row).scalar_subquery()]
    if certificate_at_stake:
        target = bindparam("is_target_id", type_=String)
        learner = SimpleNamespace(id=users.id, country=users.country, sector=users.sector,
                                  organisation_id=users.organisation_id)
        built += [certificates.renewal_expiry(users.id, target), certificates.renewal_campaign_start(learner, target)]
    return tuple(built)


def answer(asked: _Question, version: str | None, values: tuple) -> None:
    """Keep the values read for `asked` when the catalogue version read with them is the one the question was
    made under (so its item id and certificate settings were current)."""
    if asked.kind == "course":
        g.item_state_answer = (asked.course_id, None, _signature(*values))
        return
    if version != asked.version:
        return
    if asked.kind == "quiz":
        found: LessonState | QuizState = QuizState(values[0] or 0, values[1])
    else:
        enrolled, state, updated_at = values[0], values[1], values[2]
        since: datetime | None = None
        if enrolled and asked.certificate_at_stake:
            since = certificates.window_open_since(values[3], values[4])
        redo = since is not None and state == "done" and updated_at is not None and updated_at < since
        found = LessonState(state or "not-started", bool(redo))
    g.item_state_answer = (asked.course_id, asked.item_id, found)


def _signature(enrolled, last_item_id, rows) -> tuple:
    """learning.CourseProgress.signature from the course page's columns: the progress rows only with an
    enrolment (course_progress joins them to it), best scores rounded the same way."""
    if not enrolled:
        return False, None, ()
    if isinstance(rows, str):  # (SQLite gives the JSON as text; psycopg decodes it)
        rows = json.loads(rows)
    return True, last_item_id, tuple(sorted(
        (item_id, state, CourseProgress.score_key(best_score), attempts)
        for item_id, state, best_score, attempts in rows or ()))


def course_signature(course_id: str) -> tuple | None:
    """The learner's course-page key read with the session user (ask_course), or None: then read course_progress."""
    found = g.get("item_state_answer") if has_app_context() else None
    if found is None or found[:2] != (course_id, None):
        return None
    return found[2]


def answered(course_id: str, item_id: int) -> LessonState | QuizState | None:
    """The state read with the session user for this item, or None: then read it by course_progress."""
    found = g.get("item_state_answer") if has_app_context() else None
    if found is None or found[:2] != (course_id, item_id):
        return None
    return found[2]
