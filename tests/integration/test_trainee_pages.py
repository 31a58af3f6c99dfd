"""What a trainee meets on the way in and in the answer review (issue 20, "Trainees"), through the Flask client
on a real database: the home page's next step, the catalogue's filters, lessons laid out for a phone, the
quiz's `show_answers`, numbers in the learner's notation and the registration error summary."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import event, select

from learnhub.models import Attempt, Course, User
from learnhub.reports.numbers import format_percent
from learnhub.services import catalogue, cohorts, grading, invitations
from tests.conftest import DEFAULT_PASSWORD, csrf_token, log_in
from tests.integration.learning_helpers import CATALOGUE, answers_for, quiz_page, sync_catalogue

COURSE = "passwords-mfa"
QUIZ = "check-passwords-mfa"


@pytest.fixture
def learner(app, db, client, make_user):
    user = make_user(email="camila@example.org", language="es", name="Camila Rojas", sector="health",
                     ecsf_role="cyber-incident-responder")
    assert log_in(client, "camila@example.org").status_code == 303
    return user


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def submit(app, client, learner: User, answers: callable, course_id: str = COURSE, item_key: str = QUIZ):
    """Answer the quiz with `answers(shown)` (form fields) and return the result page's HTML."""
    html, token = quiz_page(client, course_id, item_key)
    course = app.extensions["sqlalchemy"].session.get(Course, course_id)
    item = catalogue.syllabus(course).item(item_key)
    with app.app_context():
        shown = grading.form_for_token(token, learner, course, item, app.config["SECRET_KEY"]).questions
    response = client.post(f"/courses/{course_id}/quizzes/{item_key}",
                           data={"csrf_token": csrf_token(html), "token": token, **answers(shown)})
    assert response.status_code == 303, response.status_code
    return client.get(response.location).get_data(as_text=True)


def one_right(shown) -> dict:
    """Every answer wrong but the first auto-graded question's: a score with a fraction (1/13 is 7.69...)."""
    wrong = answers_for(shown, right=False)
    first = next(item for item in shown if item.question.kind.auto_graded and item.question.type != "matching")
    right = answers_for((first,), right=True)
    return {**wrong, **right}


# --- 1. The home page after registering --------------------------------------------------------------------

def test_the_home_page_welcomes_once_and_suggests_courses_for_role_and_sector(client, db, learner):
    html = client.get("/").get_data(as_text=True)
    assert text_of(html).count("bienvenida") == 1
    suggested = re.findall(r'<section aria-labelledby="home-suggested">(.*?)</section>', html, re.S)[0]
    ids = re.findall(r'href="/courses/([a-z0-9-]+)"', suggested)
    assert len(ids) == catalogue.SUGGESTIONS
    # The incident responder in health: the courses written for that role come first.
    assert ids[0] in ("incident-response-fundamentals", "csirt-cooperation")
    for course_id in ids:
        course = db.session.get(Course, course_id)
        assert not course.sectors or "health" in course.sectors
    assert "secure-connectivity" not in ids  # digital infrastructure only


def test_after_registering_the_first_page_is_a_next_step(client, db):
    client.post("/language", data={"language": "es", "next": "/register"})
    registered = client.post("/register", data={
        "name": "Rosa Díaz", "email": "rosa@example.org", "password": DEFAULT_PASSWORD, "confirm": DEFAULT_PASSWORD,
        "language": "es", "country": "DO", "sector": "energy", "organisation": "EDESUR",
        "organisation_type": "government", "ecsf_role": "", "gender": ""})
    assert registered.status_code == 303, registered.get_data(as_text=True)[:2000]
    login = client.post("/login", data={"email": "rosa@example.org", "password": DEFAULT_PASSWORD})
    html = client.get(login.location).get_data(as_text=True)
    assert text_of(html).count("bienvenida") == 1
    assert "Sugeridos para su función y su sector" in html
    assert "sin función de ciberseguridad" in html  # says why these courses: the profile, and where to change it
    suggested = re.findall(r'<section aria-labelledby="home-suggested">(.*?)</section>', html, re.S)[0]
    # Without a cybersecurity role: the awareness courses, beginners first, not skills courses naming the sector.
    first_courses = set(db.session.scalars(select(Course.id).where(Course.kind == "awareness",
                                                                    Course.level == "beginner")))
    assert set(re.findall(r'href="/courses/([a-z0-9-]+)"', suggested)) == first_courses  # three of them
    assert len(re.findall(r'<section aria-labelledby="home-suggested">.*?</section>', html, re.S)) == 1


def test_the_home_page_lists_assignments_and_leaves_out_courses_taken(app, client, db, learner, make_user):
    trainer = make_user(role="trainer", email="trainer@example.org")
    cohort = cohorts.create(trainer, "Hospitales", "MSP", "DO", "es")
    cohort_id = cohort.id
    cohorts.add_people(cohort, [cohorts.Person(learner.email, learner.name)])
    cohorts.assign(cohort, db.session.get(Course, "reporting-incidents"), date.today() + timedelta(days=30))
    db.session.commit()
    with app.test_request_context():
        invitations.send_owed(cohort)  # an invitation is open once its mail is sent
    db.session.commit()
    page = client.get("/learning").get_data(as_text=True)
    assert client.post(f"/invitations/{cohort_id}/accept", data={"csrf_token": csrf_token(page)}).status_code == 303
    html = client.get("/").get_data(as_text=True)
    assigned = re.findall(r'<section aria-labelledby="home-assigned">(.*?)</section>', html, re.S)[0]
    assert 'href="/courses/reporting-incidents"' in assigned
    suggested = re.findall(r'<section aria-labelledby="home-suggested">(.*?)</section>', html, re.S)[0]
    assert "reporting-incidents" not in suggested
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_the_home_page_queries_do_not_grow_with_courses(client, db, learner):
    statements: list[str] = []
    engine = db.session.get_bind().engine
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get("/")
        few = len(statements)
        page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
        for course_id in db.session.scalars(db.select(Course.id)):
            client.post(f"/courses/{course_id}/enrol", data={"csrf_token": csrf_token(page)})
        statements.clear()
        client.get("/")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) <= few + 2, statements


# --- 2. The catalogue on a phone ----------------------------------------------------------------------------

def test_catalogue_filters_sit_behind_a_closed_disclosure_that_still_filters(client, db):
    html = client.get("/courses").get_data(as_text=True)
    assert '<details class="more-filters">' in html
    details = html[html.index('<details class="more-filters">'):html.index("</details>")]
    for name in ("kind", "level", "language", "role", "sector"):
        assert f'name="{name}"' in details
    assert 'name="text"' not in details  # the search box stays in view
    filtered = client.get("/courses?kind=skills&level=intermediate").get_data(as_text=True)
    assert '<details class="more-filters">' in filtered  # closed, and it says how many filters are in use
    assert "More filters (2 in use)" in filtered
    titles = re.findall(r'<h2><a href="/courses/([a-z0-9-]+)">', filtered)
    assert len(titles) == 5
    assert all((db.session.get(Course, c).kind, db.session.get(Course, c).level) == ("skills", "intermediate")
               for c in titles)


# --- 3. Lessons on a phone ----------------------------------------------------------------------------------

def test_lesson_tables_scroll_in_a_labelled_region_and_images_open_full_size(client, learner):
    html = client.get("/courses/incident-response-fundamentals/lessons/ir-lifecycle").get_data(as_text=True)
    body = html[html.index('<div class="lesson-body">'):html.index("</article>")]
    tables = body.count("<table")
    assert tables >= 1
    labels = re.findall(r'<div class="table-wrap" role="region" aria-label="([^"]+)" tabindex="0"><table', body)
    # one region per table; several in a lesson are numbered, as landmarks on a page need distinct names
    assert labels == ["Tabla (desplácese hacia los lados para verla entera)"] if tables == 1 else [
        f"Tabla {number} (desplácese hacia los lados para verla entera)" for number in range(1, tables + 1)]
    images = re.findall(r"<img\b[^>]*>", body)
    assert images
    for image in images:
        src = re.search(r'src="([^"]+)"', image).group(1)
        assert f'<a class="image-link" href="{src}">{image}<span class="image-hint" lang="es">Abrir la imagen ' \
               f"a tamaño completo</span></a>" in body
        assert client.get(unescape(src)).status_code == 200


def test_lesson_cells_no_longer_break_words_and_matching_rows_stack_on_a_phone(client):
    css = client.get("/static/learnhub.css").get_data(as_text=True)
    assert "overflow-wrap: anywhere; hyphens: auto" not in css
    assert re.search(r"\.lesson-body td, \.lesson-body th \{ overflow-wrap: normal; word-break: normal; "
                     r"hyphens: manual;", css)
    assert ".match-row { display: grid; grid-template-columns: 1fr;" in css  # one column below 40rem


# --- 4. Answer review and show_answers ----------------------------------------------------------------------

def course_with_show_answers(tmp_path, setting: str | None):
    folder = tmp_path / "courses"
    shutil.copytree(CATALOGUE / COURSE, folder / COURSE)
    if setting is not None:
        path = folder / COURSE / "course.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("    shuffle: true\n", f"    shuffle: true\n    show_answers: {setting}\n", 1),
                        encoding="utf-8")
    return folder


def right_answer_marks(html: str) -> int:
    return html.count('class="tag tag-right"') + html.count('class="answer-line right-line"')


@pytest.mark.parametrize("setting", [None, "always", "never"])
def test_the_review_shows_the_right_answers_as_the_quiz_allows(app, client, db, learner, tmp_path, setting):
    sync_catalogue(app, course_with_show_answers(tmp_path, setting))
    failed = submit(app, client, learner, lambda shown: answers_for(shown, right=False))
    # The learner's own answer is said in words on every question, whatever the setting.
    assert failed.count("Su respuesta") >= 10
    first_failed = re.search(r"/attempts/(\d+)", client.get("/learning").get_data(as_text=True)).group(1)
    if setting == "always":
        assert right_answer_marks(failed) >= 13  # every wrong pick shows its right answer
    else:
        assert right_answer_marks(failed) == 0
        assert ("no muestra sus respuestas correctas" in failed) == (setting == "never")
        assert ("cuando apruebe este cuestionario" in failed) == (setting is None)
    submit(app, client, learner, lambda shown: answers_for(shown, right=True))
    review = client.get(f"/attempts/{first_failed}").get_data(as_text=True)
    # after_pass (the default): once passed, the failed attempt's review shows the right answers.
    assert (right_answer_marks(review) >= 13) == (setting != "never")


def test_after_pass_shows_answers_once_no_attempt_is_left(app, client, db, learner, tmp_path):
    """The last failed attempt shows the right answers, and does not ask the learner to try again."""
    sync_catalogue(app, course_with_show_answers(tmp_path, "after_pass"))
    for _ in range(2):
        failed = submit(app, client, learner, lambda shown: answers_for(shown, right=False))
        assert right_answer_marks(failed) == 0
        assert "inténtelo de nuevo" in failed and "Intentar de nuevo" in failed
    last = submit(app, client, learner, lambda shown: answers_for(shown, right=False))  # max_attempts is 3
    assert right_answer_marks(last) >= 13
    assert "no le quedan intentos" in last and "Quedan 0 intentos" in last
    assert "inténtelo de nuevo" not in last and "Intentar de nuevo" not in last


def test_a_right_pick_is_marked_as_the_answer_given_and_no_correction_is_shown(app, client, db, learner, tmp_path):
    sync_catalogue(app, course_with_show_answers(tmp_path, "always"))
    passed = submit(app, client, learner, lambda shown: answers_for(shown, right=True))
    assert right_answer_marks(passed) == 0
    assert passed.count('<strong class="tag tag-picked">Su respuesta</strong>') >= 5


# --- 5. Numbers in the learner's notation ---------------------------------------------------------------------

def test_scores_read_in_the_learners_notation_with_one_rounding_rule(app, client, db, learner):
    html = submit(app, client, learner, one_right)
    attempt = db.session.scalars(db.select(Attempt).where(Attempt.learner_id == learner.id)).one()
    assert attempt.score % 1  # a fraction to round
    shown = format_percent(attempt.score, "es")
    assert re.fullmatch(r"\d+,\d\u00a0%", shown)
    assert f"Puntuación: {shown}" in html
    assert "la nota mínima para aprobar es 70\u00a0%" in html
    assert shown in client.get("/learning").get_data(as_text=True)  # the same figure on My learning
    assert f"mejor: {shown}" in client.get(f"/courses/{COURSE}").get_data(as_text=True)


def test_french_pages_put_a_narrow_no_break_space_before_the_colon(app, client, db, make_user):
    learner = make_user(email="chloe@example.org", language="fr", name="Chloé Martin")
    assert log_in(client, "chloe@example.org").status_code == 303
    html = submit(app, client, learner, one_right)
    attempt = db.session.scalars(db.select(Attempt).where(Attempt.learner_id == learner.id)).one()
    assert "Votre résultat\u202f: " in html
    assert f"Score\u202f: {format_percent(attempt.score, 'fr')}" in html
    assert re.search(r"Score\u202f: \d+,\d\u00a0%", html)


def test_format_percent_is_one_rule_in_every_language():
    assert [format_percent(25.64, language) for language in ("en", "es", "pt", "fr")] == [
        "25.6%", "25,6\u00a0%", "25,6%", "25,6\u00a0%"]
    assert format_percent(3.25, "en") == "3.3%"  # half up from the decimal a reader sees, not binary rounding
    assert format_percent(100.0, "es") == "100\u00a0%"
    assert format_percent(-0.01, "en") == "0%"
    assert format_percent(float("nan"), "en") is None


# --- 6. The registration error summary ------------------------------------------------------------------------

def test_registration_errors_are_listed_in_the_fields_order_without_repeating_labels(client, db):
    client.post("/language", data={"language": "es", "next": "/register"})
    html = client.post("/register", data={"password": "short", "confirm": ""}).get_data(as_text=True)
    summary = html[html.index('<div class="error-summary"'):html.index("</div>", html.index('class="error-summary"'))]
    linked = re.findall(r'<a href="#([a-z_]+)">', summary)
    form = html[html.index('<form method="post" action="/register"'):]
    field_order = [name for name in re.findall(r'<(?:input|select)[^>]* id="([a-z_]+)"', form) if name in linked]
    assert linked == field_order
    assert linked[:4] == ["name", "email", "password", "confirm"]
    for item in re.findall(r"<li><a [^>]*>(.*?)</a></li>", summary):
        label, _, message = unescape(item).partition(": ")
        assert label.strip(" .").casefold() != message.strip(" .").casefold(), item
    assert "Repita la contraseña: Vuelva a escribir la contraseña para confirmarla." in unescape(summary)
