"""The catalogue's version (issue 14, decision 0084): any change to any course replaces it in the same transaction,
a logged-in request reads it with its session user, and a worker's kept course rows never outlive it."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.conftest import log_in
from tests.integration.learning_helpers import app_with_own_database

COURSE = "passwords-mfa"


def stored_version(db) -> str:
    from learnhub.models import CatalogueState

    return db.session.scalar(select(CatalogueState.version).where(CatalogueState.id == 1))


def test_a_flush_that_changes_a_course_replaces_the_version_and_others_keep_it(app, db, make_user):
    from learnhub.models import Course

    before = stored_version(db)
    assert re.fullmatch(r"[0-9a-f]{32}", before)
    make_user(email="l@example.org")  # a flush (and a commit) that changes no course
    course = db.session.get(Course, COURSE)
    course.title = {**course.title}  # loaded and set to an equal value: nothing to save
    db.session.flush()
    assert stored_version(db) == before
    course.title = {**course.title, "en": "Renamed"}
    db.session.flush()
    renamed = stored_version(db)
    assert re.fullmatch(r"[0-9a-f]{32}", renamed) and renamed != before
    course.retired = True
    db.session.commit()
    assert stored_version(db) not in (before, renamed)


def test_a_logged_in_request_reads_the_version_with_its_user_and_the_catalogue_is_keyed_by_it(app, db, client,
                                                                                              make_user):
    from learnhub.services import catalogue

    make_user(email="l@example.org")
    log_in(client, "l@example.org")
    with client:
        assert client.get(f"/courses/{COURSE}").status_code == 200
        from learnhub.services import catalogue_version

        assert catalogue_version.noted() == stored_version(db)
        assert catalogue.version() == stored_version(db)
    with app.test_request_context():  # no session user: nothing noted, the version is read
        assert catalogue_version.noted() is None
        assert catalogue.version() == stored_version(db)


def test_course_rows_are_kept_per_version_and_unknown_ids_never(app, db, client, make_user):
    from learnhub.services import catalogue

    make_user(email="l@example.org")
    log_in(client, "l@example.org")
    assert client.get(f"/courses/{COURSE}").status_code == 200
    assert catalogue._kept_courses[0] == stored_version(db) and set(catalogue._kept_courses[1]) == {COURSE}
    for number in range(20):
        assert client.get(f"/courses/no-such-course-{number}").status_code == 404
    assert set(catalogue._kept_courses[1]) == {COURSE}


def test_a_course_retired_elsewhere_is_gone_for_a_logged_in_learner_at_the_next_request(tmp_path_factory):
    """The kept row is of the version the request read: a retirement committed by another process (a sync, an
    unpublished workspace) replaces the version, and the learner's next lesson page is a 404, not the kept course."""
    from learnhub.extensions import db
    from learnhub.models import Course
    from learnhub.services import accounts, course_sync

    app = app_with_own_database(tmp_path_factory, "catalogue_version")
    with app.app_context():
        accounts.create("kept@example.org", "a long enough pass phrase", accounts.Profile(
            name="Kept", language="en", country="DO", sector="public-administration", organisation="",
            organisation_type="government"), verified=True)
        db.session.commit()
    learner = app.test_client()
    assert log_in(learner, "kept@example.org", "a long enough pass phrase").status_code == 303
    lesson = f"/courses/{COURSE}/lessons/mfa-methods"
    assert learner.get(lesson).status_code == 200
    assert learner.get(f"/courses/{COURSE}").status_code == 200  # the row is now kept by this "worker"
    with app.app_context():  # another process's session, committed
        course_sync.retire(db.session.get(Course, COURSE))
        db.session.commit()
        db.session.remove()
    assert learner.get(lesson).status_code == 404
    assert learner.get(f"/courses/{COURSE}").status_code == 404
