"""Course workspaces: creating them (template, copy of a synced course, uploaded zip), who may see them,
saving files as versions, history and restore, validation with the CLI's validator (decision 0067).

The caller commits. Validation materialises the newest versions into a temporary folder and runs
`content.loader.load_course`, exactly what `learnhub courses validate` runs, with the caller's Checks.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask_babel import LazyString, lazy_gettext
from sqlalchemy import func, select

from learnhub.content.assembly import ID_PATTERN
from learnhub.content.loader import Checks, load_course
from learnhub.content.problems import Problem
from learnhub.extensions import db
from learnhub.models import CourseWorkspace, User, WorkspaceFileVersion, WorkspaceMember
from learnhub.models.workspaces import DELETED
from learnhub.services import course_zip

TEXT_EXTENSIONS = (".yaml", ".md", ".gift", ".txt")
MAX_FILE_BYTES = 1_000_000  # what format v1 accepts for a text file (content.files.MAX_TEXT_BYTES)
FIRST_LESSON = "introduction"


class WorkspaceRefused(Exception):
    """A workspace cannot be created or changed as asked; `messages` says why."""

    def __init__(self, messages: list[LazyString]):
        super().__init__("workspace refused")
        self.messages = messages


@dataclass(frozen=True)
class Listed:
    """A workspace as the /author/ list shows it: the row and the person's part in it (None for an admin
    who is not a member)."""

    workspace: CourseWorkspace
    role: str | None


# --- who sees what ------------------------------------------------------------------------------------------


def listed_for(user: User) -> list[Listed]:
    """The workspaces `user` belongs to, by course id; an admin sees every workspace."""
    query = (select(CourseWorkspace, WorkspaceMember.role)
             .outerjoin(WorkspaceMember, (WorkspaceMember.workspace_id == CourseWorkspace.id)
                        & (WorkspaceMember.user_id == user.id))
             .order_by(CourseWorkspace.course_id))
    if not user.has_role("admin"):
        query = query.where(WorkspaceMember.user_id == user.id)
    return [Listed(workspace, role) for workspace, role in db.session.execute(query)]


def workspace_for(user: User, workspace_id: int) -> CourseWorkspace | None:
    """The workspace if `user` is a member or an admin; None otherwise (the page answers 404 either way)."""
    workspace = db.session.get(CourseWorkspace, workspace_id)
    if workspace is None or user.has_role("admin"):
        return workspace
    member = db.session.get(WorkspaceMember, (workspace_id, user.id))
    return workspace if member is not None else None


# --- creating -----------------------------------------------------------------------------------------------


def template_files(course_id: str, title: str) -> dict[str, bytes]:
    """A minimal valid format v1 course: course.yaml with one module holding one lesson."""
    course = (f"format: 1\nid: {course_id}\ntitle:\n  en: {json.dumps(title, ensure_ascii=False)}\n"
              "languages: [en]\nkind: awareness\nlevel: beginner\nminutes: 30\nroles: []\nsectors: []\n"
              "certificate: false\npass_mark: 70\nmodules:\n  - id: module-1\n    title: {en: First module}\n"
              f"    items:\n      - lesson: {FIRST_LESSON}\n")
    lesson = "---\ntitle: Introduction\nminutes: 5\n---\nWrite the lesson here, in Markdown.\n"
    return {"course.yaml": course.encode(), f"{FIRST_LESSON}.md": lesson.encode()}


def folder_files(folder: Path) -> dict[str, bytes]:
    """Every file of a course folder on disk that format v1 allows, by relative path; links are skipped."""
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and not path.is_symlink() and course_zip.path_problem(relative) is None:
            files[relative] = path.read_bytes()
    return files


def _check_new_id(course_id: str) -> None:
    if not ID_PATTERN.fullmatch(course_id):
        raise WorkspaceRefused([lazy_gettext("Course id: use 2 to 64 lowercase letters, digits and hyphens, "
                                             "starting with a letter or digit.")])
    if db.session.scalar(select(CourseWorkspace.id).where(CourseWorkspace.course_id == course_id)):
        raise WorkspaceRefused([lazy_gettext("Course id: a workspace for %(id)s already exists.", id=course_id)])


def create(user: User, course_id: str, files: dict[str, bytes]) -> CourseWorkspace:
    """A new draft workspace for `course_id` holding `files` (one version each), `user` its owner."""
    _check_new_id(course_id)
    workspace = CourseWorkspace(course_id=course_id, state="draft", created_by_id=user.id)
    db.session.add(workspace)
    db.session.flush()
    db.session.add(WorkspaceMember(workspace_id=workspace.id, user_id=user.id, role="owner"))
    for path in sorted(files):
        _add_version(workspace, path, files[path], user)
    db.session.flush()
    return workspace


def create_from_template(user: User, course_id: str, title: str) -> CourseWorkspace:
    return create(user, course_id, template_files(course_id, title.strip() or course_id))


def create_from_course(user: User, courses_dir: Path, course_id: str) -> CourseWorkspace:
    """A workspace holding a copy of the course folder `course_id` under COURSES_DIR."""
    folder = courses_dir / course_id
    if not ID_PATTERN.fullmatch(course_id) or not (folder / "course.yaml").is_file():
        raise WorkspaceRefused([lazy_gettext("Course: there is no course folder %(id)s to copy.", id=course_id)])
    return create(user, course_id, folder_files(folder))


def create_from_zip(user: User, data: bytes) -> CourseWorkspace:
    """A workspace from an uploaded zip (checked by course_zip before anything is read or written); the
    course id is the one in its course.yaml, else the zip's folder name."""
    upload = course_zip.read_upload(data)  # raises ZipRefused
    course_id = _declared_id(upload.files["course.yaml"]) or upload.folder or ""
    return create(user, course_id, upload.files)


def _declared_id(course_yaml: bytes) -> str | None:
    for line in course_yaml.decode("utf-8", "replace").splitlines():
        if line.startswith("id:"):
            return line[3:].split("#", 1)[0].strip().strip("'\"") or None
    return None


# --- files and versions -------------------------------------------------------------------------------------


def _add_version(workspace: CourseWorkspace, path: str, content: bytes, user: User) -> WorkspaceFileVersion:
    version = WorkspaceFileVersion(workspace_id=workspace.id, path=path, content=content, size=len(content),
                                   sha256=hashlib.sha256(content).hexdigest(), saved_by_id=user.id)
    db.session.add(version)
    return version


def newest(workspace: CourseWorkspace) -> dict[str, WorkspaceFileVersion]:
    """The draft: the newest version of every path, by path (one query). A path whose newest version is a
    deletion (a tombstone, decision 0078) is not in the draft, so not in validation, publishing or the zip."""
    latest = (select(func.max(WorkspaceFileVersion.id))
              .where(WorkspaceFileVersion.workspace_id == workspace.id)
              .group_by(WorkspaceFileVersion.path))
    rows = db.session.scalars(select(WorkspaceFileVersion).where(WorkspaceFileVersion.id.in_(latest),
                                                                 WorkspaceFileVersion.sha256 != DELETED)
                              .order_by(WorkspaceFileVersion.path))
    return {row.path: row for row in rows}


def draft_files(workspace: CourseWorkspace) -> dict[str, bytes]:
    return {path: version.content for path, version in newest(workspace).items()}


def current(workspace: CourseWorkspace, path: str) -> WorkspaceFileVersion | None:
    """The newest version of `path`; None when there is none or the file was deleted."""
    found = db.session.scalar(select(WorkspaceFileVersion)
                              .where(WorkspaceFileVersion.workspace_id == workspace.id,
                                     WorkspaceFileVersion.path == path)
                              .order_by(WorkspaceFileVersion.id.desc()).limit(1))
    return None if found is None or found.is_deletion else found


def save_bytes(workspace: CourseWorkspace, path: str, content: bytes, user: User) -> WorkspaceFileVersion | None:
    """Save `content` as the newest version of `path` (new or not; the caller checked path and bytes);
    None when the file already holds exactly these bytes."""
    previous = current(workspace, path)
    if previous is not None and previous.content == content:
        return None
    version = _add_version(workspace, path, content, user)
    db.session.flush()
    return version


def delete(workspace: CourseWorkspace, path: str, user: User) -> WorkspaceFileVersion:
    """Delete a file from the draft: a tombstone version (no bytes, sha256 DELETED) after its history, which
    stays; restoring an older version brings the file back (decision 0078)."""
    if current(workspace, path) is None:
        raise LookupError(f"{path} is not a file of workspace {workspace.id}")
    version = WorkspaceFileVersion(workspace_id=workspace.id, path=path, content=b"", size=0, sha256=DELETED,
                                   saved_by_id=user.id)
    db.session.add(version)
    db.session.flush()
    return version


def is_text(path: str) -> bool:
    return path.lower().endswith(TEXT_EXTENSIONS)


def save_text(workspace: CourseWorkspace, path: str, text: str, user: User, *,
              create: bool = False) -> WorkspaceFileVersion | None:
    """Save the text of a text file as a new version (UTF-8, line ends as typed but CRLF -> LF, as browsers
    send textareas); None when nothing changed. Raises WorkspaceRefused when it is too large. Only with
    `create` may the file be new (a translation, whose path the caller made: services.workspace_translations)."""
    content = text.replace("\r\n", "\n").encode("utf-8")
    if len(content) > MAX_FILE_BYTES:
        raise WorkspaceRefused([lazy_gettext("%(path)s: the text is larger than %(n)d bytes.", path=path,
                                             n=MAX_FILE_BYTES)])
    previous = current(workspace, path)
    if previous is None and not create:
        raise LookupError(f"{path} is not a file of workspace {workspace.id}")
    if previous is not None and previous.content == content:
        return None
    version = _add_version(workspace, path, content, user)
    db.session.flush()
    return version


def history(workspace: CourseWorkspace, path: str) -> list[tuple[WorkspaceFileVersion, str | None]]:
    """Every version of `path`, newest first, with the name of who saved it (None once their account is
    gone); one query."""
    return [(row, name) for row, name in db.session.execute(
        select(WorkspaceFileVersion, User.name).outerjoin(User, User.id == WorkspaceFileVersion.saved_by_id)
        .where(WorkspaceFileVersion.workspace_id == workspace.id, WorkspaceFileVersion.path == path)
        .order_by(WorkspaceFileVersion.id.desc()))]


def copyable(courses_dir: Path) -> list[str]:
    """The course folders under COURSES_DIR a workspace can be copied from, by name."""
    if not courses_dir.is_dir():
        return []
    return sorted(entry.name for entry in courses_dir.iterdir()
                  if ID_PATTERN.fullmatch(entry.name) and (entry / "course.yaml").is_file())


def version(workspace: CourseWorkspace, path: str, version_id: int) -> WorkspaceFileVersion | None:
    found = db.session.get(WorkspaceFileVersion, version_id)
    return found if found is not None and found.workspace_id == workspace.id and found.path == path else None


def restore(workspace: CourseWorkspace, old: WorkspaceFileVersion, user: User) -> WorkspaceFileVersion:
    """The bytes of an old version saved again as the newest version (history is never rewritten)."""
    restored = _add_version(workspace, old.path, old.content, user)
    db.session.flush()
    return restored


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: "same", "added" or "removed", with its number in the old and new version."""

    kind: str
    old_number: int | None
    new_number: int | None
    text: str


def diff(old: bytes, new: bytes, context: int = 3) -> list[list[DiffLine]]:
    """The changed hunks between two versions of a text file, each a list of numbered lines."""
    before = old.decode("utf-8", "replace").splitlines()
    after = new.decode("utf-8", "replace").splitlines()
    hunks = []
    for group in difflib.SequenceMatcher(None, before, after, autojunk=False).get_grouped_opcodes(context):
        lines: list[DiffLine] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", i1 + k + 1, j1 + k + 1, before[i1 + k]) for k in range(i2 - i1)]
                continue
            lines += [DiffLine("removed", i + 1, None, before[i]) for i in range(i1, i2)]
            lines += [DiffLine("added", None, j + 1, after[j]) for j in range(j1, j2)]
        hunks.append(lines)
    return hunks


# --- validation ---------------------------------------------------------------------------------------------


# Where a draft is written to be read by the loader: memory (tmpfs) when the system offers it, since a draft is
# written whole for every validation and on a disk that costs more than validating (207 small files: 83 ms
# under /tmp on the development machine's disk, 4 ms under /dev/shm). The system's temporary folder otherwise.
# (TemporaryDirectory makes a private folder, mode 0700, with a random name inside it.)
_SHM = "/dev/shm"  # noqa: S108  # nosec B108
_SCRATCH = _SHM if os.path.isdir(_SHM) and os.access(_SHM, os.W_OK) else None


@contextmanager
def course_folder(course_id: str, files: dict[str, bytes]) -> Iterator[Path]:
    """`files` written into a temporary folder named after the course id, as `learnhub courses validate` and
    `courses sync` read a course; the folder is removed on leaving."""
    with tempfile.TemporaryDirectory(prefix="learnhub-workspace-", dir=_SCRATCH) as root:
        folder = Path(root) / course_id
        for path, content in files.items():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        folder.mkdir(exist_ok=True)
        yield folder


def relative_problems(course_id: str, problems: list[Problem]) -> list[Problem]:
    """Problems with paths relative to the course folder (course.yaml, lesson.md...)."""
    prefix = f"{course_id}/"
    return [Problem(problem.path.removeprefix(prefix) if problem.path != course_id else "",
                    problem.line, problem.level, problem.message) for problem in problems]


def validate(workspace: CourseWorkspace, checks: Checks | None = None,
             files: dict[str, bytes] | None = None) -> list[Problem]:
    """The problems `learnhub courses validate` reports for the draft, with paths relative to the course
    folder (course.yaml, lesson.md...). The files are written into a temporary folder named after the
    course id, read by the CLI's loader, and removed."""
    files = draft_files(workspace) if files is None else files
    with course_folder(workspace.course_id, files) as folder:
        _spec, problems = load_course(folder, display_root=folder.parent, checks=checks)
    return relative_problems(workspace.course_id, problems)


def download(workspace: CourseWorkspace) -> bytes:
    """The draft as a .zip: the course folder `course_id`/ with the stored bytes of every file."""
    return course_zip.build(workspace.course_id, draft_files(workspace))
