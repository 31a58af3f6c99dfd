"""The rollup stays exact when one learner's requests run at the same moment (two tabs, two devices).

On PostgreSQL each transaction only sees the other's facts once committed, so without the lock on the
learner's row (rollup._delta_for) both would count the learner as newly enrolled and active. SQLite
serialises writers, so there the test checks the same property without the race.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from learnhub.extensions import db
from learnhub.models import Course, User
from learnhub.models.base import utcnow
from learnhub.reports import aggregate, rollup
from learnhub.services import accounts, catalogue, learning
from tests.conftest import DEFAULT_PASSWORD, PROFILE


def test_simultaneous_first_steps_in_several_courses_count_the_learner_once(shared_app):
    app = shared_app
    with app.app_context():
        learner = accounts.create("twotabs@example.org", DEFAULT_PASSWORD,
                                  accounts.Profile(**{**PROFILE, "country": "PE"}), verified=True)
        db.session.commit()
        learner_id = learner.id
        courses = list(db.session.scalars(select(Course.id).order_by(Course.id)))[:4]
        db.session.remove()
    barrier = threading.Barrier(len(courses))
    failures: list[BaseException] = []

    def first_lesson(course_id: str) -> None:
        try:
            with app.app_context():
                course = catalogue.course_or_none(course_id)
                syllabus = catalogue.syllabus(course)
                lesson = next(item for item in syllabus.items if item.kind == "lesson")
                person = db.session.get(User, learner_id)
                # End the read transaction before waiting: on SQLite it began IMMEDIATE (outside a request
                # every transaction may write), and holding it at the barrier would lock the others out.
                db.session.commit()
                barrier.wait()
                learning.mark_lesson_done(person, course, lesson, syllabus)
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=first_lesson, args=(course_id,)) for course_id in courses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    year = utcnow().year
    with app.app_context():
        counts = rollup.stored_counts(db.session, "PE", year)
        assert counts[("total", "", "enrolled")] == 1
        assert counts[("total", "", "active")] == 1
        assert {key: counts.get(("course", key, "active")) for key in courses} == dict.fromkeys(courses, 1)
        connection = db.session.connection()
        assert aggregate.nonzero(aggregate.stored(connection, "PE")) == aggregate.nonzero(
            aggregate.live_counts(connection, "PE"))
        db.session.remove()
