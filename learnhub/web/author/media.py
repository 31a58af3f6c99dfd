"""Media of a course being authored (issue 16, decision 0078): the list with where lessons use each file and
their alt text, upload, replace, delete and restore. Rules in services.workspace_media; the routes are on the
authoring blueprint, with its access rule. Owners, co-authors and admins change media; reviewers read."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from learnhub.extensions import db
from learnhub.security import audit_request
from learnhub.services import workspace_media, workspace_members, workspaces
from learnhub.services.media_types import MediaRefused
from learnhub.web.author.views import _workspace, authors_only, bp, page, reopen
from learnhub.web.catalog.views import INLINE_MEDIA_TYPES
from learnhub.web.downloads import attachment
from learnhub.web.forms import BaseForm


class MediaUploadForm(BaseForm):
    file = FileField(_l("Image or PDF"), validators=[FileRequired(_l("Choose a file to upload."))],
                     description=_l("PNG, JPEG, GIF, WebP, SVG or PDF, at most 2 MB; all media of a course at "
                                    "most 6 MB. SVG files are cleaned, or refused when they hold scripts or "
                                    "external references."))
    folder = StringField(_l("Subfolder (optional)"), validators=[Length(max=40)],
                         description=_l("e.g. diagrams: the file goes to media/diagrams/."))
    submit = SubmitField(_l("Upload"))


class MediaReplaceForm(BaseForm):
    path = HiddenField(validators=[DataRequired()])
    file = FileField(_l("New version"), validators=[FileRequired(_l("Choose a file to upload."))])
    submit = SubmitField(_l("Replace"))


class MediaPathForm(BaseForm):
    path = HiddenField(validators=[DataRequired()])
    version = IntegerField(validators=[Optional(), NumberRange(min=1)])  # restore: this version, else the last
    submit = SubmitField(_l("Delete"))


def _media_page(found, *, upload_form=None, refusals=(), status=200):
    draft = workspaces.newest(found)
    return page(render_template(
        "author/media.html", workspace=found, media=workspace_media.listing(found, draft),
        deleted=workspace_media.deleted(found), can_edit=workspace_members.rights(current_user, found).edit,
        upload_form=upload_form or MediaUploadForm(prefix="upload", formdata=None),
        replace_form=MediaReplaceForm(prefix="replace", formdata=None),
        path_form=MediaPathForm(prefix="path", formdata=None), refusals=refusals,
        used=workspace_media.megabytes(sum(v.size for p, v in draft.items() if p.startswith("media/"))),
        limit=workspace_media.megabytes(workspace_media.MAX_TOTAL_BYTES)), status)


@bp.get("/<id:workspace_id>/media")
@authors_only
def media(workspace_id: int):
    return _media_page(_workspace(workspace_id))


def _editable(workspace_id: int):
    found = _workspace(workspace_id)
    if not workspace_members.rights(current_user, found).edit:
        abort(403)  # reviewers read media, they do not change them
    return found


def _saved(found, path: str, action: str, version, message: str):
    reopen(found, path)
    audit_request(f"workspace.media_{action}", workspace_id=found.id, course_id=found.course_id, path=path,
                  version=version.id)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("author.media", workspace_id=found.id), 303)


@bp.post("/<id:workspace_id>/media")
@authors_only
def upload_media(workspace_id: int):
    found = _editable(workspace_id)
    form = MediaUploadForm(prefix="upload")
    if not form.validate_on_submit():
        return _media_page(found, upload_form=form, status=400)
    try:
        path = workspace_media.target_path(form.file.data.filename or "", form.folder.data or "")
        version = workspace_media.upload(found, path, form.file.data.read(), current_user)
    except MediaRefused as refused:
        db.session.rollback()
        return _media_page(found, upload_form=form, refusals=refused.messages, status=400)
    return _saved(found, path, "uploaded", version, _("%(file)s uploaded.", file=path))


@bp.post("/<id:workspace_id>/media/replace")
@authors_only
def replace_media(workspace_id: int):
    found = _editable(workspace_id)
    form = MediaReplaceForm(prefix="replace")
    if not form.validate_on_submit():
        return _media_page(found, refusals=[error for errors in form.errors.values() for error in errors],
                           status=400)
    path = form.path.data
    try:
        version = workspace_media.replace(found, path, form.file.data.read(), current_user)
    except LookupError:
        abort(404)
    except MediaRefused as refused:
        db.session.rollback()
        return _media_page(found, refusals=refused.messages, status=400)
    if version is None:
        flash(_("No changes to save."), "success")
        return redirect(url_for("author.media", workspace_id=found.id), 303)
    return _saved(found, path, "replaced", version, _("%(file)s replaced by a new version.", file=path))


@bp.post("/<id:workspace_id>/media/delete")
@authors_only
def delete_media(workspace_id: int):
    found = _editable(workspace_id)
    form = MediaPathForm(prefix="path")
    if not form.validate_on_submit():
        abort(400)
    try:
        version = workspace_media.delete(found, form.path.data, current_user)
    except LookupError:
        abort(404)
    return _saved(found, form.path.data, "deleted", version,
                  _("%(file)s deleted; it stays in the history and can be restored below.", file=form.path.data))


@bp.post("/<id:workspace_id>/media/restore")
@authors_only
def restore_media(workspace_id: int):
    found = _editable(workspace_id)
    form = MediaPathForm(prefix="path")
    if not form.validate_on_submit():
        abort(400)
    try:
        version = workspace_media.restore(found, form.path.data, current_user, form.version.data)
    except LookupError:
        abort(404)
    return _saved(found, form.path.data, "restored", version, _("%(file)s restored.", file=form.path.data))


@bp.get("/<id:workspace_id>/media/file/<path:path>")
@authors_only
def media_file(workspace_id: int, path: str):
    """The draft's bytes of a media file, for the workspace's members only: never cached, inline only for the
    types the catalogue shows inline, sandboxed like published media (decision 0041)."""
    found = _workspace(workspace_id)
    wanted = request.args.get("version", type=int)
    if not path.startswith("media/"):
        abort(404)
    version = workspaces.version(found, path, wanted) if wanted else workspaces.current(found, path)
    if version is None or version.is_deletion:
        abort(404)
    name = path.rsplit("/", 1)[-1]
    mimetype = INLINE_MEDIA_TYPES.get(name[name.rfind("."):].lower()) if "." in name else None
    if mimetype is None:
        response = attachment(version.content, "application/octet-stream", name)
    else:
        response = page(version.content)
        response.mimetype = mimetype
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/<id:workspace_id>/media/history/<path:path>")
@authors_only
def media_history(workspace_id: int, path: str):
    """Every version of a media file, deletions included, newest first; each can be opened or restored."""
    found = _workspace(workspace_id)
    versions = workspaces.history(found, path) if path.startswith("media/") else []
    if not versions:
        abort(404)
    return page(render_template("author/media_history.html", workspace=found, path=path, versions=versions,
                                 path_form=MediaPathForm(prefix="path", formdata=None),
                                 can_edit=workspace_members.rights(current_user, found).edit))
