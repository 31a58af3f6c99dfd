"""The audit log: who did what security-relevant thing, when, from where."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.extensions import db
from learnhub.models.base import utcnow


class AuditEvent(db.Model):
    """An append-only record; `actor_id` is null for anonymous actors (e.g. a failed login)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    event: Mapped[str] = mapped_column(String(64), index=True)
    # The account the event is about, when it is about one (an admin's change to it, a data export); the
    # audit viewer filters on it and a learner's data export includes these events. No foreign key: the
    # record outlives the account's erasure (decision 0057).
    subject_id: Mapped[int | None] = mapped_column(index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
