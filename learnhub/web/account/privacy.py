"""A person's data rights on their own account: a copy of their data (JSON and a readable page) and a request
to delete the account (decision 0057)."""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from learnhub.database import writes_on_get
from learnhub.extensions import db
from learnhub.security import audit_request, no_store
from learnhub.services import passwords, personal_data
from learnhub.web import downloads
from learnhub.web.account.forms import CancelDeletionForm, DeletionRequestForm

bp = Blueprint("privacy", __name__, url_prefix="/account/data")

TABLE_LABELS = {
    "users": _l("Your profile"), "analyst_countries": _l("Countries you report on"),
    "api_tokens": _l("Your API tokens"), "audit_events": _l("Audit events by you or about you"),
    "certificates": _l("Your certificates"), "cohorts": _l("Cohorts you run"),
    "cohort_imports": _l("Your cohort imports"), "cohort_members": _l("Cohorts you were invited to"),
    "enrolments": _l("Your enrolments"), "item_progress": _l("Your progress in lessons and quizzes"),
    "attempts": _l("Your quiz attempts, with your answers"), "notices": _l("Notices to you"),
    "learner_activity": _l("Months you were active, per course"),
    "password_reset_tokens": _l("Password-reset links sent to you"), "export_files": _l("Your downloads"),
    "targets": _l("Training targets you set"), "quiz_regrades": _l("Quiz regrades you ran"),
    "site_pages": _l("Site pages you edited"),
}


def _page(form: DeletionRequestForm | None = None, status: int = 200):
    html = render_template("account/data.html", form=form or DeletionRequestForm(), cancel_form=CancelDeletionForm(),
                           delay=current_app.config["DELETION_DELAY_DAYS"])
    return no_store(current_app.make_response((html, status)))


@bp.get("")
@login_required
def index():
    return _page()


@bp.get("/learnhub-my-data.json")
@writes_on_get
@login_required
def download():
    """Everything LearnHub holds about the person, as one JSON file."""
    data = personal_data.collect(current_user._get_current_object())
    audit_request("privacy.exported", subject_id=current_user.id, format="json")
    db.session.commit()
    return downloads.attachment(json.dumps(data, ensure_ascii=False, indent=2), "application/json",
                                "learnhub-my-data.json")


@bp.get("/summary")
@writes_on_get
@login_required
def summary():
    """The same data as a page to read or print."""
    data = personal_data.collect(current_user._get_current_object())
    audit_request("privacy.exported", subject_id=current_user.id, format="html")
    db.session.commit()
    return no_store(current_app.make_response(render_template(
        "account/data_summary.html", data=data, labels=TABLE_LABELS)))


@bp.post("/delete")
@login_required
def request_deletion():
    user = current_user._get_current_object()
    form = DeletionRequestForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    if not passwords.verify_password(user.password_hash, form.password.data):
        form.password.errors.append(_("Your password is not right."))
        return _page(form, 400)
    personal_data.request_deletion(user)
    db.session.commit()
    flash(_("Your request to delete your account is recorded."), "success")
    return redirect(url_for("privacy.index"), 303)


@bp.post("/delete/cancel")
@login_required
def cancel_deletion():
    if not CancelDeletionForm().validate_on_submit():
        abort(400)
    if personal_data.cancel_deletion(current_user._get_current_object()):
        db.session.commit()
        flash(_("Your request to delete your account is withdrawn."), "success")
    return redirect(url_for("privacy.index"), 303)


