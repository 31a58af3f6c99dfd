"""Course workspaces: a course being authored in the browser (issue 16, decision 0067).

Everything lives in the database, so every app instance sees the same draft. A file is never changed in
place: each save adds a version, and the newest version of a path is the draft's content of that file.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.extensions import db
from learnhub.models.base import utcnow

WORKSPACE_ROLES = ("owner", "co-author", "reviewer")


class CourseWorkspace(db.Model):
    """One course being authored: its course id (one workspace per course) and its state ("draft" until
    review and publishing arrive)."""

    __tablename__ = "course_workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkspaceMember(db.Model):
    """A person's part in a workspace: owner, co-author or reviewer (WORKSPACE_ROLES)."""

    __tablename__ = "workspace_members"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("course_workspaces.id", ondelete="CASCADE"),
                                              primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


DELETED = "deleted"
"""`sha256` of a tombstone version, the record of a deletion (no SHA-256 is written this way; decision 0078)."""


class WorkspaceFileVersion(db.Model):
    """One saved version of one file of a workspace: its path in the course folder (POSIX, relative), its
    exact bytes and their SHA-256, who saved it and when. Higher id = newer."""

    __tablename__ = "workspace_file_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("course_workspaces.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_workspace_file_versions_workspace_id_path_id", "workspace_id", "path", "id"),)

    @property
    def is_deletion(self) -> bool:
        """A tombstone: the file was deleted here (decision 0078); no bytes, and `sha256` is DELETED."""
        return self.sha256 == DELETED


WORKSPACE_STATES = ("draft", "submitted", "approved", "published")


class WorkspaceStep(db.Model):
    """One step of the review workflow (decision 0074): what was done ("submitted", "changes_requested",
    "approved", "published", "unpublished", "reopened" when a save returned the workspace to draft), the state
    it left the workspace in, who did it, when, and their comment."""

    __tablename__ = "workspace_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("course_workspaces.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(24))
    state: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(String(2000), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("workspace_publications.id", ondelete="SET NULL"))
    """For a "published" step, the publication it made."""


class WorkspacePublication(db.Model):
    """One publication of a workspace: the course revision it stored, who published it and when; its files
    are the rows of workspace_published_files. `withdrawn_at` is set when the workspace is unpublished: a
    course is published from its workspace while any publication of it is not withdrawn."""

    __tablename__ = "workspace_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("course_workspaces.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(64), index=True)
    revision: Mapped[str] = mapped_column(String(64))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]


class WorkspacePublishedFile(db.Model):
    """A file version a publication was made of (one row per file of the course folder)."""

    __tablename__ = "workspace_published_files"

    publication_id: Mapped[int] = mapped_column(ForeignKey("workspace_publications.id", ondelete="CASCADE"),
                                                primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("workspace_file_versions.id", ondelete="CASCADE"),
                                            primary_key=True, index=True)
