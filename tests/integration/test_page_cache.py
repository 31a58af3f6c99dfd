"""Rendered pages served from a worker's cache (issue 14, decision 0036) show each person what is theirs: their
own CSRF token, their own done state, their role's navigation, their messages, and never a page from before a
sync."""

from __future__ import annotations

import re
import shutil

from tests.conftest import csrf_token, log_in
from tests.integration.learning_helpers import CATALOGUE, items_of, sync_catalogue

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
