"""Translations of a course being authored (issue 16, decision 0077): the table of items by language, and the
side-by-side editor (the source on the left, the translation on the right). Rules in
services.workspace_translations; the routes are on the authoring blueprint, with its access rule."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learnhub.extensions import db
from learnhub.i18n import LANGUAGE_NAMES
from learnhub.services import workspace_members, workspace_translations, workspaces
from learnhub.web.author.forms import TranslationForm
from learnhub.web.author.views import _workspace, authors_only, bp, checks, page, reopen


@bp.get("/<id:workspace_id>/translations")
@authors_only
def translations(workspace_id: int):
    found = _workspace(workspace_id)
    return page(render_template("author/translations.html", workspace=found,
                                 table=workspace_translations.table(found)))


@bp.route("/<id:workspace_id>/translations/<item_key>/<language>", methods=["GET", "POST"])
@authors_only
def translate(workspace_id: int, item_key: str, language: str):
    """The source beside its translation into `language`; saving adds a version (or the file, when missing)
    and shows the file's problems by line, as the editor does."""
    found = _workspace(workspace_id)
    if request.method == "POST" and not workspace_members.rights(current_user, found).edit:
        abort(403)  # reviewers read translations, they do not change them
    table = workspace_translations.table(found)
    cell = table.cell(item_key, language) if language in LANGUAGE_NAMES else None
    if cell is None or cell.state in ("source", "not-listed"):
        abort(404)
    source_cell = table.cell(item_key, table.default)
    source = workspaces.current(found, source_cell.path)
    if source is None:
        abort(404)
    existing = workspaces.current(found, cell.path)
    form = TranslationForm()
    form.text.render_kw = {"lang": cell.language}  # what is typed here is in the target language
    status = 200
    if request.method == "GET":  # a new translation starts from the source: its structure and question ids
        form.text.data = (existing or source).content.decode("utf-8", "replace")
    elif form.validate_on_submit():
        try:
            saved = workspace_translations.save(found, cell, form.text.data or "", current_user)
            if saved:
                reopen(found, cell.path)
            db.session.commit()
            flash(_("Saved as a new version.") if saved else _("No changes to save."), "success")
            return redirect(url_for("author.translate", workspace_id=found.id, item_key=item_key,
                                    language=language), 303)
        except workspaces.WorkspaceRefused as refused:
            form.text.errors = list(refused.messages)
            status = 400
    else:
        status = 400
    problems = [p for p in workspaces.validate(found, checks()) if p.path == cell.path] if existing else []
    changes = workspace_translations.source_changes(found, cell, source_cell.path) if cell.state == "stale" else []
    return page(render_template(
        "author/translate.html", workspace=found, cell=cell, source_cell=source_cell, default=table.default,
        source_lines=source.content.decode("utf-8", "replace").splitlines(), form=form, problems=problems,
        lines=(existing.content.decode("utf-8", "replace").splitlines() if existing else []), changes=changes),
        status)
