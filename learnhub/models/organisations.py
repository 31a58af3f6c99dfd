"""Organisations as records, so reports by type of organisation and sector rest on one spelling per
organisation (decision 0058)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.extensions import db
from learnhub.models.base import utcnow


class Organisation(db.Model):
    """An organisation in a country. `listed` ones are offered at registration and in profiles and give their
    type and sector to the people who name them; others were typed by someone ("other") and wait for an
    admin to list them as they are or merge them into a listed one."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))  # folded (learnhub.text.name_key): one record per spelling
    type: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(2))
    sector: Mapped[str] = mapped_column(String(64))
    listed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("country", "name_key"),)
