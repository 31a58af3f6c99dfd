"""Authoring in the browser, members, review and publishing (issue 16, decision 0074), through the Flask client
on a real database: who may add and remove members, every state change allowed or refused, publishing through
the sync service, attempts that keep their questions, media served from the database, unpublishing, audit."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

from sqlalchemy import select

from learnhub.models import (
    AuditEvent,
    Course,
    CourseWorkspace,
    WorkspaceFileVersion,
    WorkspaceMember,
    WorkspacePublication,
    WorkspacePublishedFile,
)
from learnhub.services import course_sync, course_zip
from learnhub.services.workspaces import folder_files
from tests.conftest import csrf_token, log_in, post_form
from tests.integration.learning_helpers import submit_quiz
from tests.integration.test_authoring import create_from_template
from tests.integration.test_learning import count_queries


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
    colleague = make_user(role="trainer", email="colleague@example.org", name="Carmen Colleague", language="en")
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
    second = make_user(role="trainer", email="second@example.org", language="en")
    make_user(role="admin", email="admin@example.org", language="en")
    admin = as_user(app, "admin@example.org")
    assert add_member(admin, workspace_id, "second@example.org", "owner").status_code == 303
    left = remove_member(client, workspace_id, trainer.id)
    assert left.status_code == 303 and left.location.endswith("/author/")
    assert db.session.scalars(select(WorkspaceMember.user_id)).all() == [second.id]
    assert client.get(f"/author/{workspace_id}").status_code == 404
    assert [e.actor_id for e in events(db, "workspace.member_removed")] == [trainer.id]


BROKEN = "---\nminutes: 5\n---\nNo title.\n"
FIXED = "---\ntitle: Introduction\nminutes: 5\n---\nA lesson.\n"


def save(client, workspace_id: int, path: str, content: str):
    return post_form(client, f"/author/{workspace_id}/files/{path}", {"text": content})


def take(client, workspace_id: int, action: str, comment: str = ""):
    return post_form(client, f"/author/{workspace_id}/{action}", {"comment": comment})


def state(db, workspace_id: int) -> str:
    db.session.expire_all()
    return db.session.get(CourseWorkspace, workspace_id).state


def test_every_review_step_allowed_or_refused(app, client, db, trainer, make_user):
    workspace_id = create_from_template(client)
    reviewer = make_user(role="trainer", email="reviewer@example.org", name="Rosa Reviewer", language="en")
    make_user(role="trainer", email="coauthor@example.org", name="Carlos Coauthor", language="en")
    admin_user = make_user(role="admin", email="admin@example.org", language="en")
    make_user(role="trainee", email="learner@example.org")
    add_member(client, workspace_id, "reviewer@example.org", "reviewer")
    add_member(client, workspace_id, "coauthor@example.org", "co-author")
    review, coauthor, admin, learner = (as_user(app, f"{who}@example.org")
                                        for who in ("reviewer", "coauthor", "admin", "learner"))
    page = text(client.get(f"/author/{workspace_id}"))
    assert "State: <strong>Draft</strong>" in page and f'href="/author/{workspace_id}/submit"' in page

    # Errors block submitting; the submit page lists them.
    save(client, workspace_id, "introduction.md", BROKEN)
    refused = take(client, workspace_id, "submit")
    assert refused.status_code == 400
    assert "Submit: the draft has 1 validation error; fix it first." in text(refused)
    assert "lesson has no title" in text(client.get(f"/author/{workspace_id}/submit"))
    save(client, workspace_id, "introduction.md", FIXED + "\n<script>alert(1)</script>\n")
    warned = text(client.get(f"/author/{workspace_id}/submit"))  # sanitiser removals are listed, not blocking
    assert "0 errors, 1 warning" in warned
    assert "the sanitiser removes the <script> tag" in warned
    save(client, workspace_id, "introduction.md", FIXED)
    assert take(client, workspace_id, "submit", "Ready for a first look").status_code == 303
    assert state(db, workspace_id) == "submitted"
    # Roles: a reviewer does not submit, a co-author does not approve, a learner sees nothing.
    assert take(review, workspace_id, "submit").status_code == 403
    assert take(coauthor, workspace_id, "approve").status_code == 403
    assert take(learner, workspace_id, "approve").status_code == 404
    # Rules: the owner submitted (and saved) it, so cannot approve it; nothing is published before approval.
    own = take(client, workspace_id, "approve")
    assert own.status_code == 400
    assert "Approve: you submitted this version; another reviewer must approve it." in text(own)
    early = take(review, workspace_id, "publish")
    assert early.status_code == 400 and "Publish: only an approved workspace can be published." in text(early)
    assert take(client, workspace_id, "submit").status_code == 400  # already submitted

    # Request changes needs a comment, and returns the workspace to draft.
    blank = take(review, workspace_id, "request-changes", "  ")
    assert blank.status_code == 400 and "Comment: say what should change." in text(blank)
    assert take(review, workspace_id, "request-changes", "Add an objective").status_code == 303
    assert state(db, workspace_id) == "draft"
    assert take(review, workspace_id, "request-changes", "again").status_code == 400

    # The co-author submits what the owner saved last: the owner, as last saver, cannot approve; an admin can.
    take(coauthor, workspace_id, "submit")
    last_saver = take(client, workspace_id, "approve")
    assert "Approve: you saved the last change; another reviewer must approve it." in text(last_saver)
    assert take(admin, workspace_id, "approve", "Fine by me").status_code == 303
    assert state(db, workspace_id) == "approved"

    # Saving in an approved workspace returns it to draft, and says so.
    saved = save(coauthor, workspace_id, "introduction.md", FIXED.replace("A lesson.", "A better lesson."))
    assert "Saving returned the workspace to draft: submit it again for review." in text(coauthor.get(saved.location))
    assert state(db, workspace_id) == "draft"
    take(coauthor, workspace_id, "submit")
    editor = text(coauthor.get(f"/author/{workspace_id}/files/introduction.md"))
    assert "saving a file returns it to draft" in editor
    assert take(review, workspace_id, "approve", "Good").status_code == 303

    history = text(client.get(f"/author/{workspace_id}"))
    assert "State: <strong>Approved</strong>" in history
    rows = re.findall(r'<tr class="step-([a-z_]+)">\s*<td>[^<]*</td>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>\s*'
                      r'<td>([^<]*)</td>\s*<td>([^<]*)</td>', history)
    assert rows == [("approved", "Rosa Reviewer", "Approved", "Good"),
                    ("submitted", "Carlos Coauthor", "Submitted for review", ""),
                    ("reopened", "Carlos Coauthor", "Draft", ""),
                    ("approved", admin_user.name, "Approved", "Fine by me"),
                    ("submitted", "Carlos Coauthor", "Submitted for review", ""),
                    ("changes_requested", "Rosa Reviewer", "Draft", "Add an objective"),
                    ("submitted", "Tomás Trainer", "Submitted for review", "Ready for a first look")]
    audited = [(e.event, e.actor_id, e.detail["state"], e.detail["comment"]) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.event.in_(("workspace.submitted", "workspace.approved",
                                                       "workspace.changes_requested", "workspace.reopened")))
        .order_by(AuditEvent.id))]
    assert audited[:3] == [("workspace.submitted", trainer.id, "submitted", "Ready for a first look"),
                           ("workspace.changes_requested", reviewer.id, "draft", "Add an objective"),
                           ("workspace.submitted", audited[2][1], "submitted", "")]
    assert [event for event, *_ in audited] == ["workspace.submitted", "workspace.changes_requested",
                                                "workspace.submitted", "workspace.approved", "workspace.reopened",
                                                "workspace.submitted", "workspace.approved"]
    assert audited[3][1] == admin_user.id and audited[-1][1] == reviewer.id


# --- publishing ---------------------------------------------------------------------------------------------

COURSES = Path(__file__).resolve().parents[2] / "courses"
QUIZ = "check-passwords-mfa"
OLD_STEM = "Under NIST SP 800-63B rev. 4, what is the minimum number of characters"
NEW_STEM = "Per NIST, how many characters at least"


def upload_copy(client, course_id: str, source: str = "passwords-mfa") -> int:
    """A workspace holding the files of a starter course under another course id (or the same)."""
    files = folder_files(COURSES / source)
    files["course.yaml"] = files["course.yaml"].replace(f"id: {source}\n".encode(), f"id: {course_id}\n".encode())
    page = client.get("/author/").get_data(as_text=True)
    response = client.post("/author/new/upload", content_type="multipart/form-data",
                           data={"csrf_token": csrf_token(page),
                                 "upload-file": (io.BytesIO(course_zip.build(course_id, files)), "c.zip")})
    assert response.status_code == 303, text(response)[:2000]
    return int(response.location.rsplit("/", 1)[1])


def review_and_publish(owner, reviewer, workspace_id: int, comment: str = "Published") -> None:
    assert take(owner, workspace_id, "submit").status_code == 303
    assert take(reviewer, workspace_id, "approve").status_code == 303
    published = take(reviewer, workspace_id, "publish", comment)
    assert published.status_code == 303, text(published)[:3000]


def test_publish_republish_attempts_media_and_unpublish(app, client, db, trainer, make_user):
    workspace_id = upload_copy(client, "passwords-copy")
    reviewer = make_user(role="trainer", email="reviewer@example.org", name="Rosa Reviewer", language="en")
    learner = make_user(email="learner@example.org", language="en")
    add_member(client, workspace_id, "reviewer@example.org", "reviewer")
    review = as_user(app, "reviewer@example.org")
    student = as_user(app, "learner@example.org")
    assert not (COURSES / "passwords-copy").exists()
    assert student.get("/courses/passwords-copy").status_code == 404
    publish_page = text(review.get(f"/author/{workspace_id}/publish"))
    assert "Publish: passwords-copy" in publish_page

    review_and_publish(client, review, workspace_id, "First edition")
    course = db.session.get(Course, "passwords-copy")
    first = db.session.scalars(select(WorkspacePublication)).one()
    assert (course.retired, course.revision, first.revision) == (False, first.revision, first.revision)
    assert first.published_by_id == reviewer.id and first.withdrawn_at is None
    newest = {v.path: v.id for v in db.session.scalars(select(WorkspaceFileVersion))}
    assert set(db.session.scalars(select(WorkspacePublishedFile.version_id))) == set(newest.values())
    assert 'href="/courses/passwords-copy"' in text(student.get("/courses"))
    # A CLI sync of the content folder, where the course has no folder, leaves it live.
    assert "passwords-copy" not in course_sync.sync_tree(COURSES).retired
    db.session.expire_all()
    assert db.session.get(Course, "passwords-copy").retired is False
    page = text(client.get(f"/author/{workspace_id}"))
    assert "State: <strong>Published</strong>" in page and "The course is live in the catalogue" in page
    assert f"revision {first.revision[:12]}" in page
    event = events(db, "workspace.published")[0]
    assert (event.actor_id, event.detail["revision"], event.detail["comment"]) == (
        reviewer.id, first.revision, "First edition")
    assert sorted(event.detail["versions"]) == sorted(newest.values())

    # Media live in the database: served under the fingerprinted name the lesson links to.
    lesson = text(student.get("/courses/passwords-copy/lessons/mfa-methods"))
    name = re.search(r'src="/courses/passwords-copy/media/(mfa-ladder-en\.[0-9a-f]{12}\.png)"', lesson).group(1)
    image = student.get(f"/courses/passwords-copy/media/{name}")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data == (COURSES / "passwords-mfa/media/mfa-ladder-en.png").read_bytes()
    assert image.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert image.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    plain = student.get("/courses/passwords-copy/media/mfa-ladder-en.png")
    assert plain.status_code == 200 and "immutable" not in plain.headers.get("Cache-Control", "")
    assert student.get("/courses/passwords-copy/media/nothing.png").status_code == 404
    assert student.get("/courses/passwords-copy/media/../course.yaml").status_code == 404

    # The learner's attempt keeps the questions it showed after a republished edit of the quiz.
    attempt, _, _ = submit_quiz(student, app, learner, "passwords-copy", QUIZ, right=True)
    assert attempt.status_code == 303
    before = text(student.get(attempt.location))
    assert OLD_STEM in before
    quiz = text(client.get(f"/author/{workspace_id}/files/{QUIZ}.gift"))
    source = re.search(r'<textarea[^>]*>\n?(.*?)</textarea>', quiz, re.S).group(1)
    assert save(client, workspace_id, f"{QUIZ}.gift",
                source.replace(OLD_STEM, NEW_STEM).replace("{#15", "{#16")).status_code == 303
    review_and_publish(client, review, workspace_id, "Second edition")
    db.session.expire_all()
    second = db.session.scalars(select(WorkspacePublication).order_by(WorkspacePublication.id.desc())).first()
    assert second.id != first.id and second.revision != first.revision
    assert db.session.get(Course, "passwords-copy").revision == second.revision
    after = text(student.get(attempt.location))
    assert OLD_STEM in after and NEW_STEM not in after
    assert after.count("<fieldset") == before.count("<fieldset")
    assert NEW_STEM in text(student.get(f"/courses/passwords-copy/quizzes/{QUIZ}"))
    history = text(client.get(f"/author/{workspace_id}/history/{QUIZ}.gift"))
    assert history.count("published-label") == 2  # the old version once, the new once

    # Unpublishing retires the course as sync does for a removed folder; its media stay reachable.
    assert take(review, workspace_id, "unpublish").status_code == 403  # owners and admins only
    assert take(client, workspace_id, "unpublish", "Outdated").status_code == 303
    db.session.expire_all()
    assert db.session.get(Course, "passwords-copy").retired is True
    assert state(db, workspace_id) == "draft"
    assert all(p.withdrawn_at is not None for p in db.session.scalars(select(WorkspacePublication)))
    assert student.get("/courses/passwords-copy").status_code == 404
    assert 'href="/courses/passwords-copy"' not in text(student.get("/courses"))
    assert student.get(f"/courses/passwords-copy/media/{name}").status_code == 200
    gone = events(db, "workspace.unpublished")
    assert [(e.actor_id, e.detail["comment"], e.detail["state"]) for e in gone] == [(trainer.id, "Outdated", "draft")]
    assert take(client, workspace_id, "unpublish").status_code == 400


def test_a_course_published_from_a_workspace_wins_over_its_folder_until_unpublished(
        app, client, db, trainer, make_user):
    workspace_id = upload_copy(client, "passwords-mfa")  # same id as the synced folder
    make_user(role="admin", email="admin@example.org", language="en")
    admin = as_user(app, "admin@example.org")
    page = text(client.get(f"/author/{workspace_id}"))
    assert "The content folder on the server also holds a course folder passwords-mfa." in page
    files = folder_files(COURSES / "passwords-mfa")
    edited = files["account-recovery.md"].decode().replace("\n\n", "\n\nWritten in the browser.\n\n", 1)
    save(client, workspace_id, "account-recovery.md", edited)
    review_and_publish(client, admin, workspace_id)
    result = app.test_cli_runner().invoke(args=["courses", "sync", str(COURSES)])
    assert result.exit_code == 0, result.output
    assert "skipped: course passwords-mfa is published from its workspace in the browser" in result.output
    assert "0 retired, 0 failed, 1 skipped" in result.output
    assert "Written in the browser." in text(client.get("/courses/passwords-mfa/lessons/account-recovery"))
    assert take(client, workspace_id, "unpublish").status_code == 303
    back = course_sync.sync_tree(COURSES)
    assert back.updated == ["passwords-mfa"] and not back.skipped
    db.session.expire_all()
    assert db.session.get(Course, "passwords-mfa").retired is False
    assert "Written in the browser." not in text(client.get("/courses/passwords-mfa/lessons/account-recovery"))


def test_the_review_pages_read_a_fixed_number_of_queries(app, client, db, trainer, make_user):
    workspace_id = upload_copy(client, "passwords-copy")
    make_user(role="admin", email="admin@example.org", language="en")
    admin = as_user(app, "admin@example.org")
    review_and_publish(client, admin, workspace_id)
    for n in range(3):  # more steps and publications must not mean more queries
        save(client, workspace_id, "course.yaml", text(client.get(f"/author/{workspace_id}/files/course.yaml"))
             .split("<textarea", 1)[1].split(">", 1)[1].split("</textarea>")[0].lstrip("\n") + f"# {n}\n")
        review_and_publish(client, admin, workspace_id)
    assert len(db.session.scalars(select(WorkspacePublication)).all()) == 4
    for url in (f"/author/{workspace_id}", f"/author/{workspace_id}/history/course.yaml",
                f"/author/{workspace_id}/publish", f"/author/{workspace_id}/unpublish"):
        statements, stop = count_queries(db)
        try:
            assert client.get(url).status_code == 200
        finally:
            stop()
        assert len(statements) <= 8, (url, len(statements), statements)


def test_saving_a_translation_follows_the_review_rules(app, client, db, trainer, make_user):
    workspace_id = upload_copy(client, "passwords-copy")
    make_user(role="trainer", email="reviewer@example.org", language="en")
    add_member(client, workspace_id, "reviewer@example.org", "reviewer")
    review = as_user(app, "reviewer@example.org")
    url = f"/author/{workspace_id}/translations/account-recovery/es"
    spanish = text(client.get(url))
    source = re.search(r'<textarea[^>]*name="text"[^>]*>\n?(.*?)</textarea>', spanish, re.S).group(1)
    token = csrf_token(review.get(url).get_data(as_text=True))
    assert review.post(url, data={"csrf_token": token, "text": source + "\nUna frase.\n"}).status_code == 403
    take(client, workspace_id, "submit")
    saved = post_form(client, url, {"text": source + "\nUna frase.\n"})
    assert saved.status_code == 303
    assert "Saving returned the workspace to draft" in text(client.get(saved.location))
    assert state(db, workspace_id) == "draft"
