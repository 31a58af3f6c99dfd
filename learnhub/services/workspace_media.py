"""Media files of a course workspace (issue 16, decision 0078): listing them with where lessons use them,
uploading, replacing and deleting.

Every change is a file version (decision 0067); a deletion is a tombstone version (workspaces.delete), so a
deleted file leaves the draft, the zip and validation but stays in history and can be restored. Names follow
course_zip.path_problem (the one rule for what a course folder may hold); types are read from the bytes
(media_types). The caller commits and returns a submitted or approved workspace to draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import LazyString, format_decimal, lazy_gettext
from sqlalchemy import func, select

from learnhub.content.assembly import front_matter_end
from learnhub.content.markdown import render_markdown
from learnhub.extensions import db
from learnhub.models import CourseWorkspace, User, WorkspaceFileVersion
from learnhub.models.workspaces import DELETED
from learnhub.services import course_zip, media_types, workspaces
from learnhub.services.media_types import MediaRefused

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 6 * 1024 * 1024  # all media of a workspace: its .zip stays under the 8 MB upload limit
_FOLDER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class Use:
    """An image of a lesson showing the file: the lesson, the line, its alt text ("" when missing)."""

    path: str
    line: int
    alt: str


@dataclass(frozen=True)
class MediaFile:
    version: WorkspaceFileVersion
    kind: str | None  # "png", "svg"...; None for other media (MP3, text, CREDITS.yaml)
    uses: tuple[Use, ...]

    @property
    def name(self) -> str:
        return self.version.path

    @property
    def missing_alt(self) -> int:
        return sum(1 for use in self.uses if not use.alt)


def uses(files: dict[str, bytes], course_id: str) -> dict[str, list[Use]]:
    """media path -> the images of the lessons (top-level .md files) that show it, read by the validator's
    Markdown reader, with file lines (the front matter counts)."""
    found: dict[str, list[Use]] = {}
    for path in sorted(p for p in files if "/" not in p and p.endswith(".md")):
        text = files[path].decode("utf-8", "replace")
        lines = text.split("\n")
        end = front_matter_end(lines)
        if end is not None:  # blanked, as the validator does, so lines stay file lines
            text = "\n" * (end + 1) + "\n".join(lines[end + 1:])
        for line, media, alt in render_markdown(text, course_id=course_id, path=path).images:
            found.setdefault(media, []).append(Use(path, line, alt))
    return found


def listing(workspace: CourseWorkspace, draft: dict[str, WorkspaceFileVersion]) -> list[MediaFile]:
    """Every file under media/ in the draft, by name, with the images that show it."""
    by_media = uses({path: version.content for path, version in draft.items() if not path.startswith("media/")},
                    workspace.course_id)
    return [MediaFile(version, media_types.expected_type(path), tuple(by_media.get(path, ())))
            for path, version in draft.items() if path.startswith("media/")]


def deleted(workspace: CourseWorkspace) -> list[WorkspaceFileVersion]:
    """The media files deleted from the draft, each as its last version before the deletion (one query)."""
    newest = (select(WorkspaceFileVersion.path, func.max(WorkspaceFileVersion.id).label("id"))
              .where(WorkspaceFileVersion.workspace_id == workspace.id,
                     WorkspaceFileVersion.path.startswith("media/"))
              .group_by(WorkspaceFileVersion.path).subquery())
    kept = (select(WorkspaceFileVersion.path, func.max(WorkspaceFileVersion.id).label("id"))
            .where(WorkspaceFileVersion.workspace_id == workspace.id, WorkspaceFileVersion.sha256 != DELETED,
                   WorkspaceFileVersion.path.startswith("media/"))
            .group_by(WorkspaceFileVersion.path).subquery())
    tombstones = select(newest.c.path).join(WorkspaceFileVersion, WorkspaceFileVersion.id == newest.c.id).where(
        WorkspaceFileVersion.sha256 == DELETED)
    return list(db.session.scalars(select(WorkspaceFileVersion).join(kept, kept.c.id == WorkspaceFileVersion.id)
                                   .where(kept.c.path.in_(tombstones)).order_by(WorkspaceFileVersion.path)))


def target_path(filename: str, folder: str = "") -> str:
    """media/[folder/]name for an uploaded file's name (its folders dropped, as browsers send only the name
    anyway), checked by course_zip.path_problem; raises MediaRefused naming the file."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    folder = folder.strip().strip("/")
    if folder and not _FOLDER.match(folder):
        raise MediaRefused([lazy_gettext("Subfolder: use up to 40 lowercase letters, digits, hyphens and "
                                         "underscores, e.g. diagrams.")])
    path = "/".join(part for part in ("media", folder, name) if part)
    problem = course_zip.path_problem(path) if name else lazy_gettext("Choose a file to upload.")
    if problem is not None:
        raise MediaRefused([problem])
    return path


def _checked(workspace: CourseWorkspace, path: str, data: bytes) -> bytes:
    if len(data) > MAX_FILE_BYTES:
        raise MediaRefused([lazy_gettext("%(file)s: the file is %(size)s; a media file may be at most %(limit)s.",
                                         file=path, size=megabytes(len(data)), limit=megabytes(MAX_FILE_BYTES))])
    content = media_types.checked(path, data)
    draft = workspaces.newest(workspace)
    total = sum(v.size for p, v in draft.items() if p.startswith("media/") and p != path) + len(content)
    if total > MAX_TOTAL_BYTES:
        raise MediaRefused([lazy_gettext("%(file)s: with it, the media of this course would add up to %(size)s; "
                                         "the limit is %(limit)s.", file=path, size=megabytes(total),
                                         limit=megabytes(MAX_TOTAL_BYTES))])
    return content


def megabytes(size: int) -> LazyString:
    """A size in megabytes with one decimal, in the person's number format ("1,5 MB" in Spanish)."""
    return lazy_gettext("%(size)s MB", size=format_decimal(round(size / 1024 ** 2, 1), format="0.0"))


def upload(workspace: CourseWorkspace, path: str, data: bytes, user: User) -> WorkspaceFileVersion:
    """A new media file at `path` (from target_path); refused when a file of that name exists (replace it
    instead, so nobody overwrites a picture by accident)."""
    if workspaces.current(workspace, path) is not None:
        raise MediaRefused([lazy_gettext("%(file)s: a file of this name exists; use Replace on its row to upload "
                                         "a new version.", file=path)])
    version = workspaces.save_bytes(workspace, path, _checked(workspace, path, data), user)
    assert version is not None
    return version


def replace(workspace: CourseWorkspace, path: str, data: bytes, user: User) -> WorkspaceFileVersion | None:
    """A new version of the media file `path` (same name, so same type); None when the bytes are the same."""
    existing = workspaces.current(workspace, path)
    if existing is None or not path.startswith("media/"):
        raise LookupError(path)
    return workspaces.save_bytes(workspace, path, _checked(workspace, path, data), user)


def delete(workspace: CourseWorkspace, path: str, user: User) -> WorkspaceFileVersion:
    if not path.startswith("media/"):
        raise LookupError(path)
    return workspaces.delete(workspace, path, user)


def restore(workspace: CourseWorkspace, path: str, user: User, version_id: int | None = None) -> WorkspaceFileVersion:
    """An older version of a media file saved again as its newest (`version_id`), or, without one, a deleted
    file back in the draft with its last version."""
    if version_id is not None:
        old = workspaces.version(workspace, path, version_id)
    else:
        old = next((v for v in deleted(workspace) if v.path == path), None)
    if old is None or old.is_deletion or not path.startswith("media/"):
        raise LookupError(path)
    return workspaces.restore(workspace, old, user)
