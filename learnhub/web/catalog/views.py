"""Browsing the catalogue and a course's page; course media files."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Blueprint, abort, current_app, request
from flask_login import current_user

from learnhub.database import reads_only
from learnhub.i18n import current_language
from learnhub.services import catalogue, item_state, learning, workspace_publishing
from learnhub.web import page_cache, static_files
from learnhub.web.catalog.forms import CatalogueFilterForm

bp = Blueprint("catalog", __name__)

# Media types served inline; anything else (SVG included: it can carry script) downloads as a file.
INLINE_MEDIA_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".pdf": "application/pdf", ".mp3": "audio/mpeg", ".mp4": "video/mp4",
    ".txt": "text/plain; charset=utf-8",
}


@bp.get("/courses")
@reads_only
def index():
    """Cached per catalogue version (any sync changes it): the page's filters are in its URL, and it shows
    nothing of the person but the navigation their role gets (page_cache)."""

    def build() -> dict:
        form = CatalogueFilterForm(request.args)
        form.fill_choices()
        return {"courses": catalogue.find_courses(form.criteria(), current_language()), "form": form,
                "language": current_language(), "filtered": any(value for value in request.args.values())}

    return page_cache.render_built("catalog/index.html", (catalogue.version(),), build)


@bp.url_value_preprocessor
def _ask_progress(endpoint: str | None, values: dict | None) -> None:
    """Before the session user is read: a course page asks for its learner's progress in the same statement
    (services/item_state), which is all it needs to be served from the page cache."""
    if endpoint == "catalog.course" and values and request.method in ("GET", "HEAD"):
        item_state.ask_course(values["course_id"])


@bp.get("/courses/<course_id>")
@reads_only
def course(course_id: str):
    if not current_user.is_authenticated:  # the same page for every visitor: keyed without loading the course
        revision, synced_at = catalogue.course_stamp(course_id) or abort(404)

        def build() -> dict:
            found = catalogue.course_or_none(course_id) or abort(404)
            syllabus = catalogue.syllabus(found)
            return {"course": found, "syllabus": syllabus, "progress": learning.course_progress(None, found, syllabus),
                    "language": current_language()}

        return page_cache.render_built("catalog/course.html", (revision, synced_at), build)
    found = catalogue.course_or_none(course_id) or abort(404)
    signature = item_state.course_signature(course_id)  # read with the session user
    if signature is not None:
        page = page_cache.cached((found.revision, found.synced_at, signature))
        if page is not None:
            return page
    syllabus = catalogue.syllabus(found)
    progress = learning.course_progress(current_user, found, syllabus)  # and the page keyed by what it read
    return page_cache.render("catalog/course.html", (found.revision, found.synced_at, progress.signature()),
                             course=found, syllabus=syllabus, progress=progress, language=current_language())


@bp.get("/courses/<course_id>/media/<path:filename>")
def media(course_id: str, filename: str):
    """A file from the course's media/ folder, never anything outside it; kept for a year under the
    fingerprinted name lessons link to, revalidated under any other (decision 0041). A course published from a
    workspace has its media in the database, the same on every instance (decision 0074); a synced course
    has them in its folder (catalogue.media_file), and a retired workspace course falls back to its last
    publication."""
    published = workspace_publishing.media_for_url(course_id, filename)
    if published is not None and published.live:
        stored = published.media or abort(404)
        return _send(stored.name, lambda **options: static_files.send_bytes(
            stored.content, etag=stored.sha256, current=stored.current, **options))
    found = catalogue.media_for_url(Path(current_app.config["COURSES_DIR"]), course_id, filename)
    if found is not None:
        return _send(found.path.name, lambda **options: static_files.send(found.path, current=found.current,
                                                                            **options))
    stored = published.media if published is not None and published.media is not None else abort(404)
    return _send(stored.name, lambda **options: static_files.send_bytes(
        stored.content, etag=stored.sha256, current=stored.current, **options))


def _send(name: str, send):
    """A media file answered inline when its type is safe to show (INLINE_MEDIA_TYPES), as a download
    otherwise; sandboxed either way."""
    mimetype = INLINE_MEDIA_TYPES.get(Path(name).suffix.lower())
    if mimetype is None:
        guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
        response = send(mimetype=guessed, as_attachment=True, download_name=name)
    else:
        response = send(mimetype=mimetype)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
