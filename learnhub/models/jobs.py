"""Work the task queue carries, recorded in the database: outgoing mail and jobs that failed for good.

The database, not the queue, is the record of what is owed (decision 0031): a queue message only wakes a
consumer. A message lost with a killed consumer is found again by the sweep (jobs/tasks.py), because the
row it was about is still owed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.extensions import db
from learnhub.models.base import utcnow


class OutboundMail(db.Model):
    """One e-mail: written in the request that decided to send it, delivered by a consumer.

    status: "queued" until delivered ("sent"), or "dead" once every retry failed (admins see it and can
    try again). The body is kept until housekeeping prunes sent mail (it holds single-use links)."""

    __tablename__ = "outbound_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempted_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_outbound_mails_status_created_at", "status", "created_at"),)


class FailedJob(db.Model):
    """A job whose every retry failed: what it was, with what arguments, and the last error. Admins retry or
    dismiss it on /admin/jobs; a resolved row is kept for the record until housekeeping prunes it."""

    __tablename__ = "failed_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(100))
    arguments: Mapped[list] = mapped_column(JSON, default=list)
    error: Mapped[str] = mapped_column(String(1000))
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(16))
