"""Preview and try-it in the file editor, and a lesson's front matter as fields (issue 16, decision 0079),
through the Flask client on a real database: the preview is what learners get once published, nothing typed is
lost, fields round-trip byte for byte, try-it grades with the quiz grading code and writes nothing, who may
preview and save, and a fixed number of queries."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import func, select

from learnhub.models import (
    Attempt,
    AuditEvent,
    CourseWorkspace,
    ItemProgress,
    LearnerActivity,
    WorkspaceFileVersion,
)
from learnhub.services import authoring_preview
from tests.conftest import csrf_token, post_form
from tests.integration.learning_helpers import answers_for
from tests.integration.test_authoring import create_from_template
from tests.integration.test_authoring_review import add_member, as_user, review_and_publish, upload_copy
from tests.integration.test_learning import count_queries

LESSON = "mfa-methods.md"
QUIZ = "check-passwords-mfa.gift"


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def raw(response) -> str:
    return response.get_data(as_text=True)


def article(html: str) -> str:
    return re.search(r'<article class="lesson".*?</article>', html, re.S).group(0)


def saved(db, workspace_id: int, path: str) -> bytes:
    return db.session.scalar(select(WorkspaceFileVersion.content).where(
        WorkspaceFileVersion.workspace_id == workspace_id, WorkspaceFileVersion.path == path)
        .order_by(WorkspaceFileVersion.id.desc()).limit(1))


def versions(db) -> int:
    return db.session.scalar(select(func.count()).select_from(WorkspaceFileVersion))


def preview(client, workspace_id: int, path: str, data: dict):
    return post_form(client, f"/author/{workspace_id}/files/{path}/preview", data,
                     page=f"/author/{workspace_id}/files/{path}")


def test_the_preview_of_a_lesson_is_the_article_learners_get_once_published(app, client, db, trainer, make_user):
    workspace_id = upload_copy(client, "passwords-copy")
    source = saved(db, workspace_id, LESSON).decode()
    before = versions(db)
    shown = preview(client, workspace_id, LESSON, {"mode": "plain", "text": source})
    assert shown.status_code == 200
    previewed = article(raw(shown))
    assert versions(db) == before  # a preview saves nothing
    picture = re.search(rf'src="(/author/{workspace_id}/media/(mfa-ladder-en\.[0-9a-f]{{12}}\.png))"', previewed)
    assert picture is not None, previewed[:2000]
    image = client.get(picture.group(1))
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data == saved(db, workspace_id, "media/mfa-ladder-en.png")
    assert image.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert client.get(f"/author/{workspace_id}/media/nothing.png").status_code == 404

    make_user(role="admin", email="admin@example.org", language="en")
    review_and_publish(client, as_user(app, "admin@example.org"), workspace_id)
    make_user(email="learner@example.org", language="en")
    student = as_user(app, "learner@example.org")
    published = article(raw(student.get("/courses/passwords-copy/lessons/mfa-methods")))
    assert previewed.replace(f"/author/{workspace_id}/media/", "/courses/passwords-copy/media/") == published
    assert student.get(picture.group(1)).status_code == 404  # draft media are for members only


def test_a_preview_keeps_the_typed_text_and_shows_its_problems_and_sanitiser_removals(client, db, trainer):
    workspace_id = create_from_template(client)
    before = versions(db)
    typed = ("---\ntitle: Spotting phishing\nminutes: 7\n---\nLook at the sender.\n\n"
             '<script>alert("x")</script>\n\n<p onclick="steal()">Hover over links.</p>\n')
    shown = preview(client, workspace_id, "introduction.md", {"mode": "plain", "text": typed})
    page = raw(shown)
    assert shown.status_code == 200 and versions(db) == before
    assert re.search(r"<textarea[^>]*>\r?\n?(.*?)</textarea>", page, re.S).group(1) == (
        typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;"))
    body = article(page)
    assert "<h1>Spotting phishing</h1>" in body and "About 7 minutes" in body
    assert "Look at the sender." in body and "Hover over links." in body
    assert "<script" not in body and "onclick" not in body and "steal()" not in body
    problems = text(shown).split('id="problems-heading"')[1].split("</section>")[0]
    assert "Problems in the text previewed" in text(shown)
    assert problems.count('class="problem-warning"') >= 2 and "line 7" in problems and "line 9" in problems
    assert "0 errors" in problems

    # An error: listed at its line, the text still in the editor, nothing shown of what cannot be read.
    broken = "---\ntitle: [oops\n---\nBody\n"
    shown = text(preview(client, workspace_id, "introduction.md", {"mode": "plain", "text": broken}))
    assert "line 2" in shown and "This lesson cannot be shown until the errors listed above are fixed." in shown
    assert broken in shown
    assert versions(db) == before


def test_front_matter_fields_round_trip_byte_for_byte_and_keep_unknown_keys(client, db, trainer):
    workspace_id = create_from_template(client)
    original = "---\n# written by hand\ntitle: 'Spotting phishing'\nauthor: Ana\nminutes: 05\n---\n\nBody text.\n"
    assert post_form(client, f"/author/{workspace_id}/files/introduction.md",
                     {"text": original}).status_code == 303
    page = client.get(f"/author/{workspace_id}/files/introduction.md")
    html = text(page)
    assert 'name="mode" value="fields"' in html and "Other front matter keys, kept as they are: author" in html
    fields = {name: unescape(value) for name, value in re.findall(
        r'<input[^>]*name="(title|minutes|head)"[^>]*value="([^"]*)"', raw(page))}
    assert fields["title"] == "Spotting phishing" and fields["minutes"] == "5"
    assert fields["head"] == "---\n# written by hand\ntitle: 'Spotting phishing'\nauthor: Ana\nminutes: 05\n---\n"
    body = re.search(r"<textarea[^>]*>\r?\n(.*?)</textarea>", html, re.S).group(1)
    assert body == "\nBody text.\n"
    before = versions(db)
    unchanged = post_form(client, f"/author/{workspace_id}/files/introduction.md",
                          {"mode": "fields", **fields, "text": body})
    assert unchanged.status_code == 303 and versions(db) == before
    assert "No changes to save." in text(client.get(unchanged.location))
    assert saved(db, workspace_id, "introduction.md").decode() == original

    changed = post_form(client, f"/author/{workspace_id}/files/introduction.md",
                        {"mode": "fields", **fields, "title": "Phishing: how to spot it", "text": body + "More.\n"})
    assert changed.status_code == 303
    assert saved(db, workspace_id, "introduction.md").decode() == (
        '---\n# written by hand\ntitle: "Phishing: how to spot it"\nauthor: Ana\nminutes: 05\n---\n\nBody text.\n'
        "More.\n")

    # Minutes that are not a number: refused naming the field, everything typed kept.
    refused = post_form(client, f"/author/{workspace_id}/files/introduction.md",
                        {"mode": "fields", **fields, "minutes": "five", "text": "Typed body.\n"})
    assert refused.status_code == 400
    html = text(refused)
    assert "Minutes: enter a whole number of minutes" in html and 'value="five"' in html
    assert "Typed body." in html

    # The preview writes the fields into the file it shows.
    shown = raw(preview(client, workspace_id, "introduction.md",
                        {"mode": "fields", **fields, "title": "A new title", "minutes": "9", "text": body}))
    assert "<h1>A new title</h1>" in article(shown) and "About 9 minutes" in article(shown)


def test_front_matter_that_does_not_parse_falls_back_to_the_plain_text(client, db, trainer):
    workspace_id = create_from_template(client)
    broken = "---\ntitle: [unclosed\n---\nBody\n"
    assert post_form(client, f"/author/{workspace_id}/files/introduction.md", {"text": broken}).status_code == 303
    html = text(client.get(f"/author/{workspace_id}/files/introduction.md"))
    assert "The front matter cannot be shown as fields: The front matter is not valid YAML (line 2)." in html
    assert 'name="mode" value="plain"' in html and broken in html
    plain = text(client.get(f"/author/{workspace_id}/files/introduction.md?plain=1"))
    assert 'name="mode" value="plain"' in plain and "Edit with fields" in plain


def row_counts(db) -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Attempt, ItemProgress, LearnerActivity, AuditEvent, WorkspaceFileVersion))


def try_answers(app, db, workspace_id: int, user_id: int, source: str, right: bool) -> dict:
    found = db.session.get(CourseWorkspace, workspace_id)
    with app.test_request_context():
        key = authoring_preview.try_key(app.config["SECRET_KEY"], found, QUIZ, user_id)
        shown = authoring_preview.preview(found, QUIZ, source, media_base="/m/", key=key).questions
    return answers_for(shown, right)


def test_try_it_grades_right_and_wrong_answers_and_writes_nothing(app, client, db, trainer):
    workspace_id = upload_copy(client, "passwords-copy")
    source = saved(db, workspace_id, QUIZ).decode()
    before = row_counts(db)
    shown = raw(preview(client, workspace_id, QUIZ, {"text": source}))
    assert f'action="/author/{workspace_id}/files/{QUIZ}/try"' in shown and "Check my answers" in shown
    assert shown.count('<fieldset class="question') >= 5
    assert 'name="token"' not in shown  # no quiz form token: nothing here can become an attempt
    page = f"/author/{workspace_id}/files/{QUIZ}"
    graded = post_form(client, f"{page}/try", {"source": source, **try_answers(app, db, workspace_id, trainer.id,
                                                                               source, right=True)})
    html = text(graded)
    assert graded.status_code == 200 and "Score: 100%" in html
    assert "Incorrect" not in html and html.count('class="review review-right"') >= 5
    wrong = post_form(client, f"{page}/try", {"source": source, **try_answers(app, db, workspace_id, trainer.id,
                                                                              source, right=False)})
    html = text(wrong)
    assert "Score: 0%" in html and "review-right" not in html and "Incorrect" in html
    assert 'class="right-answer' in raw(wrong) or "right-line" in raw(wrong)  # the right answers are shown
    assert source in html  # the quiz text stays in the editor
    # Answers from a real quiz form's values mean nothing here: every question unanswered, graded 0.
    assert "Score: 0%" in text(post_form(client, f"{page}/try", {"source": source, "q1": "1", "q2": "0"}))
    assert row_counts(db) == before


def test_reviewers_may_preview_and_try_but_not_save_and_others_get_404(app, client, db, trainer, make_user):
    workspace_id = create_from_template(client)
    make_user(role="trainer", email="reviewer@example.org", name="Rosa Reviewer", language="en")
    make_user(role="trainer", email="stranger@example.org", language="en")
    make_user(email="learner@example.org", language="en")
    add_member(client, workspace_id, "reviewer@example.org", "reviewer")
    review = as_user(app, "reviewer@example.org")
    page = text(review.get(f"/author/{workspace_id}/files/introduction.md"))
    assert "Preview" in page and ">Save<" not in page and "readonly" in page
    shown = preview(review, workspace_id, "introduction.md", {"mode": "plain", "text": "# Reviewed\nText.\n"})
    assert shown.status_code == 200 and "<h1>Reviewed</h1>" in raw(shown)
    assert post_form(review, f"/author/{workspace_id}/files/introduction.md",
                     {"text": "# Changed\n"}).status_code == 403
    for email in ("stranger@example.org", "learner@example.org"):
        other = as_user(app, email)
        token = csrf_token(other.get("/").get_data(as_text=True))
        assert other.get(f"/author/{workspace_id}/files/introduction.md").status_code == 404
        for action in ("preview", "try"):
            assert other.post(f"/author/{workspace_id}/files/introduction.md/{action}",
                              data={"csrf_token": token, "text": "x", "source": "x"}).status_code == 404
        assert other.get(f"/author/{workspace_id}/media/x.png").status_code == 404
    assert post_form(client, f"/author/{workspace_id}/files/course.yaml/preview", {"text": "x"},
                     page=f"/author/{workspace_id}/files/course.yaml").status_code == 404


def preview_queries(client, db, workspace_id: int, path: str, data: dict) -> int:
    html = client.get(f"/author/{workspace_id}/files/{path}").get_data(as_text=True)
    token = csrf_token(html)
    statements, stop = count_queries(db)
    try:
        response = client.post(f"/author/{workspace_id}/files/{path}/preview", data={"csrf_token": token, **data})
    finally:
        stop()
    assert response.status_code == 200
    return len(statements)


def test_preview_pages_read_a_fixed_number_of_queries(app, client, db, trainer):
    workspace_id = upload_copy(client, "passwords-copy")
    lesson, quiz = saved(db, workspace_id, LESSON).decode(), saved(db, workspace_id, QUIZ).decode()
    cases = ((LESSON, {"mode": "plain", "text": lesson}), (QUIZ, {"text": quiz}))
    first = [preview_queries(client, db, workspace_id, path, data) for path, data in cases]
    for n in range(3):  # more versions must not mean more queries
        for path, content in ((LESSON, lesson), (QUIZ, quiz)):
            assert post_form(client, f"/author/{workspace_id}/files/{path}",
                             {"text": content + f"\n// {n}\n"}).status_code == 303
    assert [preview_queries(client, db, workspace_id, path, data) for path, data in cases] == first
    assert max(first) <= 8, first
