"""The file editor's form (issue 16, decision 0079): a lesson as front matter fields above its Markdown body, or
any file as plain text, read back into the file's text; and the editor page, with an optional preview below.
Shared by the editor's save (views.edit) and its preview and try-it (preview.py). Rules in
services.lesson_fields and services.authoring_preview."""

from __future__ import annotations

from dataclasses import replace

from flask import render_template, request
from flask_babel import LazyString

from learnhub.services import authoring_preview, lesson_fields, workspaces
from learnhub.web.author.forms import EditForm, LessonEditForm

FIELDS_MODE = "fields"


def plain_asked() -> bool:
    return request.args.get("plain") == "1" or request.form.get("mode") == "plain"


def form_for(path: str, text: str, *, plain: bool) -> tuple[EditForm, LazyString | None]:
    """The form showing `text`: fields for a lesson whose front matter they can stand for (unless `plain`),
    else the plain text area with, for a lesson, why the fields are not shown."""
    if authoring_preview.kind_of(path) != "lesson" or plain:
        return _plain(text), None
    try:
        fields = lesson_fields.split(text)
    except lesson_fields.NoFields as refused:
        return _plain(text), refused.message
    form = LessonEditForm(formdata=None)
    form.title.data, form.minutes.data, form.head.data, form.text.data = (
        fields.title, fields.minutes, fields.head, fields.body)
    return form, None


def _plain(text: str) -> EditForm:
    form = EditForm(formdata=None)
    form.text.data = text
    return form


def read_submitted(path: str) -> tuple[EditForm, str | None]:
    """The posted editor form and the file's text it stands for; the text is None when the form has errors
    (shown on its fields; what was typed stays in them)."""
    if request.form.get("mode") != FIELDS_MODE or authoring_preview.kind_of(path) != "lesson":
        form = EditForm()
        return form, (form.text.data or "").replace("\r\n", "\n") if form.validate_on_submit() else None
    form = LessonEditForm()
    valid = form.validate_on_submit()
    problem = lesson_fields.check_minutes(form.minutes.data or "")
    if problem is not None:
        form.minutes.errors = [*form.minutes.errors, problem]
        valid = False
    try:
        fields = lesson_fields.split((form.head.data or "").replace("\r\n", "\n"))
    except lesson_fields.NoFields as refused:
        form.text.errors = [*form.text.errors, refused.message]
        valid = False
    if not valid:
        return form, None
    body = (form.text.data or "").replace("\r\n", "\n")
    fields = replace(fields, body=body)
    return form, lesson_fields.join(fields, form.title.data or "", form.minutes.data or "")


def page_html(found, path: str, form: EditForm, *, can_edit: bool, checks, text: str | None = None,
              preview: authoring_preview.FilePreview | None = None, fields_problem: LazyString | None = None,
              tried: authoring_preview.TryResult | None = None, try_form=None, saved=None) -> str:
    """The editor page. Without a preview its problems are the saved file's (the CLI's validator on the draft);
    with one, those of the text previewed, numbered against that text. `saved`: the file's newest version, when the
    caller has it already."""
    if preview is not None:
        problems = preview.problems
        lines = (text or "").splitlines()
    else:
        problems = [p for p in workspaces.validate(found, checks) if p.path == path]
        saved = saved or workspaces.current(found, path)
        lines = saved.content.decode("utf-8", "replace").splitlines() if saved is not None else []
    others: tuple[str, ...] = ()
    if isinstance(form, LessonEditForm):
        if not can_edit:
            form.title.render_kw = form.minutes.render_kw = {"readonly": True}
        try:
            others = lesson_fields.split(form.head.data or "").others
        except lesson_fields.NoFields:
            others = ()
    return render_template("author/edit.html", others=others, workspace=found, path=path, form=form, problems=problems,
                           lines=lines, can_edit=can_edit, fields_mode=isinstance(form, LessonEditForm),
                           previewable=authoring_preview.kind_of(path) is not None, fields_problem=fields_problem,
                           preview=preview, tried=tried, try_form=try_form,
                           is_lesson=authoring_preview.kind_of(path) == "lesson")
