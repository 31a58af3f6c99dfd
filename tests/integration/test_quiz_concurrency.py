"""Concurrent quiz submissions against a real database (its own, committed, so threads see each other)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from learnhub.extensions import db
from learnhub.models import Attempt, Course, ItemProgress
from learnhub.services import accounts
from tests.conftest import DEFAULT_PASSWORD, PROFILE, csrf_token, log_in
from tests.integration.learning_helpers import answers_for, quiz_page

COURSE, QUIZ = "passwords-mfa", "check-passwords-mfa"


def prepared_forms(app, email: str, count: int):
    with app.app_context():
        learner = accounts.create(email, DEFAULT_PASSWORD, accounts.Profile(**PROFILE))
        db.session.commit()
        learner_id = learner.id
    forms = []
    for _ in range(count):
        client = app.test_client()
        log_in(client, email)
        html, token = quiz_page(client, COURSE, QUIZ)
        with app.app_context():
            from learnhub.services import catalogue, grading

            course = db.session.get(Course, COURSE)
            item = catalogue.syllabus(course).item(QUIZ)
            learner = db.session.get(accounts.User, learner_id)
            shown = grading.form_for_token(token, learner, course, item, app.config["SECRET_KEY"]).questions
        forms.append((client, {"csrf_token": csrf_token(html), "token": token, **answers_for(shown, right=False)}))
    return learner_id, forms


def submit_together(forms) -> list[int]:
    barrier = threading.Barrier(len(forms))
    statuses: list[int] = [0] * len(forms)

    def submit(index: int) -> None:
        client, data = forms[index]
        barrier.wait()
        statuses[index] = client.post(f"/courses/{COURSE}/quizzes/{QUIZ}", data=data).status_code

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def attempts_of(app, learner_id: int) -> tuple[int, int]:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.learner_id == learner_id))
        recorded = db.session.scalar(select(ItemProgress.attempts).where(ItemProgress.learner_id == learner_id))
        db.session.remove()
    return count, recorded


def test_max_attempts_hold_under_concurrent_submits(shared_app):
    learner_id, forms = prepared_forms(shared_app, "racer@example.org", 6)  # max_attempts is 3
    statuses = submit_together(forms)
    assert statuses.count(303) == 6  # every request answers: an attempt page or "no attempts left"
    assert attempts_of(shared_app, learner_id) == (3, 3)


def test_the_same_form_submitted_at_once_is_graded_once(shared_app):
    learner_id, forms = prepared_forms(shared_app, "double@example.org", 1)
    client, data = forms[0]
    statuses = submit_together([(client, data)] * 4)
    assert statuses == [303] * 4
    assert attempts_of(shared_app, learner_id) == (1, 1)
