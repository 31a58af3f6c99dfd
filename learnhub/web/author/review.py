"""Members, review and publishing of a course workspace (issue 16, decision 0074).

Rules live in services.workspace_members and services.workspace_publishing; every change is audited here
with the person who made it. Anyone who is neither a member nor an admin gets 404, as on the other pages.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from learnhub.extensions import db
from learnhub.security import audit_request, role_required
from learnhub.services import workspace_members, workspace_publishing, workspaces
from learnhub.web.author.forms import MemberForm, RemoveMemberForm, StepForm
from learnhub.web.author.views import checks, page, workspace_page

bp = Blueprint("author_review", __name__, url_prefix="/author")
authors_only = role_required("trainer", "admin")


def _workspace_and_rights(workspace_id: int):
    found = workspaces.workspace_for(current_user, workspace_id) or abort(404)
    return found, workspace_members.rights(current_user, found)


def _back(found, anchor: str):
    return redirect(url_for("author.workspace", workspace_id=found.id, _anchor=anchor), 303)


@bp.post("/<id:workspace_id>/members")
@authors_only
def add_member(workspace_id: int):
    found, rights = _workspace_and_rights(workspace_id)
    if not rights.manage:
        abort(403)
    form = MemberForm(prefix="member")
    if not form.validate_on_submit():
        return workspace_page(found, member_form=form, status=400)
    try:
        member, before = workspace_members.add(found, form.email.data, form.role.data)
    except workspaces.WorkspaceRefused as refused:
        form.email.errors = list(refused.messages)
        return workspace_page(found, member_form=form, status=400)
    if before is None:
        audit_request("workspace.member_added", workspace_id=found.id, course_id=found.course_id,
                      user=member.user_id, role=member.role)
        flash(_("Member added."), "success")
    elif before != member.role:
        audit_request("workspace.member_role_changed", workspace_id=found.id, course_id=found.course_id,
                      user=member.user_id, role=member.role, before=before)
        flash(_("Role changed."), "success")
    db.session.commit()
    return _back(found, "members")


@bp.post("/<id:workspace_id>/members/remove")
@authors_only
def remove_member(workspace_id: int):
    found, rights = _workspace_and_rights(workspace_id)
    if not rights.manage:
        abort(403)
    form = RemoveMemberForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        removed = workspace_members.remove(found, form.user.data)
    except workspaces.WorkspaceRefused as refused:
        for message in refused.messages:
            flash(str(message), "error")
        return _back(found, "members")
    if removed is None:
        abort(404)
    audit_request("workspace.member_removed", workspace_id=found.id, course_id=found.course_id,
                  user=removed.user_id, role=removed.role)
    db.session.commit()
    flash(_("Member removed."), "success")
    if removed.user_id == current_user.id and not current_user.has_role("admin"):
        return redirect(url_for("author.index"), 303)
    return _back(found, "members")


# --- review and publishing ----------------------------------------------------------------------------------

STEPS = ("submit", "approve", "request-changes", "publish", "unpublish")


def _step_allowed(action: str, rights) -> bool:
    """The role part of each step; the service checks the rest (state, who submitted, validation)."""
    if action == "submit":
        return rights.edit
    if action == "unpublish":
        return rights.manage
    return rights.review


def _step_page(found, action: str, form, refusals=(), status=200):
    problems = workspaces.validate(found, checks()) if action in ("submit", "publish") else []
    return page(render_template("author/step.html", workspace=found, action=action, form=form,
                                 problems=problems, refusals=refusals), status)


@bp.get("/<id:workspace_id>/<any(submit, approve, 'request-changes', publish, unpublish):action>")
@authors_only
def step(workspace_id: int, action: str):
    """The page of one step: what it does, the draft's warnings (sanitiser removals among them) before
    submitting or publishing, and a comment."""
    found, rights = _workspace_and_rights(workspace_id)
    if not _step_allowed(action, rights):
        abort(403)
    return _step_page(found, action, StepForm(formdata=None))


@bp.post("/<id:workspace_id>/<any(submit, approve, 'request-changes', publish, unpublish):action>")
@authors_only
def take_step(workspace_id: int, action: str):
    found, rights = _workspace_and_rights(workspace_id)
    if not _step_allowed(action, rights):
        abort(403)
    form = StepForm()
    if not form.validate_on_submit():
        return _step_page(found, action, form, status=400)
    comment = (form.comment.data or "").strip()
    before = found.state
    try:
        detail = _take(found, action, rights, comment)
    except workspaces.WorkspaceRefused as refused:
        db.session.rollback()
        return _step_page(found, action, form, refusals=refused.messages, status=400)
    audit_request(f"workspace.{EVENTS[action]}", workspace_id=found.id, course_id=found.course_id,
                  before=before, state=found.state, comment=comment, **detail)
    db.session.commit()
    flash(str(DONE[action]), "success")
    return _back(found, "review")


EVENTS = {"submit": "submitted", "approve": "approved", "request-changes": "changes_requested",
          "publish": "published", "unpublish": "unpublished"}
DONE = {"submit": _l("Submitted for review."), "approve": _l("Approved."),
        "request-changes": _l("Changes requested: the workspace is a draft again."),
        "publish": _l("Published: the course is live in the catalogue."),
        "unpublish": _l("Unpublished: the course is retired from the catalogue.")}


def _take(found, action: str, rights, comment: str) -> dict:
    if action == "submit":
        workspace_publishing.submit(found, current_user, checks(), comment)
    elif action == "approve":
        workspace_publishing.approve(found, current_user, admin=rights.admin, comment=comment)
    elif action == "request-changes":
        workspace_publishing.request_changes(found, current_user, comment)
    elif action == "publish":
        publication = workspace_publishing.publish(found, current_user, checks(), comment)
        return {"publication": publication.id, "revision": publication.revision,
                "versions": sorted(v.id for v in workspaces.newest(found).values())}
    else:
        workspace_publishing.unpublish(found, current_user, comment)
    return {}
