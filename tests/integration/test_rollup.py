"""The coverage rollup equals the live GROUP BY over the facts, whatever happens to them and in what order.

The rollup is kept by a flush listener (learnhub/reports/rollup.py); the oracle is the set-based SQL of
learnhub/reports/aggregate.py. Hypothesis drives random sequences of progress events, profile changes,
verifications of e-mail addresses and revocations, course kind changes through the ORM and the learning
service, and the two must agree after every flush. Only verified learners with a learning step are counted,
so a verification or a first step brings all of a learner's facts in at once.

"Currently certified" is not stored (it changes with time alone): after every flush the count a report makes
of it when read (`rollup.current_counts`, SQL) must equal the live count (`aggregate.current_live`, each
certificate judged in Python), for past, present and future years seen from several moments, while the
events also set and move certificates' expiry dates.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from learnhub.models import Certificate, Course, CoverageCount, Enrolment, LearnerActivity, User
from learnhub.models.base import utcnow
from learnhub.reports import aggregate, coverage, perturbation, rollup
from learnhub.services import accounts, catalogue, learning
from tests.integration.report_helpers import published

COURSES = ("passwords-mfa", "phishing-social-engineering", "incident-response-fundamentals")
COUNTRIES = ("DO", "CO", "ES")
SECTORS = ("health", "energy", "public-administration")
ROLES = ("trainee", "trainer", "analyst")
GENDERS = ("woman", "man", None)
VERIFIED = (True, False, True, False, False)  # the learners' addresses verified when they are created
TIMES = (datetime(2025, 3, 4, 10), datetime(2025, 12, 31, 23, 59), datetime(2026, 1, 1, 0, 0),
         datetime(2026, 6, 15, 12))
EXPIRIES = (None, datetime(2025, 12, 31, 23, 59), datetime(2026, 1, 1, 0, 0), datetime(2026, 6, 15, 12),
            datetime(2027, 1, 1))
NOWS = (datetime(2026, 1, 1, 0, 0), datetime(2026, 6, 15, 12), datetime(2026, 9, 1))
"""The present moments "currently certified" is checked at: the first at a year's boundary and an expiry."""


def assert_rollup_is_live(session) -> None:
    connection = session.connection()
    live = aggregate.nonzero(aggregate.live_counts(connection))
    stored = aggregate.nonzero(aggregate.stored(connection))
    differing = {key: (stored.get(key), live.get(key)) for key in live.keys() | stored.keys()
                 if live.get(key) != stored.get(key)}
    assert differing == {}, "rollup (left) differs from the facts (right)"
    for now in NOWS:
        for year in (2025, 2026, 2027):
            counted = aggregate.nonzero(rollup.current_counts(session, None, year, now))
            assert counted == aggregate.nonzero(aggregate.current_live(connection, year, now)), (year, now)


@pytest.fixture
def catalogue_synced(app, db):
    courses = set(db.session.scalars(select(Course.id)))
    assert set(COURSES) <= courses
    return courses


learner_index = st.integers(min_value=0, max_value=4)
course = st.sampled_from(COURSES)
when = st.sampled_from(TIMES)

EVENTS = st.one_of(
    st.tuples(st.just("enrol"), learner_index, course, when),
    st.tuples(st.just("complete"), learner_index, course, when),
    st.tuples(st.just("uncomplete"), learner_index, course),
    st.tuples(st.just("certify"), learner_index, course, when, st.sampled_from(EXPIRIES)),
    st.tuples(st.just("revoke"), learner_index, course),
    st.tuples(st.just("renew"), learner_index, course, when, st.sampled_from(EXPIRIES)),
    st.tuples(st.just("revoke_first"), learner_index, course),
    st.tuples(st.just("expire"), learner_index, course, st.sampled_from(EXPIRIES)),
    st.tuples(st.just("active"), learner_index, course, when),
    st.tuples(st.just("move"), learner_index, st.sampled_from(COUNTRIES), st.sampled_from(SECTORS),
              st.sampled_from(GENDERS)),
    st.tuples(st.just("role"), learner_index, st.sampled_from(ROLES)),
    st.tuples(st.just("rekind"), course, st.sampled_from(("awareness", "skills"))),
    st.tuples(st.just("verify"), learner_index),
    st.tuples(st.just("flush"),),
)


def _apply(session, learners: list[User], event: tuple) -> None:
    kind, *args = event
    if kind == "flush":
        session.flush()
        assert_rollup_is_live(session)
        return
    if kind == "rekind":  # a content sync changed the course's kind: its learners move between rows
        session.get(Course, args[0]).kind = args[1]
        return
    learner = learners[args[0]]
    if kind in ("enrol", "complete", "uncomplete"):
        enrolment = session.scalar(select(Enrolment).where(Enrolment.learner_id == learner.id,
                                                           Enrolment.course_id == args[1]))
        if kind == "enrol" and enrolment is None:
            session.add(Enrolment(learner_id=learner.id, course_id=args[1], enrolled_at=args[2],
                                  last_activity_at=args[2]))
        elif kind == "complete" and enrolment is not None:
            enrolment.completed_at = args[2]
        elif kind == "uncomplete" and enrolment is not None:
            enrolment.completed_at = None
    elif kind in ("certify", "revoke", "renew", "revoke_first", "expire"):
        # A learner may hold several certificates of a course: renewals (decision 0064), in any month, the
        # same month as the one renewed included. "certify" and "revoke" act on the newest, "revoke_first" on
        # the first.
        held = list(session.scalars(select(Certificate).where(Certificate.learner_id == learner.id,
                                                              Certificate.course_id == args[1])
                                    .order_by(Certificate.generation)))
        certificate = held[0] if kind == "revoke_first" and held else held[-1] if held else None
        if kind == "certify" and certificate is None:
            session.add(Certificate(code=f"C{learner.id:05d}{args[1][:8]}", learner_id=learner.id,
                                    course_id=args[1], learner_name="x", course_title={"en": "x"}, minutes=30,
                                    issued_at=args[2], expires_at=args[3]))
        elif kind == "certify" and certificate.revoked_at is not None:
            certificate.revoked_at, certificate.issued_at = None, args[2]
        elif kind == "renew" and certificate is not None and certificate.revoked_at is None:
            session.add(Certificate(code=f"R{learner.id:04d}{len(held)}{args[1][:7]}", learner_id=learner.id,
                                    course_id=args[1], learner_name="x", course_title={"en": "x"}, minutes=20,
                                    issued_at=args[2], generation=len(held) + 1, renews=certificate,
                                    expires_at=args[3]))
        elif kind == "expire" and certificate is not None:  # the newest: a renewal may outlive the one renewed
            certificate.expires_at = args[2]
        elif kind in ("revoke", "revoke_first") and certificate is not None:
            certificate.revoked_at = utcnow()
    elif kind == "active":
        key = {"learner_id": learner.id, "course_id": args[1], "year": args[2].year, "month": args[2].month}
        if session.get(LearnerActivity, key) is None:
            session.add(LearnerActivity(**key))
    elif kind == "move":
        learner.country, learner.sector, learner.gender = args[1], args[2], args[3]
    elif kind == "role":
        learner.role = args[1]
    elif kind == "verify":  # the verification link, or an accepted invitation (they flush)
        accounts.mark_email_verified(learner)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(events=st.lists(EVENTS, max_size=25))
def test_the_rollup_equals_the_live_counts_after_any_sequence_of_events(app, db, catalogue_synced, events):
    with app.app_context():
        savepoint = db.session.begin_nested()
        try:
            learners = [accounts.create(f"p{index}@example.org", "correct horse battery staple",
                                        accounts.Profile(name="P", country=COUNTRIES[index % 3],
                                                         sector=SECTORS[index % 3], organisation="Org",
                                                         organisation_type="government", language="es",
                                                         gender=GENDERS[index % 3]), role=ROLES[index % 2],
                                        verified=VERIFIED[index])
                        for index in range(5)]
            for event in events:
                _apply(db.session, learners, event)
            db.session.flush()
            assert_rollup_is_live(db.session)
        finally:
            savepoint.rollback()


CERTIFICATE_EVENTS = st.one_of(
    st.tuples(st.just("certify"), learner_index, course, when, st.sampled_from(EXPIRIES)),
    st.tuples(st.just("renew"), learner_index, course, when, st.sampled_from(EXPIRIES)),
    st.tuples(st.just("expire"), learner_index, course, st.sampled_from(EXPIRIES)),
    st.tuples(st.just("revoke"), learner_index, course),
    st.tuples(st.just("revoke_first"), learner_index, course),
    st.tuples(st.just("move"), learner_index, st.sampled_from(COUNTRIES), st.sampled_from(SECTORS),
              st.sampled_from(GENDERS)),
    st.tuples(st.just("rekind"), course, st.sampled_from(("awareness", "skills"))),
    st.tuples(st.just("flush"),),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(events=st.lists(CERTIFICATE_EVENTS, min_size=1, max_size=20))
def test_currently_certified_equals_the_live_count_whatever_happens_to_certificates(app, db, catalogue_synced,
                                                                                    events):
    """The same property with every learner counted from the start, so certificates, renewals, expiry dates
    and revocations are what the events move (the test above reaches them more rarely)."""
    with app.app_context():
        savepoint = db.session.begin_nested()
        try:
            learners = [accounts.create(f"c{index}@example.org", "correct horse battery staple",
                                        accounts.Profile(name="C", country=COUNTRIES[index % 3],
                                                         sector=SECTORS[index % 3], organisation="Org",
                                                         organisation_type="government", language="es",
                                                         gender=GENDERS[index % 3]), role=ROLES[index % 2],
                                        verified=True)
                        for index in range(5)]
            db.session.add_all([LearnerActivity(learner_id=learner.id, course_id=COURSES[0], year=2025, month=3)
                                for learner in learners])
            for event in events:
                _apply(db.session, learners, event)
            db.session.flush()
            assert_rollup_is_live(db.session)
        finally:
            savepoint.rollback()


def test_the_learning_service_keeps_the_rollup_and_counts_a_month_once(app, db, catalogue_synced, make_user):
    """Through the service: enrol, lessons done twice, a completion; activity is one row per course and month."""
    learner = make_user(country="CO", sector="energy")
    with app.app_context():
        learner = db.session.get(User, learner.id)
        course = catalogue.course_or_none("passwords-mfa")
        syllabus = catalogue.syllabus(course)
        lessons = [item for item in syllabus.items if item.kind == "lesson"]
        for item in lessons + lessons:
            learning.mark_lesson_done(learner, course, item, syllabus)
        db.session.commit()
        now = utcnow()
        assert db.session.scalars(select(LearnerActivity.course_id).where(
            LearnerActivity.learner_id == learner.id)).all() == ["passwords-mfa"]
        counts = rollup.stored_counts(db.session, "CO", now.year)
        assert counts[("total", "", "enrolled")] == 1
        assert counts[("total", "", "active")] == 1
        assert counts[("month", f"{now.year}-{now.month:02d}", "active")] == 1
        assert counts[("sector", "energy", "population")] == 1
        assert_rollup_is_live(db.session)


def test_the_report_from_the_rollup_equals_the_report_from_the_live_counts(app, db, catalogue_synced, make_user):
    with app.app_context():
        for index in range(30):
            learner = make_user(email=f"r{index}@example.org", country="DO",
                                sector=SECTORS[index % 3], gender=GENDERS[index % 3])
            enrolled = datetime(2026, 1 + index % 12, 3)
            db.session.add(Enrolment(learner_id=learner.id, course_id=COURSES[index % 3], enrolled_at=enrolled,
                                     last_activity_at=enrolled,
                                     completed_at=enrolled + timedelta(days=9) if index % 2 else None))
            db.session.add(LearnerActivity(learner_id=learner.id, course_id=COURSES[index % 3], year=2026,
                                           month=enrolled.month))
        db.session.flush()
        live = {(cut, key, metric): value for (_, _, cut, key, metric), value in
                aggregate.live_counts(db.session.connection(), "DO", 2026).items()}
        from_rollup, from_live = coverage.build("DO", 2026, 5), coverage.build("DO", 2026, 5, counts=live)
        assert from_rollup.headline == from_live.headline
        assert from_rollup.cuts == from_live.cuts
        assert live[("total", "", "enrolled")] == 30 and live[("total", "", "completed")] == 15
        assert from_rollup.headline["enrolled"].value == published(app, 30, "DO", 2026, "total", "", "enrolled")
        assert from_rollup.headline["completed"].value == published(app, 15, "DO", 2026, "total", "", "completed")
        assert abs(from_rollup.headline["completed"].value - 15) <= perturbation.BOUND


def test_rebuild_restores_a_damaged_rollup_and_check_reports_it(app, db, catalogue_synced, make_user):
    for index in range(3):
        learner = make_user(email=f"b{index}@example.org", country="ES")
        db.session.add(LearnerActivity(learner_id=learner.id, course_id=COURSES[0], year=2026, month=5))
    db.session.commit()
    with app.app_context():
        before = aggregate.nonzero(aggregate.stored(db.session.connection()))
        assert before[("ES", 0, "total", "", "population")] == 3
    runner = app.test_cli_runner()
    with app.app_context():
        db.session.execute(delete(CoverageCount).where(CoverageCount.country == "ES"))
        db.session.commit()
    result = runner.invoke(args=["report", "check"])
    assert result.exit_code == 1
    assert "ES 0 total  population: rollup 0, facts 3" in result.output
    result = runner.invoke(args=["report", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "coverage rollup rebuilt" in result.output
    result = runner.invoke(args=["report", "check"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert aggregate.nonzero(aggregate.stored(db.session.connection())) == before


def test_a_verification_brings_the_learners_facts_into_the_rollup_in_the_same_transaction(
        app, db, catalogue_synced, make_user):
    """An unverified learner who enrols and studies counts nowhere; the flush that verifies their address
    adds every one of their facts (and their population cells) at once, and the oracle agrees throughout."""
    with app.app_context():
        learner = make_user(email="late@example.org", country="CO", sector="energy", verified=False)
        learner = db.session.get(User, learner.id)
        course = catalogue.course_or_none("passwords-mfa")
        syllabus = catalogue.syllabus(course)
        lesson = next(item for item in syllabus.items if item.kind == "lesson")
        learning.mark_lesson_done(learner, course, lesson, syllabus)
        db.session.flush()
        year = utcnow().year
        assert rollup.stored_counts(db.session, "CO", year) == {}
        assert_rollup_is_live(db.session)
        accounts.mark_email_verified(learner)  # flushes: the listener runs in this transaction
        counts = rollup.stored_counts(db.session, "CO", year)
        assert counts[("total", "", "population")] == 1 and counts[("sector", "energy", "population")] == 1
        assert counts[("total", "", "enrolled")] == 1 and counts[("total", "", "active")] == 1
        assert counts[("course", "passwords-mfa", "active")] == 1
        assert_rollup_is_live(db.session)


def test_a_verified_learner_counts_from_their_first_learning_step(app, db, catalogue_synced, make_user):
    """Enrolling is not a learning step: a verified learner who only enrolled counts nowhere; their first
    lesson brings the enrolment in with the activity."""
    with app.app_context():
        learner = make_user(email="starter@example.org", country="CO", sector="health")
        learner = db.session.get(User, learner.id)
        db.session.add(Enrolment(learner_id=learner.id, course_id="passwords-mfa", enrolled_at=datetime(2026, 2, 1),
                                 last_activity_at=datetime(2026, 2, 1)))
        db.session.flush()
        assert rollup.stored_counts(db.session, "CO", 2026) == {}
        assert_rollup_is_live(db.session)
        db.session.add(LearnerActivity(learner_id=learner.id, course_id="passwords-mfa", year=2026, month=3))
        db.session.flush()
        counts = rollup.stored_counts(db.session, "CO", 2026)
        assert counts[("total", "", "enrolled")] == 1 and counts[("month", "2026-02", "enrolled")] == 1
        assert counts[("total", "", "active")] == 1 and counts[("total", "", "population")] == 1
        assert_rollup_is_live(db.session)


def test_a_renewal_in_the_month_of_the_certificate_it_renews_counts_once(app, db, catalogue_synced):
    """Two standing certificates of one course in one month are one fact: issuing the renewal adds nothing,
    revoking one leaves the learner certified that month, revoking both takes it away, and restoring one brings
    it back (decision 0064)."""
    with app.app_context():
        savepoint = db.session.begin_nested()
        try:
            learner = accounts.create("renewer@example.org", "correct horse battery staple", accounts.Profile(
                name="R", country="CO", sector="health", organisation="Org", organisation_type="government",
                language="es"), verified=True)
            # No expiry here: both certificates stand, and the learner is currently certified once too.
            steps = [("active", 0, COURSES[0], TIMES[3]), ("certify", 0, COURSES[0], TIMES[3], None),
                     ("renew", 0, COURSES[0], TIMES[3], None), ("revoke_first", 0, COURSES[0]),
                     ("revoke", 0, COURSES[0]), ("certify", 0, COURSES[0], TIMES[3], None)]
            certified, current = [], []
            for step in steps:
                _apply(db.session, [learner], step)
                db.session.flush()
                assert_rollup_is_live(db.session)
                certified.append(rollup.stored_counts(db.session, "CO", 2026).get(("total", "", "certified"), 0))
                current.append(rollup.current_counts(db.session, ("CO",), 2026, NOWS[-1]).get(
                    ("CO", 2026, "total", "", "current"), 0))
            assert certified == [0, 1, 1, 1, 0, 1]
            assert current == [0, 1, 1, 1, 0, 1]
        finally:
            savepoint.rollback()
