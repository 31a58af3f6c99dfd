"""The trainee's journey through the Flask client on a real database."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime

import pytest
import time_machine
from sqlalchemy import event, func, select

from learnhub.models import Attempt, Certificate, Course, Enrolment, ItemProgress, LearnerActivity, User
from tests.conftest import csrf_token, log_in
from tests.integration.learning_helpers import CATALOGUE, items_of, quiz_page, submit_quiz, sync_catalogue

COURSE = "passwords-mfa"
QUIZ = "check-passwords-mfa"


@pytest.fixture
def learner(app, db, client, make_user):
    user = make_user(email="learner@example.org", language="en", name="Camila Rojas")
    assert log_in(client, "learner@example.org").status_code == 303
    return user


def fields(data: dict) -> list[tuple[str, str]]:
    """Form data as (name, value) pairs, one per value of a multi-valued field."""
    return [(key, item) for key, value in data.items() for item in (value if isinstance(value, list) else [value])]


def course_titles(client, **filters) -> list[str]:
    html = client.get("/courses", query_string=filters).get_data(as_text=True)
    return re.findall(r'<h2><a href="/courses/([a-z0-9-]+)">', html)


def test_catalogue_filters(app, db, client):
    assert len(course_titles(client)) == 10
    assert set(course_titles(client, kind="skills")) == {
        "incident-response-fundamentals", "ics-critical-infrastructure", "vulnerability-patch-management",
        "csirt-cooperation", "cyber-diplomacy", "secure-connectivity"}
    assert set(course_titles(client, kind="awareness", level="beginner")) == {
        "phishing-social-engineering", "passwords-mfa", "reporting-incidents"}
    assert course_titles(client, kind="awareness", level="intermediate") == ["nis2-latam-leaders"]
    every_course = set(course_titles(client))
    assert len(every_course) == 10
    assert set(course_titles(client, language="pt")) == every_course  # all ten in four languages (issue 21)
    assert set(course_titles(client, language="fr")) == every_course
    assert "incident-response-fundamentals" in course_titles(client, role="cyber-incident-responder")
    assert "passwords-mfa" not in course_titles(client, role="cyber-incident-responder")
    energy = course_titles(client, sector="energy")
    assert "ics-critical-infrastructure" in energy and "passwords-mfa" in energy  # no sectors = every sector
    assert "vulnerability-patch-management" not in energy
    digital = course_titles(client, sector="digital-infrastructure")
    assert "secure-connectivity" in digital and "cyber-diplomacy" not in digital
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    assert course_titles(client, text="CONTRASENAS") == ["passwords-mfa"]  # accents and case ignored
    assert "Ningún curso coincide" in client.get("/courses?text=zzzz").get_data(as_text=True)


def test_enrol_read_and_progress(client, db, learner):
    page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    response = client.post(f"/courses/{COURSE}/enrol", data={"csrf_token": csrf_token(page)})
    first = items_of(COURSE)[0]
    assert response.status_code == 303 and response.location == f"/courses/{COURSE}/lessons/{first.key}"
    lesson = client.get(response.location).get_data(as_text=True)
    assert "Mark as done and continue" in lesson
    done = client.post(f"/courses/{COURSE}/lessons/{first.key}/done", data={"csrf_token": csrf_token(lesson)})
    assert done.location == f"/courses/{COURSE}/lessons/{items_of(COURSE)[1].key}"
    course_page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert "20% complete" in course_page  # 1 of 5 items
    assert "Continue where you left off" in course_page
    row = db.session.scalar(select(ItemProgress).where(ItemProgress.item_id == first.id))
    assert row.state == "done"
    again = client.post(f"/courses/{COURSE}/lessons/{first.key}/done", data={"csrf_token": csrf_token(lesson)})
    assert again.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(ItemProgress)) == 1
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1


def test_quiz_form_is_accessible_markup(client, learner):
    html, _ = quiz_page(client, COURSE, QUIZ)
    fieldsets = re.findall(r"<fieldset class=\"question question-(\w+)\"", html)
    assert len(fieldsets) >= 8 and {"choice", "multi", "truefalse", "short", "matching"} <= set(fieldsets)
    assert html.count("<legend>") == len(fieldsets)
    for input_id in re.findall(r'<input type="(?:radio|checkbox|text)" (?:name="[^"]+" )?id="([^"]+)"', html):
        assert re.search(rf'<label [^>]*for="{input_id}"', html), input_id
    for select_id in re.findall(r'<select id="([^"]+)"', html):
        assert re.search(rf'<label [^>]*for="{select_id}"', html), select_id
    quiz_form = re.search(r'<form method="post" action="[^"]+" class="quiz".*?</form>', html, re.S).group(0)
    assert quiz_form.count('type="submit"') == 1


def test_fail_then_pass_best_score_counts(app, client, db, learner):
    failed, _, _ = submit_quiz(client, app, learner, COURSE, QUIZ, right=False)
    assert failed.status_code == 303
    result = client.get(failed.location)
    page = result.get_data(as_text=True)
    assert "Not passed yet" in page and "Incorrect" in page and 'class="feedback"' in page
    assert result.headers["Cache-Control"] == "no-store"
    passed, _, _ = submit_quiz(client, app, learner, COURSE, QUIZ, right=True)
    page = client.get(passed.location).get_data(as_text=True)
    assert "Score: 100%" in page and "Passed" in page
    worse, _, _ = submit_quiz(client, app, learner, COURSE, QUIZ, right=False)
    row = db.session.scalar(select(ItemProgress).where(ItemProgress.learner_id == learner.id,
                                                       ItemProgress.state.is_not(None)))
    assert (row.state, row.best_score, row.attempts) == ("passed", 100.0, 3)
    assert worse.status_code == 303


def test_double_submit_and_back_button_leave_one_attempt(app, client, db, learner):
    first, _token, data = submit_quiz(client, app, learner, COURSE, QUIZ, right=True)
    second = client.post(f"/courses/{COURSE}/quizzes/{QUIZ}", data=data)  # double click / retry
    changed = {**data, next(k for k in data if k.startswith("q")): "0"}
    third = client.post(f"/courses/{COURSE}/quizzes/{QUIZ}", data=changed)  # back button, edited answers
    assert first.location == second.location == third.location
    attempts = db.session.scalars(select(Attempt)).all()
    assert len(attempts) == 1 and attempts[0].score == 100.0


def test_two_tabs_are_two_attempts_but_never_more_than_max(app, client, db, learner):
    tabs = [quiz_page(client, COURSE, QUIZ) for _ in range(4)]  # max_attempts is 3
    statuses = [submit_quiz(client, app, learner, COURSE, QUIZ, right=False, token_html=tab)[0] for tab in tabs]
    assert [r.location.startswith("/attempts/") for r in statuses] == [True, True, True, False]
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 3
    closed = client.get(f"/courses/{COURSE}/quizzes/{QUIZ}").get_data(as_text=True)
    assert "You have used every attempt of this quiz." in closed and 'name="token"' not in closed


def test_expired_session_keeps_the_answers_and_logs_in(app, client, db, learner):
    html, token = quiz_page(client, COURSE, QUIZ)
    client.delete_cookie("learnhub")  # the session expired while the learner was answering
    response, _, data = submit_quiz(client, app, learner, COURSE, QUIZ, right=True, token_html=(html, token))
    page = response.get_data(as_text=True)
    assert response.status_code == 401 and "Your answers are kept" in page
    kept = set(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    assert ("token", token) in kept
    assert set(fields(data)) - {("csrf_token", data["csrf_token"])} <= kept
    relogin = {**data, "csrf_token": csrf_token(page), "email": "learner@example.org",
               "password": "a quiet harbour at dawn"}
    done = client.post(f"/courses/{COURSE}/quizzes/{QUIZ}", data=relogin)
    assert done.status_code == 303 and done.location.startswith("/attempts/")
    assert db.session.scalar(select(Attempt.score)) == 100.0


def test_expired_csrf_token_keeps_the_answers(app, client, db, learner):
    html, token = quiz_page(client, COURSE, QUIZ)
    _, _, data = submit_quiz(client, app, learner, COURSE, QUIZ, right=True, token_html=(html, token))
    db.session.execute(Attempt.__table__.delete())
    stale = client.post(f"/courses/{COURSE}/quizzes/{QUIZ}", data={**data, "csrf_token": "expired"})
    page = stale.get_data(as_text=True)
    assert stale.status_code == 400 and "Please send the form again" in page
    kept = set(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    assert set(fields(data)) - {("csrf_token", data["csrf_token"])} <= kept and ("token", token) in kept


def test_someone_elses_attempt_and_certificate_answer_404(app, client, db, learner, make_user):
    response, _, _ = submit_quiz(client, app, learner, COURSE, QUIZ, right=True)
    other = app.test_client()
    make_user(email="other@example.org")
    log_in(other, "other@example.org")
    assert other.get(response.location).status_code == 404
    assert other.get("/attempts/999999").status_code == 404
    _, _token, data = submit_quiz(client, app, learner, COURSE, QUIZ, right=True)
    page = other.get(f"/courses/{COURSE}/quizzes/{QUIZ}").get_data(as_text=True)
    stolen = other.post(f"/courses/{COURSE}/quizzes/{QUIZ}", data={**data, "csrf_token": csrf_token(page)})
    assert stolen.status_code == 404  # a token issued to someone else


def complete_course(app, client, learner, course_id: str) -> None:
    for item in items_of(course_id):
        if item.kind == "lesson":
            page = client.get(f"/courses/{course_id}/lessons/{item.key}").get_data(as_text=True)
            assert client.post(f"/courses/{course_id}/lessons/{item.key}/done",
                               data={"csrf_token": csrf_token(page)}).status_code == 303
        else:
            response, _, _ = submit_quiz(client, app, learner, course_id, item.key, right=True)
            assert response.status_code == 303


def test_completion_issues_one_certificate_that_verifies_publicly(app, client, db, learner):
    complete_course(app, client, learner, COURSE)
    complete_course(app, client, learner, COURSE)  # doing it all again issues nothing new
    certificates = db.session.scalars(select(Certificate)).all()
    assert len(certificates) == 1
    code = certificates[0].code
    assert db.session.scalar(select(Enrolment.completed_at)) is not None
    dashboard = client.get("/learning")
    assert dashboard.headers["Cache-Control"] == "no-store"
    assert f"/certificates/{code}.pdf" in dashboard.get_data(as_text=True)
    pdf = client.get(f"/certificates/{code}.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout
        assert "Camila Rojas" in text.decode() and code[:4] in text.decode()
    anonymous = app.test_client()
    verify = anonymous.get(f"/verify/{code.lower()}").get_data(as_text=True)
    assert "Camila Rojas" in verify and "Valid" in verify
    assert "learner@example.org" not in verify and "Ministerio" not in verify
    assert anonymous.get("/verify/NOTACODE1234").status_code == 404
    assert anonymous.get(f"/certificates/{code}.pdf").status_code == 302  # log in first
    other = app.test_client()
    other_user = User(email="other@example.org", name="Other", password_hash="x", country="DO", sector="health",
                      organisation="MSP", organisation_type="government")
    db.session.add(other_user)
    db.session.commit()
    with other.session_transaction() as session:
        session["_user_id"] = other_user.get_id()
        session["_fresh"] = True
    assert other.get("/learning").status_code == 200  # really logged in as someone else
    assert other.get(f"/certificates/{code}.pdf").status_code == 404


def test_review_after_a_course_edit_shows_what_was_asked(app, client, db, learner, tmp_path):
    response, _, _ = submit_quiz(client, app, learner, COURSE, QUIZ, right=True)
    before = client.get(response.location).get_data(as_text=True)
    copy = tmp_path / "courses"
    shutil.copytree(CATALOGUE, copy)
    quiz = copy / COURSE / f"{QUIZ}.gift"
    question_text = re.search(r"::[^:]+::\s*([^{]{20,60})", quiz.read_text()).group(1).strip()
    quiz.write_text(quiz.read_text().replace(question_text, "A brand new question text"))
    sync_catalogue(app, copy)
    after = client.get(response.location).get_data(as_text=True)
    assert question_text.split()[0] in after and "A brand new question text" not in after
    assert before.count("<fieldset") == after.count("<fieldset")


def count_queries(db):
    statements: list[str] = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.session.get_bind().engine
    event.listen(engine, "before_cursor_execute", listener)
    return statements, lambda: event.remove(engine, "before_cursor_execute", listener)


@pytest.mark.parametrize("path", [
    "/courses", f"/courses/{COURSE}", f"/courses/{COURSE}/lessons/passwords-passphrases",
    f"/courses/{COURSE}/quizzes/{QUIZ}", "/learning",
])
def test_queries_per_page_stay_constant(app, client, db, learner, path):
    complete_course(app, client, learner, "incident-response-fundamentals")
    complete_course(app, client, learner, COURSE)
    statements, stop = count_queries(db)
    try:
        assert client.get(path).status_code == 200
    finally:
        stop()
    assert len(statements) <= 12, (path, len(statements), statements)


def test_dashboard_query_count_does_not_grow_with_courses(app, client, db, learner):
    def dashboard_queries() -> int:
        statements, stop = count_queries(db)
        try:
            client.get("/learning")
        finally:
            stop()
        return len(statements)

    page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    client.post(f"/courses/{COURSE}/enrol", data={"csrf_token": csrf_token(page)})
    one = dashboard_queries()
    for course_id in db.session.scalars(select(Course.id)):
        client.post(f"/courses/{course_id}/enrol", data={"csrf_token": csrf_token(page)})
    submit_quiz(client, app, learner, COURSE, QUIZ, right=True)
    assert dashboard_queries() <= one + 2  # attempts list appears; nothing per course


def test_a_lesson_page_is_small(app, client, learner):
    html = client.get(f"/courses/{COURSE}/lessons/mfa-methods").data
    css = client.get("/static/learnhub.css").data
    assert b"<script" not in html
    assert len(html) + len(css) < 60_000, (len(html), len(css))


def test_lesson_done_needs_csrf_and_login(app, client, db, learner):
    assert client.post(f"/courses/{COURSE}/lessons/passwords-passphrases/done").status_code == 400
    anonymous = app.test_client()
    assert anonymous.post(f"/courses/{COURSE}/lessons/passwords-passphrases/done",
                          data={"csrf_token": "x"}).status_code == 400  # the CSRF check comes first
    assert db.session.scalar(select(func.count()).select_from(ItemProgress)) == 0


def test_each_month_of_activity_is_recorded_once_whatever_the_shortcut(app, client, db, make_user):
    """`learning._touch` looks for the month's activity row only when the enrolment's last activity was in another
    month: activity in January, twice in February and in March gives exactly those three months."""
    make_user(email="months@example.org", language="en")
    lessons = [item for item in items_of(COURSE) if item.kind == "lesson"]
    for when, lesson in ((datetime(2027, 1, 30, 9), lessons[0]), (datetime(2027, 2, 1, 9), lessons[1]),
                         (datetime(2027, 2, 27, 9), lessons[0]), (datetime(2027, 3, 2, 9), lessons[1])):
        with time_machine.travel(when, tick=False):
            assert log_in(client, "months@example.org").status_code == 303
            page = client.get(f"/courses/{COURSE}/lessons/{lesson.key}").get_data(as_text=True)
            if "Enrol" in page and "Mark as done" not in page:
                client.post(f"/courses/{COURSE}/enrol", data={"csrf_token": csrf_token(page)})
                page = client.get(f"/courses/{COURSE}/lessons/{lesson.key}").get_data(as_text=True)
            done = client.post(f"/courses/{COURSE}/lessons/{lesson.key}/done", data={"csrf_token": csrf_token(page)})
            assert done.status_code == 303
    months = db.session.execute(select(LearnerActivity.year, LearnerActivity.month).join(
        User, User.id == LearnerActivity.learner_id).where(User.email == "months@example.org")
        .order_by(LearnerActivity.year, LearnerActivity.month)).all()
    assert [tuple(row) for row in months] == [(2027, 1), (2027, 2), (2027, 3)]
