"""A French learner reads the three starter awareness courses in French: the course page, every lesson and the
quiz, with no fallback notice, French diagrams, no GIFT escape in sight, and the catalogue's Français filter
listing them (issue 21)."""

from __future__ import annotations

import re

from tests.conftest import log_in
from tests.integration.learning_helpers import quiz_page

COURSES = {
    "phishing-social-engineering": ("Hameçonnage et ingénierie sociale", "check-phishing", 4),
    "passwords-mfa": ("Mots de passe, gestionnaires de mots de passe", "check-passwords-mfa", 4),
    "reporting-incidents": ("Signaler un incident cyber", "check-reporting", 4),
}


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_a_french_learner_reads_the_starter_courses_in_french(app, db, client, make_user):
    user = make_user(email="lectrice@example.org", language="fr")
    log_in(client, user.email)
    for course_id, (title, quiz, lesson_count) in COURSES.items():
        html = get(client, f"/courses/{course_id}")
        assert '<html lang="fr">' in html
        assert "fallback-notice" not in html, course_id
        assert re.search(r"<h1>" + re.escape(title), html), course_id
        lessons = sorted(set(re.findall(rf'href="(/courses/{course_id}/lessons/[^"#]+)"', html)))
        assert len(lessons) == lesson_count, (course_id, lessons)
        for url in lessons:
            lesson = get(client, url)
            assert '<article class="lesson" lang="fr">' in lesson, url
            assert "fallback-notice" not in lesson, url
            for src in re.findall(r'<img [^>]*src="([^"]+)"', lesson):
                assert "-fr." in src, (url, src)  # the French diagram, not the English one
        page, _ = quiz_page(client, course_id, quiz)
        assert "fallback-notice" not in page, quiz
        assert "\\:" not in page and "\\#" not in page, quiz  # GIFT escapes never reach the learner
        assert "Vérifiez vos acquis" in page, quiz


def test_the_french_filter_lists_the_starter_courses(app, db, client):
    html = get(client, "/courses?language=fr")
    listed = set(re.findall(r'<h2><a href="/courses/([a-z0-9-]+)">', html))
    assert set(COURSES) <= listed
