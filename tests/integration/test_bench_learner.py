"""The load test's learner (bench/locustfile.py) fills in every quiz in courses/ so that it is accepted: a
load test whose quiz submits were refused would measure error pages, not grading."""

from __future__ import annotations

from sqlalchemy import select

from bench import quiz_form
from learnhub.models import Attempt, Course
from learnhub.services import catalogue, learning
from tests.conftest import log_in


def test_the_load_tests_learner_answers_every_quiz_so_that_it_is_graded(client, db, make_user):
    learner = make_user(email="bench@example.org", language="en")
    courses = catalogue.published_courses()
    for course in courses:
        learning.enrol(learner, course)
    db.session.commit()
    log_in(client, "bench@example.org")
    quizzes = [(course.id, item.key) for course in courses for item in catalogue.syllabus(course).items
               if item.kind == "quiz"]
    assert len(quizzes) >= 6
    for course_id, key in quizzes:
        url = f"/courses/{course_id}/quizzes/{key}"
        filled = quiz_form.answers(client.get(url).get_data(as_text=True))
        assert filled is not None, url
        response = client.post(url, data=filled)
        assert response.status_code == 303, (url, response.status_code)
    graded = db.session.scalars(select(Attempt.course_id).join(Course)).all()
    assert sorted(graded) == sorted(course_id for course_id, _ in quizzes)
