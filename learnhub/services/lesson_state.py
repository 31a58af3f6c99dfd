"""A lesson page's state for its learner, read in the session user's statement (issue 14, decision 0085).

A lesson page, served from the page cache, needs of the learner only whether this lesson is done and whether it
must be done again to renew a certificate. That is a few scalar subqueries on the learner's own rows, so they
can ride in the one statement every logged-in request makes anyway (accounts.session_user), and the page makes
one statement in all instead of two.

The subqueries need the lesson's item id and whether a certificate is at stake before any statement is made. As
the URL is matched, `ask` takes them from what this worker kept of the course under the catalogue version it last
saw (catalogue.kept_lesson, no statement). The session user's statement reads the current version too: the answer
is kept only when both versions are the same. Otherwise (a sync meanwhile, a worker that kept nothing yet, a user
already loaded) the view finds no answer and reads the course progress as before, so a guess never shows anything
stale.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from flask import g, has_app_context
from sqlalchemy import ColumnElement, Integer, String, and_, bindparam, exists, select

from learnhub.models import Enrolment, ItemProgress, User
from learnhub.services import catalogue, certificates


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
class _Question:
    version: str
    course_id: str
    item_id: int
    certificate_at_stake: bool
    target_id: str


def ask(course_id: str, item_key: str) -> None:
    """As a lesson's URL is matched, before the session user is read: ask for the lesson's state with it, when
    this worker kept the course and its syllabus (no statement)."""
    kept = catalogue.kept_lesson(course_id, item_key)
    if kept is not None and has_app_context():
        g.lesson_state_question = _Question(kept.version, course_id, kept.item_id, kept.certificate_at_stake,
                                            kept.target_id)


def question() -> _Question | None:
    """What this request asks to read with the session user, if anything."""
    return g.get("lesson_state_question") if has_app_context() else None


def params(asked: _Question) -> dict:
    return {"ls_course_id": asked.course_id, "ls_item_id": asked.item_id, "ls_target_id": asked.target_id}


@functools.cache
def columns(certificate_at_stake: bool) -> tuple[ColumnElement, ...]:
    """Scalar columns over the `users` row of the session user's statement: enrolled, the item's state and when it
    was set, and, when a certificate is at stake, what learning.course_progress reads for its renewal window."""
    users = User.__table__.c
    course_id = bindparam("ls_course_id", type_=String)
    item_id = bindparam("ls_item_id", type_=Integer)
    row = and_(ItemProgress.learner_id == users.id, ItemProgress.item_id == item_id)
    built = [exists().where(Enrolment.learner_id == users.id, Enrolment.course_id == course_id),
             select(ItemProgress.state).where(row).scalar_subquery(),
             select(ItemProgress.updated_at).where(row).scalar_subquery()]
    if certificate_at_stake:
        target = bindparam("ls_target_id", type_=String)
        learner = SimpleNamespace(id=users.id, country=users.country, sector=users.sector,
                                  organisation_id=users.organisation_id)
        built += [certificates.renewal_expiry(users.id, target), certificates.renewal_campaign_start(learner, target)]
    return tuple(built)


def answer(asked: _Question, version: str | None, values: tuple) -> None:
    """Keep the values read for `asked` when the catalogue version read with them is the one the question was
    made under (so its item id and certificate settings were current)."""
    if version != asked.version:
        return
    enrolled, state, updated_at = values[0], values[1], values[2]
    since: datetime | None = None
    if enrolled and asked.certificate_at_stake:
        since = certificates.window_open_since(values[3], values[4])
    redo = since is not None and state == "done" and updated_at is not None and updated_at < since
    g.lesson_state_answer = (asked.course_id, asked.item_id, LessonState(state or "not-started", bool(redo)))


def answered(course_id: str, item_id: int) -> LessonState | None:
    """The state read with the session user for this lesson, or None: then read it by course_progress."""
    found = g.get("lesson_state_answer") if has_app_context() else None
    if found is None or found[:2] != (course_id, item_id):
        return None
    return found[2]
