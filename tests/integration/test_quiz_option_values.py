"""The quiz form does not leak the answer key: option values are opaque per form, never author indexes.

The quiz here is written the way authors often write one, right answers first, and shuffled. The
learner works only from the page, as an attacker would: values and labels read from the HTML.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest
from flask import render_template
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from learnhub.extensions import db as database
from learnhub.models import Attempt, Course
from learnhub.services import catalogue, grading, item_state, learning
from tests.conftest import csrf_token, log_in
from tests.integration.learning_helpers import quiz_page, sync_catalogue

COURSE, QUIZ = "answer-key", "first-is-right"
COURSE_YAML = """format: 1
id: answer-key
title: {en: "Answer key"}
summary: {en: "A quiz whose right answers come first."}
languages: [en]
kind: awareness
level: beginner
minutes: 5
roles: []
sectors: []
certificate: false
pass_mark: 70
modules:
  - id: check
    title: {en: Check}
    items:
      - quiz: first-is-right
        title: {en: "First is right"}
        shuffle: true
"""
GIFT = """::pick-one:: Which one? {=right ~wrong one ~wrong two ~wrong three}

::pick-some:: Which ones? {~%50%right a ~%50%right b ~%-100%wrong c ~%-100%wrong d}

::pair-up:: Match them {=alpha -> one =beta -> two =gamma -> three}
"""
RIGHT = {"right", "right a", "right b"}
PAIRS = {"alpha": "one", "beta": "two", "gamma": "three"}
OPTION = re.compile(r'<input type="(radio|checkbox)" name="(q\d+)" id="([^"]+)" value="([^"]*)"[^>]*>\s*'
                    r'<label for="\3">([^<]*)</label>')
SELECT = re.compile(r'<label for="(q\d+-\d+)">([^<]*)</label>\s*<select id="\1" name="\1">(.*?)</select>', re.S)
SELECT_OPTION = re.compile(r'<option value="([^"]*)"[^>]*>([^<]*)</option>')


@pytest.fixture
def learner(app, db, client, make_user, tmp_path):
    folder = tmp_path / "courses" / COURSE
    folder.mkdir(parents=True)
    (folder / "course.yaml").write_text(COURSE_YAML)
    (folder / f"{QUIZ}.gift").write_text(GIFT)
    sync_catalogue(app, folder.parent)
    user = make_user(email="key@example.org", language="en")
    assert log_in(client, "key@example.org").status_code == 303
    return user


def read_form(page: str) -> tuple[dict, dict]:
    """What the page offers: {field: [(value, label), ...]} for choices, {select: (prompt, {label: value})}."""
    choices: dict[str, list[tuple[str, str]]] = {}
    for _kind, name, _id, value, label in OPTION.findall(page):
        choices.setdefault(name, []).append((value, html_lib.unescape(label.strip())))
    selects = {name: (html_lib.unescape(prompt), {html_lib.unescape(text): value
                                                   for value, text in SELECT_OPTION.findall(body) if value})
               for name, prompt, body in SELECT.findall(page)}
    return choices, selects


def right_answers(page: str) -> dict:
    choices, selects = read_form(page)
    data: dict = {name: [value for value, label in options if label in RIGHT] for name, options in choices.items()}
    for name, (prompt, offered) in selects.items():
        data[name] = offered[PAIRS[prompt]]
    return data


def post(client, page: str, token: str, answers: dict):
    return client.post(f"/courses/{COURSE}/quizzes/{QUIZ}", data={"csrf_token": csrf_token(page), "token": token,
                                                                  **answers})


def last_score(db) -> float:
    return db.session.scalar(select(Attempt.score).order_by(Attempt.id.desc()).limit(1))


@pytest.mark.parametrize("index", ["0", "1"])
def test_posting_the_old_index_values_everywhere_scores_nothing(db, client, learner, index):
    page, token = quiz_page(client, COURSE, QUIZ)
    choices, selects = read_form(page)
    assert len(choices) == 2 and len(selects) == 3
    answers: dict = {name: [index, str(int(index) + 1)] for name in choices}  # a radio reads the first
    answers.update({name: index for name in selects})
    response = post(client, page, token, answers)
    assert response.status_code == 303 and response.location.startswith("/attempts/")
    assert last_score(db) == 0.0
    stored = db.session.scalar(select(Attempt.answers))
    assert stored == {"pick-one": None, "pick-some": [], "pair-up": {}}


def test_the_forms_own_values_score_full_marks_and_are_stored_as_author_indexes(db, client, learner):
    page, token = quiz_page(client, COURSE, QUIZ)
    response = post(client, page, token, right_answers(page))
    assert response.status_code == 303
    assert last_score(db) == 100.0
    # Stored in author form, so review, statistics and regrades never meet a form's values.
    assert db.session.scalar(select(Attempt.answers)) == {
        "pick-one": 0, "pick-some": [0, 1], "pair-up": {"0": "one", "1": "two", "2": "three"}}
    review = client.get(response.location).get_data(as_text=True)
    assert review.count("Correct") == 3
    checked = re.findall(r'<input type="(?:radio|checkbox)" name="q\d+" id="[^"]+" checked disabled>\s*'
                         r'<label for="[^"]+">([^<]*)</label>', review)
    assert sorted(checked) == ["right", "right a", "right b"]
    assert re.findall(r'<option selected>([^<]*)</option>', review) == [
        PAIRS[prompt] for _, prompt in re.findall(r'<label for="(q\d+-\d+)">([^<]*)</label>\s*<select id="\1"', review)]
    _, form_values = read_form(page)
    every_value = {v for _, offered in form_values.values() for v in offered.values()} | {
        value for options in read_form(page)[0].values() for value, _ in options}
    assert not any(value in review for value in every_value)  # a review shows no form values at all


def test_values_differ_on_every_form_and_reveal_neither_index_nor_text_nor_order(db, client, learner):
    right_values, positions, seen = set(), set(), set()
    forms = 25
    for _ in range(forms):
        page, _token = quiz_page(client, COURSE, QUIZ)
        choices, selects = read_form(page)
        one = next(options for options in choices.values() if len(options) == 4 and "right" in dict(
            (label, value) for value, label in options))
        labels = [label for _, label in one]
        positions.add(labels.index("right"))
        right_values.add(dict((label, value) for value, label in one)["right"])
        values = [value for options in choices.values() for value, _ in options] + [
            value for _, offered in selects.values() for value in offered.values()]
        labels_everywhere = {label for options in choices.values() for _, label in options} | {
            label for _, offered in selects.values() for label in offered}
        assert all(re.fullmatch(r"[A-Za-z0-9_-]{12}", value) for value in values), values
        assert not set(values) & (labels_everywhere | {str(i) for i in range(10)})
        assert seen.isdisjoint(values)  # no value is ever offered on two forms
        seen.update(values)
    assert len(right_values) == forms
    assert len(positions) > 1  # the course shuffles, so the right answer moves too
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0  # showing a form writes nothing


def test_a_retry_and_a_resend_after_an_expired_csrf_token_keep_the_choices(app, db, client, learner):
    page, token = quiz_page(client, COURSE, QUIZ)
    answers = right_answers(page)
    stale = client.post(f"/courses/{COURSE}/quizzes/{QUIZ}", data={"token": token, **answers,
                                                                   "csrf_token": "expired"})
    resend = stale.get_data(as_text=True)
    assert stale.status_code == 400 and "Please send the form again" in resend
    kept = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', resend)
    data: dict = {}
    for name, value in kept:
        data.setdefault(name, []).append(value)
    for name, value in answers.items():  # the choices travel as they were
        assert data[name] == (value if isinstance(value, list) else [value])
    sent = client.post(f"/courses/{COURSE}/quizzes/{QUIZ}", data=data)
    assert sent.status_code == 303 and last_score(db) == 100.0
    retry = client.post(f"/courses/{COURSE}/quizzes/{QUIZ}", data=data)  # the same form once more
    assert retry.location == sent.location
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_the_form_shown_again_with_the_learners_answers_has_them_checked(app, db, client, learner):
    page, token = quiz_page(client, COURSE, QUIZ)
    answers = right_answers(page)
    with app.test_request_context():
        course = database.session.get(Course, COURSE)
        syllabus = catalogue.syllabus(course)
        item = syllabus.item(QUIZ)
        form = grading.form_for_token(token, learner, course, item, app.config["SECRET_KEY"])
        posted = MultiDict([(name, value) for name, values in answers.items()
                            for value in (values if isinstance(values, list) else [values])])
        read = {shown.question.id: grading.read_response(shown, posted) for shown in form.questions}
        standing = item_state.QuizState.of(learning.course_progress(None, course, syllabus), item)
        again = render_template("learn/quiz.html", course=course, item=item, form=form, answers=read,
                                standing=standing, message=None, language="en")
    choices, selects = read_form(page)
    for options in choices.values():
        for value, label in options:
            assert (f'value="{value}" checked' in again) == (label in RIGHT), label
    for prompt, offered in selects.values():
        assert f'<option value="{offered[PAIRS[prompt]]}" selected>' in again


def test_a_form_from_before_opaque_values_is_shown_again_not_graded(app, db, client, learner):
    page, _ = quiz_page(client, COURSE, QUIZ)
    course = db.session.get(Course, COURSE)
    item = catalogue.syllabus(course).item(QUIZ)
    old_token = grading._serializer(app.config["SECRET_KEY"]).dumps(
        {"l": learner.id, "i": item.id, "s": 12345, "g": "en", "r": course.revision, "n": "legacy-nonce", "t": 0})
    response = post(client, page, old_token, {"q1": "0", "q2": ["0", "1"], "q3-0": "0"})
    assert response.status_code == 409 and "This quiz was updated while you were answering it" in response.get_data(
        as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_the_token_carries_no_shuffle_seed(app, db, client, learner):
    _, token = quiz_page(client, COURSE, QUIZ)
    payload = grading._serializer(app.config["SECRET_KEY"]).loads(token)
    assert set(payload) == {"v", "l", "i", "g", "r", "n", "t"}  # readable by anyone: nothing to derive order from


def test_the_catalogue_quizzes_still_show_every_question_type(db, client, learner, app):
    sync_catalogue(app, Path(__file__).resolve().parents[2] / "courses")
    page, _ = quiz_page(client, "passwords-mfa", "check-passwords-mfa")
    assert not re.search(r'<input type="(?:radio|checkbox)"[^>]* value="\d+"', page)
    assert not re.search(r'<option value="\d+"', page)


def version_2_values(key: bytes, number: int, question_id: str, part: str, count: int) -> list[str]:
    """A version-2 form's option values, derived here as that version did: one HMAC-SHA-256 per option."""
    import base64
    import hmac

    return [base64.urlsafe_b64encode(hmac.digest(key, f"q{number}\x1f{question_id}\x1f{part}\x1f{index}".encode(),
                                                 "sha256")[:9]).decode() for index in range(count)]


def test_a_version_2_form_shown_before_an_upgrade_is_graded_after_it(app, db, client, learner):
    """Decision 0089 changed how option values derive from the form's key; a form shown before the upgrade still
    carries version 2 and its values, and its answers count."""
    page, _ = quiz_page(client, COURSE, QUIZ)
    course = db.session.get(Course, COURSE)
    item = catalogue.syllabus(course).item(QUIZ)
    secret = app.config["SECRET_KEY"]
    payload = {"v": 2, "l": learner.id, "i": item.id, "g": "en", "r": course.revision, "n": "shown-before", "t": 0}
    token = grading._serializer(secret).dumps(payload)
    key = grading.form_key(secret, payload)
    questions = grading.arrange(grading.questions_in(item, "en", course)[1], True, grading._seed(key), key, 2)
    answers: dict = {}
    for shown in questions:
        question = shown.question
        if question.type == "choice":
            answers[shown.field] = version_2_values(key, shown.number, question.id, "choice", 4)[0]  # "right"
        elif question.type == "multi":
            answers[shown.field] = version_2_values(key, shown.number, question.id, "choice", 4)[:2]
        else:
            offered = version_2_values(key, shown.number, question.id, "offered", len(shown.offered))
            for place, pair in enumerate(question.pairs):
                answers[f"{shown.field}-{place}"] = offered[shown.offered.index(PAIRS[pair.prompt])]
    response = post(client, page, token, answers)
    assert response.status_code == 303 and response.location.startswith("/attempts/")
    assert last_score(db) == 100.0


def test_a_version_3_forms_values_are_one_shake_256_stream_per_question(app, db, client, learner):
    """The values of a form (version 3) as decision 0089 describes them, derived here independently: the page's
    values are 12-character pieces of SHAKE-256 over the form key and the question's field, id and part."""
    import base64
    import hashlib

    page, token = quiz_page(client, COURSE, QUIZ)
    secret = app.config["SECRET_KEY"]
    payload = grading._serializer(secret).loads(token)
    assert payload["v"] == 3
    key = grading.form_key(secret, payload)
    course = db.session.get(Course, COURSE)
    item = catalogue.syllabus(course).item(QUIZ)
    questions = grading.arrange(grading.questions_in(item, "en", course)[1], True, grading._seed(key), key)
    choices, selects = read_form(page)
    for shown in questions:
        part, count = ("offered", len(shown.offered)) if shown.question.type == "matching" else ("choice", 4)
        stream = base64.urlsafe_b64encode(hashlib.shake_256(
            key + f"{shown.field}\x1f{shown.question.id}\x1f{part}".encode()).digest(9 * count)).decode()
        expected = {stream[at:at + 12] for at in range(0, 12 * count, 12)}
        if part == "choice":
            assert {value for value, _ in choices[shown.field]} == expected
        else:
            assert all(set(offered.values()) == expected for name, (_, offered) in selects.items()
                       if name.startswith(f"{shown.field}-"))
