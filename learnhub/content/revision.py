"""Which folders are courses, and a cheap fingerprint of each one's files.

Sync compares the fingerprint with the stored one before parsing anything, so an unchanged
catalogue costs a few file reads, not a Markdown render of every lesson.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

READING = "reading 2: GIFT as Moodle reads it (issue 15)"
"""The version of the rules that read course files. Changing it changes every fingerprint and course revision,
so the next sync reads every course again under the new rules (without it, an unchanged folder would keep
questions read by the old ones); open quiz forms then ask the learner to start again, as for any change."""

RENDERING = 2
"""Raised whenever the same course files come to be stored differently (2: media URLs carry the file's
digest, decision 0041). Part of the folder fingerprint only, so the next sync after an upgrade reads every
course again and stores again what it now renders differently (course_sync.store); the course revision, which
quiz forms are checked against, stays the same."""


def course_folders(root: Path) -> list[Path]:
    """Course folders under `root` in name order; hidden entries and plain files (LICENSE...) are skipped."""
    return sorted((entry for entry in Path(root).iterdir() if entry.is_dir() and not entry.name.startswith(".")),
                  key=lambda entry: entry.name)


def folder_revision(folder: Path) -> str:
    """sha256 over every file's relative path and bytes (and READING and RENDERING): any byte changed, added,
    removed or renamed changes it."""
    digest = hashlib.sha256(f"{READING}\0learnhub course files, rendering {RENDERING}\0".encode())
    folder = Path(folder)
    files = sorted(path for path in folder.rglob("*")
                   if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts))
    for path in files:
        relative = path.relative_to(folder).as_posix().encode()
        data = path.read_bytes()
        digest.update(len(relative).to_bytes(4, "big") + relative + len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()
