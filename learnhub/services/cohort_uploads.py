"""A trainer's CSV with bad rows, kept on disk until the trainer confirms importing its good rows.

The file holds people's names and e-mail addresses, so it waits MAX_AGE_SECONDS at most: older uploads
are deleted whenever another one is staged, and the confirmation deletes its own. It is stored under a
generated name, never the uploaded one, prefixed by the cohort's id: the name the trainer's page sends
back must match NAME before it becomes part of a path, and a confirmation in one cohort cannot read an
upload staged for another.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import current_app

MAX_AGE_SECONDS = 86_400
NAME = re.compile(r"[A-Za-z0-9_-]{20,64}\Z")  # what stage() generates; with match(), the whole name


def folder() -> Path:
    """The staging folder, `uploads/` in the instance folder; created on first use."""
    path = Path(current_app.config["INSTANCE_DIR"]) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stage(folder: Path, cohort_id: int, data: bytes, *, now: float | None = None) -> str:
    """Keep `data` for the cohort and answer the name the confirmation must send back; first deletes
    every upload older than MAX_AGE_SECONDS (by `now`, seconds since the epoch)."""
    now = time.time() if now is None else now
    for old in folder.glob("*.csv"):
        if old.stat().st_mtime < now - MAX_AGE_SECONDS:
            old.unlink(missing_ok=True)
    name = secrets.token_urlsafe(24)
    _path(folder, cohort_id, name).write_bytes(data)
    return name


def staged(folder: Path, cohort_id: int, name: str) -> bytes | None:
    """The upload staged for the cohort under `name`; None once it has expired or been imported."""
    path = _path(folder, cohort_id, name)
    return path.read_bytes() if path.is_file() else None


def discard(folder: Path, cohort_id: int, name: str) -> None:
    """Delete the upload (imported, or no longer wanted); nothing happens when it is already gone."""
    _path(folder, cohort_id, name).unlink(missing_ok=True)


def _path(folder: Path, cohort_id: int, name: str) -> Path:
    if not NAME.match(name):
        raise ValueError(f"not a staged upload's name: {name!r}")
    return folder / f"{int(cohort_id)}-{name}.csv"
