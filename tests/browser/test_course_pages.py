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


PORTUGUESE = ["phishing-social-engineering", "passwords-mfa", "reporting-incidents"]


@pytest.mark.parametrize("course_id", PORTUGUESE)
def test_a_portuguese_learner_reads_the_translated_courses_without_fallback(
        page: Page, live_server, check_page, log_in_as, course_id):
    """The courses translated to Portuguese show every lesson in Portuguese, with no fallback notice, and their
    diagrams are the Portuguese ones."""
    log_in_as("pt")
    page.goto(f"{live_server}/courses/{course_id}")
    check_page()
    expect(page.locator(".notice")).to_have_count(0)
    lessons = [link.get_attribute("href") for link in page.locator(".item-list a[href*='/lessons/']").all()]
    assert len(lessons) >= 3
    images = 0
    for href in lessons:
        page.goto(live_server + href)
        check_page()
        expect(page.locator("article.lesson")).to_have_attribute("lang", "pt")
        expect(page.locator(".notice")).to_have_count(0)
        for image in page.locator("article img").all():
            images += 1
            assert "-pt" in image.get_attribute("src"), f"a non-Portuguese diagram on {href}"
            assert image.evaluate("img => img.complete && img.naturalWidth > 0"), f"broken image on {href}"
    assert images >= 1
