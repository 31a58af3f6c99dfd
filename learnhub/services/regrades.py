"""Regrades of quizzes with many attempts, applied by a queue job in chunks rather than inside the request
(decision 0035): the regrade page's "Apply" recomputes and rewrites every changed attempt and each learner's
progress, which for thousands of attempts takes longer than a web worker may.

Up to LEARNHUB_REGRADE_INLINE_LIMIT attempts the view applies the regrade at once (marking.apply_regrade);
above it, `record` a QuizRegrade and the queue's `run_regrade` job calls `run`. Like cohort_imports, `run`
and `give_up` COMMIT: `run` commits once per chunk (the chunk's regraded attempts, their audit events and the
regrade's cursor and counts together), so a consumer killed mid-way loses only its current chunk and the next
run resumes after `last_attempt_id`. Chunks are taken under a lock on the regrade's row, so two consumers woken
for the same regrade never both regrade a chunk.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select

from learnhub.extensions import db
from learnhub.models import Course, CourseItem, QuizRegrade, User
from learnhub.models.base import utcnow
from learnhub.services import audit, marking

CHUNK = 200  # attempts per transaction
SUMMARY_SHOWN_FOR = timedelta(days=1)  # how long the regrade page shows a finished regrade's summary
UNFINISHED = ("queued", "running")


def record(user: User, course: Course, item, ip: str | None = None) -> QuizRegrade:
    """A regrade of `item` (a quiz of `course`: CourseItem or the catalogue's ItemInfo) by `user`, queued (the
    caller queues its job after its commit). Flushes."""
    queued = QuizRegrade(item_id=item.id, trainer_id=user.id, status="queued",
                         total_attempts=marking.regradable_count(user, item), heartbeat_at=utcnow())
    db.session.add(queued)
    db.session.flush()
    audit.record("quiz.regrade_queued", actor_id=user.id, ip=ip, course_id=course.id, item=item.key,
                 regrade_id=queued.id, attempts=queued.total_attempts)
    return queued


def unfinished(item: CourseItem) -> QuizRegrade | None:
    """The regrade of `item` queued or running, if any: while it runs, nobody applies another."""
    return db.session.scalar(select(QuizRegrade).where(QuizRegrade.item_id == item.id,
                                                       QuizRegrade.status.in_(UNFINISHED))
                             .order_by(QuizRegrade.id).limit(1))


def run(regrade_id: int, *, chunk: int | None = None, max_chunks: int | None = None) -> QuizRegrade | None:
    """Regrade the attempts not examined yet, `chunk` at a time, committing each; then mark the regrade done
    with an audit event. Returns the regrade (None if its quiz was deleted meanwhile). `max_chunks` stops after
    that many chunks, as a consumer killed between two would. Whatever fails rolls back its chunk and is raised
    (the job retries)."""
    chunk, done_chunks = chunk or CHUNK, 0
    try:
        while True:
            found = _locked(regrade_id)
            if found is None or found.status == "done":
                db.session.rollback()
                return found
            if max_chunks is not None and done_chunks >= max_chunks:
                db.session.rollback()
                return found
            trainer = db.session.get(User, found.trainer_id)
            item = db.session.get(CourseItem, found.item_id)
            changes, examined, last_id = marking.regrade_batch(trainer, item, found.last_attempt_id, chunk)
            if last_id is None:
                _finish(found, item)
                db.session.commit()
                return found
            marking.apply_regrade(trainer, changes)
            _advance(found, examined, last_id, changes)
            db.session.commit()
            done_chunks += 1
    except BaseException:
        db.session.rollback()
        raise


def _locked(regrade_id: int) -> QuizRegrade | None:
    """The regrade as it is now, its row locked until the transaction ends (PostgreSQL; a SQLite writer holds
    the whole database already)."""
    return db.session.scalar(select(QuizRegrade).where(QuizRegrade.id == regrade_id).with_for_update()
                             .execution_options(populate_existing=True))


def _advance(found: QuizRegrade, examined: int, last_id: int, changes: list[marking.RegradeChange]) -> None:
    now = utcnow()
    if found.status != "running":
        found.status, found.error = "running", None
        found.started_at = found.started_at or now
    found.examined += examined
    found.last_attempt_id = last_id
    found.changed += len(changes)
    found.pass_changed += sum(1 for change in changes if change.changes_pass)
    found.heartbeat_at = now
    db.session.flush()


def _finish(found: QuizRegrade, item: CourseItem) -> None:
    now = utcnow()
    found.status, found.error = "done", None
    found.started_at = found.started_at or now
    found.finished_at = found.heartbeat_at = now
    audit.record("quiz.regraded", actor_id=found.trainer_id, course_id=item.course_id, item=item.key,
                 regrade_id=found.id, examined=found.examined, changed=found.changed, pass_changed=found.pass_changed)
    db.session.flush()


def give_up(regrade_id: int, error: str) -> None:
    """Every try failed: the regrade is `failed` with the error (for admins); an admin's retry of the job resumes
    it where it stopped. Commits."""
    db.session.rollback()
    found = _locked(regrade_id)
    if found is not None and found.status != "done":
        found.status, found.error, found.finished_at = "failed", error[:1000], utcnow()
    db.session.commit()


def lost(before: datetime) -> list[int]:
    """Unfinished regrades whose consumer has given no sign of life since `before`."""
    return list(db.session.scalars(select(QuizRegrade.id).where(QuizRegrade.status.in_(UNFINISHED),
                                                                QuizRegrade.heartbeat_at < before)
                                   .order_by(QuizRegrade.id)))


def shown(item: CourseItem, now: datetime | None = None) -> list[QuizRegrade]:
    """What the regrade page says about queued regrades of `item`, oldest first: every unfinished one, and the
    latest finished one if it finished within SUMMARY_SHOWN_FOR."""
    since = (now or utcnow()) - SUMMARY_SHOWN_FOR
    latest_finished = (select(QuizRegrade.id).where(QuizRegrade.item_id == item.id,
                                                    QuizRegrade.status.not_in(UNFINISHED),
                                                    QuizRegrade.finished_at >= since)
                       .order_by(QuizRegrade.finished_at.desc(), QuizRegrade.id.desc()).limit(1)).scalar_subquery()
    return list(db.session.scalars(select(QuizRegrade).where(
        QuizRegrade.item_id == item.id, or_(QuizRegrade.status.in_(UNFINISHED), QuizRegrade.id == latest_finished))
        .order_by(QuizRegrade.id)))

