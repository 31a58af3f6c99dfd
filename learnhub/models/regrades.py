"""A regrade of a quiz with too many attempts to regrade while the trainer waits, run by a queue job in
chunks (decision 0035)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.extensions import db
from learnhub.models.base import utcnow


class QuizRegrade(db.Model):
    """One applied regrade of a quiz, queued by a trainer. The job examines the attempts the trainer may see
    in id order, `chunk` at a time, committing each chunk's regraded attempts with `last_attempt_id` and the
    counts, so a consumer killed mid-way resumes after the last committed chunk and no attempt is regraded
    twice. status: "queued", "running", "done", or "failed" (every retry failed: `error` says why; an admin's
    retry resumes it). `heartbeat_at` moves with every chunk; the sweep wakes a regrade whose heartbeat is old."""

    __tablename__ = "quiz_regrades"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("course_items.id", ondelete="CASCADE"), index=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    total_attempts: Mapped[int] = mapped_column(default=0)  # the attempts the trainer could see when queued
    examined: Mapped[int] = mapped_column(default=0)
    last_attempt_id: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    pass_changed: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_quiz_regrades_status_heartbeat_at", "status", "heartbeat_at"),)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")
