"""Recertification campaigns for trainers and admins: start one, list them, follow one, close or cancel it
(issue 19, decision 0071). The rules are in services/campaigns.py."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from learnhub.extensions import db
from learnhub.i18n import current_language
from learnhub.models import Course, Organisation
from learnhub.security import client_ip, no_store, role_required
from learnhub.services import campaigns, cohorts, trainer_scope
from learnhub.services.campaigns import CampaignError, Filter
from learnhub.web import paging
from learnhub.web.trainer.forms import CampaignForm, EndCampaignForm

bp = Blueprint("campaigns", __name__, url_prefix="/trainer/campaigns")
trainer_only = role_required("trainer", "admin")

ERRORS = {
    "due-in-past": _l("Choose a due date from today on."),
    "no-certificate": _l("This course gives no certificate: choose one that does."),
    "cohorts-and-filter": _l("Choose cohorts or a country, sector or organisation, not both."),
    "no-population": _l("Choose at least one cohort."),
    "no-population-admin": _l("Choose at least one cohort, or a country, sector or organisation."),
    "organisation-needs-country": _l("Choose the organisation's country."),
    "unknown-organisation": _l("No organisation of this name is known in this country."),
    "unknown-cohort": _l("Choose among your cohorts."),
}


def _page(template: str, status: int = 200, **context):
    return no_store(current_app.make_response((render_template(template, **context), status)))


@bp.get("/")
@trainer_only
def index():
    return _page("trainer/campaigns.html", campaigns=campaigns.listed(current_user), language=current_language())


def _form() -> CampaignForm:
    form = CampaignForm()
    form.fill_choices(campaigns.campaign_courses(), ((c.id, c.name) for c in cohorts.visible_cohorts(current_user)),
                      current_language(), trainer_scope.sees_everything(current_user))
    return form


@bp.route("/new", methods=["GET", "POST"])
@trainer_only
def start():
    """The form to start a campaign; a refused one comes back with every field as typed and the error at its
    field."""
    form = _form()
    admin = trainer_scope.sees_everything(current_user)
    valid = form.validate_on_submit()
    if form.is_submitted() and not admin and not form.cohorts.data and not form.cohorts.errors:
        form.cohorts.errors.append(str(ERRORS["no-population"]))  # said with the other fields' errors
        valid = False
    if valid:
        course = db.session.get(Course, form.course.data) or abort(400)
        where = Filter(form.country.data or "", form.sector.data or "",
                       (form.organisation.data or "").strip()) if admin else None
        try:
            campaign = campaigns.start(current_user, course, form.due_on.data, title=form.title.data or "",
                                       cohort_ids=form.cohorts.data or [], where=where, ip=client_ip())
        except CampaignError as error:
            code = "no-population-admin" if admin and error.code == "no-population" else error.code
            form[error.field].errors.append(str(ERRORS[code]))
        else:
            db.session.commit()
            flash(_("The campaign is started: its learners see it first on their dashboard."), "success")
            return redirect(url_for("campaigns.campaign", campaign_id=campaign.id), 303)
    return _page("trainer/campaign_new.html", 400 if form.errors else 200, form=form, admin=admin)


def _campaign(campaign_id: int):
    return campaigns.campaign_for(current_user, campaign_id) or abort(404)


@bp.get("/<id:campaign_id>")
@trainer_only
def campaign(campaign_id: int):
    """A campaign's figures, its completion week by week, and its people, a page at a time."""
    found = _campaign(campaign_id)
    summary = campaigns.summary(found, current_user)
    page = paging.requested_page()
    rows, pages = campaigns.people(found, current_user, page)
    page = min(page, pages)
    organisation = db.session.get(Organisation, found.organisation_id) if found.organisation_id else None
    return _page("trainer/campaign.html", campaign=found, summary=summary, rows=rows, page=page, pages=pages,
                 page_links=paging.page_links(page, pages), cohort_names=campaigns.cohort_names(found, current_user),
                 organisation=organisation, form=EndCampaignForm() if campaigns.may_end(current_user, found) else None,
                 language=current_language(),
                 number=format_decimal)


@bp.post("/<id:campaign_id>/<any(close, cancel):action>")
@trainer_only
def end(campaign_id: int, action: str):
    found = _campaign(campaign_id)
    if not campaigns.may_end(current_user, found):
        abort(403)
    if not EndCampaignForm().validate_on_submit():
        abort(400)
    state = "closed" if action == "close" else "cancelled"
    if campaigns.end(current_user, found, state, ip=client_ip()):
        db.session.commit()
        flash(_("The campaign is closed.") if state == "closed" else _("The campaign is cancelled."), "success")
    else:
        flash(_("This campaign had already ended."), "info")
    return redirect(url_for("campaigns.campaign", campaign_id=found.id), 303)
