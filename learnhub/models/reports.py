"""What coverage reports stand on: targets that ministries set, the rollup of learner counts, and the
personal API tokens that read reports."""

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


class CoverageCount(db.Model):
    """How many distinct learners of a country count in one cell of a coverage report: rollup maintained
    in the same transaction as the facts it counts (see learnhub/reports/rollup.py).

    `year` 0 holds the population (learners now, whatever the year); `cut` is "total" (key "") or the
    name of a cut with the row's key; `metric` is population, enrolled, active, completed or certified.
    """

    __tablename__ = "coverage_counts"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    cut: Mapped[str] = mapped_column(String(24), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    learners: Mapped[int] = mapped_column(default=0)


class ApiToken(db.Model):
    """A personal token with which an analyst's programs read reports through /api/v1. Only the
    SHA-256 of the token is stored; `prefix` (its first characters) lets the owner tell tokens apart."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
