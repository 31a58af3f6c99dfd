"""A lesson's or quiz form's state read in the session user's statement (issue 14, decision 0085): the same answer
as course_progress in every case these pages show (a lesson not enrolled, to do, done, to do again in a renewal
window opened by expiry or by a campaign, for a cohort or a filter; a quiz's attempts and best score), one
statement for the page, and no answer at all when the worker's kept course is of another catalogue version. A
course page's key likewise (decision 0087)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from sqlalchemy import select

from learnhub.models import CohortMember, Course, ItemProgress
from learnhub.models.base import utcnow
from learnhub.services import accounts, campaigns, catalogue, cohorts, item_state, learning
from tests.conftest import csrf_token, log_in
from tests.integration.learning_helpers import submit_quiz
from tests.integration.test_learning import COURSE, QUIZ, complete_course, count_queries

LESSON = "account-recovery"
URL = f"/courses/{COURSE}/lessons/{LESSON}"
LESSON_TWO = "mfa-methods"


def session_user_read(db, learner):
    """`learner` as the session user's statement reads them, with whatever this request asked for."""
    user = db.session.get(learner.__class__, learner.id)
    db.session.expunge(user)  # not in the identity map: the statement is made
    found = accounts.session_user(learner.id, user.session_token)
    assert found is not None
    return found


def states(app, db, learner, key: str = LESSON, kind: str = "lesson") -> tuple:
    """(read with the session user, read by course_progress) for `learner` on the lesson (or quiz), now."""
    db.session.remove()  # nothing in the identity map: the session user is read
    with app.test_request_context(URL):
        item_state.ask(COURSE, key, kind)
        assert item_state.question() is not None, "the worker keeps the course: a page was served before"
        found = session_user_read(db, learner)
        course = catalogue.course_or_none(COURSE)
        syllabus = catalogue.syllabus(course)
        item = syllabus.item(key)
        fast = item_state.answered(course.id, item.id)
        known = item_state.LessonState if kind == "lesson" else item_state.QuizState
        slow = known.of(learning.course_progress(found, course, syllabus), item)
    db.session.remove()
    return fast, slow


def selects_of(client, db, url: str) -> tuple[str, list[str]]:
    """The page at `url` and the SELECT statements it made."""
    statements, stop = count_queries(db)
    try:
        page = client.get(url).get_data(as_text=True)
    finally:
        stop()
    return page, [each for each in statements if each.lstrip().upper().startswith("SELECT")]


@pytest.fixture
def renewing(app, db):
    course = db.session.get(Course, COURSE)
    course.valid_months, course.synced_at = 1, utcnow()
    db.session.commit()


def test_the_answer_is_course_progress_s_through_enrolment_completion_and_renewal(app, db, client, make_user,
                                                                                     renewing):
    with time_machine.travel(datetime(2027, 1, 10, 9), tick=False):
        learner = make_user(email="l@example.org", language="en")
        log_in(client, "l@example.org")
        client.get(f"/courses/{COURSE}")  # the worker now keeps the course and its syllabus
        assert states(app, db, learner) == (item_state.LessonState("not-started", False),) * 2
        page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
        client.post(f"/courses/{COURSE}/enrol", data={"csrf_token": csrf_token(page)})
        assert states(app, db, learner) == (item_state.LessonState("not-started", False),) * 2
        complete_course(app, client, learner, COURSE)
        assert states(app, db, learner) == (item_state.LessonState("done", False),) * 2
    with time_machine.travel(datetime(2027, 2, 2, 9), tick=False):  # the renewal window opened on 11 January
        assert states(app, db, learner) == (item_state.LessonState("done", True),) * 2
        log_in(client, "l@example.org")
        page = client.get(URL).get_data(as_text=True)
        client.post(f"{URL}/done", data={"csrf_token": csrf_token(page)})
        assert states(app, db, learner) == (item_state.LessonState("done", False),) * 2


@pytest.mark.parametrize("population", ["cohorts", "filter"])
def test_a_campaign_that_opens_the_window_early_is_seen_through_the_users_row(app, db, client, make_user,
                                                                              population):
    """The campaign's subqueries correlate to the learner's `users` row two levels out (a cohort membership, or
    the filter's country)."""
    course = db.session.get(Course, COURSE)
    course.valid_months, course.synced_at = 12, utcnow()
    db.session.commit()
    trainer = make_user(role="trainer", email="t@example.org")
    learner = make_user(email="l@example.org", language="en", country="DO")
    bystander = make_user(email="b@example.org", language="en", country="PE")
    cohort = cohorts.create(trainer, "Enfermería 2027", "MSP", "DO", "en")
    db.session.add(CohortMember(cohort_id=cohort.id, learner_id=learner.id, accepted_at=utcnow()))
    db.session.commit()
    with time_machine.travel(datetime(2027, 1, 10, 9), tick=False):
        for person in (learner, bystander):
            log_in(client, person.email)
            complete_course(app, client, person, COURSE)
    with time_machine.travel(datetime(2027, 1, 11, 9), tick=False):
        admin = make_user(role="admin", email="a@example.org")
        if population == "cohorts":
            campaigns.start(trainer, course, date(2027, 3, 31), cohort_ids=[cohort.id])
        else:
            campaigns.start(admin, course, date(2027, 3, 31), where=campaigns.Filter(country="DO"))
        db.session.commit()
    with time_machine.travel(datetime(2027, 1, 20, 9), tick=False):
        client.get(f"/courses/{COURSE}")
        assert states(app, db, learner) == (item_state.LessonState("done", True),) * 2
        assert states(app, db, bystander) == (item_state.LessonState("done", False),) * 2


def test_a_lesson_page_makes_one_statement_once_its_course_is_kept(app, db, client, make_user):
    make_user(email="l@example.org", language="en")
    log_in(client, "l@example.org")
    assert client.get(URL).status_code == 200  # the course read and kept; the page rendered and kept
    page, reads = selects_of(client, db, URL)
    assert "Mark as done" in page
    assert len(reads) == 1 and "item_progress" in reads[0] and "catalogue_state" in reads[0], reads


def test_no_answer_when_the_kept_course_is_of_another_version(app, db, client, make_user):
    learner = make_user(email="l@example.org", language="en")
    log_in(client, "l@example.org")
    client.get(f"/courses/{COURSE}")
    course = db.session.get(Course, COURSE)
    course.title = {**course.title, "en": "Renamed meanwhile"}  # a new catalogue version, not yet seen
    db.session.commit()
    fast, slow = states(app, db, learner)
    assert fast is None and slow == item_state.LessonState("not-started", False)
    page = client.get(URL).get_data(as_text=True)  # the page reads the progress the longer way, and is right
    assert "Renamed meanwhile" in page and "Mark as done" in page


def test_a_quiz_form_s_attempts_and_best_score_are_course_progress_s_and_it_makes_one_statement(
        app, db, client, make_user):
    learner = make_user(email="l@example.org", language="en")
    log_in(client, "l@example.org")
    quiz = f"/courses/{COURSE}/quizzes/{QUIZ}"
    assert client.get(quiz).status_code == 200  # the course kept by this worker
    assert states(app, db, learner, QUIZ, "quiz") == (item_state.QuizState(0, None),) * 2
    submit_quiz(client, app, learner, COURSE, QUIZ, right=False)
    submit_quiz(client, app, learner, COURSE, QUIZ, right=True)
    fast, slow = states(app, db, learner, QUIZ, "quiz")
    assert fast == slow and fast.attempts == 2 and fast.best_score == 100
    client.get(quiz)
    page, reads = selects_of(client, db, quiz)
    assert len(reads) == 1 and "item_progress" in reads[0], reads
    assert "Your best score: 100%" in page and "1 attempt left" in page


def course_keys(app, db, learner) -> tuple:
    """(the course page's key read with the session user, course_progress's signature) for `learner`, now."""
    db.session.remove()
    with app.test_request_context(f"/courses/{COURSE}"):
        item_state.ask_course(COURSE)
        found = session_user_read(db, learner)
        course = catalogue.course_or_none(COURSE)
        fast = item_state.course_signature(COURSE)
        slow = learning.course_progress(found, course, catalogue.syllabus(course)).signature()
    db.session.remove()
    return fast, slow


def test_a_course_page_s_key_is_course_progress_s_and_a_kept_page_is_one_statement(app, db, client, make_user):
    """Through not enrolled, enrolled, a lesson done and a quiz failed with a best score that JSON cannot carry
    exactly (2/3): the key read with the session user equals course_progress's signature, so the page kept under
    it is served in one statement, and a step the learner takes changes it."""
    learner = make_user(email="l@example.org", language="en")
    log_in(client, "l@example.org")
    course_page = f"/courses/{COURSE}"
    client.get(course_page)  # the worker now keeps the course: its page asks
    assert course_keys(app, db, learner) == ((False, None, ()),) * 2
    page = client.get(course_page).get_data(as_text=True)
    client.post(f"{course_page}/enrol", data={"csrf_token": csrf_token(page)})
    fast, slow = course_keys(app, db, learner)
    assert fast == slow == (True, None, ())
    lesson_page = client.get(URL).get_data(as_text=True)
    client.post(f"{URL}/done", data={"csrf_token": csrf_token(lesson_page)})
    submit_quiz(client, app, learner, COURSE, QUIZ, right=False)
    row = db.session.scalar(select(ItemProgress).where(ItemProgress.learner_id == learner.id,
                                                       ItemProgress.state == "failed"))
    row.best_score = 200 / 3  # 66.66666666666667: SQLite's JSON keeps 15 significant digits
    db.session.commit()
    fast, slow = course_keys(app, db, learner)
    assert fast == slow and len(fast[2]) == 2 and fast[1] == row.item_id, fast
    assert client.get(course_page).status_code == 200  # rendered and kept under that key
    page, reads = selects_of(client, db, course_page)
    assert len(reads) == 1 and "item_progress" in reads[0] and "enrolments" in reads[0], reads
    assert "best 66.7%" in page, page
    lesson_page = client.get(f"/courses/{COURSE}/lessons/{LESSON_TWO}").get_data(as_text=True)
    client.post(f"/courses/{COURSE}/lessons/{LESSON_TWO}/done", data={"csrf_token": csrf_token(lesson_page)})
    page, reads = selects_of(client, db, course_page)
    assert len(reads) == 2, reads  # a new key: the page is read and rendered anew
    assert page.count("badge-done") == 2, page


def test_a_course_page_of_a_course_not_kept_asks_nothing(app, db, client, make_user):
    """Only a course this worker keeps is asked about before the request's own checks: an odd id (a NUL byte,
    which PostgreSQL refuses in text) is answered 404 by the view, not 500 by the session user's statement."""
    make_user(email="l@example.org", language="en")
    log_in(client, "l@example.org")
    client.get(f"/courses/{COURSE}")
    with app.test_request_context("/courses/x"):
        item_state.ask_course("no-such-course\x00")
        assert item_state.question() is None
        item_state.ask_course(COURSE)
        assert item_state.question() is not None
    assert client.get("/courses/no-such-course%00").status_code in (400, 404)
    assert client.get("/courses/no-such-course").status_code == 404
