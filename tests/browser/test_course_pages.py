"""Every starter course renders in English and Spanish, lesson by lesson, and passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

COURSES = ["phishing-social-engineering", "passwords-mfa", "reporting-incidents",
           "incident-response-fundamentals", "ics-critical-infrastructure", "vulnerability-patch-management",
           "csirt-cooperation", "cyber-diplomacy", "nis2-latam-leaders", "secure-connectivity"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_course_and_lesson_renders(page: Page, live_server, check_page, log_in_as, language):
    log_in_as(language)
    page.goto(f"{live_server}/courses")
    check_page()
    expect(page.locator(".course-card")).to_have_count(len(COURSES))
    for course_id in COURSES:
        page.goto(f"{live_server}/courses/{course_id}")
        check_page()
        lessons = [link.get_attribute("href") for link in page.locator(".item-list a[href*='/lessons/']").all()]
        assert len(lessons) >= 3, course_id
        for href in lessons:
            page.goto(live_server + href)
            check_page()
            article = page.locator("article.lesson")
            expect(article).to_have_attribute("lang", language)
            expect(page.locator(".notice")).to_have_count(0)  # every lesson exists in both languages
            assert len(article.inner_text()) > 1500, href
            for image in page.locator("article img").all():
                assert image.get_attribute("alt"), f"image without alt text on {href}"
                assert image.evaluate("img => img.complete && img.naturalWidth > 0"), f"broken image on {href}"


PORTUGUESE_TITLES = {
    "csirt-cooperation": "Cooperar além das fronteiras",
    "cyber-diplomacy": "Diplomacia cibernética e fortalecimento da confiança",
    "nis2-latam-leaders": "A NIS2 e as leis de cibersegurança da América Latina",
    "secure-connectivity": "Conectividade segura",
}


def test_new_courses_render_in_portuguese(page: Page, live_server, check_page, log_in_as):
    """A Brazilian learner reads the four new courses in Portuguese: no fallback notice, lang="pt", axe clean."""
    log_in_as("pt")
    for course_id, title in PORTUGUESE_TITLES.items():
        page.goto(f"{live_server}/courses/{course_id}")
        check_page()
        expect(page.locator("h1")).to_contain_text(title)
        lessons = [link.get_attribute("href") for link in page.locator(".item-list a[href*='/lessons/']").all()]
        assert len(lessons) == 4, course_id
        for number, href in enumerate(lessons):
            page.goto(live_server + href)
            check_page()
            article = page.locator("article.lesson")
            expect(article).to_have_attribute("lang", "pt")
            expect(page.locator(".notice")).to_have_count(0)
            text = article.inner_text()
            assert "Fontes" in text, href
            if number == 0:
                assert "O que você será capaz de fazer" in text, href


FRENCH_COURSES = {"csirt-cooperation": "Coopérer par-delà les frontières",
                  "cyber-diplomacy": "Cyberdiplomatie et mesures de confiance",
                  "nis2-latam-leaders": "NIS2 et les lois cyber d’Amérique latine",
                  "secure-connectivity": "Connectivité sécurisée"}


def test_the_new_courses_render_in_french(page: Page, live_server, check_page, log_in_as):
    """The four courses of issue 21 have every lesson in French: no fallback notice, French `lang`, axe clean."""
    log_in_as("fr")
    for course_id, title in FRENCH_COURSES.items():
        page.goto(f"{live_server}/courses/{course_id}")
        check_page()
        expect(page.locator("h1")).to_contain_text(title)
        lessons = [link.get_attribute("href") for link in page.locator(".item-list a[href*='/lessons/']").all()]
        assert len(lessons) == 4, course_id
        for href in lessons:
            page.goto(live_server + href)
            check_page()
            article = page.locator("article.lesson")
            expect(article).to_have_attribute("lang", "fr")
            expect(page.locator(".notice")).to_have_count(0)
            assert len(article.inner_text()) > 1500, href
