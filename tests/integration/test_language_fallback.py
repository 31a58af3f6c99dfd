"""A learner whose language a course lacks reads the closest one (pt -> es -> en, fr -> en -> es, or the course's
own order), is told so before the title in their own language, and the fallback text carries its own `lang`.

The courses are tests/integration/fallback_courses.py, synced into a database of this module's own.
"""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from learnhub.i18n import language_in_text
from learnhub.models import Attempt, Course
from learnhub.services import catalogue, certificates, grading
from tests.conftest import csrf_token, log_in, sync_courses
from tests.integration.fallback_courses import write_fallback_courses
from tests.integration.learning_helpers import answers_for, app_with_own_database, quiz_page

COURSE_NOTICE = "This course is in %(language)s: it is not available in your language yet."
LESSON_NOTICE = "This lesson is in %(language)s: it is not translated into your language yet."
QUIZ_NOTICE = "This quiz is in %(language)s: it is not translated into your language yet."
NOTICE = re.compile(r'<p class="[^"]*fallback-notice[^"]*">([^<]*)</p>')


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from learnhub.extensions import db

    application = app_with_own_database(tmp_path_factory, "language_fallback", courses=False)
    sync_courses(application, write_fallback_courses(tmp_path_factory.mktemp("fallback_courses")))
    yield application
    with application.app_context():
        db.engine.dispose()


def notice(app, msgid: str, reader: str, shown_in: str) -> str:
    """The notice as the catalogue words it for a `reader` of that language, naming `shown_in` in it."""
    with app.test_request_context(), force_locale(reader):
        return gettext(msgid, language=language_in_text(shown_in))


def learner(app, client, make_user, language: str):
    user = make_user(email=f"reader-{language}@example.org", language=language)
    log_in(client, user.email)
    return user


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_a_portuguese_learner_reads_a_spanish_course_told_so_before_the_title(app, db, client, make_user):
    learner(app, client, make_user, "pt")
    html = page(client, "/courses/bilingual")
    assert '<html lang="pt">' in html
    assert NOTICE.findall(html) == [notice(app, COURSE_NOTICE, "pt", "es")]
    assert html.index("fallback-notice") < html.index("<h1")
    assert '<h1 lang="es">Detectar facturas falsas</h1>' in html
    assert '<p class="lead" lang="es">Verifique una factura antes de pagarla.</p>' in html
    assert re.search(r'<ul lang="es"><li>Verificar los datos bancarios de un proveedor', html)
    assert '<h3 id="module-basics" lang="es">Lo básico</h3>' in html
    assert '<span lang="es">Facturas falsas</span>' in html  # the lesson's title in the syllabus
    assert "Spotting fake invoices" not in html


def test_the_portuguese_learners_lesson_and_quiz_are_spanish_with_lang_es(app, db, client, make_user):
    learner(app, client, make_user, "pt")
    lesson = page(client, "/courses/bilingual/lessons/intro")
    assert NOTICE.findall(lesson) == [notice(app, LESSON_NOTICE, "pt", "es")]
    assert '<article class="lesson" lang="es">\n  <h1>Facturas falsas</h1>' in lesson
    assert '<p class="meta" lang="pt">' in lesson  # "About 5 minutes" is in the page's language
    assert lesson.index("fallback-notice") < lesson.index("<h1")
    quiz, _ = quiz_page(client, "bilingual", "check")
    assert NOTICE.findall(quiz) == [notice(app, QUIZ_NOTICE, "pt", "es")]
    assert '<h1 lang="es">Compruebe lo aprendido</h1>' in quiz
    assert '<span class="question-text" lang="es">Un proveedor envía' in quiz
    assert re.search(r'<label for="[^"]+" lang="es">Llamar al proveedor', quiz)
    assert '<form method="post" action="/courses/bilingual/quizzes/check" class="quiz">' in quiz  # no lang: its
    # buttons and hints are in the page's language


def test_a_french_learner_reads_english_by_the_site_order(app, db, client, make_user):
    learner(app, client, make_user, "fr")
    html = page(client, "/courses/bilingual")
    assert NOTICE.findall(html) == [notice(app, COURSE_NOTICE, "fr", "en")]
    assert '<h1 lang="en">Spotting fake invoices</h1>' in html
    lesson = page(client, "/courses/bilingual/lessons/intro")
    assert '<article class="lesson" lang="en">\n  <h1>Fake invoices</h1>' in lesson
    assert NOTICE.findall(lesson) == [notice(app, LESSON_NOTICE, "fr", "en")]


def test_a_course_of_its_own_order_sends_portuguese_learners_to_english(app, db, client, make_user):
    learner(app, client, make_user, "pt")
    html = page(client, "/courses/own-order")
    assert NOTICE.findall(html) == [notice(app, COURSE_NOTICE, "pt", "en")]
    assert '<h1 lang="en">Spotting fake parcels</h1>' in html
    quiz, _ = quiz_page(client, "own-order", "check")
    assert '<span class="question-text" lang="en">A supplier e-mails' in quiz


def test_only_the_item_that_lacks_the_language_falls_back(app, db, client, make_user):
    learner(app, client, make_user, "pt")
    html = page(client, "/courses/trilingual")
    assert NOTICE.findall(html) == []
    assert "<h1>Bloquear a tela</h1>" in html
    assert page(client, "/courses/trilingual/lessons/intro").count("fallback-notice") == 0
    extra = page(client, "/courses/trilingual/lessons/extra")
    assert NOTICE.findall(extra) == [notice(app, LESSON_NOTICE, "pt", "es")]
    assert '<article class="lesson" lang="es">\n  <h1>Oficinas compartidas</h1>' in extra
    assert '<a href="/courses/trilingual">Bloquear a tela</a>' in extra  # the course itself is in Portuguese


def test_a_learner_in_a_language_the_course_has_sees_no_notice_and_no_extra_lang(app, db, client, make_user):
    learner(app, client, make_user, "es")
    html = page(client, "/courses/bilingual")
    assert "fallback-notice" not in html
    assert "<h1>Detectar facturas falsas</h1>" in html
    assert '<article class="lesson" lang="es">' in page(client, "/courses/bilingual/lessons/intro")


def test_the_catalogue_says_which_language_each_card_is_in_and_filters_by_real_languages(app, db, client,
                                                                                         make_user):
    learner(app, client, make_user, "pt")
    html = page(client, "/courses")
    assert html.count("fallback-notice") == 2  # bilingual (Spanish) and own-order (English); trilingual has pt
    assert notice(app, COURSE_NOTICE, "pt", "es") in html and notice(app, COURSE_NOTICE, "pt", "en") in html
    assert re.search(r'<h2 lang="es"><a href="/courses/bilingual">Detectar facturas falsas</a></h2>', html)
    assert re.search(r'<h2><a href="/courses/trilingual">Bloquear a tela</a></h2>', html)
    in_portuguese = page(client, "/courses?language=pt")
    assert re.findall(r'<a href="/courses/([a-z-]+)">', in_portuguese) == ["trilingual"]
    in_spanish = page(client, "/courses?language=es")
    assert sorted(re.findall(r'<a href="/courses/([a-z-]+)">', in_spanish)) == ["bilingual", "own-order", "trilingual"]
    assert re.findall(r'<a href="/courses/([a-z-]+)">', page(client, "/courses?language=fr")) == []


def test_the_course_page_shows_objectives_review_date_and_image_credits(app, db, client, make_user):
    learner(app, client, make_user, "en")
    html = page(client, "/courses/bilingual")
    assert "What you will be able to do" in html
    assert "<li>Check a supplier&#39;s bank details by a known channel</li>" in html
    assert "Content reviewed on Jan 15, 2026" in html
    assert "<code>invoice.png</code>: <span>Drawn for the LearnHub tests</span> · CC BY 4.0 · LearnHub contributors" \
        in html
    stored = db.session.get(Course, "bilingual")
    assert stored.credits == {"invoice.png": {"source": "Drawn for the LearnHub tests", "licence": "CC BY 4.0",
                                              "author": "LearnHub contributors"}}
    assert stored.objectives["es"][1] == "Reportar una factura sospechosa"
    no_review = page(client, "/courses/trilingual")
    assert "Content reviewed on" not in no_review and "What you will be able to do" not in no_review


def test_the_marker_sees_the_rubric_in_their_language_and_the_learner_never_does(app, db, client, make_user):
    reader = learner(app, client, make_user, "pt")
    html, token = quiz_page(client, "bilingual", "check")
    assert "Nota completa" not in html and "Full marks" not in html
    course = db.session.get(Course, "bilingual")
    shown = grading.form_for_token(token, reader, course, catalogue.syllabus(course).item("check"),
                                   app.config["SECRET_KEY"]).questions
    response = client.post("/courses/bilingual/quizzes/check", data={
        "csrf_token": csrf_token(html), "token": token, **answers_for(shown, right=True)})
    assert response.status_code == 303
    attempt_id = db.session.scalar(select(Attempt.id).where(Attempt.course_id == "bilingual"))
    result = page(client, f"/attempts/{attempt_id}")
    assert "Nota completa" not in result
    admin = app.test_client()
    make_user(role="admin", email="marker@example.org", language="en")
    log_in(admin, "marker@example.org")
    mark = page(admin, f"/trainer/marking/{attempt_id}/explain")
    assert re.search(r'<section class="rubric" aria-labelledby="rubric-heading">\s*<h2 id="rubric-heading">Marking '
                     r'rubric</h2>\s*<div>Full marks: names <strong>a call to a known number</strong>', mark)
    spanish_admin = app.test_client()
    make_user(role="admin", email="corrector@example.org", language="es")
    log_in(spanish_admin, "corrector@example.org")
    assert "una llamada a un número conocido" in page(spanish_admin, f"/trainer/marking/{attempt_id}/explain")


def test_a_certificate_names_the_course_in_the_closest_language_with_its_lang(app, db, client, make_user):
    reader = learner(app, client, make_user, "pt")
    certificate = certificates.issue(reader, db.session.get(Course, "bilingual"))
    db.session.commit()
    html = page(client, f"/verify/{certificate.code}")
    assert '<dd><span lang="es">Detectar facturas falsas</span></dd>' in html
    assert certificates.course_title_in(certificate, "fr") == "Spotting fake invoices"
