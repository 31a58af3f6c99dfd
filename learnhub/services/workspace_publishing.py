"""Review and publishing of a course workspace (issue 16, decision 0074).

draft -> submitted (no validation errors) -> approved (by someone other than who submitted it and who last
saved a file, or an admin) -> published. "Request changes" returns a submitted or approved workspace to draft
with a comment; saving a file in a submitted, approved or published workspace returns it to draft too.

Publishing writes the newest version of every file into a temporary folder named after the course id and
hands it to `course_sync.load_and_store`, the function `learnhub courses sync` stores every folder with: a new
course revision, attempts untouched (they keep the questions shown). Each publication records its revision
and file versions, so the course's media are served from the database on every app instance. Unpublishing
retires the course with `course_sync.retire`, as sync does for a removed folder. Who may take a step (the
role) is checked by the caller; the rules of each step are here. The caller audits and commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString, lazy_gettext, lazy_ngettext
from sqlalchemy import func, select, update

from learnhub import fingerprints
from learnhub.content.loader import Checks
from learnhub.extensions import db
from learnhub.models import (
    Course,
    CourseWorkspace,
    User,
    WorkspaceFileVersion,
    WorkspacePublication,
    WorkspacePublishedFile,
    WorkspaceStep,
)
from learnhub.models.base import utcnow
from learnhub.services import course_sync, workspaces
from learnhub.services.workspaces import WorkspaceRefused

MAX_COMMENT = 2000
REOPENED_FROM = ("submitted", "approved", "published")


def _refused(message: LazyString) -> WorkspaceRefused:
    return WorkspaceRefused([message])


def _step(workspace: CourseWorkspace, action: str, state: str, user: User, comment: str = "",
          publication: WorkspacePublication | None = None) -> WorkspaceStep:
    workspace.state = state
    step = WorkspaceStep(workspace_id=workspace.id, action=action, state=state, actor_id=user.id,
                         comment=comment.strip()[:MAX_COMMENT],
                         publication_id=publication.id if publication is not None else None)
    db.session.add(step)
    db.session.flush()
    return step


@dataclass(frozen=True)
class Step:
    """A step as the workspace page shows it: the row, who took it (None once their account is gone) and, for
    a publication, what it published."""

    step: WorkspaceStep
    actor: str | None
    publication: WorkspacePublication | None


def steps(workspace: CourseWorkspace) -> list[Step]:
    """Every step, newest first (one query)."""
    return [Step(step, name, publication) for step, name, publication in db.session.execute(
        select(WorkspaceStep, User.name, WorkspacePublication)
        .outerjoin(User, User.id == WorkspaceStep.actor_id)
        .outerjoin(WorkspacePublication, WorkspacePublication.id == WorkspaceStep.publication_id)
        .where(WorkspaceStep.workspace_id == workspace.id).order_by(WorkspaceStep.id.desc()))]


def live_in(history: list[Step]) -> WorkspacePublication | None:
    """The live publication read from a workspace's steps (newest first): that of the newest publishing step,
    unless it was unpublished since."""
    for entry in history:
        if entry.step.action == "unpublished":
            return None
        if entry.step.action == "published" and entry.publication is not None:
            return entry.publication if entry.publication.withdrawn_at is None else None
    return None


def _submitter_id(workspace: CourseWorkspace) -> int | None:
    return db.session.scalar(select(WorkspaceStep.actor_id).where(
        WorkspaceStep.workspace_id == workspace.id, WorkspaceStep.action == "submitted")
        .order_by(WorkspaceStep.id.desc()).limit(1))


def _last_saver_id(workspace: CourseWorkspace) -> int | None:
    return db.session.scalar(select(WorkspaceFileVersion.saved_by_id).where(
        WorkspaceFileVersion.workspace_id == workspace.id).order_by(WorkspaceFileVersion.id.desc()).limit(1))


def submit(workspace: CourseWorkspace, user: User, checks: Checks | None = None, comment: str = "") -> WorkspaceStep:
    """A draft without validation errors goes to review."""
    if workspace.state != "draft":
        raise _refused(lazy_gettext("Submit: only a draft can be submitted for review."))
    errors = [problem for problem in workspaces.validate(workspace, checks) if problem.is_error]
    if errors:
        raise _refused(lazy_ngettext("Submit: the draft has %(num)d validation error; fix it first.",
                                     "Submit: the draft has %(num)d validation errors; fix them first.",
                                     len(errors)))
    return _step(workspace, "submitted", "submitted", user, comment)


def approve(workspace: CourseWorkspace, user: User, *, admin: bool, comment: str = "") -> WorkspaceStep:
    """A submitted workspace is approved by a reviewer or owner who neither submitted it nor saved its last
    version; an admin may always approve."""
    if workspace.state != "submitted":
        raise _refused(lazy_gettext("Approve: only a submitted workspace can be approved."))
    if not admin and user.id == _submitter_id(workspace):
        raise _refused(lazy_gettext("Approve: you submitted this version; another reviewer must approve it."))
    if not admin and user.id == _last_saver_id(workspace):
        raise _refused(lazy_gettext("Approve: you saved the last change; another reviewer must approve it."))
    return _step(workspace, "approved", "approved", user, comment)


def request_changes(workspace: CourseWorkspace, user: User, comment: str) -> WorkspaceStep:
    """A submitted or approved workspace goes back to draft, saying what to change."""
    if workspace.state not in ("submitted", "approved"):
        raise _refused(lazy_gettext("Request changes: only a submitted or approved workspace can be returned."))
    if not comment.strip():
        raise _refused(lazy_gettext("Comment: say what should change."))
    return _step(workspace, "changes_requested", "draft", user, comment)


def reopen_after_save(workspace: CourseWorkspace, user: User) -> bool:
    """A file was saved: a submitted, approved or published workspace is a draft again (True when it was)."""
    if workspace.state not in REOPENED_FROM:
        return False
    _step(workspace, "reopened", "draft", user)
    return True


# --- publishing ---------------------------------------------------------------------------------------------


def publish(workspace: CourseWorkspace, user: User, checks: Checks | None = None,
            comment: str = "") -> WorkspacePublication:
    """Store the approved workspace as the live course through the sync service, and record the publication
    (its revision and file versions). Refused when the course does not load (its problems are listed)."""
    if workspace.state != "approved":
        raise _refused(lazy_gettext("Publish: only an approved workspace can be published."))
    versions = workspaces.newest(workspace)
    problems: list = []
    with workspaces.course_folder(workspace.course_id, {p: v.content for p, v in versions.items()}) as folder:
        outcome = course_sync.load_and_store(folder, display_root=folder.parent, report=problems.extend,
                                             checks=checks)
    if outcome == "failed":
        errors = [p for p in workspaces.relative_problems(workspace.course_id, problems) if p.is_error]
        raise WorkspaceRefused([lazy_gettext("Publish: the course does not load: %(path)s line %(line)d: "
                                             "%(message)s", path=p.path, line=p.line, message=p.message)
                                for p in errors[:20]])
    course = db.session.get(Course, workspace.course_id)
    publication = WorkspacePublication(workspace_id=workspace.id, course_id=workspace.course_id,
                                       revision=course.revision, published_by_id=user.id)
    db.session.add(publication)
    db.session.flush()
    db.session.add_all(WorkspacePublishedFile(publication_id=publication.id, version_id=version.id)
                       for version in versions.values())
    _step(workspace, "published", "published", user, comment, publication)
    return publication


def live_publication(workspace: CourseWorkspace) -> WorkspacePublication | None:
    """The publication the live course comes from, None when the workspace is not published."""
    return db.session.scalar(select(WorkspacePublication).where(
        WorkspacePublication.workspace_id == workspace.id, WorkspacePublication.withdrawn_at.is_(None))
        .order_by(WorkspacePublication.id.desc()).limit(1))


def unpublish(workspace: CourseWorkspace, user: User, comment: str = "") -> Course:
    """Retire the course as sync retires one whose folder is gone (learners keep history and certificates),
    withdraw the workspace's publications and return it to draft."""
    if live_publication(workspace) is None:
        raise _refused(lazy_gettext("Unpublish: this workspace is not published."))
    db.session.execute(update(WorkspacePublication).where(
        WorkspacePublication.workspace_id == workspace.id, WorkspacePublication.withdrawn_at.is_(None))
        .values(withdrawn_at=utcnow()))
    course = db.session.get(Course, workspace.course_id)
    course_sync.retire(course)
    _step(workspace, "unpublished", "draft", user, comment)
    return course


def published_versions(workspace: CourseWorkspace, path: str) -> dict[int, list[WorkspacePublication]]:
    """version id -> the publications made of it, for one file's history (one query)."""
    found: dict[int, list[WorkspacePublication]] = {}
    for version_id, publication in db.session.execute(
            select(WorkspacePublishedFile.version_id, WorkspacePublication)
            .join(WorkspacePublication, WorkspacePublication.id == WorkspacePublishedFile.publication_id)
            .join(WorkspaceFileVersion, WorkspaceFileVersion.id == WorkspacePublishedFile.version_id)
            .where(WorkspaceFileVersion.workspace_id == workspace.id, WorkspaceFileVersion.path == path)
            .order_by(WorkspacePublication.id)):
        found.setdefault(version_id, []).append(publication)
    return found


def folder_conflict(workspace: CourseWorkspace, courses_dir) -> bool:
    """Whether COURSES_DIR also holds a folder for this course id (sync skips it while the workspace
    publishes the course; decision 0074)."""
    return (courses_dir / workspace.course_id / "course.yaml").is_file()


# --- media --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredMedia:
    """A media file of a published course, read from the database."""

    name: str
    content: bytes
    sha256: str
    current: bool
    """The requested name carries the digest of these bytes (decision 0041): kept for a year."""


@dataclass(frozen=True)
class PublishedMedia:
    """The answer for a media URL of a course published from a workspace: `live` when the course is published
    from it now (then the database is the only place to look), the file when the newest publication has it."""

    live: bool
    media: StoredMedia | None


def media_for_url(course_id: str, filename: str) -> PublishedMedia | None:
    """The file `media/<filename>` of the newest publication of `course_id`, by its own or its fingerprinted
    name; None when the course was never published from a workspace (two queries at most)."""
    newest = db.session.execute(select(WorkspacePublication.id, WorkspacePublication.withdrawn_at)
                                .where(WorkspacePublication.course_id == course_id)
                                .order_by(WorkspacePublication.id.desc()).limit(1)).first()
    if newest is None:
        return None
    split = fingerprints.split_hashed_name(filename)
    wanted = {f"media/{filename}": None}
    if split is not None:
        wanted[f"media/{split[0]}"] = split[1]
    rows = {version.path: version for version in db.session.scalars(
        select(WorkspaceFileVersion).join(WorkspacePublishedFile,
                                          WorkspacePublishedFile.version_id == WorkspaceFileVersion.id)
        .where(WorkspacePublishedFile.publication_id == newest.id, WorkspaceFileVersion.path.in_(wanted)))}
    media = None
    for path, digest in wanted.items():  # the exact name first, as for files on disk
        if path in rows:
            version = rows[path]
            media = StoredMedia(path.rsplit("/", 1)[1], version.content, version.sha256,
                                current=digest is not None and version.sha256[:fingerprints.DIGEST_LENGTH] == digest)
            break
    return PublishedMedia(live=newest.withdrawn_at is None, media=media)


def published_count(workspace: CourseWorkspace) -> int:
    return db.session.scalar(select(func.count()).select_from(WorkspacePublication)
                             .where(WorkspacePublication.workspace_id == workspace.id)) or 0
