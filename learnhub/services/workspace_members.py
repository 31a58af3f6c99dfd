"""Who does what in a course workspace (issue 16, decision 0074): owners, co-authors and reviewers.

Owners and admins add and remove members by e-mail; only trainers and admins can be members; a workspace
always keeps at least one owner. Owners and co-authors edit files and submit; reviewers (and owners) read and
review; admins may do everything. The caller audits and commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext
from sqlalchemy import func, select

from learnhub.extensions import db
from learnhub.models import CourseWorkspace, User, WorkspaceMember
from learnhub.models.workspaces import WORKSPACE_ROLES
from learnhub.services import accounts
from learnhub.services.workspaces import WorkspaceRefused

EDITORS = ("owner", "co-author")
REVIEWERS = ("owner", "reviewer")


def role_of(user: User, workspace: CourseWorkspace) -> str | None:
    """The person's part in the workspace: their member role, "admin" for an admin who is not a member,
    None for anyone else."""
    member = db.session.get(WorkspaceMember, (workspace.id, user.id))
    if member is not None:
        return member.role
    return "admin" if user.has_role("admin") else None


@dataclass(frozen=True)
class Rights:
    """What one person may do in one workspace (an admin may do everything)."""

    role: str | None

    @property
    def admin(self) -> bool:
        return self.role == "admin"

    @property
    def edit(self) -> bool:
        return self.admin or self.role in EDITORS

    @property
    def review(self) -> bool:
        return self.admin or self.role in REVIEWERS

    @property
    def manage(self) -> bool:
        return self.admin or self.role == "owner"


def rights(user: User, workspace: CourseWorkspace) -> Rights:
    return Rights(role_of(user, workspace))


def rights_among(user: User, listed: list[tuple[WorkspaceMember, User]]) -> Rights:
    """`rights` read from the members already loaded (no query)."""
    role = next((member.role for member, person in listed if person.id == user.id), None)
    return Rights(role or ("admin" if user.has_role("admin") else None))


def members(workspace: CourseWorkspace) -> list[tuple[WorkspaceMember, User]]:
    """The members with their accounts, owners first, then by name (one query)."""
    order = {role: position for position, role in enumerate(WORKSPACE_ROLES)}
    rows = db.session.execute(select(WorkspaceMember, User).join(User, User.id == WorkspaceMember.user_id)
                              .where(WorkspaceMember.workspace_id == workspace.id))
    return sorted(((member, user) for member, user in rows), key=lambda row: (order[row[0].role], row[1].name))


def _owners(workspace: CourseWorkspace) -> int:
    return db.session.scalar(select(func.count()).select_from(WorkspaceMember).where(
        WorkspaceMember.workspace_id == workspace.id, WorkspaceMember.role == "owner")) or 0


def _last_owner_refused() -> WorkspaceRefused:
    return WorkspaceRefused([lazy_gettext("Member: a workspace needs at least one owner; add another owner "
                                          "first.")])


def add(workspace: CourseWorkspace, email: str, role: str) -> tuple[WorkspaceMember, str | None]:
    """Make the account with `email` a member with `role`, or change the role of a member: (the member, their
    role before, None when new). Refused for an unknown e-mail, an account that is not a trainer or admin,
    an unknown role, or the demotion of the last owner."""
    if role not in WORKSPACE_ROLES:
        raise WorkspaceRefused([lazy_gettext("Role: choose owner, co-author or reviewer.")])
    user = accounts.find_by_email(email)
    if user is None:
        raise WorkspaceRefused([lazy_gettext("E-mail: there is no account with the e-mail %(email)s.",
                                             email=email.strip())])
    if not user.has_role("trainer", "admin"):
        raise WorkspaceRefused([lazy_gettext("E-mail: %(email)s is not a trainer or an administrator; only they "
                                             "can be members of a workspace.", email=user.email)])
    member = db.session.get(WorkspaceMember, (workspace.id, user.id))
    if member is None:
        member = WorkspaceMember(workspace_id=workspace.id, user_id=user.id, role=role)
        db.session.add(member)
        db.session.flush()
        return member, None
    before = member.role
    if before == "owner" and role != "owner" and _owners(workspace) == 1:
        raise _last_owner_refused()
    member.role = role
    db.session.flush()
    return member, before


def remove(workspace: CourseWorkspace, user_id: int) -> WorkspaceMember | None:
    """Remove a member (None when they are not one); refused for the last owner."""
    member = db.session.get(WorkspaceMember, (workspace.id, user_id))
    if member is None:
        return None
    if member.role == "owner" and _owners(workspace) == 1:
        raise _last_owner_refused()
    db.session.delete(member)
    db.session.flush()
    return member
