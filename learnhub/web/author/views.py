"""Authoring in the browser (issue 16, first slice): course workspaces for trainers and admins.

Only members of a workspace and admins see it (404 otherwise, as for one that does not exist); learners
and analysts get 404 on the whole area. Rules live in services.workspaces and services.course_zip.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learnhub.content.loader import Checks
from learnhub.extensions import db
from learnhub.security import audit_request, no_store, role_required
from learnhub.services import course_zip, workspace_members, workspace_publishing, workspaces
from learnhub.web.author import editor
from learnhub.web.author.forms import (
    CopyForm,
    MemberForm,
    RemoveMemberForm,
    RestoreForm,
    TemplateForm,
    UploadForm,
)
from learnhub.web.downloads import attachment

bp = Blueprint("author", __name__, url_prefix="/author")
authors_only = role_required("trainer", "admin")


def page(html: str, status: int = 200):
    """An authoring page: never kept by a cache (drafts, form tokens)."""
    return no_store(current_app.make_response((html, status)))


def checks() -> Checks:
    """Validation as the CLI runs it here (LEARNHUB_REVIEW_MAX_AGE_DAYS)."""
    return Checks(review_max_age_days=current_app.config["REVIEW_MAX_AGE_DAYS"])


def _workspace(workspace_id: int):
    return workspaces.workspace_for(current_user, workspace_id) or abort(404)


def _courses_dir() -> Path:
    return Path(current_app.config["COURSES_DIR"])


def _index(template_form=None, copy_form=None, upload_form=None, refusals=(), status=200):
    copy_form = copy_form or CopyForm(prefix="copy", formdata=None)
    copy_form.course_id.choices = [("", _("Choose…"))] + [(c, c) for c in workspaces.copyable(_courses_dir())]
    return page(render_template(
        "author/index.html", listed=workspaces.listed_for(current_user),
        template_form=template_form or TemplateForm(prefix="template", formdata=None), copy_form=copy_form,
        upload_form=upload_form or UploadForm(prefix="upload", formdata=None), refusals=refusals), status)


@bp.get("/")
@authors_only
def index():
    return _index()


def _created(workspace):
    audit_request("workspace.created", workspace_id=workspace.id, course_id=workspace.course_id)
    db.session.commit()
    flash(_("Workspace %(id)s created.", id=workspace.course_id), "success")
    return redirect(url_for("author.workspace", workspace_id=workspace.id), 303)


@bp.post("/new/template")
@authors_only
def new_from_template():
    form = TemplateForm(prefix="template")
    if not form.validate_on_submit():
        return _index(template_form=form, status=400)
    try:
        return _created(workspaces.create_from_template(current_user, form.course_id.data, form.title.data))
    except workspaces.WorkspaceRefused as refused:
        form.course_id.errors = list(refused.messages)
        return _index(template_form=form, status=400)


@bp.post("/new/copy")
@authors_only
def new_from_copy():
    form = CopyForm(prefix="copy")
    form.course_id.choices = [(c, c) for c in workspaces.copyable(_courses_dir())]
    if not form.validate_on_submit():
        return _index(copy_form=form, status=400)
    try:
        return _created(workspaces.create_from_course(current_user, _courses_dir(), form.course_id.data))
    except workspaces.WorkspaceRefused as refused:
        form.course_id.errors = list(refused.messages)
        return _index(copy_form=form, status=400)


@bp.post("/new/upload")
@authors_only
def new_from_upload():
    form = UploadForm(prefix="upload")
    if not form.validate_on_submit():
        return _index(upload_form=form, status=400)
    try:
        return _created(workspaces.create_from_zip(current_user, form.file.data.read()))
    except (course_zip.ZipRefused, workspaces.WorkspaceRefused) as refused:
        db.session.rollback()
        return _index(upload_form=form, refusals=refused.messages, status=400)


def workspace_page(found, *, member_form=None, status=200):
    """The workspace page: files, validation, members (with the form to add one for owners and admins)."""
    files = workspaces.newest(found)
    problems = workspaces.validate(found, checks(), {path: v.content for path, v in files.items()})
    members = workspace_members.members(found)
    history = workspace_publishing.steps(found)
    return page(render_template(
        "author/workspace.html", workspace=found, files=files, problems=problems, is_text=workspaces.is_text,
        rights=workspace_members.rights_among(current_user, members), members=members,
        member_form=member_form or MemberForm(prefix="member", formdata=None),
        remove_form=RemoveMemberForm(formdata=None), steps=history, live=workspace_publishing.live_in(history),
        folder_conflict=workspace_publishing.folder_conflict(found, _courses_dir())), status)


@bp.get("/<id:workspace_id>")
@authors_only
def workspace(workspace_id: int):
    return workspace_page(_workspace(workspace_id))


def reopen(found, path: str) -> None:
    """A save in a submitted, approved or published workspace makes it a draft again, and says so."""
    before = found.state
    if workspace_publishing.reopen_after_save(found, current_user):
        audit_request("workspace.reopened", workspace_id=found.id, course_id=found.course_id, before=before,
                      state=found.state, path=path, comment="")
        flash(_("Saving returned the workspace to draft: submit it again for review."), "success")


def _file(found, path: str):
    version = workspaces.current(found, path)
    if version is None or not workspaces.is_text(path):
        abort(404)
    return version


@bp.route("/<id:workspace_id>/files/<path:path>", methods=["GET", "POST"])
@authors_only
def edit(workspace_id: int, path: str):
    """The file in a text area (a lesson: its front matter as fields above the body); saving adds a version,
    then the file's problems are shown by line. Preview and try-it: preview.py."""
    found = _workspace(workspace_id)
    version = _file(found, path)
    rights = workspace_members.rights(current_user, found)
    if request.method == "POST" and not rights.edit:
        abort(403)
    status, fields_problem = 200, None
    if request.method == "GET":
        form, fields_problem = editor.form_for(path, version.content.decode("utf-8", "replace"),
                                               plain=editor.plain_asked())
    else:
        form, text = editor.read_submitted(path)
        status = 400
        if text is not None:
            try:
                saved = workspaces.save_text(found, path, text, current_user)
                if saved:
                    reopen(found, path)
                db.session.commit()
                flash(_("Saved as a new version.") if saved else _("No changes to save."), "success")
                return redirect(url_for("author.edit", workspace_id=found.id, path=path,
                                        plain="1" if editor.plain_asked() else None), 303)
            except workspaces.WorkspaceRefused as refused:
                form.text.errors = list(refused.messages)
    return page(editor.page_html(found, path, form, can_edit=rights.edit, checks=checks(),
                                 fields_problem=fields_problem, saved=version), status)


@bp.get("/<id:workspace_id>/history/<path:path>")
@authors_only
def history(workspace_id: int, path: str):
    """Every version of the file; with ?old=ID&new=ID, a line-numbered diff between the two."""
    found = _workspace(workspace_id)
    _file(found, path)
    versions = workspaces.history(found, path)
    by_id = {version.id: version for version, _name in versions}
    old = by_id.get(request.args.get("old", type=int) or 0)
    new = by_id.get(request.args.get("new", type=int) or 0)
    if old is None and len(versions) > 1:
        old, new = versions[1][0], versions[0][0]
    hunks = workspaces.diff(old.content, new.content) if old is not None and new is not None else None
    return page(render_template("author/history.html", workspace=found, path=path, versions=versions, old=old,
                                 new=new, hunks=hunks, restore_form=RestoreForm(formdata=None),
                                 published=workspace_publishing.published_versions(found, path)))


@bp.post("/<id:workspace_id>/history/<path:path>/restore")
@authors_only
def restore(workspace_id: int, path: str):
    found = _workspace(workspace_id)
    _file(found, path)
    if not workspace_members.rights(current_user, found).edit:
        abort(403)
    form = RestoreForm()
    old = workspaces.version(found, path, form.version.data) if form.validate_on_submit() else None
    if old is None:
        abort(404)
    restored = workspaces.restore(found, old, current_user)
    reopen(found, path)
    audit_request("workspace.file_restored", workspace_id=found.id, path=path, version=old.id,
                  new_version=restored.id)
    db.session.commit()
    flash(_("Version %(version)d restored as a new version.", version=old.id), "success")
    return redirect(url_for("author.edit", workspace_id=found.id, path=path), 303)


@bp.get("/<id:workspace_id>/download")
@authors_only
def download(workspace_id: int):
    found = _workspace(workspace_id)
    return attachment(workspaces.download(found), "application/zip", f"{found.course_id}.zip")
