"""Course folders as .zip files: checking an uploaded zip before anything is extracted, and building the
download of a workspace (issue 16, decision 0068).

An upload is read entirely in memory; nothing is written anywhere until every entry has passed. Every
refusal names the entry it is about, in the person's language (lazy messages, rendered by the page).
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from dataclasses import dataclass

from flask_babel import LazyString, lazy_gettext, lazy_ngettext

from learnhub.content.files import COURSE_FILE, IGNORED_FILE_STEMS

MAX_ZIP_BYTES = 8 * 1024 * 1024  # the upload itself (the request limit, MAX_CONTENT_LENGTH, is the same)
MAX_FILES = 2_000
MAX_TOTAL_BYTES = 64 * 1024 * 1024  # all files once extracted
MAX_RATIO = 100  # uncompressed / compressed, for entries large enough to matter
RATIO_FLOOR = 1024 * 1024  # entries smaller than this are never a bomb on their own
MESSAGES_SHOWN = 20

MEDIA_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".pdf", ".mp3", ".mp4", ".txt")
CREDITS_FILE = "media/CREDITS.yaml"
SKIPPED = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$)")  # archive litter some systems add
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class ZipRefused(Exception):
    """The upload cannot be used; `messages` says why, each naming its entry."""

    def __init__(self, messages: list[LazyString]):
        super().__init__("zip refused")
        self.messages = messages


@dataclass(frozen=True)
class CourseZip:
    """The files of an accepted upload: path in the course folder -> bytes, and the folder name it had."""

    files: dict[str, bytes]
    folder: str | None


def path_problem(path: str) -> LazyString | None:
    """Why `path` (relative, POSIX) may not be a file of a course folder in format v1; None when it may.

    Allowed: course.yaml, lessons (*.md) and quizzes (*.gift) at the top, README/LICENSE-like files, and
    under media/ the media types of docs/course-format.md and media/CREDITS.yaml."""
    if "\\" in path:
        return lazy_gettext("%(entry)s: backslashes are not allowed in names; use / between folders.", entry=path)
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return lazy_gettext("%(entry)s: absolute paths are not allowed.", entry=path)
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return lazy_gettext("%(entry)s: the path leaves its folder (.., . or an empty part).", entry=path)
    if any(part.startswith(".") for part in parts):
        return lazy_gettext("%(entry)s: hidden files are not part of a course.", entry=path)
    name = parts[-1]
    lowered = name.lower()
    if len(parts) == 1:
        if name == COURSE_FILE or lowered.endswith((".md", ".gift")):
            return None
        stem, _, extension = lowered.partition(".")
        if stem in IGNORED_FILE_STEMS and extension in ("", "txt"):
            return None
    elif parts[0] == "media" and (path == CREDITS_FILE or lowered.endswith(MEDIA_EXTENSIONS)):
        return None
    return lazy_gettext("%(entry)s: this type of file is not part of a course; allowed are course.yaml, lessons "
                        "(.md), quizzes (.gift) and, under media/, images, PDF, MP3, MP4 and text files.",
                        entry=path)


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _entry_problem(info: zipfile.ZipInfo) -> LazyString | None:
    if _is_link(info):
        return lazy_gettext("%(entry)s: symbolic links are not allowed.", entry=info.filename)
    if info.flag_bits & 0x1:
        return lazy_gettext("%(entry)s: encrypted files are not allowed.", entry=info.filename)
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return lazy_gettext("%(entry)s: compressed more than %(ratio)d times; this looks like a zip bomb.",
                            entry=info.filename, ratio=MAX_RATIO)
    return None


def _common_folder(names: list[str]) -> str | None:
    """The one top folder every entry is in, when the zip holds a folder rather than its files."""
    if COURSE_FILE in names:
        return None
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1 and all("/" in name for name in names):
        return tops.pop()
    return None


def read_upload(data: bytes) -> CourseZip:
    """Check an uploaded zip and return its files; raise ZipRefused with every reason otherwise.

    Checked from the central directory before any entry is decompressed: size of the upload, number of
    entries, each name (traversal, absolute, backslashes, type), links, encryption, compression ratio and
    total size. Then each entry is decompressed in memory, never past its declared size (CRC checked)."""
    if len(data) > MAX_ZIP_BYTES:
        raise ZipRefused([lazy_gettext("The file is larger than %(n)d MB.", n=MAX_ZIP_BYTES // (1024 * 1024))])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ZipRefused([lazy_gettext("This file is not a .zip archive.")]) from None
    infos = [info for info in infos if not SKIPPED.search(info.filename)]
    files = [info for info in infos if not info.is_dir() or _is_link(info)]
    if len(files) > MAX_FILES:
        raise ZipRefused([lazy_gettext("The archive holds %(count)d files; a course may have at most %(n)d.",
                                       count=len(files), n=MAX_FILES)])
    problems: list[LazyString] = []
    seen: set[str] = set()
    refused: set[str] = set()
    for info in files:
        problem = _entry_problem(info)
        if problem is None and info.filename in seen:
            problem = lazy_gettext("%(entry)s: this name appears twice in the archive.", entry=info.filename)
        seen.add(info.filename)
        if problem is not None:
            problems.append(problem)
            refused.add(info.filename)
    total = sum(info.file_size for info in files)
    if total > MAX_TOTAL_BYTES:
        problems.append(lazy_gettext("The files add up to %(size)d MB once extracted; the limit is %(n)d MB.",
                                     size=total // (1024 * 1024), n=MAX_TOTAL_BYTES // (1024 * 1024)))
    folder = _common_folder([info.filename for info in files])
    prefix = f"{folder}/" if folder else ""
    for info in files:
        problem = path_problem(info.filename.removeprefix(prefix))
        if problem is not None and info.filename not in refused:
            problems.append(problem)
    if not problems and COURSE_FILE not in {info.filename.removeprefix(prefix) for info in files}:
        problems.append(lazy_gettext("The archive has no course.yaml, at its top or in its one folder."))
    if problems:
        raise ZipRefused(_shortened(problems))
    contents: dict[str, bytes] = {}
    for info in files:
        try:
            with archive.open(info) as handle:
                content = handle.read(info.file_size + 1)
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, RuntimeError):
            raise ZipRefused([lazy_gettext("%(entry)s: this entry is damaged and cannot be read.",
                                           entry=info.filename)]) from None
        if len(content) != info.file_size:
            raise ZipRefused([lazy_gettext("%(entry)s: this entry is damaged and cannot be read.",
                                           entry=info.filename)])
        contents[info.filename.removeprefix(prefix)] = content
    return CourseZip(contents, folder)


def _shortened(problems: list[LazyString]) -> list[LazyString]:
    if len(problems) <= MESSAGES_SHOWN:
        return problems
    more = len(problems) - MESSAGES_SHOWN
    return [*problems[:MESSAGES_SHOWN],
            lazy_ngettext("… and %(num)d more problem.", "… and %(num)d more problems.", more)]


def build(course_id: str, files: dict[str, bytes]) -> bytes:
    """A zip of `files` under the folder `course_id`/, bytes as given, fixed dates: same files, same zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{course_id}/{path}", date_time=ZIP_DATE)
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[path])
    return buffer.getvalue()
