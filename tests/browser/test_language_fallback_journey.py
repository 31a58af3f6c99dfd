"""A Portuguese and a French learner meet courses that lack their language: the notice comes before the
title in their language, the fallback text carries its own `lang`, and every page passes axe.

The courses are tests/integration/fallback_courses.py on a server of this module's own (the shared live
server holds the real catalogue, which gains Portuguese and French)."""

from __future__ import annotations

import secrets
import threading

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.conftest import DEFAULT_PASSWORD, PROFILE, fresh_database_url, make_app, sync_courses, upgrade_database
from tests.integration.fallback_courses import write_fallback_courses


@pytest.fixture(scope="module")
def fallback_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser_fallback")
    courses = write_fallback_courses(folder)
    app = make_app(fresh_database_url("browser_fallback", folder), folder, COURSES_DIR=str(courses))
    upgrade_database(app)
    sync_courses(app, courses)
    return app


@pytest.fixture(scope="module")
def server(fallback_app):
    httpd = make_server("127.0.0.1", 0, fallback_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def log_in(page: Page, server: str, app, check_page, language: str) -> None:
    from learnhub.extensions import db
    from learnhub.services import accounts

    email = f"fallback-{language}-{secrets.token_hex(4)}@example.org"
    with app.app_context():
        accounts.create(email, DEFAULT_PASSWORD, accounts.Profile(**{**PROFILE, "language": language}))
        db.session.commit()
    page.goto(server + "/login")
    check_page()
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.locator("form.stack button[type=submit], form.stack input[type=submit]").click()
    page.wait_for_url(server + "/")
    check_page()


def test_a_portuguese_learner_reads_a_spanish_course_and_is_told_so(page: Page, server, fallback_app, check_page):
    log_in(page, server, fallback_app, check_page, "pt")
    page.goto(f"{server}/courses")
    check_page()
    expect(page.locator("html")).to_have_attribute("lang", "pt")
    card = page.locator(".course-card", has=page.locator("a[href='/courses/bilingual']"))
    expect(card.locator(".fallback-notice")).to_have_count(1)
    expect(card.locator("h2")).to_have_attribute("lang", "es")

    page.goto(f"{server}/courses/bilingual")
    check_page()
    notice = page.locator("main .fallback-notice")
    expect(notice).to_have_count(1)
    notice_box, title_box = notice.bounding_box(), page.locator("main h1").bounding_box()
    assert notice_box["y"] < title_box["y"], "the notice comes before the title"
    expect(page.locator("main h1")).to_have_attribute("lang", "es")
    expect(page.locator("main h1")).to_have_text("Detectar facturas falsas")
    expect(page.locator(".objectives ul")).to_have_attribute("lang", "es")

    page.locator(".course-actions form button[type=submit]").click()  # enrol: to the first lesson
    page.wait_for_url(f"{server}/courses/bilingual/lessons/intro")
    check_page()
    expect(page.locator("article.lesson")).to_have_attribute("lang", "es")
    expect(page.locator("main .fallback-notice")).to_have_count(1)
    image = page.locator("article img")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")

    page.goto(f"{server}/courses/bilingual/quizzes/check")
    check_page()
    expect(page.locator("main .fallback-notice")).to_have_count(1)
    expect(page.locator(".question-text").first).to_have_attribute("lang", "es")
    expect(page.locator("form.quiz")).not_to_have_attribute("lang", "es")


def test_a_french_learner_reads_english_and_a_fully_translated_course_has_no_notice(page: Page, server, fallback_app,
                                                                                   check_page):
    log_in(page, server, fallback_app, check_page, "fr")
    page.goto(f"{server}/courses/bilingual")
    check_page()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("main .fallback-notice")).to_have_count(1)
    expect(page.locator("main h1")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Spotting fake invoices")
    page.goto(f"{server}/courses/bilingual/quizzes/check")
    check_page()
    expect(page.locator(".question-text").first).to_have_attribute("lang", "en")
    page.goto(f"{server}/courses?language=fr")
    check_page()
    expect(page.locator(".course-card")).to_have_count(0)
