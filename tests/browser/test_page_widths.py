"""Every page a trainee sees, on a 390-pixel phone and a 1280-pixel desktop, in Spanish, Portuguese and French
(issue 20, "Done when"): no page is wider than the screen (document.scrollingElement.scrollWidth <= width), and
axe finds no serious or critical violation.

Each page is loaded once at phone width (axe runs there, through `check_page`), then measured again after the
window is widened to desktop width: the same document laid out at both widths. Pages that depend on the
screen in more than width (the catalogue's filters, the quiz form) are axe-checked at both.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from learnhub.extensions import db
from learnhub.models import Course, User
from learnhub.services import catalogue
from tests.conftest import DEFAULT_PASSWORD, PROFILE, csrf_token

PHONE, DESKTOP = 390, 1280
LANGUAGES = ("es", "pt", "fr")
COURSE = "incident-response-fundamentals"  # lessons with wide tables and diagrams, and a matching question
QUIZ_COURSE = "passwords-mfa"

OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5 && !e.closest('.table-wrap'))
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') +
      ' (' + Math.round(e.getBoundingClientRect().right) + ' px)');
}"""


BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('.lesson-body td, .lesson-body th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const words = /[^\\s\\-\u2010-\u2014\\/]+/g;
      let match;
      while ((match = words.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1) broken.push(match[0]);
      }
    }
  }
  return broken.slice(0, 5);
}"""
MATCH_LABEL_SHARE = """() => {
  const width = document.querySelector('form.quiz').getBoundingClientRect().width;
  const labels = [...document.querySelectorAll('.match-row label')];
  return Math.min(...labels.map(l => l.getBoundingClientRect().width / width));
}"""


LEGENDS_ACROSS_BORDERS = """() => [...document.querySelectorAll('fieldset.question > legend')].filter(legend => {
  const box = legend.parentElement.getBoundingClientRect();
  const border = parseFloat(getComputedStyle(legend.parentElement).borderTopWidth);
  return legend.getBoundingClientRect().top < box.top + border;
}).map(legend => legend.textContent.trim().slice(0, 60))"""


def check_phone_layout(page: Page, path: str) -> None:
    """What issue 20 saw on a phone, page by page: the catalogue's courses on the first screen, lesson tables
    whose words stay whole and images that open at full size, matching labels given the width to read, and each
    question's text (its legend) inside its box rather than across the box's top border."""
    if path == "/courses":
        assert page.locator("details.more-filters").get_attribute("open") is None
        assert page.locator(".course-card").first.bounding_box()["y"] < 844
    if "/lessons/" in path:
        assert page.evaluate(BROKEN_WORDS) == [], path
        for image in page.locator(".lesson-body img").all():
            link = image.locator("xpath=ancestor::a[1]")
            assert link.get_attribute("href") == image.get_attribute("src")
    if "/quizzes/" in path and page.locator(".match-row").count():
        assert page.evaluate(MATCH_LABEL_SHARE) > 0.8, path
    if "/quizzes/" in path or "/attempts/" in path:  # a question of several lines is read inside its box
        assert page.evaluate(LEGENDS_ACROSS_BORDERS) == [], path


def page_width(page: Page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def assert_fits(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844 if width == PHONE else 900})
    measured = page_width(page)
    assert measured <= width, f"{page.url} is {measured} px wide at {width} px: {page.evaluate(OVERFLOWING)}"


def visit(page: Page, check_page, url: str, *, axe_on_desktop: bool = False) -> None:
    """Load `url` at phone width, check it fits and passes axe, then check it fits at desktop width."""
    page.set_viewport_size({"width": PHONE, "height": 844})
    page.goto(url)
    check_page()
    assert_fits(page, PHONE)
    check_phone_layout(page, "/" + url.split("/", 3)[-1])
    assert_fits(page, DESKTOP)
    if axe_on_desktop:
        check_page()


def prepared_learner(live_app, language: str) -> str:
    """A trainee reading in `language` who is enrolled in two courses and failed a quiz as often as it allows: the
    pages a learner reaches after a first week (My learning with rows and attempts, a result with feedback, and a
    last result whose review shows the right answers beside the learner's own)."""
    from learnhub.services import accounts, grading
    from tests.integration.learning_helpers import TOKEN_INPUT, answers_for

    email = f"widths-{language}@example.org"
    with live_app.app_context():
        accounts.create(email, DEFAULT_PASSWORD, accounts.Profile(**{**PROFILE, "language": language}),
                        role="trainee", verified=True)
        db.session.commit()
        db.session.remove()
    client = live_app.test_client()
    client.post("/login", data={"email": email, "password": DEFAULT_PASSWORD})
    for course_id in (COURSE, QUIZ_COURSE):
        page = client.get(f"/courses/{course_id}").get_data(as_text=True)
        client.post(f"/courses/{course_id}/enrol", data={"csrf_token": csrf_token(page)})
    with live_app.app_context():
        quiz = catalogue.syllabus(db.session.get(Course, QUIZ_COURSE)).items[-1]
        db.session.remove()
    for _ in range(quiz.max_attempts):  # the last failed attempt's review shows the right answers, tagged
        html = client.get(f"/courses/{QUIZ_COURSE}/quizzes/{quiz.key}").get_data(as_text=True)
        token = TOKEN_INPUT.search(html).group(1)
        with live_app.app_context():
            learner = db.session.scalar(db.select(User).where(User.email == email))
            course = db.session.get(Course, QUIZ_COURSE)
            shown = grading.form_for_token(token, learner, course, quiz, live_app.config["SECRET_KEY"]).questions
            db.session.remove()
        answered = client.post(f"/courses/{QUIZ_COURSE}/quizzes/{quiz.key}",
                               data={"csrf_token": csrf_token(html), "token": token, **answers_for(shown, False)})
        assert answered.status_code == 303, answered.status_code
    return email


def trainee_urls(live_app, language: str) -> list[tuple[str, bool]]:
    """(path, axe at desktop width too) for every page a trainee reaches, lessons of one course included."""
    with live_app.app_context():
        learner = db.session.scalar(db.select(User).where(User.email == f"widths-{language}@example.org"))
        from learnhub.models import Attempt

        attempts = db.session.scalars(db.select(Attempt.id).where(Attempt.learner_id == learner.id)
                                      .order_by(Attempt.number)).all()
        course = db.session.get(Course, COURSE)
        items = catalogue.syllabus(course).items
        db.session.remove()
    urls = [("/", False), ("/courses", True), ("/courses?kind=skills&level=intermediate", False),
            (f"/courses/{COURSE}", False), ("/learning", True), (f"/attempts/{attempts[0]}", True),
            (f"/attempts/{attempts[-1]}", True),
            ("/invitations", False), ("/account/profile", False), ("/account/password", False)]
    for item in items:
        kind = "lessons" if item.kind == "lesson" else "quizzes"
        urls.append((f"/courses/{COURSE}/{kind}/{item.key}", kind == "quizzes"))
    urls.append((f"/courses/{QUIZ_COURSE}/quizzes/check-passwords-mfa", False))  # a matching question
    return urls


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_trainee_page_fits_a_phone_and_a_desktop(page: Page, live_server, live_app, check_page, language):
    email = prepared_learner(live_app, language)
    page.set_viewport_size({"width": PHONE, "height": 844})
    page.goto(live_server + "/login")
    check_page()
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.locator("form.stack button[type=submit], form.stack input[type=submit]").click()
    page.wait_for_url(live_server + "/")
    check_page()
    for path, axe_on_desktop in trainee_urls(live_app, language):
        visit(page, check_page, live_server + path, axe_on_desktop=axe_on_desktop)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_fits_a_phone_and_a_desktop(browser, live_server, check_page, language):
    context = browser.new_context(locale={"es": "es-ES", "pt": "pt-BR", "fr": "fr-FR"}[language])
    page = context.new_page()
    page.set_default_timeout(8_000)
    try:
        for path in ("/", "/courses", f"/courses/{COURSE}", "/login", "/register", "/password/forgot",
                     "/verify/NOSUCHCODE"):
            page.set_viewport_size({"width": PHONE, "height": 844})
            page.goto(live_server + path)
            check_page(page)
            assert_fits(page, PHONE)
            assert_fits(page, DESKTOP)
        page.set_viewport_size({"width": PHONE, "height": 844})
        page.goto(live_server + "/register")
        page.locator("form.stack [type=submit]").click()  # every required field empty: the error summary
        check_page(page)
        assert_fits(page, PHONE)
        assert_fits(page, DESKTOP)
    finally:
        context.close()
