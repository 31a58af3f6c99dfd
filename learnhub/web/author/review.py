"""Members, review and publishing of a course workspace (issue 16, decision 0074).

Rules live in services.workspace_members and services.workspace_publishing; every change is audited here
with the person who made it. Anyone who is neither a member nor an admin gets 404, as on the other pages.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learnhub.extensions import db
from learnhub.security import audit_request, role_required
from learnhub.services import workspace_members, workspaces
from learnhub.web.author.forms import MemberForm, RemoveMemberForm
from learnhub.web.author.views import workspace_page

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
