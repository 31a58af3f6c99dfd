"""Organisations as records: the ones people typed wait here to be listed as they are or merged into a listed
one (decision 0058)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from learnhub.extensions import db
from learnhub.models import Organisation
from learnhub.security import client_ip, no_store, role_required
from learnhub.services import organisations
from learnhub.services.organisations import OrganisationError
from learnhub.web.admin.forms import ActionForm

bp = Blueprint("admin_organisations", __name__, url_prefix="/admin/organisations")
admins_only = role_required("admin")
ERRORS = {
    "not-listed": _l("Choose a listed organisation to merge into."),
    "same": _l("An organisation cannot be merged into itself."),
    "other-country": _l("Choose an organisation of the same country."),
}


@bp.get("/")
@admins_only
def index():
    waiting, listed = organisations.overview(False), organisations.overview(True)
    by_country: dict[str, list[Organisation]] = {}
    for entry in listed:
        by_country.setdefault(entry.record.country, []).append(entry.record)
    return no_store(current_app.make_response(render_template(
        "admin/organisations.html", waiting=waiting, listed=listed, by_country=by_country, form=ActionForm())))


def _record(organisation_id: int) -> Organisation:
    return db.session.get(Organisation, organisation_id) or abort(404)


@bp.post("/<id:organisation_id>/list")
@admins_only
def list_as_is(organisation_id: int):
    record = _record(organisation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    organisations.list_as_is(current_user, record, client_ip())
    db.session.commit()
    flash(_("%(name)s is listed: people are offered it from now on.", name=record.name), "success")
    return redirect(url_for("admin_organisations.index"), 303)


@bp.post("/<id:organisation_id>/merge")
@admins_only
def merge(organisation_id: int):
    record = _record(organisation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    target = db.session.get(Organisation, request.form.get("into", type=int) or 0)
    if target is None:
        flash(str(ERRORS["not-listed"]), "error")
        return redirect(url_for("admin_organisations.index"), 303)
    name = record.name
    try:
        moved = organisations.merge(current_user, record, target, client_ip())
    except OrganisationError as error:
        flash(str(ERRORS[error.code]), "error")
        return redirect(url_for("admin_organisations.index"), 303)
    db.session.commit()
    flash(ngettext("%(name)s is merged into %(target)s (%(num)d person moved).",
                   "%(name)s is merged into %(target)s (%(num)d people moved).", moved, name=name, target=target.name),
          "success")
    return redirect(url_for("admin_organisations.index"), 303)
