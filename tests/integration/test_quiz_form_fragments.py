"""A fresh quiz form is served from cached parts (issue 14, decision 0076): the page around the form from the
page cache, each question from its drawing with the form's own option values filled in. The page must be
exactly the page the template draws directly, for every question type and in every language, on the first
form and on later ones (from the caches); a question changed by a sync must show changed."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from flask import render_template

from learnhub.i18n import current_language
from learnhub.web.learn import views as learn_views
from tests.conftest import log_in
from tests.integration.learning_helpers import quiz_page, sync_catalogue

CATALOGUE = Path(__file__).resolve().parents[2] / "courses"
EVERY_TYPE = ("passwords-mfa", "check-passwords-mfa")  # the starter quiz with every answerable question type
EVERY_TYPE_SHOWN = {"choice", "multi", "truefalse", "short", "numeric", "matching"}


def _drawn_directly(course, item, form, standing):
    return render_template("learn/quiz.html", course=course, item=item, form=form, answers={}, standing=standing,
                           message=None, language=current_language())


@pytest.mark.parametrize("language", ["en", "es", "pt", "fr"])
def test_the_fresh_form_is_the_page_the_template_draws(db, client, make_user, monkeypatch, language):
    make_user(email=f"frag-{language}@example.org", language=language)
    monkeypatch.setattr("learnhub.services.grading.secrets.token_urlsafe", lambda _n: "same-nonce-every-form")
    with time_machine.travel(datetime(2027, 1, 10, 9), tick=False):  # the same token and CSRF token each time
        assert log_in(client, f"frag-{language}@example.org").status_code == 303
        from_parts = [quiz_page(client, *EVERY_TYPE)[0] for _ in range(3)]  # the first draws, the others reuse
        monkeypatch.setattr(learn_views, "_fresh_quiz_page", _drawn_directly)
        direct = quiz_page(client, *EVERY_TYPE)[0]
    assert set(re.findall(r'class="question question-(\w+)"', direct)) == EVERY_TYPE_SHOWN
    assert 'value="same-nonce' not in direct and "quiz-token-" not in direct and "quiz-questions-" not in direct
    for page in from_parts:  # the same, but for the blank lines the template's loop leaves between questions
        assert _lines(page) == _lines(direct)


def test_each_form_has_its_own_option_values(db, client, make_user):
    make_user(email="frag-values@example.org", language="en")
    assert log_in(client, "frag-values@example.org").status_code == 303
    first, second = (quiz_page(client, *EVERY_TYPE) for _ in range(2))
    assert first[1] != second[1]  # two tokens
    for page, _ in (first, second):  # numbered in order whatever place each question drew at first
        numbered = re.findall(r'<fieldset class="question question-\w+" id="q(\d+)">\s*<legend><span '
                              r'class="question-number">Question (\d+)</span>', page)
        assert numbered == [(str(n), str(n)) for n in range(1, len(numbered) + 1)] and len(numbered) >= 6
        assert set(re.findall(r'name="q(\d+)', page)) == {number for number, _ in numbered}
    values = [_option_values(page) for page, _ in (first, second)]
    assert values[0] and values[1] and values[0] & values[1] == {"true", "false"}


def _lines(page: str) -> list[str]:
    return [line for line in page.splitlines() if line.strip()]


def _option_values(page: str) -> set[str]:
    form = page[page.index('class="quiz"'):]
    form = form[:form.index("</form>")]
    return set(re.findall(r'<(?:input type="(?:radio|checkbox)"|option)[^>]* value="([^"]+)"', form))


def test_a_question_changed_by_a_sync_shows_changed(app, db, client, make_user, tmp_path):
    folder = tmp_path / "courses"
    course = folder / EVERY_TYPE[0]
    shutil.copytree(CATALOGUE / EVERY_TYPE[0], course)
    sync_catalogue(app, folder)
    make_user(email="frag-sync@example.org", language="en")
    assert log_in(client, "frag-sync@example.org").status_code == 303
    before = quiz_page(client, *EVERY_TYPE)[0]
    gift = course / f"{EVERY_TYPE[1]}.gift"
    text = gift.read_text()
    first_brace = text.index("{")
    changed = text[:first_brace] + " (edited for the test) " + text[first_brace:]
    gift.write_text(changed)
    sync_catalogue(app, folder)
    after = quiz_page(client, *EVERY_TYPE)[0]
    assert "(edited for the test)" not in before and "(edited for the test)" in after


def test_a_drawing_kept_under_a_reused_object_id_is_never_taken_for_another_question(app):
    """Drawings are keyed by the question object's id (cheap to hash); the drawing holds its question, so a new
    question that happened to get the id of a dropped one is drawn afresh, never shown as the old one."""
    from flask import get_template_attribute

    from learnhub.content.questions import Question
    from learnhub.services.grading import ShownQuestion
    from learnhub.web import question_fragments

    old = Question(id="old", type="truefalse", text="The old question?", truth=True)
    new = Question(id="new", type="truefalse", text="The new question?", truth=False)
    with app.test_request_context("/"):
        draw = get_template_attribute("learn/_question.html", "question_fields")
        drawn_old = str(question_fragments.fresh_question(draw, ShownQuestion(1, old, (), (), b"k" * 32), "en", "en"))
        kept = question_fragments._fragments[("en", "en", id(old), (), ())]
        question_fragments._fragments[("en", "en", id(new), (), ())] = kept  # as if `new` took `old`'s id
        drawn_new = str(question_fragments.fresh_question(draw, ShownQuestion(1, new, (), (), b"k" * 32), "en", "en"))
    assert "The old question?" in drawn_old and "The new question?" in drawn_new and "old question" not in drawn_new
