"""A French learner reads the three starter awareness courses in a browser: every lesson in French with its
French diagrams, no fallback notice, and no serious accessibility violation (axe) (issue 21)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

COURSES = {"phishing-social-engineering": "Hameçonnage et ingénierie sociale",
           "passwords-mfa": "Mots de passe, gestionnaires de mots de passe",
           "reporting-incidents": "Signaler un incident cyber"}


def test_the_starter_courses_render_in_french(page: Page, live_server, check_page, log_in_as):
    log_in_as("fr")
    for course_id, title in COURSES.items():
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
            for image in page.locator("article img").all():
                assert image.get_attribute("alt"), f"image without alt text on {href}"
                assert "-fr." in image.get_attribute("src"), f"not the French diagram on {href}"
                assert image.evaluate("img => img.complete && img.naturalWidth > 0"), f"broken image on {href}"
