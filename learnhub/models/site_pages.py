"""Pages an admin writes for the whole site, one text per language: the privacy notice and the terms of use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.extensions import db
from learnhub.models.base import utcnow


class SitePage(db.Model):
    """The Markdown of one page in one interface language."""

    __tablename__ = "site_pages"

    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
