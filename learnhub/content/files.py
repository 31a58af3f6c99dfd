"""A course folder on disk: reading its files safely (size, links, encoding), listing them, checking
what is unlisted or missing, and hashing what is used into the course revision.

Problems go to the list the folder is given; the digests of the files read stay here, for `revision()`.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from learnhub.content.problems import Level, Problem
from learnhub.content.revision import READING

COURSE_FILE = "course.yaml"
MAX_TEXT_BYTES = 1_000_000
IGNORED_FILE_STEMS = frozenset({"readme", "license", "licence", "changelog", "contributing"})


def split_variant(name: str, extension: str) -> tuple[str, str | None]:
    """"red-flags.es.md" -> ("red-flags", "es"); "red-flags.md" -> ("red-flags", None)."""
    stem = name[: -len(extension)]
    match = re.fullmatch(r"(.+)\.([a-z]{2})", stem)
    return (match.group(1), match.group(2)) if match else (stem, None)


@dataclass(frozen=True)
class MediaUse:
    path: str  # the file using it, as shown
    line: int
    media: str  # relative to the course folder


@dataclass
class CourseFolder:
    folder: Path
    display: str
    problems: list[Problem]
    used: dict[str, bytes] = field(default_factory=dict)  # path in the course -> sha256 of the bytes
    file_cache: dict[str, tuple[Path, ...]] = field(default_factory=dict)
    media_cache: dict[str, str | None] = field(default_factory=dict)

    def shown(self, relative: str) -> str:
        return f"{self.display}/{relative}" if self.display else relative

    def add(self, path: str, line: int, level: Level, message: str) -> None:
        self.problems.append(Problem(path, line, level, message))

    def inside(self, path: Path) -> bool:
        try:
            return path.resolve().is_relative_to(self.folder.resolve())
        except (OSError, RuntimeError):
            return False

    def read(self, relative: str) -> str | None:
        """The text of a course file, recorded for the revision; None (with a problem) when unusable."""
        path = self.folder / relative
        shown = self.shown(relative)
        if not self.inside(path):
            self.add(shown, 0, "error", "this file is a link to a place outside the course folder")
            return None
        try:
            size = path.stat().st_size
            if size > MAX_TEXT_BYTES:
                self.add(shown, 0, "error", f"file is too large ({size} bytes; the limit is "
                         f"{MAX_TEXT_BYTES})")
                return None
            data = path.read_bytes()
        except OSError as err:
            self.add(shown, 0, "error", f"cannot read this file: {err.strerror or err}")
            return None
        self.used[relative] = hashlib.sha256(data).digest()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            self.add(shown, data[: err.start].count(b"\n") + 1, "error", "file is not valid UTF-8")
            return None
        return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")

    def listing(self, extension: str) -> tuple[Path, ...]:
        if extension not in self.file_cache:
            try:
                self.file_cache[extension] = tuple(
                    sorted(p for p in self.folder.iterdir() if p.name.endswith(extension) and p.is_file())
                )
            except OSError:
                self.file_cache[extension] = ()
        return self.file_cache[extension]

    def check_unlisted(self, claimed: set[str], listed: dict[str, set[str]],
                        languages: tuple[str, ...]) -> None:
        """Warn about lesson and quiz files the course does not list (or lists in another language)."""
        try:
            entries = sorted(self.folder.iterdir())
        except OSError as err:
            self.add(self.display, 0, "error", f"cannot list the course folder: {err.strerror or err}")
            return
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name in claimed or not name.endswith((".md", ".gift")):
                continue
            if not entry.is_file():
                continue
            extension = ".md" if name.endswith(".md") else ".gift"
            kind = "lesson" if extension == ".md" else "quiz"
            stem, lang = split_variant(name, extension)
            if name[: -len(extension)].lower() in IGNORED_FILE_STEMS:
                continue
            shown = self.shown(name)
            if stem in listed[kind] and lang is not None:
                if lang == languages[0] and f"{stem}{extension}" in claimed:
                    self.add(shown, 0, "warning", f"this file is ignored: {stem}{extension} is the "
                             f"'{lang}' version")
                elif lang not in languages:
                    self.add(shown, 0, "warning", f"language '{lang}' is not one of the course languages "
                             f"({', '.join(languages)}), so this file is never shown")
            elif stem not in listed[kind]:
                self.add(shown, 0, "warning", f"this {kind} is not listed in {COURSE_FILE}, "
                         "so learners never see it")

    def check_media(self, media_uses: Iterable[MediaUse]) -> tuple[str, ...]:
        """Check every media file used exists inside the course; record it for the revision."""
        found: dict[str, bool] = {}
        for use in media_uses:
            if use.media not in found:
                found[use.media] = self.media_problem(use.media) is None
                if found[use.media]:
                    self.hash_media(use.media)
            if not found[use.media]:
                self.add(use.path, use.line, "error", self.media_problem(use.media) or "")
        return tuple(sorted(media for media, ok in found.items() if ok))

    def media_problem(self, media: str) -> str | None:
        if media not in self.media_cache:
            problem = None
            if not self.exists_exactly(media):
                problem = f"media file '{media}' not found"
            elif not self.inside(self.folder / media):
                problem = f"media file '{media}' is a link to a place outside the course folder"
            self.media_cache[media] = problem
        return self.media_cache[media]

    def exists_exactly(self, media: str) -> bool:
        """Whether the file exists with exactly this name (case included, whatever the file system)."""
        current = self.folder
        for part in media.split("/"):
            try:
                if part not in os.listdir(current):
                    return False
            except OSError:
                return False
            current = current / part
        return current.is_file()

    def hash_media(self, media: str) -> None:
        try:
            with (self.folder / media).open("rb") as handle:
                self.used[media] = hashlib.file_digest(handle, "sha256").digest()
        except OSError as err:
            self.add(self.display, 0, "error", f"cannot read media file '{media}': {err.strerror or err}")

    def revision(self) -> str:
        """The course revision: a digest of the path and bytes of every file read or used, and of the
        version of the rules that read them (READING), so that a course read differently is a new revision."""
        digest = hashlib.sha256(b"learnhub course revision 1\0" + READING.encode() + b"\0")
        for relative in sorted(self.used):
            digest.update(relative.encode("utf-8", "surrogateescape") + b"\0" + self.used[relative])
        return digest.hexdigest()
