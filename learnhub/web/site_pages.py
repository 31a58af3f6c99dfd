"""The privacy notice and terms of use: read by everyone (/privacy, /terms), written by admins per language
(/admin/pages)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import Length

from learnhub.extensions import db
from learnhub.i18n import LANGUAGE_NAMES, current_language
from learnhub.security import client_ip, no_store, role_required
from learnhub.services import site_pages
from learnhub.web.forms import BaseForm

bp = Blueprint("site_pages", __name__)
admin_bp = Blueprint("admin_pages", __name__, url_prefix="/admin/pages")
admins_only = role_required("admin")
TITLES = {"privacy": _l("Privacy notice"), "terms": _l("Terms of use")}


class PageForm(BaseForm):
    body = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=site_pages.MAX_LENGTH)],
                         description=_l("Headings with #, lists with -, links as [text](https://...). Leave it "
                                        "empty to remove this language's version: readers then get English."),
                         render_kw={"rows": 20})


def _show(key: str):
    shown = site_pages.page_for(key, current_language())
    return render_template("site_pages/page.html", key=key, title=TITLES[key], shown=shown)


@bp.get("/privacy")
def privacy():
    return _show("privacy")


@bp.get("/terms")
def terms():
    return _show("terms")


@admin_bp.get("/")
@admins_only
def index():
    return render_template("site_pages/admin_index.html", titles=TITLES, languages=LANGUAGE_NAMES,
                           versions=site_pages.versions())


@admin_bp.route("/<any(privacy, terms):key>/<any(en, es, pt, fr):language>", methods=["GET", "POST"])
@admins_only
def edit(key: str, language: str):
    form = PageForm(data={"body": site_pages.body(key, language)})
    if form.validate_on_submit():
        changed = site_pages.save(current_user, key, language, form.body.data or "", client_ip())
        db.session.commit()
        flash(_("The page is saved.") if changed else _("Nothing changed."), "success" if changed else "info")
        return redirect(url_for("admin_pages.index"), 303)
    if form.errors and form.errors.get("csrf_token"):
        abort(400)
    html = render_template("site_pages/edit.html", form=form, key=key, language=language, title=TITLES[key],
                           language_name=LANGUAGE_NAMES[language])
    return no_store(current_app.make_response((html, 400 if form.errors else 200)))
