"""A learner's progress writes in few statements (issue 14): a graded submit numbers and stores its attempt in one
statement and brings the quiz's progress row in line with the attempts in another; a lesson marked done upserts its
row; the learner's place in the course is written with the completion check. And the rules those writes keep: the
best score counts and any pass passes, a first step enrols the learner and records the month's activity, a marker's
write leaves the learner's place alone, a row already in the session is refreshed, a replayed form is one attempt
even after the course changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from learnhub.extensions import db
from learnhub.models import Attempt, Course, Enrolment, ItemProgress, LearnerActivity
from learnhub.models.base import utcnow
from learnhub.services import catalogue, grading, learning
from tests.conftest import csrf_token, log_in
from tests.integration.learning_helpers import answers_for, quiz_page, submit_quiz
from tests.integration.test_learning import COURSE, QUIZ, count_queries

LESSON = "account-recovery"


def statements_of(db, action) -> tuple:
    """What `action` returned, and its statements as (verb, table) for writes and ("SELECT",) for reads; the
    savepoints of the test's own transaction are left out."""
    statements, stop = count_queries(db)
    try:
        result = action()
    finally:
        stop()
    kinds = []
    for statement in statements:
        words = statement.replace('"', "").split()
        verb = words[0].upper()
        if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN"):
            continue
        kinds.append((verb,) if verb == "SELECT" else (verb, words[2] if verb in ("INSERT", "DELETE") else words[1]))
    return result, kinds


@pytest.fixture
def learner(client, make_user):
    user = make_user(email="writer@example.org", language="en")
    assert log_in(client, "writer@example.org").status_code == 303
    return user


def db_course() -> Course:
    return db.session.get(Course, COURSE)


def item(key: str):
    return catalogue.syllabus(db_course()).item(key)


def progress_of(db, learner, key: str) -> ItemProgress:
    db.session.expire_all()
    return db.session.scalar(select(ItemProgress).where(
        ItemProgress.learner_id == learner.id, ItemProgress.item_id == item(key).id))


def test_a_graded_submit_is_an_insert_an_upsert_a_read_and_an_update(app, client, db, learner):
    first, _, _ = submit_quiz(client, app, learner, COURSE, QUIZ, right=True)
    assert first.status_code == 303
    html, token = quiz_page(client, COURSE, QUIZ)
    with app.app_context():
        shown = grading.form_for_token(token, learner, db_course(), item(QUIZ), app.config["SECRET_KEY"]).questions
    data = {"csrf_token": csrf_token(html), "token": token, **answers_for(shown, right=False)}
    second, kinds = statements_of(db, lambda: client.post(f"/courses/{COURSE}/quizzes/{QUIZ}", data=data))
    assert second.status_code == 303 and second.location != first.location
    assert kinds == [("SELECT",), ("INSERT", "attempts"), ("INSERT", "item_progress"), ("SELECT",),
                     ("UPDATE", "enrolments")]
    attempts = db.session.scalars(select(Attempt).where(Attempt.learner_id == learner.id)
                                  .order_by(Attempt.number)).all()
    assert [(attempt.number, attempt.score, attempt.passed) for attempt in attempts] == [
        (1, 100.0, True), (2, 0.0, False)]
    row = progress_of(db, learner, QUIZ)
    assert (row.state, row.attempts, row.best_score) == ("passed", 2, 100.0)  # the best counts, a pass stays
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == learner.id))
    assert enrolment.last_item_id == item(QUIZ).id


def test_a_lesson_done_again_is_an_upsert_a_read_and_an_update(app, client, db, learner):
    url = f"/courses/{COURSE}/lessons/{LESSON}"
    page = client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/done", data={"csrf_token": csrf_token(page)}).status_code == 303
    done_at = progress_of(db, learner, LESSON).updated_at
    response, kinds = statements_of(db, lambda: client.post(f"{url}/done", data={"csrf_token": csrf_token(page)}))
    assert response.status_code == 303
    assert kinds == [("SELECT",), ("INSERT", "item_progress"), ("SELECT",), ("UPDATE", "enrolments"),
                     ("SELECT",)]  # the last, after the commit: the view's read of where to send the learner
    row = progress_of(db, learner, LESSON)
    assert (row.state, row.attempts) == ("done", 0) and row.updated_at >= done_at  # done again, dated again


def test_a_first_step_enrols_the_learner_and_records_the_month(app, client, db, learner):
    url = f"/courses/{COURSE}/lessons/{LESSON}"
    page = client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/done", data={"csrf_token": csrf_token(page)}).status_code == 303
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == learner.id))
    assert enrolment is not None and enrolment.course_id == COURSE and enrolment.last_item_id == item(LESSON).id
    now = utcnow()
    months = db.session.execute(select(LearnerActivity.course_id, LearnerActivity.year, LearnerActivity.month)
                                .where(LearnerActivity.learner_id == learner.id)).all()
    assert [tuple(month) for month in months] == [(COURSE, now.year, now.month)]
    assert progress_of(db, learner, LESSON).state == "done"


def test_a_marker_s_write_refreshes_the_row_in_the_session_and_leaves_the_learner_s_place(app, client, db, learner):
    submit_quiz(client, app, learner, COURSE, QUIZ, right=False)
    row = progress_of(db, learner, QUIZ)
    assert (row.state, row.attempts) == ("failed", 1)
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == learner.id))
    place = (enrolment.last_item_id, enrolment.last_activity_at)
    attempt = db.session.scalar(select(Attempt).where(Attempt.learner_id == learner.id))
    attempt.score, attempt.passed = 90.0, True  # as a regrade or an essay mark leaves it
    course = db_course()
    with app.test_request_context():
        written = learning.record_quiz_result(learner, course, item(QUIZ), catalogue.syllabus(course),
                                              by_learner=False)
    assert written is row  # the object already in the session, refreshed by the upsert
    assert (row.state, row.attempts, row.best_score) == ("passed", 1, 90.0)
    assert (enrolment.last_item_id, enrolment.last_activity_at) == place


def test_a_form_replayed_after_the_course_changed_is_still_its_one_attempt(app, client, db, learner):
    first, _, data = submit_quiz(client, app, learner, COURSE, QUIZ, right=True)
    course = db_course()
    course.revision = "a-later-revision"
    db.session.commit()
    again = client.post(f"/courses/{COURSE}/quizzes/{QUIZ}", data=data)
    assert again.status_code == 303 and again.location == first.location
    assert len(db.session.scalars(select(Attempt).where(Attempt.learner_id == learner.id)).all()) == 1
