"""course.yaml as forms (issue 16, decision 0080): "Course settings" (titles, summaries, languages, kind,
level, roles, sectors, minutes, pass mark, certificate...) and "Modules and items" (add, rename, move, remove,
each a form posted without JavaScript). Rules in services.course_settings, services.course_outline and
services.course_yaml; the routes are on the authoring blueprint, with its access rule: members and admins
read, reviewers cannot post (403), anyone else gets 404.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learnhub.content.fields import SHOW_ANSWERS
from learnhub.content.loader import KINDS, LEVELS
from learnhub.extensions import db
from learnhub.reference import ecsf_roles, sectors
from learnhub.services import course_outline, course_settings, course_yaml, workspace_members, workspaces
from learnhub.web.author.forms import TokenForm
from learnhub.web.author.views import _workspace, authors_only, bp, checks, page, reopen


def _problems(found, files=None):
    return [p for p in workspaces.validate(found, checks(), files) if p.path == course_settings.COURSE_FILE]


def _editable(found) -> bool:
    can_edit = workspace_members.rights(current_user, found).edit
    if request.method == "POST" and not can_edit:
        abort(403)  # reviewers read the settings, they do not change them
    return can_edit


def _saved(found, saved: bool) -> None:
    if saved:
        reopen(found, course_settings.COURSE_FILE)
    db.session.commit()
    flash(_("Saved as a new version of course.yaml.") if saved else _("No changes to save."), "success")


@bp.route("/<id:workspace_id>/settings", methods=["GET", "POST"])
@authors_only
def course_settings_form(workspace_id: int):
    """The form over course.yaml's simple keys; saving rewrites only the keys that changed."""
    found = _workspace(workspace_id)
    can_edit = _editable(found)
    version = course_settings.course_version(found)
    text = version.content.decode("utf-8", "replace")
    data = course_yaml.read(text)
    token = TokenForm()
    values, errors, status = course_settings.form_values(data), {}, 200
    languages = course_settings.languages_of(data)
    if request.method == "POST":
        if data is None:
            abort(400)
        values = request.form
        if not token.validate_on_submit():
            errors, status = {"csrf_token": [_("The form expired. Please submit it again.")]}, 400
        else:
            try:
                reading, saved = course_settings.save(found, request.form, current_user)
            except workspaces.WorkspaceRefused as refused:
                reading, saved = course_settings.Reading(languages, errors={"file": refused.messages}), False
            if not reading.errors:
                _saved(found, saved)
                return redirect(url_for("author.course_settings_form", workspace_id=found.id), 303)
            errors, status, languages = reading.errors, 400, reading.languages
    return page(render_template(
        "author/course_settings.html", workspace=found, readable=data is not None, values=values, errors=errors,
        languages=course_settings.text_languages(data, languages), course_languages=languages,
        fallback_languages=course_settings.fallback_languages(data), kinds=KINDS,
        levels=LEVELS, roles=ecsf_roles(), sectors=sectors(), token=token, can_edit=can_edit,
        base=values.get("base") or version.id,
        problems=_problems(found), lines=text.splitlines()), status)


def _modules_page(found, *, errors=None, status=200):
    files = workspaces.newest(found)  # one query for the page: the outline, the unlisted files, validation
    if course_settings.COURSE_FILE not in files:
        abort(404)
    current = course_outline.outline(found, files[course_settings.COURSE_FILE].content.decode("utf-8", "replace"))
    return page(render_template(
        "author/modules.html", workspace=found, outline=current, errors=errors or {}, values=request.form,
        item_id=course_outline.item_id, item_kind=course_outline.item_kind, default=current.languages[0],
        unlisted=course_outline.unlisted_files(current, list(files)), token=TokenForm(formdata=None),
        can_edit=workspace_members.rights(current_user, found).edit,
        problems=_problems(found, {path: version.content for path, version in files.items()}),
        lines=current.text.splitlines(), local=course_yaml.local, show_answers=SHOW_ANSWERS), status)


@bp.get("/<id:workspace_id>/modules")
@authors_only
def modules(workspace_id: int):
    return _modules_page(_workspace(workspace_id))


STEPS = ("add-module", "rename", "add-item", "quiz", "up", "down", "remove")


@bp.post("/<id:workspace_id>/modules/<step>")
@authors_only
def module_step(workspace_id: int, step: str):
    """One change to the modules: the form names the module (and item) by id."""
    found = _workspace(workspace_id)
    _editable(found)
    if step not in STEPS:
        abort(404)
    if not TokenForm().validate_on_submit():
        return _modules_page(found, errors={"csrf_token": [_("The form expired. Please submit it again.")]},
                             status=400)
    form = request.form
    module_id, item = form.get("module", ""), form.get("item") or None
    try:
        if step == "add-module":
            saved = course_outline.add_module(found, form.get("module_id", ""), form.get("module_title", ""),
                                              current_user)
        elif step == "rename":
            titles = {key.removeprefix("title-"): value for key, value in form.items() if key.startswith("title-")}
            saved = course_outline.rename_module(found, module_id, titles, current_user)
        elif step == "add-item":
            saved = course_outline.add_item(found, module_id, form.get("kind", ""), form.get("item_id", ""),
                                            form.get("item_title", ""), current_user)
        elif step == "quiz":
            saved = course_outline.update_quiz(found, module_id, item or "", form, current_user)
        elif step == "remove":
            if form.get("confirmed") != "yes":
                return _confirm(found, module_id, item)
            saved = course_outline.remove(found, module_id, item, current_user)
        else:
            saved = course_outline.move(found, module_id, item, -1 if step == "up" else 1, current_user)
    except course_outline.OutlineRefused as refused:
        db.session.rollback()
        return _modules_page(found, errors={refused.field: [refused.message]}, status=400)
    except (LookupError, workspaces.WorkspaceRefused):
        db.session.rollback()
        abort(404)
    _saved(found, saved)
    return redirect(url_for("author.modules", workspace_id=found.id), 303)


def _confirm(found, module_id: str, item: str | None):
    """The confirmation step of a removal: what goes, and that files stay."""
    current = course_outline.outline(found)
    modules = current.modules or []
    if not any(str(m.get("id")) == module_id for m in modules):
        abort(404)
    return page(render_template("author/modules_remove.html", workspace=found, module_id=module_id, item=item,
                                 token=TokenForm(formdata=None)))
