"""What learners do: enrolments, progress per item, quiz attempts and certificates.

Attempts are facts: each stores the course revision and the questions exactly as shown, so it can
be reviewed (and regraded, explicitly) whatever happens to the course later.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnhub.extensions import db
from learnhub.models.base import utcnow
from learnhub.models.courses import Course, CourseItem
from learnhub.models.users import User

ITEM_STATES = ("done", "passed", "failed")


class Enrolment(db.Model):
    __tablename__ = "enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_item_id: Mapped[int | None] = mapped_column(ForeignKey("course_items.id"))
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship()

    __table_args__ = (UniqueConstraint("learner_id", "course_id"),)


class ItemProgress(db.Model):
    """A learner's state on one lesson (done) or quiz (passed or failed, best score, attempts)."""

    __tablename__ = "item_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("course_items.id"))
    state: Mapped[str] = mapped_column(String(8))
    best_score: Mapped[float | None]
    attempts: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("learner_id", "item_id"),
        Index("ix_item_progress_learner_course", "learner_id", "course_id"),
    )


class LearnerActivity(db.Model):
    """A learner did something in a course in a month (a lesson marked done, a quiz submitted): the fact
    behind "active" in coverage reports. One row per learner, course and month, kept for good, so a
    later action never moves an earlier month's activity."""

    __tablename__ = "learner_activity"

    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class Attempt(db.Model):
    """One graded submission of a quiz. `number` is unique per learner and quiz, which is what keeps
    max_attempts true under concurrent submits; `token` is unique, which makes a resubmission of the
    same rendered form return this attempt instead of grading again."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the rendered form's token (the token itself is longer than an index should be)."""
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("course_items.id"))
    number: Mapped[int]
    language: Mapped[str] = mapped_column(String(5))
    course_revision: Mapped[str] = mapped_column(String(64))
    questions: Mapped[list] = mapped_column(JSON)
    """The questions as shown, in the order shown: [{"question": Question.to_dict(), "order": [...]}]."""
    answers: Mapped[dict] = mapped_column(JSON)
    """question id -> the learner's response, as graded."""
    scores: Mapped[dict] = mapped_column(JSON)
    """question id -> 0..1, or null while an essay awaits marking."""
    score: Mapped[float | None]
    """Percent over the auto-graded (and marked) questions."""
    pass_mark: Mapped[float]
    passed: Mapped[bool]
    awaiting_marking: Mapped[int] = mapped_column(default=0)
    marks: Mapped[dict] = mapped_column(JSON, default=dict)
    """Essay marks: question id -> {"score": 0..1, "feedback": text, "marker_id": id, "marked_at": iso}."""
    regraded_at: Mapped[datetime | None]
    started_at: Mapped[datetime]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[CourseItem] = relationship()
    course: Mapped[Course] = relationship()

    __table_args__ = (
        UniqueConstraint("learner_id", "item_id", "number"),
        Index("ix_attempts_learner_submitted", "learner_id", "submitted_at"),
    )


class Certificate(db.Model):
    """Issued once per learner, course and generation; what it says is frozen at issue time. A renewal is a
    new certificate of the next generation, linked to the one it renews (decision 0064)."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    learner_name: Mapped[str] = mapped_column(String(120))
    course_title: Mapped[dict] = mapped_column(JSON)
    minutes: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    # The holder's personal data was erased (decision 0057): the verification page says so instead of a name.
    holder_removed_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    """None: the certificate never expires (its course has no `valid_for`)."""
    generation: Mapped[int] = mapped_column(default=1, server_default="1")
    """1 for the first certificate of a learner in a course, then one more for each renewal."""
    renews_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"))
    """The certificate this one renews."""
    reminded_days: Mapped[int | None]
    """The last expiry reminder sent (30 or 7 days before): each is sent once."""
    badge_index: Mapped[int | None] = mapped_column(unique=True)
    """Its place in the Open Badges status lists, given the first time its badge is issued (decision 0072)."""

    learner: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    renews: Mapped[Certificate | None] = relationship(remote_side=[id])

    __table_args__ = (UniqueConstraint("learner_id", "course_id", "generation"),
                      Index("ix_certificates_expires_at", "expires_at"))

    @property
    def valid(self) -> bool:
        """Not revoked (expiry is a matter of the day: see `status_at`)."""
        return self.revoked_at is None

    def expired_at(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def status_at(self, now: datetime) -> str:
        """"revoked", "expired" or "valid" at `now`: revocation wins over expiry."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expired_at(now) else "valid"
