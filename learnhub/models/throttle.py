"""Throttle events: one row per counted attempt, shared by every worker and instance on the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.extensions import db
from learnhub.models.base import utcnow


class ThrottleEvent(db.Model):
    """A failed login, a registration or a reset request, counted against a scope and a key.

    Only a hash of the key (an e-mail address, a client address, a device) is stored; rows older
    than the longest window are deleted as new ones arrive (services/throttle.py).
    """

    __tablename__ = "throttle_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(32))
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __table_args__ = (Index("ix_throttle_events_scope_key_at", "scope", "key_hash", "at"),)
