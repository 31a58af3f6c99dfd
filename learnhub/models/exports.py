"""Files prepared on the queue for the person who asked: exports too big to build while they wait.

The bytes live in the database, so whichever web instance answers the link can serve them (no shared
disk); nightly housekeeping deletes them once they expire (decision 0034).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.extensions import db
from learnhub.models.base import utcnow


class ExportFile(db.Model):
    """One export a person asked for: what to build (`kind` and its `parameters`), then the file.

    status: "queued" until a consumer builds it ("ready", with `content`), or "failed" (the person lost
    access to what it was about, or every retry failed). Only its owner may see or fetch it, until
    `expires_at`."""

    __tablename__ = "export_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ready_at: Mapped[datetime | None]
    expires_at: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (Index("ix_export_files_owner_id_created_at", "owner_id", "created_at"),)
