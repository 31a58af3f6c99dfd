"""Translations of a course being authored (issue 16, decision 0077): which lessons and quizzes exist in which
language, which translation is older than its source, and saving a translation.

**Files.** Course format v1 names them: an item `NAME` in the course's default language (the first of
`languages`) is `NAME.md` or `NAME.gift` (or `NAME.<default>.md`), in another language `NAME.<lang>.md` or
`NAME.<lang>.gift`. The path of a translation is made here from the item and the language, never taken from
the person's input.

**Older than its source.** A translation is stale when its source's content now differs from what the source
held when the translation was last saved: the newest source version saved before the translation's newest
version (or, when the translation came first, as in an upload where both arrive together, the source's first
version) against the source's newest. Restoring the source to what it was makes the translation current again.
Every figure comes from one query over the versions' ids, paths and digests (not their bytes).
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from sqlalchemy import select

from learnhub.extensions import db
from learnhub.i18n import LANGUAGE_NAMES
from learnhub.models import User
from learnhub.models.workspaces import CourseWorkspace, WorkspaceFileVersion
from learnhub.services import workspaces

EXTENSIONS = {"lesson": ".md", "quiz": ".gift"}


@dataclass(frozen=True)
class Item:
    """A lesson or quiz named in the draft's course.yaml."""

    key: str
    kind: str  # "lesson" or "quiz"
    title: str  # in the default language, else the key


@dataclass(frozen=True)
class Cell:
    """One item in one language: `state` is "source" (the default language's file), "current", "stale",
    "missing", or "not-listed" (a language the course does not list in `languages`)."""

    item: Item
    language: str
    state: str
    path: str


@dataclass(frozen=True)
class Table:
    """The draft's items by language; `problem` says why there is no table (course.yaml unreadable)."""

    languages: tuple[str, ...]  # the course's, default first
    default: str
    rows: tuple[tuple[Item, tuple[Cell, ...]], ...]
    problem: str | None = None

    def cell(self, key: str, language: str) -> Cell | None:
        for item, cells in self.rows:
            if item.key == key:
                return next((cell for cell in cells if cell.language == language), None)
        return None


def _course_yaml(files: dict[str, bytes]) -> dict | None:
    try:
        data = yaml.safe_load(files.get("course.yaml", b"").decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _front_matter_title(content: bytes | None) -> str | None:
    """A lesson's `title:` from its front matter, if it has one that reads."""
    text = (content or b"").decode("utf-8", "replace")
    if not text.startswith("---"):
        return None
    end = text.find("\n---", 3)
    try:
        matter = yaml.safe_load(text[3:end]) if end > 0 else None
    except yaml.YAMLError:
        return None
    title = matter.get("title") if isinstance(matter, dict) else None
    return title if isinstance(title, str) and title else None


def _items(data: dict, default: str, files: dict[str, bytes]) -> list[Item]:
    """The items course.yaml names, in order; each titled in the default language by course.yaml, else by
    the lesson's front matter, else by its key."""
    found: list[Item] = []
    for module in data.get("modules") or []:
        for entry in (module.get("items") or []) if isinstance(module, dict) else []:
            if not isinstance(entry, dict):
                continue
            for kind in EXTENSIONS:
                key = entry.get(kind)
                if isinstance(key, str) and key:
                    title = entry.get("title")
                    shown = title.get(default) if isinstance(title, dict) else title
                    if not (isinstance(shown, str) and shown) and kind == "lesson":
                        shown = _front_matter_title(files.get(f"{key}.md") or files.get(f"{key}.{default}.md"))
                    found.append(Item(key, kind, shown if isinstance(shown, str) and shown else key))
    return found


def path_of(item: Item, language: str, default: str, present: set[str]) -> str:
    """The file of `item` in `language`: NAME.LANG.EXT, or for the default language NAME.EXT (NAME.LANG.EXT when
    only that one exists, as the format allows)."""
    extension = EXTENSIONS[item.kind]
    if language == default:
        plain = f"{item.key}{extension}"
        named = f"{item.key}.{language}{extension}"
        return named if plain not in present and named in present else plain
    return f"{item.key}.{language}{extension}"


def _versions(workspace: CourseWorkspace) -> dict[str, list[tuple[int, str]]]:
    """(id, sha256) of every version of every path, oldest first (one query, no bytes)."""
    by_path: dict[str, list[tuple[int, str]]] = {}
    for path, version_id, digest in db.session.execute(
            select(WorkspaceFileVersion.path, WorkspaceFileVersion.id, WorkspaceFileVersion.sha256)
            .where(WorkspaceFileVersion.workspace_id == workspace.id).order_by(WorkspaceFileVersion.id)):
        by_path.setdefault(path, []).append((version_id, digest))
    return by_path


def source_when_translated(source: list[tuple[int, str]], translation: list[tuple[int, str]]) -> tuple[int, str]:
    """The source's version (id, digest) the translation was last saved against (see the module)."""
    last_saved = translation[-1][0]
    before = [version for version in source if version[0] < last_saved]
    return before[-1] if before else source[0]


def is_stale(source: list[tuple[int, str]], translation: list[tuple[int, str]]) -> bool:
    return source_when_translated(source, translation)[1] != source[-1][1]


def table(workspace: CourseWorkspace, files: dict[str, bytes] | None = None) -> Table:
    """Every item of the draft in each of LearnHub's languages (two queries, one when `files` is given)."""
    files = workspaces.draft_files(workspace) if files is None else files
    data = _course_yaml(files)
    languages = data.get("languages") if data else None
    if not data or not isinstance(languages, list) or not languages or not all(
            isinstance(code, str) for code in languages):
        return Table((), "", (), problem="course.yaml")
    default = languages[0]
    versions = _versions(workspace)
    present = set(versions)
    rows = []
    for item in _items(data, default, files):
        source_path = path_of(item, default, default, present)
        cells = []
        for language in LANGUAGE_NAMES:
            path = path_of(item, language, default, present)
            if language == default:
                state = "source"
            elif language not in languages:
                state = "not-listed"
            elif path not in versions:
                state = "missing"
            elif source_path in versions and is_stale(versions[source_path], versions[path]):
                state = "stale"
            else:
                state = "current"
            cells.append(Cell(item, language, state, path))
        rows.append((item, tuple(cells)))
    return Table(tuple(languages), default, tuple(rows))


def source_changes(workspace: CourseWorkspace, cell: Cell, source_path: str) -> list[list[workspaces.DiffLine]]:
    """For a stale translation: what changed in the source since the translation was last saved."""
    versions = _versions(workspace)
    then_id = source_when_translated(versions[source_path], versions[cell.path])[0]
    then = workspaces.version(workspace, source_path, then_id)
    now = workspaces.current(workspace, source_path)
    return workspaces.diff(then.content, now.content) if then is not None and now is not None else []


def save(workspace: CourseWorkspace, cell: Cell, text: str, user: User) -> WorkspaceFileVersion | None:
    """Save the translation in `cell` (created when missing) as a new version; None when nothing changed.
    Raises workspaces.WorkspaceRefused when the text is too large."""
    if cell.state in ("source", "not-listed"):
        raise ValueError(f"{cell.path} is not a translation this course can have")
    return workspaces.save_text(workspace, cell.path, text, user, create=True)
