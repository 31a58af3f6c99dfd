"""Authoring in the browser, members, review and publishing (issue 16, decision 0074), through the Flask client
on a real database: who may add and remove members, every state change allowed or refused, publishing through
the sync service, attempts that keep their questions, media served from the database, unpublishing, audit."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from learnhub.models import AuditEvent, WorkspaceMember
from tests.conftest import csrf_token, log_in, post_form
from tests.integration.test_authoring import create_from_template


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def as_user(app, email: str):
    other = app.test_client()
    log_in(other, email)
    return other


def add_member(client, workspace_id: int, email: str, role: str):
    return post_form(client, f"/author/{workspace_id}/members", {"member-email": email, "member-role": role},
                     page=f"/author/{workspace_id}")


def remove_member(client, workspace_id: int, user_id: int):
    return post_form(client, f"/author/{workspace_id}/members/remove", {"user": user_id},
                     page=f"/author/{workspace_id}")


def events(db, name: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.event == name).order_by(AuditEvent.id)))


def test_an_owner_adds_changes_and_removes_members_by_email(app, client, db, trainer, make_user):
    workspace_id = create_from_template(client)
    colleague = make_user(role="trainer", email="colleague@example.org", name="Carmen Colleague")
    response = add_member(client, workspace_id, "Colleague@Example.org ", "reviewer")
    assert response.status_code == 303 and response.location.endswith(f"/author/{workspace_id}#members")
    page = text(client.get(response.location))
    assert "Member added." in page
    assert re.search(r"<td>Carmen Colleague</td>\s*<td>colleague@example.org</td>\s*<td>Reviewer</td>", page)
    assert db.session.get(WorkspaceMember, (workspace_id, colleague.id)).role == "reviewer"
    # The colleague now sees the workspace; a reviewer cannot manage members nor save files.
    other = as_user(app, "colleague@example.org")
    assert other.get(f"/author/{workspace_id}").status_code == 200
    assert "Add a member or change a role" not in text(other.get(f"/author/{workspace_id}"))
    assert add_member(other, workspace_id, "trainer@example.org", "reviewer").status_code == 403
    token = csrf_token(other.get(f"/author/{workspace_id}").get_data(as_text=True))
    assert other.post(f"/author/{workspace_id}/files/course.yaml",
                      data={"csrf_token": token, "text": "x"}).status_code == 403
    editor = text(other.get(f"/author/{workspace_id}/files/course.yaml"))
    assert "You review this course: you can read its files but not change them." in editor
    assert "readonly" in editor

    assert add_member(client, workspace_id, "colleague@example.org", "co-author").status_code == 303
    assert db.session.get(WorkspaceMember, (workspace_id, colleague.id)).role == "co-author"
    assert remove_member(client, workspace_id, colleague.id).status_code == 303
    assert db.session.get(WorkspaceMember, (workspace_id, colleague.id)) is None
    assert other.get(f"/author/{workspace_id}").status_code == 404

    added, changed, removed = (events(db, f"workspace.member_{kind}") for kind in ("added", "role_changed", "removed"))
    assert [(e.actor_id, e.detail["user"], e.detail["role"]) for e in added] == [(trainer.id, colleague.id, "reviewer")]
    assert [(e.detail["before"], e.detail["role"]) for e in changed] == [("reviewer", "co-author")]
    assert [(e.actor_id, e.detail["user"], e.detail["role"]) for e in removed] == [
        (trainer.id, colleague.id, "co-author")]


def test_only_trainers_and_admins_with_a_known_email_become_members(client, db, trainer, make_user):
    workspace_id = create_from_template(client)
    make_user(role="trainee", email="learner@example.org")
    make_user(role="analyst", email="analyst@example.org")
    for email, message in (("nobody@example.org", "E-mail: there is no account with the e-mail nobody@example.org."),
                           ("learner@example.org", "E-mail: learner@example.org is not a trainer or an administrator"),
                           ("analyst@example.org", "E-mail: analyst@example.org is not a trainer or an administrator")):
        response = add_member(client, workspace_id, email, "co-author")
        assert response.status_code == 400 and message in text(response)
        assert f'value="{email}"' in text(response)  # what was typed is kept
    bad_role = add_member(client, workspace_id, "trainer@example.org", "boss")
    assert bad_role.status_code == 400 and "Not a valid choice" in text(bad_role)
    assert db.session.scalars(select(WorkspaceMember.user_id)).all() == [trainer.id]
    assert events(db, "workspace.member_added") == []


def test_the_last_owner_can_be_neither_removed_nor_demoted(app, client, db, trainer, make_user):
    workspace_id = create_from_template(client)
    refused = remove_member(client, workspace_id, trainer.id)
    assert refused.status_code == 303
    assert ("Member: a workspace needs at least one owner; add another owner first."
            in text(client.get(refused.location)))
    demoted = add_member(client, workspace_id, "trainer@example.org", "reviewer")
    assert demoted.status_code == 400 and "needs at least one owner" in text(demoted)
    assert db.session.get(WorkspaceMember, (workspace_id, trainer.id)).role == "owner"
    # With a second owner, the first may leave; an admin who is no member manages members too.
    second = make_user(role="trainer", email="second@example.org")
    make_user(role="admin", email="admin@example.org")
    admin = as_user(app, "admin@example.org")
    assert add_member(admin, workspace_id, "second@example.org", "owner").status_code == 303
    left = remove_member(client, workspace_id, trainer.id)
    assert left.status_code == 303 and left.location.endswith("/author/")
    assert db.session.scalars(select(WorkspaceMember.user_id)).all() == [second.id]
    assert client.get(f"/author/{workspace_id}").status_code == 404
    assert [e.actor_id for e in events(db, "workspace.member_removed")] == [trainer.id]
