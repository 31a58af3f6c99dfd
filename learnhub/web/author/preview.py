"""Preview and try-it in the file editor (issue 16, decision 0079), on the authoring blueprint with its access
rule: the text being edited shown as learners would see it, without saving; a quiz's questions answered and
graded without recording anything; and the draft's media, for the preview's pictures. Every member may preview
and try (reviewers too); only saving (views.edit) needs the right to edit. Rules in services.authoring_preview."""

from __future__ import annotations

from flask import abort, current_app, request, url_for
from flask_login import current_user

from learnhub.services import authoring_preview, workspace_members
from learnhub.web.author import editor
from learnhub.web.author.forms import EditForm, TryForm
from learnhub.web.author.views import _file, _workspace, authors_only, bp, checks, page
from learnhub.web.catalog.views import _send as send_media
from learnhub.web.static_files import send_bytes


def _previewed(found, path: str, text: str, *, key: bytes):
    base = url_for("author.workspace", workspace_id=found.id) + "/media/"
    return authoring_preview.preview(found, path, text, checks(), media_base=base, key=key)


def _key(found, path: str) -> bytes:
    return authoring_preview.try_key(current_app.config["SECRET_KEY"], found, path, current_user.id)


def _previewable(workspace_id: int, path: str):
    found = _workspace(workspace_id)
    _file(found, path)
    if authoring_preview.kind_of(path) is None:
        abort(404)
    return found


@bp.post("/<id:workspace_id>/files/<path:path>/preview")
@authors_only
def preview_file(workspace_id: int, path: str):
    """The editor again with what was typed (nothing saved), and below it the file as learners would see it
    with the typed text's problems; a quiz's questions can be answered there (try-it)."""
    found = _previewable(workspace_id, path)
    can_edit = workspace_members.rights(current_user, found).edit
    form, text = editor.read_submitted(path)
    if text is None:
        return page(editor.page_html(found, path, form, can_edit=can_edit, checks=checks()), 400)
    previewed = _previewed(found, path, text, key=_key(found, path))
    try_form = TryForm(formdata=None)
    try_form.source.data = text
    return page(editor.page_html(found, path, form, can_edit=can_edit, checks=checks(), text=text,
                                 preview=previewed, try_form=try_form))


@bp.post("/<id:workspace_id>/files/<path:path>/try")
@authors_only
def try_quiz(workspace_id: int, path: str):
    """A quiz's previewed questions answered: graded with the quiz grading code, each question's score and right
    answer shown as an attempt's review shows them. Nothing is written (no attempt, progress or activity)."""
    found = _previewable(workspace_id, path)
    if authoring_preview.kind_of(path) != "quiz":
        abort(404)
    try_form = TryForm()
    valid = try_form.validate_on_submit()
    text = (try_form.source.data or "").replace("\r\n", "\n")
    form = EditForm(formdata=None)
    form.text.data = text
    can_edit = workspace_members.rights(current_user, found).edit
    if not valid:  # a quiz text over the size limit: back in the editor, with the reason
        form.text.errors = [error for errors in try_form.errors.values() for error in errors]
        return page(editor.page_html(found, path, form, can_edit=can_edit, checks=checks()), 400)
    previewed = _previewed(found, path, text, key=_key(found, path))
    tried = authoring_preview.try_it(previewed.questions, request.form)
    return page(editor.page_html(found, path, form, can_edit=can_edit, checks=checks(), text=text,
                                 preview=previewed, tried=tried, try_form=try_form))


@bp.get("/<id:workspace_id>/media/<path:filename>")
@authors_only
def draft_media(workspace_id: int, filename: str):
    """A media file of the draft (its newest version), by its plain or fingerprinted name, for the members who
    preview it; served as the catalogue serves course media (inline only for safe types, sandboxed)."""
    found = _workspace(workspace_id)
    stored = authoring_preview.draft_media(found, filename) or abort(404)
    return send_media(stored.name, lambda **options: send_bytes(stored.content, etag=stored.sha256,
                                                                 current=stored.current, **options))
