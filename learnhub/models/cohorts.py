"""Trainers' cohorts: who is in them, which courses they are assigned and by when, their CSV imports; learner
notices."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnhub.extensions import db
from learnhub.models.base import utcnow
from learnhub.models.courses import Course
from learnhub.models.users import User


class Cohort(db.Model):
    """A group of learners a trainer runs; only its trainer (and admins) may see it."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    trainer: Mapped[User] = relationship()


class CohortMember(db.Model):
    """A person invited to a cohort. Until `accepted_at` they are only invited: the trainer sees their
    name and e-mail as typed, nothing of their learning. From `accepted_at` on, the trainer sees what
    the learner does in the courses assigned to the cohort, and nothing from before (decision 0020).

    The invitation is tracked here so that sending it is idempotent and resumable: `invitation_queued_at`
    is set while a mail is owed (added, or a resend asked for) and cleared when one is sent;
    `invitation_sent_at` is when the last one went out (it opens the invitation for INVITATION_DAYS);
    `invitation_token_id` is the single-use link of a person who has no password yet."""

    __tablename__ = "cohort_members"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    invited_name: Mapped[str | None] = mapped_column(String(120))  # as the trainer typed it
    invitation_queued_at: Mapped[datetime | None] = mapped_column(index=True)
    invitation_sent_at: Mapped[datetime | None]
    invitations_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    invitation_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("password_reset_tokens.id", ondelete="SET NULL"))

    learner: Mapped[User] = relationship()


class Assignment(db.Model):
    """A course a cohort must take, with an optional due date."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    due_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship()

    __table_args__ = (UniqueConstraint("cohort_id", "course_id"),)


class Notice(db.Model):
    """Something a learner should see on their dashboard, e.g. an essay was marked."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime | None]


class CohortImport(db.Model):
    """A trainer's CSV of people for a cohort, imported by a queue job in chunks (decision 0032).

    The checked rows are stored here (not on a local disk), so a consumer on any machine can run it; they are
    emptied when the import is done (the people are in `users` and `cohort_members` then). `done_rows` is how
    many of them are imported: each chunk's people and the counts below are committed in one transaction, so
    after a crash the import resumes there. status: "queued", "running", "done", or "failed" (every retry
    failed: `error` says why; an admin's retry resumes it). `heartbeat_at` moves with every chunk: an unfinished
    import whose heartbeat is old has lost its consumer, and the sweep queues it again."""

    __tablename__ = "cohort_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    total_rows: Mapped[int] = mapped_column(default=0)
    done_rows: Mapped[int] = mapped_column(default=0)
    rows: Mapped[list] = mapped_column(JSON, default=list)  # LearnerRow fields but the line, in file order
    invited: Mapped[int] = mapped_column(default=0)
    already_invited: Mapped[int] = mapped_column(default=0)
    already_members: Mapped[int] = mapped_column(default=0)
    new_accounts: Mapped[int] = mapped_column(default=0)  # this and `staff`: for the audit log only
    staff: Mapped[int] = mapped_column(default=0)
    skipped_lines: Mapped[int] = mapped_column(default=0)  # lines of the file with errors, left out
    error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_cohort_imports_status_heartbeat_at", "status", "heartbeat_at"),)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")
