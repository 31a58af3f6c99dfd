"""Your downloads: exports too big to build while the person waits, prepared on the queue (decision 0034).

`deliver` is how every export view answers: the file at once when it is small, else a queued file and a
message pointing here.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from learnhub.database import writes_on_get
from learnhub.extensions import db
from learnhub.i18n import current_language
from learnhub.jobs import tasks
from learnhub.models import ExportFile
from learnhub.security import audit_request, no_store
from learnhub.services import export_files
from learnhub.web import downloads

bp = Blueprint("exports", __name__, url_prefix="/downloads")


def deliver(kind: str, **parameters):
    """Answer an export request (an audited GET): the file itself up to LEARNHUB_EXPORT_INLINE_LIMIT rows,
    else queue it and send the person to Your downloads; 404 when they may not have it."""
    result = export_files.export(current_user, kind, {**parameters, "language": current_language()},
                                 current_app.config["EXPORT_INLINE_LIMIT"])
    if result is None:
        abort(404)
    if isinstance(result, ExportFile):
        db.session.commit()
        tasks.prepare_export(result.id)
        flash(_("Your export is being prepared; it will be on Your downloads."), "info")
        return redirect(url_for("exports.index"), 303)
    audit_request(result.audit_event, **result.audit_detail)
    db.session.commit()
    return downloads.attachment(result.data, result.mimetype, result.filename)


@bp.get("")
@login_required
def index():
    return no_store(current_app.make_response(render_template(
        "exports/index.html", files=export_files.files_of(current_user))))


@bp.get("/<id:export_id>")
@writes_on_get
@login_required
def fetch(export_id: int):
    """The prepared file, with the headers of an immediate download and its audit event; 410 once expired."""
    row = export_files.file_for(current_user, export_id)
    if row is None:
        abort(404)
    if export_files.is_expired(row):
        abort(410)
    if row.status != "ready":
        abort(404)
    event, detail = export_files.audit_of(row)
    audit_request(event, **detail)
    db.session.commit()
    return downloads.attachment(row.content, row.mimetype, row.filename)
