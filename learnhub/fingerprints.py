"""Content-addressed file names, so a browser or proxy may keep a file for a year (decision 0041).

`learnhub.css` whose bytes digest to `3f9a1c2b4d5e...` is served as `learnhub.3f9a1c2b4d5e.css`: the
digest goes before the last suffix of the last path segment (`LICENSE` -> `LICENSE.3f9a1c2b4d5e`). A name
is immutable only while the file's bytes still digest to the digest in it; who serves files checks that
with `current_digest` and answers anything else (an unhashed name, a digest of older bytes) without the
immutable header. Plain Python: the static files (web/static_files.py), course media (services/catalogue,
services/course_sync) and the `learnhub static collect` command share it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

DIGEST_LENGTH = 12
"""Hex digits of sha256 kept in a name: 48 bits, so older bytes never pass for the current ones by chance."""

FOREVER = "public, max-age=31536000, immutable"
"""Cache-Control for a name that carries the file's current digest."""



@dataclass(frozen=True)
class Found:
    """The file a requested name stands for."""

    path: Path
    current: bool
    """The name carries the file's current digest: the answer may be kept for good (FOREVER)."""


_DIGEST = re.compile(rf"[0-9a-f]{{{DIGEST_LENGTH}}}")

# (path, inode, size, modification time in ns) -> digest: a file is read again only once it changed.
_digests: dict[tuple[str, int, int, int], str] = {}
_MAX_REMEMBERED = 4096


def file_digest(path: Path) -> str:
    """The first DIGEST_LENGTH hex digits of the sha256 of the file's bytes, read now."""
    with Path(path).open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()[:DIGEST_LENGTH]


def current_digest(path: Path) -> str:
    """`file_digest`, remembered per process for as long as the file's inode, size and modification time
    stay the same, so serving a file costs a `stat`, not a read of its bytes."""
    status = Path(path).stat()
    key = (str(path), status.st_ino, status.st_size, status.st_mtime_ns)
    digest = _digests.get(key)
    if digest is None:
        digest = file_digest(path)
        if len(_digests) >= _MAX_REMEMBERED:
            _digests.clear()
        _digests[key] = digest
    return digest


def hashed_name(name: str, digest: str) -> str:
    """`css/site.css` -> `css/site.<digest>.css`; the digest goes before the last suffix of the last segment."""
    folder, slash, last = name.rpartition("/")
    stem, dot, suffix = last.rpartition(".")
    last = f"{stem}.{digest}.{suffix}" if dot and stem else f"{last}.{digest}"
    return f"{folder}{slash}{last}"


def split_hashed_name(name: str) -> tuple[str, str] | None:
    """(`css/site.css`, digest) for `css/site.<digest>.css`; None when the name carries no digest.

    Whether the file really is called that way is for the caller: it looks for the name as given first."""
    folder, slash, last = name.rpartition("/")
    parts = last.split(".")
    if len(parts) >= 3 and parts[0] and _DIGEST.fullmatch(parts[-2]):
        return f"{folder}{slash}{'.'.join(parts[:-2] + parts[-1:])}", parts[-2]
    if len(parts) == 2 and parts[0] and _DIGEST.fullmatch(parts[1]):
        return f"{folder}{slash}{parts[0]}", parts[1]
    return None
