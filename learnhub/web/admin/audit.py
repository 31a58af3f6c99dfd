"""The audit log viewer: filter, page, export as CSV. Reading the log is itself an audited event."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from learnhub.database import writes_on_get
from learnhub.extensions import db
from learnhub.security import audit_request, no_store, role_required
from learnhub.services import audit_log
from learnhub.web.admin.forms import AuditFilterForm
from learnhub.web.exports.views import deliver

bp = Blueprint("admin_audit", __name__, url_prefix="/admin/audit")
admins_only = role_required("admin")


def _form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.fill_choices(audit_log.actions())
    form.validate()
    return form


@bp.get("/")
@writes_on_get
@admins_only
def index():
    form = _form()
    filters = form.filters()
    found = audit_log.page(filters, request.args.get("before", type=int))
    audit_request("audit.viewed", **filters.as_dict())
    db.session.commit()
    status = 400 if any(form.errors.get(name) for name in ("since", "until")) else 200
    return no_store(current_app.make_response((render_template(
        "admin/audit.html", form=form, page=found, args=filters.as_dict(), filtered=filters.any), status)))


@bp.get("/events.csv")
@writes_on_get
@admins_only
def export():
    """Every event the filters match, as CSV: at once, or prepared on the queue when there are many."""
    return deliver("audit_log", **_form().filters().as_dict())
