"""Odd inputs and abuse paths found in review: each answers cleanly, never a 500 or a leak."""

from __future__ import annotations

import re
import shutil

from sqlalchemy import func, select

from learnhub.models import Attempt
from tests.conftest import csrf_token, log_in, post_form
from tests.integration.learning_helpers import CATALOGUE, accept_invitation, quiz_page, submit_quiz, sync_catalogue

COURSE, QUIZ = "passwords-mfa", "check-passwords-mfa"


def test_strange_choice_values_are_no_answer_not_an_error(app, db, client, make_user):
    make_user(email="ana@example.org")
    log_in(client, "ana@example.org")
    html, token = quiz_page(client, COURSE, QUIZ)
    data = {"csrf_token": csrf_token(html), "token": token}
    for index in range(1, 15):
        data[f"q{index}"] = "²" if index % 2 else "9" * 5000
        data[f"q{index}-0"] = "٣"
    response = client.post(f"/courses/{COURSE}/quizzes/{QUIZ}", data=data)
    assert response.status_code == 303
    assert db.session.scalar(select(Attempt.score)) == 0.0


def test_media_name_with_a_nul_byte_is_not_found(app, db, client):
    assert client.get(f"/courses/{COURSE}/media/a%00b.png").status_code == 404


def test_logging_in_from_a_quiz_shares_the_login_throttle(app, db, client, make_user):
    expired = client.post(f"/courses/{COURSE}/quizzes/{QUIZ}", data={"token": "t"})  # a session that ended
    assert expired.status_code == 401
    token = csrf_token(expired.get_data(as_text=True))  # the quiz's own login form
    statuses = [client.post(f"/courses/{COURSE}/quizzes/{QUIZ}", data={
        "csrf_token": token, "email": f"user{i}@example.org", "password": "wrong password here"}).status_code
        for i in range(31)]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429, statuses
    assert client.post("/login", data={"email": "x@example.org", "password": "whatever it is"}).status_code == 429


def test_a_quiz_changed_while_answering_is_shown_again(app, db, client, make_user, tmp_path):
    learner = make_user(email="ana@example.org", language="en")
    log_in(client, "ana@example.org")
    form = quiz_page(client, COURSE, QUIZ)
    copy = tmp_path / "courses"
    shutil.copytree(CATALOGUE, copy)
    for quiz in sorted((copy / COURSE).glob(f"{QUIZ}*.gift")):  # every translation needs the new question
        language = quiz.name.split(".")[1] if quiz.name.count(".") == 2 else "en"
        text = {"es": "¿Es nueva?", "fr": "Est-ce nouveau ?"}.get(language, "Is this new?")
        quiz.write_text(quiz.read_text() + f"\n\n::extra-question:: {text} {{T}}\n")
    sync_catalogue(app, copy)
    response, _, _ = submit_quiz(client, app, learner, COURSE, QUIZ, right=True, token_html=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "This quiz was updated while you were answering it" in page
    assert "extra-question" in page or "Is this new?" in page
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_a_foreign_form_is_not_offered_for_resending(app, db, client):
    for path in ("/language", f"/courses/{COURSE}/enrol"):  # an anonymous form, and one with a CSRF token
        response = client.post(path, data={"language": "es", "csrf_token": "forged"},
                               headers={"Origin": "https://evil.example"})
        main = re.search(r"<main.*</main>", response.get_data(as_text=True), re.S).group(0)
        assert response.status_code == 400 and "Send again" not in main and 'name="language"' not in main
    own = client.post(f"/courses/{COURSE}/enrol", data={"language": "es", "csrf_token": "forged"},
                      headers={"Origin": "http://localhost"})
    assert "Send again" in own.get_data(as_text=True)


def test_odd_cohort_names_export_and_a_zero_mark_is_a_mark(app, db, client, make_user):
    make_user(role="trainer", email="t@example.org", language="en")
    log_in(client, "t@example.org")
    created = post_form(client, "/trainer/", {"name": "2026/1: [MINSAL]*?", "organisation": "MINSAL",
                                              "country": "SV", "language": "es"})
    cohort_id = re.search(r"/trainer/cohorts/(\d+)", created.location).group(1)
    post_form(client, f"/trainer/cohorts/{cohort_id}/assignments", {"course": COURSE, "due_on": ""},
              page=f"/trainer/cohorts/{cohort_id}")
    export = client.get(f"/trainer/cohorts/{cohort_id}/progress.xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"
    learner = make_user(email="ana@example.org", language="en")
    post_form(client, f"/trainer/cohorts/{cohort_id}/people", {"email": "ana@example.org", "name": "Ana"},
              page=f"/trainer/cohorts/{cohort_id}")
    post_form(client, f"/trainer/cohorts/{cohort_id}/assignments",
              {"course": "ics-critical-infrastructure", "due_on": ""}, page=f"/trainer/cohorts/{cohort_id}")
    learner_client = app.test_client()
    log_in(learner_client, "ana@example.org")
    accept_invitation(learner_client, cohort_id)
    submit_quiz(learner_client, app, learner, "ics-critical-infrastructure", "check-ot-security", right=False)
    link = re.search(r'href="(/trainer/marking/\d+/[^"]+)"', client.get("/trainer/marking").get_data(as_text=True))
    assert post_form(client, link.group(1), {"score": "0", "feedback": ""}).status_code == 303
    assert db.session.scalar(select(Attempt.awaiting_marking)) == 0
