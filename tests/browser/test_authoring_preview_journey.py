"""Preview, try-it and a lesson's front matter as fields (issue 16, decision 0079), in Spanish on a 390-pixel phone
and a 1280-pixel desktop: a trainer uploads a course, saves a lesson's fields unchanged (nothing saved), changes
its title in its field, previews it (the typed title stays in the field, the preview shows it as the lesson's
heading), saves; then previews a quiz (with the optional Ctrl+Enter shortcut), answers it and checks the
answers. axe on every page (no violation of any impact), and no page wider than the screen."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from learnhub.services import course_zip
from learnhub.services.workspaces import folder_files
from tests.browser.test_trainer_spanish_journey import check, es  # noqa: F401  (the fixture)

COURSES = Path(__file__).resolve().parents[2] / "courses"


def course_zip_file(tmp_path: Path, course_id: str) -> Path:
    files = folder_files(COURSES / "passwords-mfa")
    files["course.yaml"] = files["course.yaml"].replace(b"id: passwords-mfa\n", f"id: {course_id}\n".encode())
    path = tmp_path / f"{course_id}.zip"
    path.write_bytes(course_zip.build(course_id, files))
    return path


@pytest.mark.parametrize("width", (390, 1280))
def test_a_trainer_edits_a_title_field_previews_saves_and_tries_a_quiz_in_spanish(
        page: Page, live_server, log_in_as, check, width, tmp_path):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    course_id = f"vista-{width}-{secrets.token_hex(3)}"
    log_in_as("es", role="trainer")
    page.goto(live_server + "/author/")
    check()
    page.get_by_label(es("Course folder as a .zip file")).set_input_files(course_zip_file(tmp_path, course_id))
    page.get_by_role("button", name=es("Upload")).click()
    check()
    expect(page.get_by_role("heading", level=1)).to_have_text(course_id)

    # The lesson: its title as a field, previewed, then saved.
    page.get_by_role("link", name="mfa-methods.md", exact=True).click()
    check()
    title = page.get_by_label("Título", exact=True)
    expect(title).to_have_value(re.compile(r"\S"))
    expect(page.get_by_label("Minutos", exact=True)).to_have_value(re.compile(r"^\d+$"))
    body = page.get_by_label("Texto de la lección (Markdown)")
    expect(body).not_to_have_value(re.compile(r"^---"))  # the front matter is in the fields, not the text
    page.get_by_role("button", name="Guardar").click()  # the fields as they came: the file byte for byte
    check()
    expect(page.get_by_role("status")).to_contain_text(es("No changes to save."))
    title.fill("Métodos de verificación en dos pasos")
    page.get_by_role("button", name="Vista previa").click()
    check()
    preview = page.get_by_role("region", name="Vista previa")
    expect(preview.get_by_role("heading", level=1)).to_have_text("Métodos de verificación en dos pasos")
    expect(preview.locator(".lesson-body img").first).to_be_visible()  # the draft's picture, from the workspace
    expect(page.get_by_label("Título", exact=True)).to_have_value("Métodos de verificación en dos pasos")
    page.get_by_role("button", name="Guardar").click()
    check()
    expect(page.get_by_role("status")).to_contain_text("Guardado como una nueva versión.")
    expect(page.get_by_label("Título", exact=True)).to_have_value("Métodos de verificación en dos pasos")
    page.get_by_role("link", name="Editar como texto sin formato").click()
    check()
    expect(page.get_by_label("Contenido del archivo")).to_have_value(
        re.compile(r"^---\n(.*\n)*title: Métodos de verificación en dos pasos\n"))

    # The quiz: previewed, answered, checked; nothing recorded.
    page.get_by_role("link", name=es("Back to %(course)s") % {"course": course_id}).click()
    page.get_by_role("link", name="check-passwords-mfa.gift", exact=True).click()
    check()
    # The optional script: Ctrl+Enter in the text presses "Vista previa" (the hint shows only with the script).
    expect(page.locator("#editor-shortcuts")).to_have_text(
        "Atajos: Ctrl+S guarda, Ctrl+Intro muestra la vista previa (Cmd en un Mac).")
    page.get_by_label("Contenido del archivo").press("Control+Enter")
    page.wait_for_url(re.compile(r"/preview$"))
    check()
    preview = page.get_by_role("region", name="Vista previa")
    expect(preview.locator("fieldset.question").first).to_be_visible()
    preview.locator("fieldset.question input[type=radio]").first.check()
    preview.get_by_role("button", name="Comprobar mis respuestas").click()
    check()
    checked = page.get_by_role("region", name="Sus respuestas, comprobadas")
    expect(checked.get_by_role("status")).to_contain_text("No se registró nada: era una prueba.")
    expect(checked.locator("section.review").first).to_be_visible()
    expect(checked.locator("p.verdict").first).to_have_text(re.compile(r"\S"))
    expect(page.get_by_label("Contenido del archivo")).to_have_value(re.compile(r"::"))
