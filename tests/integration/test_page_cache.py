"""Rendered pages served from a worker's cache (issue 14, decision 0036) show each person what is theirs: their
own CSRF token, their own done state, their role's navigation, their messages, and never a page from before a
sync."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.conftest import csrf_token, log_in
from tests.integration.learning_helpers import (
    CATALOGUE,
    app_with_own_database,
    items_of,
    sync_catalogue,
    wait_until_heard,
)
from tests.integration.test_learning import count_queries

COURSE = "passwords-mfa"


def lesson_url(index: int = 0) -> str:
    return f"/courses/{COURSE}/lessons/{items_of(COURSE)[index].key}"


def test_two_learners_get_the_same_page_each_with_their_own_working_csrf_token(app, db, make_user):
    first, second = app.test_client(), app.test_client()
    for number, client in enumerate((first, second)):
        make_user(email=f"l{number}@example.org", language="en")
        assert log_in(client, f"l{number}@example.org").status_code == 303
    pages = [client.get(lesson_url()).get_data(as_text=True) for client in (first, second, first)]
    tokens = [csrf_token(page) for page in pages]
    assert tokens[0] != tokens[1]
    assert [re.sub(r'value="[^"]{40,}"', "", page) for page in pages[:2]] == [re.sub(
        r'value="[^"]{40,}"', "", pages[1])] * 2  # the same page but for the tokens
    assert "csrf-" not in pages[0] and "csrf-" not in pages[1]  # no marker left behind
    done = second.post(f"{lesson_url()}/done", data={"csrf_token": tokens[1]})
    assert done.status_code == 303
    assert "You have marked this lesson as done." in second.get(lesson_url()).get_data(as_text=True)
    assert "Mark as done and continue" in first.get(lesson_url()).get_data(as_text=True)  # the other's state


def test_navigation_follows_the_viewers_role(app, db, make_user):
    trainee, trainer = app.test_client(), app.test_client()
    make_user(email="t@example.org", language="en")
    make_user(role="trainer", email="tr@example.org", language="en")
    log_in(trainee, "t@example.org")
    log_in(trainer, "tr@example.org")
    assert ">Trainer</a>" not in trainee.get(lesson_url()).get_data(as_text=True)
    assert ">Trainer</a>" in trainer.get(lesson_url()).get_data(as_text=True)
    assert ">Trainer</a>" not in trainee.get(lesson_url()).get_data(as_text=True)


def test_a_message_for_one_person_is_shown_on_the_cached_page_and_only_to_them(app, db, client, make_user):
    make_user(email="l@example.org", language="en")
    log_in(client, "l@example.org")
    client.get(lesson_url(1))  # cached, without a message
    page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    enrolled = client.post(f"/courses/{COURSE}/enrol", data={"csrf_token": csrf_token(page)})
    shown = client.get(enrolled.location).get_data(as_text=True)
    assert "You are enrolled." in shown
    assert "You are enrolled." not in client.get(enrolled.location).get_data(as_text=True)


def test_a_sync_that_changes_a_lesson_is_seen_at_the_next_request(app, db, client, make_user, tmp_path):
    make_user(email="l@example.org", language="en")
    log_in(client, "l@example.org")
    before = client.get(lesson_url()).get_data(as_text=True)
    copy = tmp_path / "courses"
    shutil.copytree(CATALOGUE, copy)
    lesson = copy / COURSE / f"{items_of(COURSE)[0].key}.md"
    lesson.write_text(lesson.read_text() + "\n\nA sentence added by this sync.\n")
    sync_catalogue(app, copy)
    after = client.get(lesson_url()).get_data(as_text=True)
    assert "A sentence added by this sync." not in before and "A sentence added by this sync." in after


OLD_TITLE = "Passwords, password managers and multi-factor authentication"
NEW_TITLE = "Passphrases and second factors, renamed by this sync"


def test_a_sync_that_renames_or_retires_a_course_is_seen_on_the_catalogue_at_the_next_request(
        app, db, client, make_user, tmp_path):
    visitor = app.test_client()
    make_user(email="l@example.org", language="en")
    log_in(client, "l@example.org")
    pages = ("/courses", f"/courses/{COURSE}", "/courses?kind=awareness")
    for browser in (visitor, client):  # every page in the cache before the sync
        for page in pages:
            assert OLD_TITLE in browser.get(page).get_data(as_text=True)
    copy = tmp_path / "courses"
    shutil.copytree(CATALOGUE, copy)
    yaml = copy / COURSE / "course.yaml"
    yaml.write_text(yaml.read_text().replace(f"en: {OLD_TITLE}", f"en: {NEW_TITLE}", 1))
    shutil.rmtree(copy / "reporting-incidents")
    sync_catalogue(app, copy)
    for browser in (visitor, client):
        for page in pages:
            shown = browser.get(page).get_data(as_text=True)
            assert NEW_TITLE in shown and OLD_TITLE not in shown, (page, browser is visitor)
        assert 'href="/courses/reporting-incidents"' not in browser.get("/courses").get_data(as_text=True)


def test_the_course_page_shows_each_learner_their_own_progress(app, db, make_user):
    ahead, new = app.test_client(), app.test_client()
    for number, browser in enumerate((ahead, new)):
        make_user(email=f"l{number}@example.org", language="en")
        log_in(browser, f"l{number}@example.org")
    course_page = f"/courses/{COURSE}"
    page = ahead.get(course_page).get_data(as_text=True)
    ahead.post(f"{course_page}/enrol", data={"csrf_token": csrf_token(page)})
    lesson = ahead.get(lesson_url()).get_data(as_text=True)
    assert ahead.post(f"{lesson_url()}/done", data={"csrf_token": csrf_token(lesson)}).status_code == 303
    total = len(items_of(COURSE))
    shown_ahead = ahead.get(course_page).get_data(as_text=True)
    assert f'value="{round(100 / total)}"' in shown_ahead and "Enrol in this course" not in shown_ahead
    shown_new = new.get(course_page).get_data(as_text=True)
    assert "Enrol in this course" in shown_new and "Your progress" not in shown_new
    enrol = new.post(f"{course_page}/enrol", data={"csrf_token": csrf_token(shown_new)})
    assert enrol.status_code == 303  # the token on the cached page is the learner's own
    assert 'value="0"' in new.get(course_page).get_data(as_text=True)
    assert f'value="{round(100 / total)}"' in ahead.get(course_page).get_data(as_text=True)


def test_the_login_page_keeps_where_each_visitor_was_going(client):
    for target in ("/courses", "/learning", "https://evil.example/"):
        page = client.get("/login", query_string={"next": target}).get_data(as_text=True)
        kept = re.search(r'<input id="next" name="next" type="hidden" value="([^"]*)">', page)
        assert kept, page  # the login form's own field (the language form has one too)
        assert kept.group(1) == ("" if target.startswith("https") else target)


@pytest.mark.parametrize(("path", "logged_in", "expected"), [
    ("/", False, []),
    ("/login", False, []),
    ("/courses", False, ["catalogue version"]),
    (f"/courses/{COURSE}", False, ["course"]),
    # A logged-in request reads the catalogue version with its user (decision 0084): the course row is this
    # worker's, kept for that version.
    ("/courses", True, ["user and catalogue version"]),
    # A lesson's or quiz's own state comes in that statement too (decision 0085), and a course page's key.
    (f"/courses/{COURSE}", True, ["user, catalogue version and course progress"]),
    (f"/courses/{COURSE}/lessons/mfa-methods", True, ["user, catalogue version and lesson state"]),
    (f"/courses/{COURSE}/quizzes/check-passwords-mfa", True, ["user, catalogue version and quiz state"]),
])
def test_a_page_served_from_the_cache_asks_the_database_only_what_decides_its_key(
        app, db, client, make_user, path, logged_in, expected):
    if logged_in:
        make_user(email="l@example.org", language="en")
        log_in(client, "l@example.org")
        page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
        enrolled = client.post(f"/courses/{COURSE}/enrol", data={"csrf_token": csrf_token(page)})
        client.get(enrolled.location)  # shows (and so clears) the message "You are enrolled."
    assert client.get(path).status_code == 200  # rendered and kept
    statements, stop = count_queries(db)
    try:
        assert client.get(path).status_code == 200
    finally:
        stop()
    reads = [statement for statement in statements if not statement.lstrip().upper().startswith(
        ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK"))]  # the test's own transaction around each request
    assert len(reads) == len(expected), (path, reads)
    if logged_in:
        assert "FROM users" in reads[0] and "catalogue_state" in reads[0], reads[0]


def test_a_sync_that_changes_a_question_is_on_the_quiz_form_at_the_next_request(app, db, client, make_user,
                                                                                  tmp_path):
    make_user(email="l@example.org", language="en")
    log_in(client, "l@example.org")
    quiz = f"/courses/{COURSE}/quizzes/check-passwords-mfa"
    before = client.get(quiz).get_data(as_text=True)  # this worker now holds the questions
    copy = tmp_path / "courses"
    shutil.copytree(CATALOGUE, copy)
    gift = copy / COURSE / "check-passwords-mfa.gift"
    text = gift.read_text()
    assert "::nist-min-length::Under NIST" in text
    gift.write_text(text.replace("::nist-min-length::Under", "::nist-min-length::Changed by this sync: under", 1))
    sync_catalogue(app, copy)
    after = client.get(quiz).get_data(as_text=True)
    assert "Changed by this sync" not in before and "Changed by this sync" in after


def test_anonymous_pages_keyed_outside_the_orm_see_a_committed_sync_at_the_next_request(tmp_path_factory, tmp_path):
    """An anonymous visitor's catalogue and course page are keyed by one statement on a pooled connection of their
    own (catalogue._first_row, issue 14), not the per-test transaction: an app on its own database, whose sync
    commits, shows the rename and the retirement at the next request on SQLite; on PostgreSQL, once the worker's
    listener heard the commit (decision 0088), which the test waits for (at most 2 s)."""
    from learnhub.services import catalogue

    app = app_with_own_database(tmp_path_factory, "anonymous_keys")
    visitor = app.test_client()
    for page in ("/courses", f"/courses/{COURSE}", "/courses/reporting-incidents"):
        assert OLD_TITLE in visitor.get(page).get_data(as_text=True) or page.endswith("incidents")
    with app.test_request_context():
        stamp = catalogue.course_stamp(COURSE)
        assert stamp is not None and len(stamp[0]) == 64 and catalogue.course_stamp("no-such-course") is None
    copy = tmp_path / "courses"
    shutil.copytree(CATALOGUE, copy)
    yaml = copy / COURSE / "course.yaml"
    yaml.write_text(yaml.read_text().replace(f"en: {OLD_TITLE}", f"en: {NEW_TITLE}", 1))
    shutil.rmtree(copy / "reporting-incidents")
    sync_catalogue(app, copy)
    assert wait_until_heard(app) < 2.0
    for page in ("/courses", f"/courses/{COURSE}"):
        shown = visitor.get(page).get_data(as_text=True)
        assert NEW_TITLE in shown and OLD_TITLE not in shown, page
    assert visitor.get("/courses/reporting-incidents").status_code == 404
    assert visitor.get("/courses/no-such-course").status_code == 404
    with app.test_request_context():
        assert catalogue.course_stamp("reporting-incidents") is None  # retired
