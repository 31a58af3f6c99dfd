"""The files under learnhub/static/, served under fingerprinted names (decision 0041).

The digest of every file is computed once, when the application is built (once per process), into a
`StaticFiles` manifest. Templates link to a file only through `static_url("learnhub.css")`, which gives
`/static/learnhub.<digest>.css`; that name is answered `Cache-Control: public, max-age=31536000, immutable`.
The plain name, or a name with another digest (a page rendered by an older or newer release, a copy of a
page kept somewhere), still gets the file as it is now, answered `no-cache` so nobody keeps it: never a
redirect, which between instances of two releases could bounce a browser back and forth.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from flask import Flask, abort, current_app, send_file, url_for
from flask.globals import request_ctx

from learnhub import fingerprints

STATIC_FOLDER = Path(__file__).resolve().parent.parent / "static"


class StaticFiles:
    """The digests of every file under a folder (hidden ones left out), read once when built."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder).resolve()
        self.hashed: dict[str, str] = {}  # "learnhub.css" -> "learnhub.<digest>.css"
        if self.folder.is_dir():
            for path in sorted(self.folder.rglob("*")):
                relative = path.relative_to(self.folder).as_posix()
                if path.is_file() and not any(part.startswith(".") for part in relative.split("/")):
                    self.hashed[relative] = fingerprints.hashed_name(relative, fingerprints.file_digest(path))
        self.names = {hashed: name for name, hashed in self.hashed.items()}

    def hashed_name(self, name: str) -> str:
        """The fingerprinted name of `name`; a name that is not a static file is a mistake in a template."""
        try:
            return self.hashed[name]
        except KeyError:
            raise LookupError(f"{name!r} is not a file under {self.folder}; static_url() names one of: "
                              f"{', '.join(sorted(self.hashed))}") from None

    def find(self, requested: str) -> fingerprints.Found | None:
        """The file a requested name stands for, and whether the name is its current fingerprinted one."""
        if requested in self.names:
            return fingerprints.Found(self.folder / self.names[requested], current=True)
        if requested in self.hashed:
            return fingerprints.Found(self.folder / requested, current=False)
        split = fingerprints.split_hashed_name(requested)
        if split is not None and split[0] in self.hashed:
            return fingerprints.Found(self.folder / split[0], current=False)
        return None


def collect(manifest: StaticFiles, target: Path) -> list[str]:
    """Copy every static file to `target` under its fingerprinted name, for a web server to serve from disk
    (deploy/nginx.conf.template); the names written, files already there left as they are. Nothing is ever
    removed: a page from an older release still finds its files. Each file appears whole (a rename)."""
    written = []
    for name, hashed in manifest.hashed.items():
        destination = target / hashed
        if destination.is_file():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(f".{destination.name}.partial")
        shutil.copyfile(manifest.folder / name, partial)
        partial.replace(destination)
        written.append(hashed)
    return written


def without_session() -> None:
    """Answer this request without saving the session: for answers that are the same for everyone (see `send`)."""
    request_ctx._session = current_app.session_interface.make_null_session(current_app)


def send(path: Path, *, current: bool, **options):
    """`send_file` with the cache rule of fingerprinted names: a year, immutable, for a name with the current
    digest; otherwise `no-cache` (keep it only to revalidate it, with its ETag).

    The answer is the same for everyone, so it never saves the session: the request's session is swapped for
    Flask's null session (which Flask does not save), and whatever later hooks look up in it (Flask-Login's
    remember-cookie check reads it on every answer), the answer carries no `Set-Cookie` and no `Vary: Cookie`,
    which would make a shared cache keep one copy per visitor. `_session` is where Flask 3.1 keeps it
    (tests/integration/test_static_files.py fails if that changes)."""
    without_session()
    response = send_file(path, conditional=True, etag=True, max_age=31_536_000 if current else None, **options)
    if current:
        response.headers["Cache-Control"] = fingerprints.FOREVER
    return response


def send_bytes(content: bytes, *, etag: str, current: bool, **options):
    """`send` for bytes read from the database (course media published from a workspace, decision 0074):
    the same cache rule, the same null session; `etag` is the content's digest."""
    request_ctx._session = current_app.session_interface.make_null_session(current_app)
    response = send_file(io.BytesIO(content), conditional=True, etag=etag, max_age=31_536_000 if current else None,
                         **options)
    if current:
        response.headers["Cache-Control"] = fingerprints.FOREVER
    return response


def static_url(name: str) -> str:
    """The URL of learnhub/static/`name` under its fingerprinted name; every template links static files so."""
    return url_for("static", filename=current_app.extensions["learnhub_static"].hashed_name(name))


def serve(filename: str):
    found = current_app.extensions["learnhub_static"].find(filename) or abort(404)
    return send(found.path, current=found.current)


def init_app(app: Flask) -> None:
    """Read the static files' digests now, serve /static/ by them, and give templates `static_url`.

    The app is built with `static_folder=None`, so this route, under Flask's own endpoint name "static", is
    the only one; `url_for("static", filename=...)` still builds its URLs (for `static_url`)."""
    app.extensions["learnhub_static"] = StaticFiles(STATIC_FOLDER)
    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=serve)
    app.jinja_env.globals["static_url"] = static_url
