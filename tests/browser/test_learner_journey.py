"""The trainee's journey in the browser, in English and Spanish: find, enrol, learn, fail, pass, certify, verify."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from learnhub.extensions import db
from learnhub.models import Course, User
from learnhub.services import badge_baking, catalogue, grading
from tests.integration.learning_helpers import answers_for

COURSE = "passwords-mfa"
TEXT = {
    "en": {"search": "Search", "filter": "Filter", "more": "More filters", "type": "Type", "awareness": "Awareness",
           "enrol": "Enrol in this course",
           "done": "Mark as done and continue", "submit": "Submit answers", "failed": "Not passed yet",
           "feedback_word": "Incorrect", "retry": "Try again", "passed": "Passed", "course": "Back to the course",
           "my_learning": "My learning", "pdf": "Download PDF", "verify": "Public verification page",
           "valid": "Valid", "complete": "You have completed this course.", "pdf_heading": "Certificate of completion",
           "badge": "Download badge (Open Badges)", "badge_png": "Badge image (PNG)"},
    "es": {"search": "Buscar", "filter": "Filtrar", "more": "Más filtros", "type": "Tipo",
           "awareness": "Sensibilización",
           "enrol": "Inscribirse en este curso", "done": "Marcar como completada y continuar",
           "submit": "Enviar respuestas", "failed": "Aún no aprobado", "feedback_word": "Incorrect",
           "retry": "Intentar de nuevo", "passed": "Aprobado", "course": "Volver al curso",
           "my_learning": "Mi aprendizaje", "pdf": "Descargar PDF", "verify": "Página pública de verificación",
           "valid": "Válido", "complete": "Completó este curso.", "pdf_heading": "Certificado de finalización",
           "badge": "Descargar insignia (Open Badges)", "badge_png": "Imagen de la insignia (PNG)"},
}


def answer_quiz(page: Page, live_app, email: str, right: bool, course: str = COURSE,
                quiz: str = "check-passwords-mfa") -> None:
    """Fill the quiz on the page right or wrong, as a learner would, from the questions its token shows."""
    token = page.locator('input[name="token"]').input_value()
    with live_app.app_context():
        learner = db.session.scalar(db.select(User).where(User.email == email))
        course_row = db.session.get(Course, course)
        item = catalogue.syllabus(course_row).item(quiz)
        shown = grading.form_for_token(token, learner, course_row, item, live_app.config["SECRET_KEY"]).questions
        db.session.remove()
    for name, value in answers_for(shown, right).items():
        if name == "csrf_token":
            continue
        if re.fullmatch(r"q\d+-\d+", name):
            page.locator(f"#{name}").select_option(value)
        elif isinstance(value, list):
            for choice in value:
                page.locator(f"#{name}-{choice}").check()
        elif page.locator(f"#{name}-input").count():
            page.locator(f"#{name}-input").fill(value)
        else:
            page.locator(f"#{name}-{value}").check()


@pytest.mark.parametrize("language", ["en", "es"])
def test_learner_journey(page: Page, live_server, live_app, check_page, log_in_as, language):
    t = TEXT[language]
    email = log_in_as(language)
    # Find the course with the filters.
    page.goto(live_server + "/courses")
    check_page()
    page.get_by_label(t["search"]).fill("MFA" if language == "en" else "contraseñas")
    page.get_by_text(t["more"], exact=True).click()  # the filters open from a disclosure (issue 20)
    page.get_by_label(t["type"]).select_option("awareness")
    page.get_by_role("button", name=t["filter"]).first.click()
    check_page()
    expect(page.locator(".course-card")).to_have_count(1)
    page.locator(".course-card h2 a").click()
    check_page()
    # Enrol and read every lesson.
    page.get_by_role("button", name=t["enrol"]).click()
    check_page()
    while page.get_by_role("button", name=t["done"]).count():
        expect(page.locator("article.lesson")).to_have_attribute("lang", language)
        page.get_by_role("button", name=t["done"]).click()
        check_page()
    # The last lesson leads to the quiz: fail it first and read the feedback.
    expect(page.locator("form.quiz")).to_be_visible()
    expect(page.locator("fieldset.question").first.locator("legend")).not_to_be_empty()
    answer_quiz(page, live_app, email, right=False)
    page.get_by_role("button", name=t["submit"]).click()
    check_page()
    expect(page.get_by_role("status")).to_contain_text(t["failed"])
    expect(page.locator(".feedback").first).to_be_visible()
    page.get_by_role("link", name=t["retry"]).click()
    check_page()
    answer_quiz(page, live_app, email, right=True)
    page.get_by_role("button", name=t["submit"]).click()
    check_page()
    expect(page.locator(".score")).to_contain_text("100")
    expect(page.get_by_role("status")).to_contain_text(t["passed"])
    page.get_by_role("link", name=t["course"]).click()
    check_page()
    expect(page.locator("main")).to_contain_text(t["complete"])
    # The certificate: download it, read it, verify it publicly.
    page.get_by_role("link", name=t["my_learning"]).click()
    check_page()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=t["pdf"]).click()
    pdf_path = download_info.value.path()
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert t["pdf_heading"] in text and "Lucía Fernández" in text
    # The same certificate as an Open Badge: the JSON credential, and the badge image carrying it (decision 0072).
    with page.expect_download() as download_info:
        page.get_by_role("link", name=t["badge"]).click()
    credential = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["credentialSubject"]["identifier"][0]["identityHash"] == "Lucía Fernández"
    assert email not in json.dumps(credential)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=t["badge_png"]).click()
    baked = badge_baking.unbake_png(Path(download_info.value.path()).read_bytes())
    assert baked["credentialSubject"] == credential["credentialSubject"]
    verify_href = page.get_by_role("link", name=t["verify"]).get_attribute("href")
    anonymous = page.context.browser.new_page(locale=language)  # a verifier reading in their own language
    try:
        anonymous.goto(live_server + verify_href)
        check_page(anonymous)
        expect(anonymous.locator(".certificate-facts")).to_contain_text("Lucía Fernández")
        expect(anonymous.locator(".certificate-facts")).to_contain_text(t["valid"])
        expect(anonymous.locator("main")).not_to_contain_text(email)
    finally:
        anonymous.close()
