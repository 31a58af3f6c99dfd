"""Administration: jobs that failed for good (dead letters), to retry or dismiss."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from learnhub.extensions import db
from learnhub.jobs import retry
from learnhub.security import audit_request, role_required
from learnhub.services import failed_jobs
from learnhub.web.forms import BaseForm

bp = Blueprint("admin", __name__, url_prefix="/admin")
admins_only = role_required("admin")


class FailureForm(BaseForm):
    """Retry or dismiss: the button pressed is the action (CSRF only)."""


@bp.get("/jobs")
@admins_only
def jobs():
    failures = failed_jobs.open_failures()
    return render_template("admin/jobs.html", failures=failures, mails=failed_jobs.mails_for(failures),
                           form=FailureForm())


@bp.post("/jobs/<id:failure_id>/<any(retry, dismiss):action>")
@admins_only
def resolve(failure_id: int, action: str):
    if not FailureForm().validate_on_submit():
        abort(400)
    failure = failed_jobs.resolve(failure_id, "retried" if action == "retry" else "dismissed")
    if failure is None:
        flash(_("That job was already retried or dismissed."), "info")
        return redirect(url_for("admin.jobs"), 303)
    if action == "retry" and not retry(failure.task, failure.arguments):
        flash(_("This kind of job no longer exists; it is dismissed."), "info")
    audit_request(f"job.{'retried' if action == 'retry' else 'dismissed'}", task=failure.task, failure_id=failure.id)
    db.session.commit()
    flash(_("The job is queued again.") if action == "retry" else _("The job is dismissed."), "success")
    return redirect(url_for("admin.jobs"), 303)
