"""Helpers for tests that take courses: sync the catalogue, answer quizzes right or wrong."""

from __future__ import annotations

import re
from pathlib import Path

from learnhub.extensions import db
from learnhub.models import Course, CourseItem, User
from learnhub.services import catalogue, grading
from tests.conftest import csrf_token, fresh_database_url, make_app, sync_courses, upgrade_database

CATALOGUE = Path(__file__).resolve().parents[2] / "courses"
TOKEN_INPUT = re.compile(r'name="token" value="([^"]+)"')


def accept_invitation(learner_client, cohort_id: int | str):
    """The learner logged in on `learner_client` accepts their invitation to the cohort from "My learning":
    a trainer's invitation is only a membership once the learner consents (decision 0020)."""
    page = learner_client.get("/learning").get_data(as_text=True)
    response = learner_client.post(f"/invitations/{cohort_id}/accept", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303, response.status_code
    return response


def swap_answer_key(text: str, question_id: str) -> str:
    """The GIFT `text` with the answer key of one single-choice question changed: its right answer ('=') becomes
    wrong and its first wrong answer ('~') right, wherever they sit in the block (a corrected answer key, for
    regrade tests)."""
    start = text.index(f"::{question_id}::")
    begin = text.index("{", start)
    end = text.index("}", begin)
    block = text[begin:end]
    right = re.search(r"(?<![\\])=", block).start()
    wrong = re.search(r"(?<![\\])~", block).start()
    swapped = list(block)
    swapped[right], swapped[wrong] = "~", "="
    return text[:begin] + "".join(swapped) + text[end:]


def sync_catalogue(app, folder: Path = CATALOGUE) -> None:
    """Load the course folders through the sync service, as `learnhub courses sync` does. The session's
    `app` already holds the real catalogue (tests/conftest.py); a test syncs a changed copy with this, inside
    its own rolled-back transaction."""
    sync_courses(app, folder)


def app_with_own_database(tmp_path_factory, purpose: str, *, courses: bool = True):
    """An app on a database of its own (a file for SQLite), migrated and, unless told not, with the
    catalogue synced: for tests whose threads or commits must not share the per-test transaction."""
    folder = tmp_path_factory.mktemp(purpose)
    app = make_app(fresh_database_url(purpose, folder), folder)
    upgrade_database(app)
    if courses:
        sync_catalogue(app)
    return app


def wait_until_heard(app, seconds: float = 2.0) -> float:
    """On PostgreSQL, seconds until this process's catalogue listener has heard the version committed in `app`'s
    database: an anonymous page shows a change once its notification has arrived (decision 0088), a moment after
    the commit. 0 on SQLite, and when no listener was made yet (the next page's new listener reads the version)."""
    import time

    from sqlalchemy import select

    from learnhub.models import CatalogueState
    from learnhub.services import catalogue_watch

    def ask():
        raise AssertionError("the listener asked the database")

    with app.app_context():
        if db.engine.dialect.name != "postgresql" or catalogue_watch._listener is None:
            return 0.0
        stored = db.session.scalar(select(CatalogueState.version).where(CatalogueState.id == 1))
        db.session.remove()
        start = time.monotonic()
        while catalogue_watch.heard(db.engine, ask) != stored:
            assert time.monotonic() - start < seconds, f"the version {stored} was not heard in {seconds} s"
            time.sleep(0.001)
        return time.monotonic() - start


def answers_for(shown: tuple, right: bool) -> dict:
    """Form fields answering every question right (or wrong), with the form's own option values."""
    data: dict = {}
    for item in shown:
        question, name = item.question, item.field
        if question.type in ("choice", "multi"):
            good = [i for i, c in enumerate(question.choices) if c.weight > 0]
            bad = [i for i, c in enumerate(question.choices) if c.weight <= 0]
            if question.type == "choice":
                best = max(range(len(question.choices)), key=lambda i: question.choices[i].weight)
                data[name] = item.choice_values[best if right else bad[0]]
            else:
                data[name] = [item.choice_values[i] for i in (good if right else bad)]
        elif question.type == "truefalse":
            data[name] = "true" if question.truth == right else "false"
        elif question.type == "short":
            data[name] = max(question.accepted, key=lambda a: a.weight).text if right else "no idea"
        elif question.type == "numeric":
            best = max(question.numbers, key=lambda n: n.weight)
            value = best.value if best.value is not None else best.low
            data[name] = str(value) if right else "-987654"
        elif question.type == "matching":
            for index, pair in enumerate(question.pairs):
                chosen = item.offered.index(pair.answer) if right else (item.offered.index(pair.answer) + 1) % len(
                    item.offered)
                data[f"{name}-{index}"] = item.offered_values[chosen]
        elif question.type == "essay":
            data[name] = "I would isolate the affected systems and call the national CSIRT."
    return data


def quiz_page(client, course_id: str, item_key: str):
    response = client.get(f"/courses/{course_id}/quizzes/{item_key}")
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    return html, TOKEN_INPUT.search(html).group(1)


def submit_quiz(client, app, learner: User, course_id: str, item_key: str, right: bool, token_html=None):
    """Render the quiz, answer it, submit; returns (response, token, form data)."""
    html, token = token_html or quiz_page(client, course_id, item_key)
    course = db.session.get(Course, course_id)
    item = catalogue.syllabus(course).item(item_key)
    with app.app_context():
        shown = grading.form_for_token(token, learner, course, item, app.config["SECRET_KEY"]).questions
    data = {"csrf_token": csrf_token(html), "token": token, **answers_for(shown, right)}
    return client.post(f"/courses/{course_id}/quizzes/{item_key}", data=data), token, data


def items_of(course_id: str) -> list[CourseItem]:
    return catalogue.syllabus(db.session.get(Course, course_id)).items
