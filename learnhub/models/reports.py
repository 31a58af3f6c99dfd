"""Training targets that ministries set: how many people of a sector (and role) a country must train."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.extensions import db
from learnhub.models.base import utcnow


class Target(db.Model):
    """A headcount to train in a country and year, per sector, optionally per ECSF role ("" = every role)."""

    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    year: Mapped[int]
    sector: Mapped[str] = mapped_column(String(64))
    ecsf_role: Mapped[str] = mapped_column(String(64), default="")
    headcount: Mapped[int]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("country", "year", "sector", "ecsf_role"),)
